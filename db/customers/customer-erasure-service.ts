import { notFound } from '../../config/errors.js';
import type { FileStorage } from '../../integrations/storage/file-storage.js';
import { recordAudit } from '../audit/audit-repository.js';
import type { ServiceContext } from '../context.js';
import type { Db } from '../knex.js';
import { writeOutboxEvent } from '../outbox/outbox-repository.js';
import { withTenant } from '../tenant.js';
import {
  anonymiseCustomers,
  deletePersonalRecords,
  deleteStoredAnswersNaming,
  lockCustomerWithMergedSources,
} from './customer-erasure-repository.js';
import { deleteFilesQuietly } from './customer-files.js';
import { customerMetrics } from './customer-metrics.js';
import type { Customer } from './customer-model.js';
import { findCustomer } from './customer-repository.js';
import { scopeOf } from './customer-subresource-access.js';

/** What an erasure removes, by name (the audit row lists names, never values). */
export const ERASED_FIELDS = [
  'firstName',
  'middleName',
  'lastName',
  'birthday',
  'email',
  'phone',
  'gender',
  'driversLicense',
  'medicalCard',
  'consents',
  'avatar',
  'tags',
  'notes',
  'addresses',
  'documents',
];

/**
 * GDPR erasure. The customer, and every record merged into it, becomes an anonymous shell with status
 * `erased`: personal fields, identity numbers with their blind indexes, consents, avatar, tags, notes,
 * addresses and documents go; the row stays so counts and totals survive.
 *
 * External refs (POS ids) stay on purpose: they hold no personal data themselves, they keep orders
 * linked to the shell, and they let a later POS sync recognise the person as erased instead of
 * importing them again as a new customer.
 *
 * Erasing an erased customer changes nothing and emits nothing (`erased: false`). Files are deleted
 * only after the erasure committed.
 */
export async function eraseCustomer(
  db: Db,
  storage: FileStorage,
  ctx: ServiceContext,
  customerId: string,
): Promise<{ customer: Customer; erased: boolean }> {
  const scope = scopeOf(ctx);
  const outcome = await withTenant(db, { orgId: ctx.orgId }, async (trx) => {
    const records = await lockCustomerWithMergedSources(trx, scope, customerId);
    const target = records.find((r) => r.id === customerId);
    if (!target) throw notFound('customer');
    if (target.status === 'erased') {
      return { customer: (await findCustomer(trx, scope.orgId, scope.storeId, customerId))!, erased: 0, fileKeys: [] };
    }
    const ids = records.map((r) => r.id);
    const deleted = await deletePersonalRecords(trx, scope, ids);
    await anonymiseCustomers(trx, scope, ids);
    await deleteStoredAnswersNaming(trx, ctx.orgId, [...ids, ...deleted.recordIds]);
    for (const id of ids) {
      await recordAudit(trx, ctx, {
        action: 'customer.erased',
        subjectType: 'customer',
        subjectId: id,
        changedFields: ERASED_FIELDS,
      });
      await writeOutboxEvent(trx, ctx, {
        type: 'customer.erased',
        subject: { type: 'customer', id },
        data: id === customerId ? {} : { mergedIntoId: customerId },
      });
    }
    const avatarKeys = records.map((r) => r.avatarKey).filter((key): key is string => Boolean(key));
    return {
      customer: (await findCustomer(trx, scope.orgId, scope.storeId, customerId))!,
      erased: ids.length,
      fileKeys: [...avatarKeys, ...deleted.fileKeys],
    };
  });
  if (outcome.erased > 0) customerMetrics.erased.inc(outcome.erased);
  await deleteFilesQuietly(storage, outcome.fileKeys);
  return { customer: outcome.customer, erased: outcome.erased > 0 };
}
