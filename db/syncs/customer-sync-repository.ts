import type { PosProvider } from '../../integrations/pos/pos-types.js';
import type { Trx } from '../knex.js';
import { cursorTimestamp, toPage, type Page } from '../pagination.js';
import type { CustomerSync, RecordError, SyncCounts, SyncTrigger } from './customer-sync-rules.js';

type Row = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any

const CURSOR_AT = cursorTimestamp();

function toSync(row: Row): CustomerSync {
  return {
    id: row.id,
    storeId: row.store_id,
    provider: row.provider,
    trigger: row.trigger,
    status: row.status,
    counts: row.counts,
    startedAt: row.started_at,
    finishedAt: row.finished_at,
    error: row.error,
    recordErrors: row.record_errors,
    createdAt: row.created_at,
  };
}

const syncs = (trx: Trx, orgId: string, storeId: string) =>
  trx('customer_syncs').where({ organization_id: orgId, store_id: storeId });

/**
 * A new pending run, unless the store has one pending or in progress: then undefined. The partial unique
 * index decides, so two concurrent starts cannot both insert (the second waits, then inserts nothing).
 */
export async function insertPendingSync(
  trx: Trx,
  orgId: string,
  storeId: string,
  provider: PosProvider,
  trigger: SyncTrigger,
): Promise<CustomerSync | undefined> {
  const result = await trx.raw(
    `insert into customer_syncs (organization_id, store_id, provider, trigger)
     values (?, ?, ?, ?)
     on conflict (store_id) where status in ('pending','in_progress') do nothing
     returning *`,
    [orgId, storeId, provider, trigger],
  );
  const row = result.rows[0];
  return row ? toSync(row) : undefined;
}

export async function findRunningSync(trx: Trx, orgId: string, storeId: string): Promise<CustomerSync | undefined> {
  const row = await syncs(trx, orgId, storeId).whereIn('status', ['pending', 'in_progress']).first();
  return row ? toSync(row) : undefined;
}

export async function findSync(
  trx: Trx,
  orgId: string,
  storeId: string,
  id: string,
  options: { forUpdate?: boolean } = {},
): Promise<CustomerSync | undefined> {
  const query = syncs(trx, orgId, storeId).where({ id }).first();
  if (options.forUpdate) query.forUpdate();
  const row = await query;
  return row ? toSync(row) : undefined;
}

export async function latestSyncOfStore(trx: Trx, orgId: string, storeId: string): Promise<CustomerSync | undefined> {
  const row = await syncs(trx, orgId, storeId)
    .orderBy([
      { column: 'created_at', order: 'desc' },
      { column: 'id', order: 'desc' },
    ])
    .first();
  return row ? toSync(row) : undefined;
}

export async function listSyncs(
  trx: Trx,
  orgId: string,
  storeId: string,
  page: { limit: number; after?: { at: string; id: string } },
): Promise<Page<CustomerSync>> {
  const query = syncs(trx, orgId, storeId)
    .select('*', trx.raw(CURSOR_AT))
    .orderBy([
      { column: 'created_at', order: 'asc' },
      { column: 'id', order: 'asc' },
    ])
    .limit(page.limit + 1);
  if (page.after) query.whereRaw('(created_at, id) > (?::timestamptz, ?::uuid)', [page.after.at, page.after.id]);
  const rows: Row[] = await query;
  const { data, nextCursor } = toPage(rows, page.limit, (r) => [r.cursor_at, r.id]);
  return { data: data.map(toSync), nextCursor };
}

export async function markInProgress(trx: Trx, orgId: string, storeId: string, id: string): Promise<void> {
  await syncs(trx, orgId, storeId)
    .where({ id })
    .update({ status: 'in_progress', started_at: trx.raw('coalesce(started_at, now())'), updated_at: trx.fn.now() });
}

export async function saveProgress(
  trx: Trx,
  orgId: string,
  storeId: string,
  id: string,
  counts: SyncCounts,
  recordErrors: RecordError[],
): Promise<void> {
  await syncs(trx, orgId, storeId)
    .where({ id })
    .update({ counts: JSON.stringify(counts), record_errors: JSON.stringify(recordErrors), updated_at: trx.fn.now() });
}

export async function markEnded(
  trx: Trx,
  orgId: string,
  storeId: string,
  id: string,
  end: { status: 'finished' | 'failed'; error: { code: string; message: string } | null },
): Promise<CustomerSync | undefined> {
  const [row] = await syncs(trx, orgId, storeId)
    .where({ id })
    .whereIn('status', ['pending', 'in_progress'])
    .update({
      status: end.status,
      error: end.error ? JSON.stringify(end.error) : null,
      started_at: trx.raw('coalesce(started_at, now())'),
      finished_at: trx.fn.now(),
      updated_at: trx.fn.now(),
    })
    .returning('*');
  return row ? toSync(row) : undefined;
}
