import { decryptField } from '../crypto/field-encryption.js';
import type { Trx } from '../knex.js';
import type { CustomerScope } from './customer-subresource-access.js';
import { keysetPage, type TimeCursor } from '../time-cursor.js';

export const DOCUMENT_TYPES = ['drivers_license', 'medical_card', 'passport', 'state_id', 'other'] as const;
export type DocumentType = (typeof DOCUMENT_TYPES)[number];

/** A document as the domain sees it: number decrypted (the presenter masks it for staff). */
export interface CustomerDocument {
  id: string;
  type: DocumentType;
  number: string | null;
  last4: string | null;
  issuingRegion: string | null;
  expiresOn: string | null;
  file: { contentType: string; size: number | null } | null;
  /** Internal: where the file is stored. */
  fileKey: string | null;
  createdAt: Date;
}

export interface NewDocumentRow {
  type: DocumentType;
  numberCiphertext: string;
  numberBidx: string;
  numberLast4: string;
  issuingRegion: string | null;
  expiresOn: string | null;
  fileKey: string | null;
  fileContentType: string | null;
  fileSize: number | null;
  createdBy: string | null;
}

const COLUMNS = [
  'id',
  'type',
  'number_ciphertext',
  'number_last4',
  'issuing_region',
  'expires_on',
  'file_key',
  'file_content_type',
  'file_size',
  'created_at',
];

// eslint-disable-next-line @typescript-eslint/no-explicit-any
function documentFromRow(r: Record<string, any>): CustomerDocument {
  return {
    id: r.id,
    type: r.type,
    number: r.number_ciphertext ? decryptField(r.number_ciphertext) : null,
    last4: r.number_last4,
    issuingRegion: r.issuing_region,
    expiresOn: r.expires_on,
    file: r.file_key ? { contentType: r.file_content_type, size: r.file_size } : null,
    fileKey: r.file_key,
    createdAt: r.created_at,
  };
}

const ofCustomer = (scope: CustomerScope, customerId: string) => ({
  organization_id: scope.orgId,
  store_id: scope.storeId,
  customer_id: customerId,
});

export async function insertDocument(
  trx: Trx,
  scope: CustomerScope,
  customerId: string,
  doc: NewDocumentRow,
): Promise<CustomerDocument> {
  const [row] = await trx('customer_documents')
    .insert({
      ...ofCustomer(scope, customerId),
      type: doc.type,
      number_ciphertext: doc.numberCiphertext,
      number_bidx: doc.numberBidx,
      number_last4: doc.numberLast4,
      issuing_region: doc.issuingRegion,
      expires_on: doc.expiresOn,
      file_key: doc.fileKey,
      file_content_type: doc.fileContentType,
      file_size: doc.fileSize,
      created_by: doc.createdBy,
    })
    .returning(COLUMNS);
  return documentFromRow(row);
}

/** A page of the customer's documents in the order they were added. */
export async function listDocuments(
  trx: Trx,
  scope: CustomerScope,
  customerId: string,
  page: { limit: number; after?: TimeCursor },
): Promise<Array<{ item: CustomerDocument; cursorAt: string }>> {
  const query = trx('customer_documents').select(COLUMNS).where(ofCustomer(scope, customerId));
  const rows = await keysetPage(trx, query, page, 'asc');
  return rows.map((r: Record<string, string>) => ({ item: documentFromRow(r), cursorAt: r.cursor_at }));
}

/** Every document of the customer (the GDPR export, erasure). */
export async function listAllDocuments(
  trx: Trx,
  scope: CustomerScope,
  customerId: string,
): Promise<CustomerDocument[]> {
  const rows = await trx('customer_documents')
    .select(COLUMNS)
    .where(ofCustomer(scope, customerId))
    .orderBy([{ column: 'created_at' }, { column: 'id' }]);
  return rows.map(documentFromRow);
}

export async function findDocument(
  trx: Trx,
  scope: CustomerScope,
  customerId: string,
  documentId: string,
): Promise<CustomerDocument | undefined> {
  const row = await trx('customer_documents')
    .where({ ...ofCustomer(scope, customerId), id: documentId })
    .first(COLUMNS);
  return row ? documentFromRow(row) : undefined;
}

/** Deletes the document; the deleted one (for its file key), or undefined if there was none. */
export async function deleteDocument(
  trx: Trx,
  scope: CustomerScope,
  customerId: string,
  documentId: string,
): Promise<CustomerDocument | undefined> {
  const [row] = await trx('customer_documents')
    .where({ ...ofCustomer(scope, customerId), id: documentId })
    .delete()
    .returning(COLUMNS);
  return row ? documentFromRow(row) : undefined;
}
