// One CSV import for bench/import, in its own process so its peak RSS is the import's: the file is
// streamed into the file storage as the upload route does (putStream, header recognised), the import
// recorded by createImport, its job enqueued on a real BullMQ queue and run by a real Worker with the
// registered processor (runJob(customerImportProcessor)), as jobs/workers.ts runs it.
import { Worker, type Job } from 'bullmq';
import { createReadStream } from 'node:fs';
import { randomUUID } from 'node:crypto';
import { createRedis } from '../../config/redis.js';
import { systemActor } from '../../db/context.js';
import { readCsv } from '../../db/imports/import-csv-reader.js';
import { detectImportFormat } from '../../db/imports/import-formats.js';
import { createImport, getImport } from '../../db/imports/import-service.js';
import { createDb } from '../../db/knex.js';
import { createLocalFileStorage } from '../../integrations/storage/local-file-storage.js';
import { customerImportProcessor } from '../../jobs/processors/customer-import.js';
import { createQueue, enqueueOptions, type QueuePayloads } from '../../jobs/queues.js';
import { runJob } from '../../jobs/run-job.js';

type Payload = QueuePayloads['customer-import'];
export interface ImportRunInput {
  orgId: string;
  storeId: string;
  file: string;
  storageDir: string;
}
export interface ImportRunOutput {
  ms: number;
  uploadMs: number;
  maxRssMb: number;
  /** CPU time (user + system) of the import process from upload to the job's end. */
  cpuMs: number;
  counts?: Record<string, number>;
  status?: string;
  error?: string;
}

const input = JSON.parse(process.argv[2]!) as ImportRunInput;
const db = createDb(process.env.DATABASE_URL!, 4);
const redis = createRedis('worker');
const prefix = `{import-bench-${randomUUID().slice(0, 8)}}`;
const storage = createLocalFileStorage(input.storageDir);

let peakRss = 0;
const sampler = setInterval(() => (peakRss = Math.max(peakRss, process.memoryUsage.rss())), 50);

async function main(): Promise<ImportRunOutput> {
  const ctx = { orgId: input.orgId, storeId: input.storeId, actor: systemActor };
  const started = performance.now();
  const cpuBefore = process.cpuUsage();
  const key = `imports/${input.orgId}/${randomUUID()}`;
  const bytes = await storage.putStream(key, createReadStream(input.file), 'text/csv');
  let header: string[] = [];
  for await (const record of readCsv((await storage.getStream(key))!, ',')) {
    header = record.cells;
    break;
  }
  const format = detectImportFormat(header);
  if ('error' in format) throw new Error(format.error);
  const record = await createImport(db, ctx, { key, bytes, format: format.format });
  const uploadMs = performance.now() - started;

  const queue = createQueue('customer-import', redis, prefix);
  const done = new Promise<void>((resolve, reject) => {
    const worker = new Worker<Payload>('customer-import', runJob(customerImportProcessor(db, storage)), {
      connection: redis,
      prefix,
      concurrency: 1,
    });
    worker.on('completed', () => void worker.close().then(resolve));
    worker.on('failed', (_job: Job | undefined, err: Error) => void worker.close().then(() => reject(err)));
  });
  const data = { importId: record.id, storeId: input.storeId, orgId: input.orgId };
  await queue.add('customer-import', data, { ...enqueueOptions('customer-import', data), attempts: 1 });
  await done;
  const ms = performance.now() - started;
  const cpu = process.cpuUsage(cpuBefore);
  await queue.obliterate({ force: true });
  await queue.close();
  const { record: ended } = await getImport(db, ctx, record.id);
  return {
    ms,
    uploadMs,
    maxRssMb: Math.max(peakRss, process.resourceUsage().maxRSS * 1024) / 1024 / 1024,
    cpuMs: (cpu.user + cpu.system) / 1000,
    counts: ended.counts as unknown as Record<string, number>,
    status: ended.status,
  };
}

main()
  .then(
    (out) => process.send!(out),
    (err: unknown) =>
      process.send!({
        ms: 0,
        uploadMs: 0,
        maxRssMb: 0,
        cpuMs: 0,
        error: String((err as Error).stack ?? err),
      } as ImportRunOutput),
  )
  .finally(async () => {
    clearInterval(sampler);
    await db.destroy();
    redis.disconnect();
    setTimeout(() => process.exit(0), 100);
  });
