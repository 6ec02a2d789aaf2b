// One customer sync for bench/sync, in its own process (run with --cpu-prof to profile it): the sync row
// opened by startCustomerSync, its job enqueued on a real BullMQ queue and run by a real Worker with the
// registered processor (runJob(customerSyncProcessor)), exactly as jobs/workers.ts runs it; only the
// client gets an unlimited rate limiter. `fetch` mode only lists the vendor through the adapter (no DB).
// Reports timings and counts to its parent.
import { Worker, type Job } from 'bullmq';
import { config } from '../../config/env.js';
import { createRedis } from '../../config/redis.js';
import { systemActor } from '../../db/context.js';
import { createDb } from '../../db/knex.js';
import { startCustomerSync } from '../../db/syncs/customer-sync-service.js';
import { posClientFactories } from '../../integrations/pos/index.js';
import type { RateLimiter } from '../../integrations/pos/rate-limiter.js';
import { customerSyncProcessor } from '../../jobs/processors/customer-sync.js';
import { createQueue, enqueueOptions, type QueuePayloads } from '../../jobs/queues.js';
import { runJob } from '../../jobs/run-job.js';

type Payload = QueuePayloads['customer-sync'];
export interface SyncRunInput {
  mode: 'sync' | 'fetch';
  orgId: string;
  storeId: string;
  provider: 'flowhub' | 'covasoft';
  url: string;
  authUrl?: string;
  credentials: Record<string, unknown>;
  timeZone: string;
}
export interface SyncRunOutput {
  ms: number;
  processorMs?: number;
  pages: number;
  counts?: Record<string, number>;
  /** Wall time per statement shape (the first words of its SQL), as knex saw it: top ones, descending. */
  statements?: Array<{ sql: string; calls: number; ms: number }>;
  error?: string;
}

/** Sums, per statement shape, the time from knex sending a query to its answer. */
function timeStatements(db: ReturnType<typeof createDb>) {
  const open = new Map<string, { at: number; sql: string }>();
  const totals = new Map<string, { calls: number; ms: number }>();
  const shape = (sql: string) =>
    sql
      .replace(/\s+/g, ' ')
      .replace(/\(\$\d+(, \$\d+)*\)(, \(\$\d+(, \$\d+)*\))*/g, '(…)')
      .replace(/\$\d+(, \$\d+)+/g, '…')
      .slice(0, 90);
  db.on('query', (q: { __knexQueryUid: string; sql: string }) => {
    open.set(q.__knexQueryUid, { at: performance.now(), sql: shape(q.sql) });
  });
  const done = (_: unknown, q: { __knexQueryUid: string }) => {
    const started = open.get(q.__knexQueryUid);
    if (!started) return;
    open.delete(q.__knexQueryUid);
    const total = totals.get(started.sql) ?? { calls: 0, ms: 0 };
    total.calls += 1;
    total.ms += performance.now() - started.at;
    totals.set(started.sql, total);
  };
  db.on('query-response', (r: unknown, q: { __knexQueryUid: string }) => done(r, q));
  db.on('query-error', (e: unknown, q: { __knexQueryUid: string }) => done(e, q));
  return () =>
    [...totals]
      .sort((a, b) => b[1].ms - a[1].ms)
      .slice(0, 12)
      .map(([sql, t]) => ({ sql, ...t }));
}

const input = JSON.parse(process.argv[2]) as SyncRunInput;
const unlimited: RateLimiter = { acquire: async () => undefined, pauseFor: () => undefined };

async function fetchOnly(): Promise<SyncRunOutput> {
  const client = posClientFactories[input.provider](input.credentials, {
    baseUrl: input.url,
    authUrl: input.authUrl,
    storeTimezone: input.timeZone,
    development: true,
    rateLimiter: unlimited,
  });
  const started = performance.now();
  let fetched = 0;
  let pages = 0;
  for await (const page of client.listCustomersChangedSince(null)) {
    fetched += page.length;
    pages += 1;
  }
  return { ms: performance.now() - started, pages, counts: { fetched } };
}

async function syncThroughWorker(): Promise<SyncRunOutput> {
  const db = createDb(config.db.url, config.db.poolMax);
  const statements = timeStatements(db);
  const producer = createRedis('client');
  const connection = createRedis('worker');
  const prefix = `{${config.redis.prefix}-sync-bench-${process.pid}}`;
  const queue = createQueue('customer-sync', producer, prefix);
  let pages = 0;
  let processorMs = 0;
  const inner = runJob(customerSyncProcessor(db, { development: true, clientDeps: { rateLimiter: unlimited } }));
  const timed = async (job: Job<Payload>) => {
    const original = job.updateProgress.bind(job);
    job.updateProgress = async (p) => {
      pages += 1;
      return original(p);
    };
    const t = performance.now();
    try {
      return await inner(job);
    } finally {
      processorMs = performance.now() - t;
    }
  };
  const worker = new Worker<Payload>('customer-sync', timed, { connection, prefix, concurrency: 2 });
  try {
    const done = new Promise<{ counts?: Record<string, number>; error?: string }>((resolve) => {
      worker.on('completed', (_job, result) => resolve(result as { counts: Record<string, number> }));
      worker.on('failed', (_job, err) => resolve({ error: err.message }));
    });
    const started = performance.now();
    const ctx = { orgId: input.orgId, storeId: input.storeId, actor: systemActor };
    await startCustomerSync(db, ctx, async (sync) => {
      const data: Payload = { syncId: sync.id, storeId: input.storeId, orgId: input.orgId };
      await queue.add('customer-sync', data, enqueueOptions('customer-sync', data));
    });
    const result = await done;
    const ms = performance.now() - started;
    return { ms, processorMs, pages, counts: result.counts, statements: statements(), error: result.error };
  } finally {
    await worker.close();
    await queue.obliterate({ force: true });
    await queue.close();
    connection.disconnect();
    producer.disconnect();
    await db.destroy();
  }
}

const output = await (input.mode === 'fetch' ? fetchOnly() : syncThroughWorker());
process.send?.(output, () => process.exit(0));
