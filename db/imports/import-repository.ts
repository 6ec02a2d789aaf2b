import type { Trx } from '../knex.js';
import { inlineParameters } from '../tenant.js';
import type { ImportFormat } from './import-formats.js';

// Reads and writes of customer_imports and their row errors. The caller's transaction carries the tenant.

export type ImportStatus = 'queued' | 'processing' | 'finished' | 'failed';

export interface ImportCounts {
  rows: number;
  created: number;
  updated: number;
  unchanged: number;
  failed: number;
}

export interface CustomerImport {
  id: string;
  organizationId: string;
  storeId: string;
  status: ImportStatus;
  format: ImportFormat;
  fileKey: string;
  fileBytes: number;
  rowsDone: number;
  /** Records (1-based, header excluded) already written, as [from, to) ranges in file order. */
  recordsWritten: Array<[number, number]>;
  counts: ImportCounts;
  progress: number;
  error: { code: string; message: string } | null;
  createdBy: { type: 'user' | 'api_key' | 'system'; id: string | null };
  createdAt: Date;
  startedAt: Date | null;
  finishedAt: Date | null;
}

export interface RowError {
  row: number;
  column: string | null;
  message: string;
  severity: 'error' | 'warning';
}

type Row = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any

/** '{[1,1001),[2001,3001)}' (an int4multirange as PostgreSQL writes it) → [[1, 1001], [2001, 3001]]. */
export function recordRanges(text: string | null | undefined): Array<[number, number]> {
  return [...String(text ?? '').matchAll(/\[(\d+),(\d+)\)/g)].map((m) => [Number(m[1]), Number(m[2])]);
}

function fromRow(r: Row): CustomerImport {
  return {
    id: r.id,
    organizationId: r.organization_id,
    storeId: r.store_id,
    status: r.status,
    format: r.format,
    fileKey: r.file_key,
    fileBytes: Number(r.file_bytes),
    rowsDone: r.rows_done,
    recordsWritten: recordRanges(r.records_written),
    counts: {
      rows: r.rows_done,
      created: r.created_count,
      updated: r.updated_count,
      unchanged: r.unchanged_count,
      failed: r.failed_count,
    },
    progress: r.progress,
    error: r.error_code ? { code: r.error_code, message: r.error_message } : null,
    createdBy: { type: r.created_by_type, id: r.created_by_id },
    createdAt: r.created_at,
    startedAt: r.started_at,
    finishedAt: r.finished_at,
  };
}

export async function insertImport(
  trx: Trx,
  values: {
    orgId: string;
    storeId: string;
    format: ImportFormat;
    fileKey: string;
    fileBytes: number;
    actorType: string;
    actorId: string | null;
  },
): Promise<CustomerImport> {
  const [row] = await trx('customer_imports')
    .insert({
      organization_id: values.orgId,
      store_id: values.storeId,
      format: values.format,
      file_key: values.fileKey,
      file_bytes: values.fileBytes,
      created_by_type: values.actorType,
      created_by_id: values.actorId,
    })
    .returning('*');
  return fromRow(row);
}

export async function findImport(
  trx: Trx,
  orgId: string,
  storeId: string,
  id: string,
  lock = false,
): Promise<CustomerImport | undefined> {
  const query = trx('customer_imports').where({ organization_id: orgId, store_id: storeId, id }).first();
  if (lock) query.forUpdate();
  const row = await query;
  return row ? fromRow(row) : undefined;
}

export async function markProcessing(trx: Trx, id: string): Promise<void> {
  await trx('customer_imports')
    .where({ id })
    .update({ status: 'processing', started_at: trx.raw('coalesce(started_at, now())') });
}

/**
 * Adds a batch to the import (SQL for the batch's own message): the records it consumed (from `firstRecord`
 * on), its refusals and progress, and the created/updated/unchanged counts that `outcome` (a query of one
 * row) reads.
 */
export function batchProgressUpdate(
  id: string,
  batch: { firstRecord: number; records: number; failed: number; progress: number },
  outcome: string,
): string {
  return inlineParameters(
    `update customer_imports i set rows_done = rows_done + $2, created_count = created_count + o.created,
       updated_count = updated_count + o.updated, unchanged_count = unchanged_count + o.unchanged,
       failed_count = failed_count + $3, progress = greatest(progress, $4),
       records_written = records_written + int4multirange(int4range($5, $5 + $2))
     from (${outcome}) o
     where i.id = $1`,
    [id, batch.records, batch.failed, batch.progress, batch.firstRecord],
  );
}

export async function markEnded(
  trx: Trx,
  id: string,
  status: 'finished' | 'failed',
  error?: { code: string; message: string },
): Promise<CustomerImport> {
  const [row] = await trx('customer_imports')
    .where({ id })
    .update({
      status,
      progress: status === 'finished' ? 100 : trx.raw('progress'),
      error_code: error?.code ?? null,
      error_message: error?.message ?? null,
      finished_at: trx.fn.now(),
    })
    .returning('*');
  return fromRow(row);
}

/** The batch's row errors (SQL for the batch's own message). */
export function rowErrorsInsert(orgId: string, importId: string, errors: RowError[]): string {
  return inlineParameters(
    `insert into customer_import_errors (organization_id, import_id, "row", "column", message, severity)
     select $1, $2, e.row, e.column, e.message, e.severity
       from jsonb_to_recordset($3::jsonb) as e("row" integer, "column" text, message text, severity text)`,
    [orgId, importId, JSON.stringify(errors)],
  );
}

/** Row errors in line order, a page at a time (`afterId` keyset). */
export async function listRowErrors(
  trx: Trx,
  importId: string,
  page: { limit: number; after?: { row: number; id: number } },
): Promise<Array<RowError & { id: number }>> {
  const query = trx('customer_import_errors')
    .where({ import_id: importId })
    .orderBy([
      { column: 'row', order: 'asc' },
      { column: 'id', order: 'asc' },
    ])
    .limit(page.limit)
    .select('id', 'row', 'column', 'message', 'severity');
  if (page.after) query.whereRaw('("row", id) > (?, ?)', [page.after.row, page.after.id]);
  return (await query) as Array<RowError & { id: number }>;
}
