import { AppError, notFound } from '../../config/errors.js';
import { recordAudit } from '../audit/audit-repository.js';
import type { ServiceContext } from '../context.js';
import type { Db } from '../knex.js';
import { writeOutboxEvent } from '../outbox/outbox-repository.js';
import { withTenant } from '../tenant.js';
import { customerMetrics } from './customer-metrics.js';
import type { Customer } from './customer-model.js';
import { findCustomer } from './customer-repository.js';
import {
  lockPair,
  markMerged,
  moveAddresses,
  moveDocuments,
  moveExternalRefs,
  moveNotes,
  moveTags,
  repointMergedInto,
  updateSurvivor,
} from './merge-repository.js';
import { assertMergeable, planSurvivor, type MergeChoice, type MergeField } from './merge-rules.js';

export interface MergeRequest {
  sourceId: string;
  fields?: Partial<Record<MergeField, MergeChoice>>;
}

/**
 * Merges `sourceId` into the survivor `targetId`, in one transaction with both rows locked: the
 * survivor's fields are kept (see planSurvivor), tags, notes, addresses, documents and external refs
 * move to it, and the source becomes `merged` pointing at it. Audited on both, one outbox event.
 */
export async function mergeCustomers(
  db: Db,
  ctx: ServiceContext,
  storeId: string,
  targetId: string,
  request: MergeRequest,
): Promise<Customer> {
  const { sourceId } = request;
  if (sourceId === targetId) {
    throw new AppError('validation_failed', 'a customer cannot be merged into itself', {
      details: [{ path: 'sourceId', message: 'must differ from the customer merged into' }],
    });
  }
  const scope = { orgId: ctx.orgId, storeId };
  const survivor = await withTenant(db, { orgId: ctx.orgId }, async (trx) => {
    const locked = await lockPair(trx, scope, [sourceId, targetId]);
    const target = locked.get(targetId);
    const source = locked.get(sourceId);
    if (!target) throw notFound('customer');
    if (!source) throw notFound('source customer');
    assertMergeable(target, 'target');
    assertMergeable(source, 'source');

    const plan = planSurvivor(target, source, request.fields ?? {});
    const moved = {
      tags: await moveTags(trx, scope, sourceId, targetId),
      notes: await moveNotes(trx, scope, sourceId, targetId),
      addresses: await moveAddresses(trx, scope, sourceId, targetId),
      documents: await moveDocuments(trx, scope, sourceId, targetId),
      externalRefs: await moveExternalRefs(trx, scope, sourceId, targetId),
    };
    // Orders move to the survivor here once orders exist (the orders issue): re-point orders.customer_id.
    await updateSurvivor(trx, scope, targetId, plan.patch);
    await markMerged(trx, scope, sourceId, targetId, plan.sourcePatch);
    const repointed = await repointMergedInto(trx, scope, sourceId, targetId);

    const movedFields = Object.entries(moved)
      .filter(([, count]) => count > 0)
      .map(([name]) => name);
    const survivorFields = [...plan.changedFields, ...movedFields];
    await recordAudit(trx, ctx, {
      action: 'customer.merged',
      subjectType: 'customer',
      subjectId: targetId,
      changedFields: survivorFields,
    });
    await recordAudit(trx, ctx, {
      action: 'customer.merged',
      subjectType: 'customer',
      subjectId: sourceId,
      changedFields: ['status', 'mergedIntoId', ...plan.sourceChangedFields, ...movedFields],
    });
    for (const id of repointed) {
      await recordAudit(trx, ctx, {
        action: 'customer.merged',
        subjectType: 'customer',
        subjectId: id,
        changedFields: ['mergedIntoId'],
      });
    }
    await writeOutboxEvent(trx, ctx, {
      type: 'customer.merged',
      subject: { type: 'customer', id: targetId },
      data: { sourceId, targetId, changedFields: survivorFields },
    });
    return findCustomer(trx, ctx.orgId, storeId, targetId);
  });
  customerMetrics.merged.inc();
  return survivor!;
}
