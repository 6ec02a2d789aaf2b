import { randomUUID } from 'node:crypto';
import type { ServiceContext } from '../context.js';
import { customerFromRow } from '../customers/customer-model.js';
import {
  applyInput,
  changedFields,
  emptyValues,
  valuesOf,
  VALUE_FIELDS,
  type ChangedField,
  type ConsentStamp,
} from '../customers/customer-rules.js';
import { columnsFor, lockKeys } from '../customers/customer-write-repository.js';
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
} from '../customers/merge-repository.js';
import { planSurvivor } from '../customers/merge-rules.js';
import type { Trx } from '../knex.js';
import { writeOutboxEvent } from '../outbox/outbox-repository.js';
import type { MappedRecord } from './customer-sync-rules.js';
import { auditRowOf } from '../audit/audit-repository.js';

// Set-based writes of one page of POS records, keyed by (store, provider, external id) through
// customer_external_refs: one statement inserts the new customers, one their refs, one updates the
// changed ones; a record whose normalised values equal ours is not written at all.

type Row = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any

export interface SyncScope {
  ctx: ServiceContext & { storeId: string };
  provider: string;
}

export interface PageWrites {
  created: number;
  updated: number;
  unchanged: number;
  merged: number;
  /** POS merges whose survivor is not known here yet: the run retries them when it ends. */
  deferredMerges: Array<{ loser: string; survivor: string }>;
}

const LIVE = ['active', 'inactive'];
// Sync never sets consents: nothing the POS sends is a consent decision.
const NO_STAMP: ConsentStamp = { at: new Date(0).toISOString(), source: 'pos' };

/** The columns a sync writes on an update; always the full set, so one statement serves every row. */
const UPDATE_COLUMNS: Array<[string, string]> = [
  ['first_name', 'text'],
  ['middle_name', 'text'],
  ['last_name', 'text'],
  ['birthday', 'date'],
  ['email', 'text'],
  ['phone', 'text'],
  ['customer_type', 'text'],
  ['drivers_license_ciphertext', 'text'],
  ['drivers_license_bidx', 'text'],
  ['drivers_license_last4', 'text'],
  ['drivers_license_state', 'text'],
  ['drivers_license_expires_on', 'date'],
  ['medical_card_ciphertext', 'text'],
  ['medical_card_bidx', 'text'],
  ['medical_card_last4', 'text'],
  ['medical_card_state', 'text'],
  ['medical_card_expires_on', 'date'],
  ['status', 'text'],
  ['loyalty_points', 'integer'],
  ['pos_updated_at', 'timestamptz'],
];

const refLockKey = (storeId: string, provider: string, externalId: string) =>
  `customer:${storeId}:ref:${provider}:${externalId}`;

async function customersOfRefs(trx: Trx, scope: SyncScope, externalIds: string[]): Promise<Map<string, Row>> {
  if (externalIds.length === 0) return new Map();
  const rows: Row[] = await trx('customer_external_refs as r')
    .join('customers as c', 'c.id', 'r.customer_id')
    .where({ 'r.organization_id': scope.ctx.orgId, 'r.store_id': scope.ctx.storeId, 'r.provider': scope.provider })
    // One array parameter, not one binding per id: a page asks for hundreds.
    .whereRaw('r.external_id = any(?::text[])', [externalIds])
    .select('c.*', 'r.external_id as ref_external_id')
    .forUpdate('c');
  return new Map(rows.map((r) => [r.ref_external_id as string, r]));
}

/**
 * A multi-row insert sent as one jsonb parameter: far cheaper to build, send and plan than knex's
 * thousands of bindings. Only for rows with the same keys (a key a row lacks would be null, not its
 * default); others go through knex. jsonb columns take objects here, not JSON text.
 */
async function insertRows(trx: Trx, table: string, rows: Row[]): Promise<void> {
  if (rows.length === 0) return;
  const columns = Object.keys(rows[0]!);
  const sameKeys = rows.every((r) => Object.keys(r).length === columns.length && columns.every((c) => c in r));
  if (!sameKeys) {
    await trx(table).insert(rows);
    return;
  }
  const list = columns.map((c) => `"${c}"`).join(', ');
  await trx.raw(`insert into ?? (${list}) select ${list} from jsonb_populate_recordset(null::??, ?::jsonb)`, [
    table,
    table,
    JSON.stringify(rows),
  ]);
}

function auditRow(scope: SyncScope, action: string, subjectId: string, fields: string[]): Row {
  return auditRowOf(scope.ctx, { action, subjectType: 'customer', subjectId, changedFields: fields });
}

