// A worker process for the worker-killed test: the real customer-sync processor in a process of its own,
// with a short lock so a killed process's job is found stalled within seconds. The parent passes the
// test database and a REDIS_PREFIX of its own in the environment.
import { Worker } from 'bullmq';
import { config } from '../../config/env.js';
import { createRedis } from '../../config/redis.js';
import { createDb } from '../../db/knex.js';
import { customerSyncProcessor } from '../../jobs/processors/customer-sync.js';
import { queuePrefix } from '../../jobs/queues.js';
import { runJob } from '../../jobs/run-job.js';
import { UNLIMITED } from './pos-test-helpers.js';

const db = createDb(config.db.url, 4);
const worker = new Worker(
  'customer-sync',
  runJob(
    customerSyncProcessor(db, {
      development: true,
      clientDeps: { rateLimiter: UNLIMITED },
    }),
  ),
  {
    connection: createRedis('worker'),
    prefix: queuePrefix(),
    concurrency: 1,
    lockDuration: 1500,
    stalledInterval: 500,
  },
);
await worker.waitUntilReady();
process.stdout.write('worker-ready\n');
