import { notFound } from '../../config/errors.js';
import { recordAudit } from '../audit/audit-repository.js';
import type { ServiceContext } from '../context.js';
import type { Db } from '../knex.js';
import { writeOutboxEvent } from '../outbox/outbox-repository.js';
import { withTenant } from '../tenant.js';
import { customerMetrics } from './customer-metrics.js';
import { customerForChange, scopeOf } from './customer-subresource-access.js';
import { touchCustomer } from './customer-subresource-repository.js';
import { deleteTag, insertTagIfAbsent, type CustomerTag } from './customer-tag-repository.js';

const subject = (id: string) => ({ type: 'customer' as const, id });

/**
 * Tags a customer. Labels are unique per customer without regard to case: adding one that exists
 * changes nothing (no audit, no event) and answers the stored tag with `created: false`.
 * Events carry the tag id, not its label: a label is free text staff type, and may say anything.
 */
export async function addCustomerTag(
  db: Db,
  ctx: ServiceContext,
  customerId: string,
  label: string,
): Promise<{ tag: CustomerTag; created: boolean }> {
  const scope = scopeOf(ctx);
  const result = await withTenant(db, { orgId: ctx.orgId }, async (trx) => {
    await customerForChange(trx, scope, customerId);
    const outcome = await insertTagIfAbsent(trx, scope, customerId, label, ctx.actor.id);
    if (!outcome.created) return outcome;
    await touchCustomer(trx, scope, customerId);
    await recordAudit(trx, ctx, {
      action: 'customer.tag_added',
      subjectType: 'customer',
      subjectId: customerId,
      changedFields: ['tags'],
    });
    await writeOutboxEvent(trx, ctx, {
      type: 'customer.tagged',
      subject: subject(customerId),
      data: { tagId: outcome.tag.id, changedFields: ['tags'] },
    });
    return outcome;
  });
  if (result.created) customerMetrics.tagged.inc();
  return result;
}

/** Removes a tag named in any case; 404 when the customer has no such tag. */
export async function removeCustomerTag(db: Db, ctx: ServiceContext, customerId: string, label: string): Promise<void> {
  const scope = scopeOf(ctx);
  await withTenant(db, { orgId: ctx.orgId }, async (trx) => {
    await customerForChange(trx, scope, customerId);
    const removed = await deleteTag(trx, scope, customerId, label);
    if (!removed) throw notFound('tag');
    await touchCustomer(trx, scope, customerId);
    await recordAudit(trx, ctx, {
      action: 'customer.tag_removed',
      subjectType: 'customer',
      subjectId: customerId,
      changedFields: ['tags'],
    });
    await writeOutboxEvent(trx, ctx, {
      type: 'customer.updated',
      subject: subject(customerId),
      data: { tagId: removed.id, changedFields: ['tags'] },
    });
  });
}