async function updateChanged(trx: Trx, scope: SyncScope, updates: Row[]): Promise<void> {
  if (updates.length === 0) return;
  const set = UPDATE_COLUMNS.map(([c]) => `${c} = v.${c}`).join(', ');
  const shape = UPDATE_COLUMNS.map(([c, t]) => `${c} ${t}`).join(', ');
  await trx.raw(
    `update customers as c set ${set}, version = c.version + 1, updated_at = now()
     from jsonb_to_recordset(?::jsonb) as v(id uuid, ${shape})
     where c.id = v.id and c.organization_id = ? and c.store_id = ?`,
    [JSON.stringify(updates), scope.ctx.orgId, scope.ctx.storeId],
  );
}

/**
 * Writes one page (records already mapped and free of refusing problems, one per external id) in the
 * caller's transaction. Merged POS records are folded into their survivor when both are known here.
 */
export async function upsertSyncPage(trx: Trx, scope: SyncScope, records: MappedRecord[]): Promise<PageWrites> {
  const { orgId, storeId } = scope.ctx;
  const out: PageWrites = { created: 0, updated: 0, unchanged: 0, merged: 0, deferredMerges: [] };
  const ids = records.map((r) => r.externalId);
  // The same keys upsertCustomer takes for a ref, so an API upsert of one of these ids waits for this page.
  await lockKeys(trx, ids.map((id) => refLockKey(storeId, scope.provider, id)).sort());
  const known = await customersOfRefs(trx, scope, ids);

  const inserts: Row[] = [];
  const refs: Row[] = [];
  const updates: Row[] = [];
  const audits: Row[] = [];
  const now = new Date().toISOString();

  for (const record of records) {
    if (record.status === 'merged') continue;
    const row = known.get(record.externalId);
    if (!row) {
      const values = applyInput(emptyValues(), record.input, NO_STAMP).values;
      const id = randomUUID();
      inserts.push({
        id,
        organization_id: orgId,
        store_id: storeId,
        consents: {},
        ...columnsFor(values, VALUE_FIELDS),
        status: record.status,
        loyalty_points: record.loyaltyPoints ?? 0,
        pos_sync_status: 'synced',
        pos_updated_at: record.lastModifiedAt ?? now,
      });
      refs.push({
        organization_id: orgId,
        store_id: storeId,
        customer_id: id,
        provider: scope.provider,
        external_id: record.externalId,
      });
      audits.push(auditRow(scope, 'customer.created', id, changedFields(emptyValues(), values)));
      out.created += 1;
      continue;
    }
    if (!LIVE.includes(row.status)) {
      out.unchanged += 1; // deleted, merged or erased here: history the POS does not rewrite
      continue;
    }
    const base = valuesOf(customerFromRow(row));
    const values = applyInput(base, record.input, NO_STAMP).values;
    const changed: string[] = changedFields(base, values).filter((f: ChangedField) => !f.startsWith('consents.'));
    const loyalty = record.loyaltyPoints ?? row.loyalty_points;
    if (record.status !== row.status) changed.push('status');
    if (loyalty !== row.loyalty_points) changed.push('loyaltyPoints');
    if (changed.length === 0) {
      out.unchanged += 1;
      continue;
    }
    const next: Row = {
      ...row,
      ...columnsFor(values, changed.filter((f) => (VALUE_FIELDS as string[]).includes(f)) as ChangedField[]),
    };
    updates.push({
      ...Object.fromEntries(UPDATE_COLUMNS.map(([c]) => [c, next[c] ?? null])),
      id: row.id,
      status: record.status,
      loyalty_points: loyalty,
      pos_updated_at: record.lastModifiedAt ?? now,
    });
    audits.push(auditRow(scope, 'customer.updated', row.id, changed));
    out.updated += 1;
  }

  await insertRows(trx, 'customers', inserts);
  await insertRows(trx, 'customer_external_refs', refs);
  await updateChanged(trx, scope, updates);
  await insertRows(trx, 'audit_log', audits);

  const merges = records
    .filter((r) => r.status === 'merged' && r.mergedIntoExternalId)
    .map((r) => ({ loser: r.externalId, survivor: r.mergedIntoExternalId! }));
  const results = await applyPosMerges(trx, scope, merges);
  merges.forEach((merge, i) => {
    const result = results[i]!;
    if (result === 'deferred') out.deferredMerges.push(merge);
    else out[result] += 1;
  });
  out.unchanged += records.filter((r) => r.status === 'merged' && !r.mergedIntoExternalId).length;
  return out;
}

/** Follows local merges from a customer to the live one it ended in (a short chain; longer is corrupt). */
async function liveEnd(trx: Trx, scope: SyncScope, row: Row | undefined): Promise<Row | undefined> {
  let current = row;
  for (let hop = 0; current?.status === 'merged' && current.merged_into_id && hop < 5; hop += 1) {
    current = await trx('customers')
      .where({ organization_id: scope.ctx.orgId, store_id: scope.ctx.storeId, id: current.merged_into_id })
      .first();
  }
  return current && LIVE.includes(current.status) ? current : undefined;
}

export type MergeResult = 'merged' | 'unchanged' | 'deferred';

