import { notFound } from '../../config/errors.js';
import { recordAudit } from '../audit/audit-repository.js';
import { type ServiceContext, storeOf } from '../context.js';
import type { Db } from '../knex.js';
import { writeOutboxEvent } from '../outbox/outbox-repository.js';
import { tenantScript, withTenant } from '../tenant.js';
import type { ImportFormat } from './import-formats.js';
import {
  batchProgressUpdate,
  findImport,
  insertImport,
  listRowErrors,
  markEnded,
  markProcessing,
  rowErrorsInsert,
  type CustomerImport,
  type RowError,
} from './import-repository.js';
import { ENSURE_STAGING, stagingInsert, type StagedRow } from './import-staging.js';
import { BATCH_OUTCOME, NOTHING_STAGED, upsertStatements } from './import-upsert-repository.js';
import { isUuid } from '../ids.js';

// The story of a CSV import: recorded at upload, then written batch by batch by the job, each batch with
// its counts, row errors and checkpoint in one transaction, so a job killed at any point resumes from
// the last committed batch and writes no row twice.

/** Row errors shown in the import record; the whole list is the errors CSV. */
export const ERRORS_IN_RECORD = 100;

const importNotFound = () => notFound('customer import not found');

export async function createImport(
  db: Db,
  ctx: ServiceContext,
  file: { key: string; bytes: number; format: ImportFormat },
): Promise<CustomerImport> {
  const storeId = storeOf(ctx);
  return withTenant(db, { orgId: ctx.orgId }, async (trx) => {
    const created = await insertImport(trx, {
      orgId: ctx.orgId,
      storeId,
      format: file.format,
      fileKey: file.key,
      fileBytes: file.bytes,
      actorType: ctx.actor.type,
      actorId: ctx.actor.id,
    });
    await recordAudit(trx, ctx, {
      action: 'customer_import.started',
      subjectType: 'customer_import',
      subjectId: created.id,
    });
    return created;
  });
}

export async function getImport(
  db: Db,
  ctx: ServiceContext,
  id: string,
): Promise<{ record: CustomerImport; errors: RowError[] }> {
  const storeId = storeOf(ctx);
  if (!isUuid(id)) throw importNotFound();
  return withTenant(db, { orgId: ctx.orgId }, async (trx) => {
    const record = await findImport(trx, ctx.orgId, storeId, id);
    if (!record) throw importNotFound();
    const errors = await listRowErrors(trx, id, { limit: ERRORS_IN_RECORD });
    return { record, errors };
  });
}

/** Every row error of an import, in line order, a page at a time (for the CSV download). */
export async function* eachRowError(db: Db, ctx: ServiceContext, id: string): AsyncGenerator<RowError> {
  await getImport(db, ctx, id); // 404 before the first byte of the download
  let after: { row: number; id: number } | undefined;
  for (;;) {
    const page = await withTenant(db, { orgId: ctx.orgId }, (trx) => listRowErrors(trx, id, { limit: 1000, after }));
    for (const error of page) yield error;
    if (page.length < 1000) return;
    const last = page[page.length - 1]!;
    after = { row: last.row, id: last.id };
  }
}

export interface ImportRun {
  ctx: ServiceContext & { storeId: string };
  record: CustomerImport;
  storeCountry: string;
}

/** The import as its job finds it; undefined when it is gone or already ended (nothing left to do). */
export async function beginImportRun(
  db: Db,
  ids: { orgId: string; storeId: string; importId: string },
): Promise<ImportRun | undefined> {
  return withTenant(db, { orgId: ids.orgId }, async (trx) => {
    const record = await findImport(trx, ids.orgId, ids.storeId, ids.importId, true);
    if (!record || record.status === 'finished' || record.status === 'failed') return undefined;
    const store = await trx('stores').where({ id: ids.storeId }).first('country');
    await markProcessing(trx, record.id);
    return {
      ctx: {
        orgId: ids.orgId,
        storeId: ids.storeId,
        // The job acts for whoever uploaded the file: the audit trail names them.
        actor: { ...record.createdBy, role: 'system' },
        requestId: `import-${record.id}`,
      },
      record: { ...record, status: 'processing' },
      storeCountry: store?.country ?? 'US',
    };
  });
}

export const ASYNC_COMMIT = `select set_config('synchronous_commit', 'off', true)`;

export interface PreparedBatch {
  /** The file's record number (1-based, header excluded) of the batch's first record. */
  firstRecord: number;
  /** Data records this batch consumes from the file, from firstRecord on. */
  records: number;
  staged: StagedRow[];
  refused: number;
  errors: RowError[];
  /** 0–100, how far into the file the batch ends. */
  progress: number;
}

/**
 * Writes one batch as a single message, one implicit transaction: staging rows, the upsert, row errors,
 * counts and the records it wrote commit together or not at all. One round trip, so the database works
 * on this batch while the job parses the next. Batches written side by side commit in any order (a
 * resumed job skips the records written); they must not share an identifier (CollapsedBatch.identifiers).
 */
export async function writeImportBatch(db: Db, run: ImportRun, batch: PreparedBatch): Promise<void> {
  const staged = batch.staged.length > 0;
  const scope = {
    orgId: run.ctx.orgId,
    storeId: run.ctx.storeId,
    importId: run.record.id,
    actorType: run.ctx.actor.type,
    actorId: run.ctx.actor.id,
    traceId: run.ctx.requestId ?? null,
  };
  // The batch's commit need not wait for its WAL flush: a crash loses at most the last few batches whole,
  // the records they wrote included, and the job writes them again.
  const statements = [ASYNC_COMMIT];
  if (staged)
    statements.push(ENSURE_STAGING, stagingInsert(batch.staged), ...upsertStatements(scope, run.storeCountry));
  if (batch.errors.length > 0) statements.push(rowErrorsInsert(run.ctx.orgId, run.record.id, batch.errors));
  // The counts come from the staging table inside the same message: nothing waits on the client.
  statements.push(
    batchProgressUpdate(
      run.record.id,
      {
        firstRecord: batch.firstRecord,
        records: batch.records,
        failed: batch.refused,
        progress: Math.min(99, batch.progress),
      },
      staged ? BATCH_OUTCOME : NOTHING_STAGED,
    ),
  );
  await tenantScript(db, { orgId: run.ctx.orgId }, statements);
}

/** Ends the import; `customer_import.finished` goes out with the final counts (finished or failed). */
export async function endImport(
  db: Db,
  run: Pick<ImportRun, 'ctx'> & { record: Pick<CustomerImport, 'id'> },
  error?: { code: string; message: string },
): Promise<CustomerImport> {
  return withTenant(db, { orgId: run.ctx.orgId }, async (trx) => {
    const ended = await markEnded(trx, run.record.id, error ? 'failed' : 'finished', error);
    await writeOutboxEvent(trx, run.ctx, {
      type: 'customer_import.finished',
      subject: { type: 'customer_import', id: ended.id },
      data: { importId: ended.id, status: ended.status, format: ended.format, counts: { ...ended.counts } },
    });
    return ended;
  });
}
