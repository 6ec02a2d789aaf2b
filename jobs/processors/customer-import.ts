import type { Job } from 'bullmq';
import { AppError } from '../../config/errors.js';
import { logger } from '../../config/logger.js';
import { collapseBatch, shareIdentifier } from '../../db/imports/import-batch-rules.js';
import { readCsvChunks, storedDelimiter } from '../../db/imports/import-csv-reader.js';
import { detectImportFormat, type DetectedFormat } from '../../db/imports/import-formats.js';
import { IMPORT_LIMITS } from '../../db/imports/import-limits.js';
import type { RowError } from '../../db/imports/import-repository.js';
import { stageRow } from '../../db/imports/import-row-rules.js';
import {
  beginImportRun,
  endImport,
  writeImportBatch,
  type ImportRun,
  type PreparedBatch,
} from '../../db/imports/import-service.js';
import type { StagedRow } from '../../db/imports/import-staging.js';
import type { Db } from '../../db/knex.js';
import type { FileStorage } from '../../integrations/storage/file-storage.js';
import type { QueuePayloads } from '../queues.js';
import type { JobProcessor } from '../run-job.js';

// CustomerImportJob: streams the stored file through csv-parse, checks each row with the API's rules and
// writes batches of 1,000 records through the staging table. Two batches are written at once, on two
// connections, while the next is parsed and checked, so both cores work; a batch that shares an
// identifier with one being written waits for it, so two batches never race to create or match the same
// person. Each batch records the records it wrote in its own transaction: a job that dies (BullMQ retries
// it, or a stalled job is taken up by another worker) skips them and writes nothing twice.

export const IMPORT_BATCH_SIZE = 1000;
/** Batches written at once. Measured on two cores: the batch SQL's throughput nearly doubles with two. */
export const IMPORT_WRITERS = 2;

const fail = (code: string, message: string) =>
  new AppError('validation_failed', message, { retryable: false, details: [{ path: code, message }] });

/** Whether record `n` is in the written ranges; `n` only grows, so a cursor walks the ranges once. */
function writtenBefore(ranges: ReadonlyArray<[number, number]>) {
  let i = 0;
  return (n: number) => {
    while (i < ranges.length && ranges[i]![1] <= n) i += 1;
    return i < ranges.length && ranges[i]![0] <= n;
  };
}

type Batch = PreparedBatch & { identifiers: Set<string> };

/** A batch being read. Each record is checked and staged as it arrives, so its cells die young. */
interface OpenBatch {
  firstRecord: number;
  records: number;
  staged: StagedRow[];
  errors: RowError[];
  refused: number;
}

const openBatch = (firstRecord: number): OpenBatch => ({ firstRecord, records: 0, staged: [], errors: [], refused: 0 });

function addRecord(batch: OpenBatch, cells: string[], line: number, format: DetectedFormat, storeCountry: string) {
  batch.records += 1;
  const result = stageRow(format.read(cells), format, line, storeCountry);
  if ('problems' in result) {
    batch.refused += 1;
    for (const p of result.problems)
      batch.errors.push({ row: line, column: p.column, message: p.message, severity: 'error' });
    return;
  }
  for (const w of result.warnings)
    batch.errors.push({ row: line, column: w.column, message: w.message, severity: 'warning' });
  batch.staged.push(result.staged);
}

function closeBatch(batch: OpenBatch, progress: number): Batch {
  const collapsed = collapseBatch(batch.staged);
  return { ...batch, staged: collapsed.rows, progress, identifiers: collapsed.identifiers };
}

async function importFile(db: Db, storage: FileStorage, run: ImportRun, job: Job): Promise<void> {
  const key = run.record.fileKey;
  const delimiter = await storedDelimiter(storage, key);
  const source = delimiter && (await storage.getStream(key));
  if (!source) throw fail('file', 'the uploaded file is gone from storage');

  let format: DetectedFormat | undefined;
  let records = 0;
  let open: OpenBatch | undefined;
  let lastProgress = -1;
  const percent = (bytes: number) => Math.floor((bytes / Math.max(1, run.record.fileBytes)) * 100);
  const written = writtenBefore(run.record.recordsWritten);
  // Batches being written, oldest first.
  const writing: Array<{ identifiers: Set<string>; done: Promise<void> }> = [];

  const flush = async (bytes: number) => {
    const batch = closeBatch(open!, percent(bytes));
    open = undefined;
    while (writing.length >= IMPORT_WRITERS || writing.some((w) => shareIdentifier(w.identifiers, batch.identifiers))) {
      await writing.shift()!.done;
    }
    const done = writeImportBatch(db, run, batch).then(async () => {
      if (batch.progress > lastProgress) {
        lastProgress = batch.progress;
        await job.updateProgress(Math.min(99, batch.progress));
      }
    });
    // A failed write must not sit unobserved while the next batch is parsed; it is awaited in turn.
    done.catch(() => undefined);
    writing.push({ identifiers: batch.identifiers, done });
    // Let the batch's message leave before parsing takes the event loop again.
    await new Promise((resolve) => setImmediate(resolve));
  };

  try {
    for await (const chunk of readCsvChunks(source, delimiter)) {
      for (const record of chunk) {
        if (!format) {
          const detected = detectImportFormat(record.cells);
          if ('error' in detected) throw fail('file', detected.error);
          format = detected;
          continue;
        }
        records += 1;
        if (records > IMPORT_LIMITS.maxRows) {
          throw fail('file', `the file has more than ${IMPORT_LIMITS.maxRows.toLocaleString('en-US')} rows`);
        }
        // A batch is the same 1,000 records in every attempt; those an earlier attempt wrote are skipped.
        if (!written(records)) {
          open ??= openBatch(records);
          addRecord(open, record.cells, record.line, format, run.storeCountry);
        }
        if (records % IMPORT_BATCH_SIZE === 0 && open) await flush(record.bytes);
      }
    }
    if (!format) throw fail('file', 'the file is empty: it needs a header row');
    if (open) await flush(run.record.fileBytes);
    while (writing.length > 0) await writing.shift()!.done;
  } finally {
    source.destroy();
    // Nothing may still be writing when the job ends or is retried.
    await Promise.allSettled(writing.map((w) => w.done));
  }
}

/** The processor of the `customer-import` queue; `storage` holds the uploaded files. */
export function customerImportProcessor(db: Db, storage: FileStorage): JobProcessor<QueuePayloads['customer-import']> {
  return async (job) => {
    const run = await beginImportRun(db, job.data);
    if (!run) return; // ended already, or gone
    const log = logger.child({ importId: run.record.id, storeId: run.ctx.storeId, jobId: job.id });
    try {
      await importFile(db, storage, run, job);
    } catch (err) {
      const final = (err instanceof AppError && !err.retryable) || job.attemptsMade + 1 >= (job.opts.attempts ?? 1);
      if (final) {
        const error =
          err instanceof AppError
            ? { code: err.code, message: err.message }
            : { code: 'internal', message: 'the import stopped on an unexpected error' };
        await endImport(db, run, error);
        log.warn('customer import failed', { code: error.code });
      }
      throw err;
    }
    const ended = await endImport(db, run);
    await job.updateProgress(100);
    log.info('customer import finished', { counts: ended.counts });
  };
}