/**
 * applyPosMerge for many merges, in order, with the same results: one lookup for all of them and one
 * insert for every loser id merely attached to its survivor (the common case). A merge of two known
 * customers goes through applyPosMerge, and the rest are read again after it (it moves refs).
 */
export async function applyPosMerges(
  trx: Trx,
  scope: SyncScope,
  merges: Array<{ loser: string; survivor: string }>,
): Promise<MergeResult[]> {
  const { orgId, storeId } = scope.ctx;
  const idsFrom = (i: number) => [...new Set(merges.slice(i).flatMap((m) => [m.loser, m.survivor]))];
  let found = await customersOfRefs(trx, scope, idsFrom(0));
  let attach: Row[] = [];
  const flush = async () => {
    if (attach.length === 0) return;
    await trx('customer_external_refs').insert(attach).onConflict(['store_id', 'provider', 'external_id']).ignore();
    attach = [];
  };
  const results: MergeResult[] = [];
  for (const [i, m] of merges.entries()) {
    const target = await liveEnd(trx, scope, found.get(m.survivor));
    if (!target) {
      results.push('deferred');
      continue;
    }
    const sourceRow = found.get(m.loser);
    if (!sourceRow) {
      attach.push({
        organization_id: orgId,
        store_id: storeId,
        customer_id: target.id,
        provider: scope.provider,
        external_id: m.loser,
      });
      // What a lookup of the loser's id answers once its ref is written.
      found.set(m.loser, { ...target, ref_external_id: m.loser });
      results.push('unchanged');
      continue;
    }
    if (sourceRow.id === target.id || !LIVE.includes(sourceRow.status)) {
      results.push('unchanged');
      continue;
    }
    await flush();
    results.push(await applyPosMerge(trx, scope, m.loser, m.survivor));
    found = await customersOfRefs(trx, scope, idsFrom(i + 1));
  }
  await flush();
  return results;
}

/**
 * The POS folded `loser` into `survivor`. Both known here → the local customers merge (as a manager's
 * merge does: survivor keeps its values, fills gaps, takes tags, notes, addresses, documents and refs).
 * Loser unknown → its id is attached to the survivor. Survivor unknown → deferred.
 */
export async function applyPosMerge(trx: Trx, scope: SyncScope, loser: string, survivor: string): Promise<MergeResult> {
  const { orgId, storeId } = scope.ctx;
  const found = await customersOfRefs(trx, scope, [loser, survivor]);
  const target = await liveEnd(trx, scope, found.get(survivor));
  if (!target) return 'deferred';
  const sourceRow = found.get(loser);
  if (!sourceRow) {
    await trx('customer_external_refs')
      .insert({
        organization_id: orgId,
        store_id: storeId,
        customer_id: target.id,
        provider: scope.provider,
        external_id: loser,
      })
      .onConflict(['store_id', 'provider', 'external_id'])
      .ignore();
    return 'unchanged';
  }
  if (sourceRow.id === target.id || !LIVE.includes(sourceRow.status)) return 'unchanged';

  const s = { orgId, storeId };
  const locked = await lockPair(trx, s, [sourceRow.id, target.id]);
  const source = locked.get(sourceRow.id)!;
  const survivorRow = locked.get(target.id)!;
  const plan = planSurvivor(survivorRow, source, {});
  const moved = {
    tags: await moveTags(trx, s, source.id, survivorRow.id),
    notes: await moveNotes(trx, s, source.id, survivorRow.id),
    addresses: await moveAddresses(trx, s, source.id, survivorRow.id),
    documents: await moveDocuments(trx, s, source.id, survivorRow.id),
    externalRefs: await moveExternalRefs(trx, s, source.id, survivorRow.id),
  };
  await updateSurvivor(trx, s, survivorRow.id, plan.patch);
  await markMerged(trx, s, source.id, survivorRow.id, plan.sourcePatch);
  const repointed = await repointMergedInto(trx, s, source.id, survivorRow.id);
  const movedFields = Object.entries(moved)
    .filter(([, n]) => n > 0)
    .map(([name]) => name);
  await trx('audit_log').insert([
    auditRow(scope, 'customer.merged', survivorRow.id, [...plan.changedFields, ...movedFields]),
    auditRow(scope, 'customer.merged', source.id, [
      'status',
      'mergedIntoId',
      ...plan.sourceChangedFields,
      ...movedFields,
    ]),
    ...repointed.map((id) => auditRow(scope, 'customer.merged', id, ['mergedIntoId'])),
  ]);
  const changed = [...plan.changedFields, ...movedFields];
  await writeOutboxEvent(trx, scope.ctx, {
    type: 'customer.merged',
    subject: { type: 'customer', id: survivorRow.id },
    data: { sourceId: source.id, targetId: survivorRow.id, changedFields: changed },
  });
  return 'merged';
}
