import type { CustomerDocument } from '../../db/customers/customer-document-repository.js';
import type { CustomerTag } from '../../db/customers/customer-tag-repository.js';
import { roleAtLeast, type Role } from '../../db/users/roles.js';

export const presentTag = (tag: CustomerTag) => ({ id: tag.id, label: tag.label, createdAt: tag.createdAt });

/** Staff see a document's number masked (`•••• 1234`), managers and up in full, like licence numbers. */
export function presentDocument(doc: CustomerDocument, viewerRole: Role) {
  const masked = !roleAtLeast(viewerRole, 'manager');
  return {
    id: doc.id,
    type: doc.type,
    number: masked ? `•••• ${doc.last4 ?? ''}`.trim() : doc.number,
    issuingRegion: doc.issuingRegion,
    expiresOn: doc.expiresOn,
    file: doc.file,
    createdAt: doc.createdAt,
  };
}
