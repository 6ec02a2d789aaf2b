import { AppError, notFound } from '../../config/errors.js';
import type { PosCustomer } from '../../integrations/pos/pos-types.js';
import { recordAudit } from '../audit/audit-repository.js';
import { systemActor, type ServiceContext, storeOf } from '../context.js';
import type { Db } from '../knex.js';
import { writeOutboxEvent } from '../outbox/outbox-repository.js';
import type { Page } from '../pagination.js';
import { advanceWatermark, findPosSettings, type PosSettingsRow } from '../pos/pos-settings-repository.js';
import { findReachableStore } from '../stores/store-access.js';
import { withTenant } from '../tenant.js';
import {
  findRunningSync,
  findSync,
  insertPendingSync,
  listSyncs,
  markEnded,
  markInProgress,
  saveProgress,
} from './customer-sync-repository.js';
import {
  addCounts,
  boundedErrors,
  latestPerExternalId,
  mapPosCustomer,
  recordErrorOf,
  type CustomerSync,
  type MappedRecord,
  type RecordError,
  type SyncCounts,
  type SyncTrigger,
} from './customer-sync-rules.js';
import { applyPosMerges, upsertSyncPage, type SyncScope } from './sync-upsert-repository.js';
import { decodeTimeCursor } from '../time-cursor.js';

const notConfigured = () =>
  new AppError('pos_not_configured', 'this store has no POS configured: PUT /stores/:storeId/pos first');

/**
 * Starts a sync, or finds the one already pending or running (one per store). `enqueue` runs after the
 * commit, for a found run too: a run whose job was lost (Redis down at the first try) gets it back, and
 * the job id (the sync id) makes a repeat a no-op.
 */
export async function startCustomerSync(
  db: Db,
  ctx: ServiceContext,
  enqueue: (sync: CustomerSync) => Promise<void>,
  trigger: SyncTrigger = 'manual',
): Promise<{ sync: CustomerSync; created: boolean }> {
  const storeId = storeOf(ctx);
  const result = await withTenant(db, { orgId: ctx.orgId }, async (trx) => {
    const settings = await findPosSettings(trx, ctx.orgId, storeId);
    if (!settings) throw notConfigured();
    const inserted = await insertPendingSync(trx, ctx.orgId, storeId, settings.provider, trigger);
    if (!inserted) {
      const running = await findRunningSync(trx, ctx.orgId, storeId);
      if (!running) throw new AppError('conflict', 'a sync of this store just ended: try again');
      return { sync: running, created: false };
    }
    await recordAudit(trx, ctx, {
      action: 'customer_sync.started',
      subjectType: 'customer_sync',
      subjectId: inserted.id,
    });
    return { sync: inserted, created: true };
  });
  await enqueue(result.sync);
  return result;
}

export async function listCustomerSyncs(
  db: Db,
  ctx: ServiceContext,
  query: { limit: number; cursor?: string },
): Promise<Page<CustomerSync>> {
  const storeId = storeOf(ctx);
  const after = decodeTimeCursor(query.cursor);
  return withTenant(db, { orgId: ctx.orgId }, (trx) =>
    listSyncs(trx, ctx.orgId, storeId, { limit: query.limit, after }),
  );
}

export async function getCustomerSync(db: Db, ctx: ServiceContext, id: string): Promise<CustomerSync> {
  const sync = await withTenant(db, { orgId: ctx.orgId }, (trx) => findSync(trx, ctx.orgId, storeOf(ctx), id));
  if (!sync) throw notFound('customer sync');
  return sync;
}

// ---- The run itself, called by the customer-sync job ----

/** One run as the job carries it between pages. Counts and record errors are what the row holds. */
export interface SyncRun {
  ctx: ServiceContext & { storeId: string };
  sync: CustomerSync;
  settings: PosSettingsRow;
  store: { timezone: string; country: string };
  counts: SyncCounts;
  recordErrors: RecordError[];
  deferredMerges: Array<{ loser: string; survivor: string }>;
}

const systemCtx = (orgId: string, storeId: string) => ({ orgId, storeId, actor: systemActor });

/** A scheduler fired: the run it opens, or the one already pending or running; none without settings. */
export async function openScheduledSync(db: Db, orgId: string, storeId: string): Promise<CustomerSync | undefined> {
  return withTenant(db, { orgId }, async (trx) => {
    const settings = await findPosSettings(trx, orgId, storeId);
    if (!settings) return undefined;
    const inserted = await insertPendingSync(trx, orgId, storeId, settings.provider, 'schedule');
    if (inserted) {
      await recordAudit(trx, systemCtx(orgId, storeId), {
        action: 'customer_sync.started',
        subjectType: 'customer_sync',
        subjectId: inserted.id,
      });
    }
    return inserted ?? findRunningSync(trx, orgId, storeId);
  });
}

/**
 * Marks the run in progress (again, on a retry) and loads what it needs. Undefined when the run has
 * ended already (a duplicate delivery) or its settings are gone.
 */
