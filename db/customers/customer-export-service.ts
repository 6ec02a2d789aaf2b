import { recordAudit } from '../audit/audit-repository.js';
import type { ServiceContext } from '../context.js';
import type { Db } from '../knex.js';
import { withTenant } from '../tenant.js';
import { listAllDocuments, type CustomerDocument } from './customer-document-repository.js';
import { listAllHistory, type HistoryEntry } from './customer-history-repository.js';
import type { Customer } from './customer-model.js';
import { listAllNotes, type CustomerNote } from './customer-note-repository.js';
import { findCustomer } from './customer-repository.js';
import { customerForRead, scopeOf } from './customer-subresource-access.js';

/** Everything held on one person (GDPR access): the profile decrypted, its sub-resources, its trail. */
export interface CustomerExport {
  exportedAt: Date;
  customer: Customer;
  avatarContentType: string | null;
  notes: CustomerNote[];
  documents: CustomerDocument[];
  history: HistoryEntry[];
}

/** Reads everything in one transaction, and records that it was exported (the audit row is in the export). */
export async function exportCustomer(db: Db, ctx: ServiceContext, customerId: string): Promise<CustomerExport> {
  const scope = scopeOf(ctx);
  return withTenant(db, { orgId: ctx.orgId }, async (trx) => {
    const row = await customerForRead(trx, scope, customerId);
    await recordAudit(trx, ctx, { action: 'customer.exported', subjectType: 'customer', subjectId: customerId });
    // One after the other: a transaction is one connection, which runs one query at a time anyway.
    return {
      exportedAt: new Date(),
      customer: (await findCustomer(trx, scope.orgId, scope.storeId, customerId))!,
      avatarContentType: row.avatar_key ? row.avatar_content_type : null,
      notes: await listAllNotes(trx, scope, customerId),
      documents: await listAllDocuments(trx, scope, customerId),
      history: await listAllHistory(trx, scope.orgId, customerId),
    };
  });
}
