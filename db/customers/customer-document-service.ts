import { AppError, notFound } from '../../config/errors.js';
import type { FileStorage, StoredFile } from '../../integrations/storage/file-storage.js';
import { recordAudit } from '../audit/audit-repository.js';
import type { ServiceContext } from '../context.js';
import { blindIndex, encryptField, lastFour } from '../crypto/field-encryption.js';
import type { Db } from '../knex.js';
import { writeOutboxEvent } from '../outbox/outbox-repository.js';
import type { Page } from '../pagination.js';
import { withTenant } from '../tenant.js';
import {
  deleteDocument,
  findDocument,
  insertDocument,
  listDocuments,
  type CustomerDocument,
  type DocumentType,
} from './customer-document-repository.js';
import { deleteFilesQuietly, newFileKey, withStoredFile, type UploadedFile } from './customer-files.js';
import { normaliseIdNumber } from './customer-normalise.js';
import { customerForChange, customerForRead, scopeOf } from './customer-subresource-access.js';
import { decodeTimeCursor, pageOfItems, type PageRequest } from '../time-cursor.js';

export interface NewDocument {
  type: DocumentType;
  number: string;
  issuingRegion?: string | null;
  expiresOn?: string | null;
}

function encryptedNumber(raw: string) {
  const number = normaliseIdNumber(raw);
  if (number.length === 0) {
    throw new AppError('validation_failed', 'number must contain letters or digits', {
      details: [{ path: 'number', message: 'must contain letters or digits' }],
    });
  }
  return {
    numberCiphertext: encryptField(number),
    numberBidx: blindIndex('document', number),
    numberLast4: lastFour(number),
  };
}

export async function listCustomerDocuments(
  db: Db,
  ctx: ServiceContext,
  customerId: string,
  request: PageRequest,
): Promise<Page<CustomerDocument>> {
  const scope = scopeOf(ctx);
  const after = decodeTimeCursor(request.cursor);
  const rows = await withTenant(db, { orgId: ctx.orgId }, async (trx) => {
    await customerForRead(trx, scope, customerId);
    return listDocuments(trx, scope, customerId, { limit: request.limit, after });
  });
  return pageOfItems(rows, request.limit);
}

/**
 * Records an identity document: the number encrypted, with a blind index and its last four; the file
 * (already checked by content) stored under a generated key before the row that points at it.
 */
export async function addCustomerDocument(
  db: Db,
  storage: FileStorage,
  ctx: ServiceContext,
  customerId: string,
  input: NewDocument,
  file?: UploadedFile,
): Promise<CustomerDocument> {
  const scope = scopeOf(ctx);
  const number = encryptedNumber(input.number);
  const upload = file ? { key: newFileKey('documents', ctx.orgId), file } : undefined;
  return withStoredFile(storage, upload, () =>
    withTenant(db, { orgId: ctx.orgId }, async (trx) => {
      await customerForChange(trx, scope, customerId);
      const document = await insertDocument(trx, scope, customerId, {
        type: input.type,
        ...number,
        issuingRegion: input.issuingRegion ?? null,
        expiresOn: input.expiresOn ?? null,
        fileKey: upload?.key ?? null,
        fileContentType: upload?.file.contentType ?? null,
        fileSize: upload?.file.bytes.length ?? null,
        createdBy: ctx.actor.id,
      });
      await recordAudit(trx, ctx, {
        action: 'customer.document_added',
        subjectType: 'customer',
        subjectId: customerId,
        changedFields: ['documents'],
      });
      await writeOutboxEvent(trx, ctx, {
        type: 'customer.updated',
        subject: { type: 'customer', id: customerId },
        data: { documentId: document.id, changedFields: ['documents'] },
      });
      return document;
    }),
  );
}

/** Deletes the document; its file goes once the deletion committed. */
export async function removeCustomerDocument(
  db: Db,
  storage: FileStorage,
  ctx: ServiceContext,
  customerId: string,
  documentId: string,
): Promise<void> {
  const scope = scopeOf(ctx);
  const removed = await withTenant(db, { orgId: ctx.orgId }, async (trx) => {
    await customerForChange(trx, scope, customerId);
    const document = await deleteDocument(trx, scope, customerId, documentId);
    if (!document) throw notFound('document');
    await recordAudit(trx, ctx, {
      action: 'customer.document_removed',
      subjectType: 'customer',
      subjectId: customerId,
      changedFields: ['documents'],
    });
    await writeOutboxEvent(trx, ctx, {
      type: 'customer.updated',
      subject: { type: 'customer', id: customerId },
      data: { documentId, changedFields: ['documents'] },
    });
    return document;
  });
  await deleteFilesQuietly(storage, [removed.fileKey]);
}

/** The stored file of a document; 404 when the document has none (or it is gone from storage). */
export async function readCustomerDocumentFile(
  db: Db,
  storage: FileStorage,
  ctx: ServiceContext,
  customerId: string,
  documentId: string,
): Promise<StoredFile> {
  const scope = scopeOf(ctx);
  const document = await withTenant(db, { orgId: ctx.orgId }, async (trx) => {
    await customerForRead(trx, scope, customerId);
    const found = await findDocument(trx, scope, customerId, documentId);
    // Looking at an identity document's scan is worth a line in the customer's history.
    if (found?.fileKey) {
      await recordAudit(trx, ctx, {
        action: 'customer.document_viewed',
        subjectType: 'customer',
        subjectId: customerId,
      });
    }
    return found;
  });
  if (!document) throw notFound('document');
  const file = document.fileKey ? await storage.get(document.fileKey) : undefined;
  if (!file) throw notFound('document file');
  return file;
}