export async function beginSyncRun(
  db: Db,
  orgId: string,
  storeId: string,
  syncId: string,
): Promise<SyncRun | undefined> {
  return withTenant(db, { orgId }, async (trx) => {
    const sync = await findSync(trx, orgId, storeId, syncId, { forUpdate: true });
    if (!sync || (sync.status !== 'pending' && sync.status !== 'in_progress')) return undefined;
    const settings = await findPosSettings(trx, orgId, storeId);
    const store = await findReachableStore(trx, orgId, storeId, { allStores: true });
    if (!settings || !store) return undefined;
    await markInProgress(trx, orgId, storeId, syncId);
    return {
      ctx: systemCtx(orgId, storeId),
      sync: { ...sync, status: 'in_progress' },
      settings,
      store: { timezone: store.timezone, country: store.country },
      counts: sync.counts,
      recordErrors: sync.recordErrors,
      deferredMerges: [],
    };
  });
}

const scopeOf = (run: SyncRun): SyncScope => ({ ctx: run.ctx, provider: run.settings.provider });

/** A page's records in our shape, one per external id: pure, so it can run while the last page writes. */
export function mapSyncPage(page: PosCustomer[], storeCountry: string): MappedRecord[] {
  return latestPerExternalId(page).map((p) => mapPosCustomer(p, storeCountry));
}

/**
 * One vendor page in one transaction: customers, refs, merges, audit, the page's `customer.synced`
 * event and the run's counts all commit together, or none does.
 */
export async function applySyncPage(
  db: Db,
  run: SyncRun,
  page: PosCustomer[],
  mapped: MappedRecord[] = mapSyncPage(page, run.store.country),
): Promise<SyncCounts> {
  const refused = mapped.filter((m) => m.problems.length > 0);
  const accepted = mapped.filter((m) => m.problems.length === 0);
  const errors: RecordError[] = [
    ...refused.map((m) => recordErrorOf(m.externalId, m.problems)),
    ...accepted.filter((m) => m.warnings.length > 0).map((m) => recordErrorOf(m.externalId, m.warnings)),
  ];
  const result = await withTenant(db, { orgId: run.ctx.orgId }, async (trx) => {
    const writes = await upsertSyncPage(trx, scopeOf(run), accepted);
    const pageCounts: SyncCounts = {
      fetched: page.length,
      created: writes.created,
      updated: writes.updated,
      // Records a coarse vendor filter repeated within the page are unchanged by definition.
      unchanged: writes.unchanged + (page.length - mapped.length),
      merged: writes.merged,
      failed: refused.length,
    };
    const counts = addCounts(run.counts, pageCounts);
    const recordErrors = boundedErrors(run.recordErrors, errors);
    await saveProgress(trx, run.ctx.orgId, run.ctx.storeId, run.sync.id, counts, recordErrors);
    await writeOutboxEvent(trx, run.ctx, {
      type: 'customer.synced',
      subject: { type: 'customer_sync', id: run.sync.id },
      data: { syncId: run.sync.id, provider: run.settings.provider, counts: { ...pageCounts } },
    });
    return { pageCounts, counts, recordErrors, deferred: writes.deferredMerges };
  });
  // Only once the page committed does the run's state in memory move on.
  run.counts = result.counts;
  run.recordErrors = result.recordErrors;
  run.deferredMerges.push(...result.deferred);
  return result.pageCounts;
}

async function endRun(
  db: Db,
  orgId: string,
  storeId: string,
  syncId: string,
  end: { status: 'finished' | 'failed'; error: { code: string; message: string } | null; watermark?: Date | null },
  run?: SyncRun,
): Promise<CustomerSync | undefined> {
  const ctx = systemCtx(orgId, storeId);
  return withTenant(db, { orgId }, async (trx) => {
    const current = await findSync(trx, orgId, storeId, syncId, { forUpdate: true });
    if (!current || (current.status !== 'pending' && current.status !== 'in_progress')) return undefined;
    const results = run ? await applyPosMerges(trx, scopeOf(run), run.deferredMerges) : [];
    const merged = results.filter((r) => r === 'merged').length;
    if (merged > 0) {
      const counts = { ...current.counts, merged: current.counts.merged + merged };
      await saveProgress(trx, orgId, storeId, syncId, counts, current.recordErrors);
    }
    const ended = await markEnded(trx, orgId, storeId, syncId, end);
    if (!ended) return undefined;
    if (end.status === 'finished' && end.watermark) await advanceWatermark(trx, orgId, storeId, end.watermark);
    await recordAudit(trx, ctx, {
      action: `customer_sync.${end.status}`,
      subjectType: 'customer_sync',
      subjectId: syncId,
    });
    const data = { syncId, status: end.status, counts: { ...ended.counts } };
    await writeOutboxEvent(trx, ctx, {
      type: 'customer_sync.finished',
      subject: { type: 'customer_sync', id: syncId },
      data: end.error ? { ...data, errorCode: end.error.code } : data,
    });
    return ended;
  });
}

/**
 * Ends a run that read every page: merges whose survivor came on a later page are applied now, the
 * watermark moves to the latest change seen, `customer_sync.finished` is emitted.
 */
export async function finishSync(db: Db, run: SyncRun, watermark: Date | null): Promise<CustomerSync | undefined> {
  const { orgId, storeId } = run.ctx;
  return endRun(db, orgId, storeId, run.sync.id, { status: 'finished', error: null, watermark }, run);
}

/** Ends a run that cannot go on. `error` holds a code and a message, never a record's data. */
export async function failSync(
  db: Db,
  orgId: string,
  storeId: string,
  syncId: string,
  error: { code: string; message: string },
): Promise<CustomerSync | undefined> {
  return endRun(db, orgId, storeId, syncId, { status: 'failed', error });
}
