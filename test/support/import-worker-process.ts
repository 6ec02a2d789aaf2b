// A worker process for the import worker-killed test: the real customer-import processor in a process of
// its own, with a short lock so a killed process's job is found stalled within seconds. The parent passes
// the test database, the storage directory and a REDIS_PREFIX of its own in the environment.
import { Worker } from 'bullmq';
import { config } from '../../config/env.js';
import { createRedis } from '../../config/redis.js';
import { createDb } from '../../db/knex.js';
import { createLocalFileStorage } from '../../integrations/storage/local-file-storage.js';
import { customerImportProcessor } from '../../jobs/processors/customer-import.js';
import { queuePrefix } from '../../jobs/queues.js';
import { runJob } from '../../jobs/run-job.js';

const db = createDb(config.db.url, 4);
const worker = new Worker(
  'customer-import',
  runJob(customerImportProcessor(db, createLocalFileStorage(config.storage.dir))),
  {
    connection: createRedis('worker'),
    prefix: queuePrefix(),
    concurrency: 1,
    lockDuration: 2000,
    stalledInterval: 500,
  },
);
await worker.waitUntilReady();
process.stdout.write('worker-ready\n');
