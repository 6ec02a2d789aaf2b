// Small-job throughput of one BullMQ worker process for bench/sync: a unique queue (own prefix), N jobs
// added with addBulk in batches (the house default job options: attempts, backoff, removeOnComplete),
// then one Worker with a no-op processor drains them at the given concurrency. Reports to its parent.
import { Queue, Worker } from 'bullmq';
import { config } from '../../config/env.js';
import { createRedis } from '../../config/redis.js';
import { defaultJobOptions } from '../../jobs/queues.js';

const jobs = Number(process.env.SYNC_BENCH_JOBS ?? '50000');
const concurrency = Number(process.env.SYNC_BENCH_CONCURRENCY ?? '100');
const BATCH = 1000;

const producer = createRedis('client');
const connection = createRedis('worker');
const prefix = `{${config.redis.prefix}-queue-bench-${process.pid}}`;
const name = `noop-${Date.now()}`;
const queue = new Queue(name, { connection: producer, prefix, defaultJobOptions });

let started = performance.now();
for (let from = 0; from < jobs; from += BATCH) {
  const size = Math.min(BATCH, jobs - from);
  await queue.addBulk(Array.from({ length: size }, (_, n) => ({ name: 'noop', data: { n: from + n } })));
}
const addMs = performance.now() - started;

let completed = 0;
let failed = 0;
started = performance.now();
const worker = new Worker(name, async () => undefined, { connection, prefix, concurrency, autorun: false });
const drained = new Promise<void>((resolve) => {
  const check = () => {
    if (completed + failed >= jobs) resolve();
  };
  worker.on('completed', () => {
    completed += 1;
    check();
  });
  worker.on('failed', () => {
    failed += 1;
    check();
  });
});
void worker.run();
await drained;
const drainMs = performance.now() - started;

await worker.close();
await queue.obliterate({ force: true });
await queue.close();
connection.disconnect();
producer.disconnect();
process.send?.({ jobs, concurrency, addMs, drainMs, completed, failed }, () => process.exit(0));
