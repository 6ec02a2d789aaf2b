import { config } from '../config/env.js';
import { logger } from '../config/logger.js';
import { checkServices } from '../config/preflight.js';
import { createRedis } from '../config/redis.js';
import { createDb } from '../db/knex.js';
import { exitGracefullyOnSignals } from './graceful-shutdown.js';
import { startWorkers, type StartWorkersOptions } from './workers.js';

/**
 * The worker process: connections, workers, and the shutdown order — workers first (active jobs
 * finish, no new ones start), then the producers, Redis and the database pool.
 */
export async function runWorkerProcess(options: StartWorkersOptions = {}): Promise<void> {
  await checkServices({ postgres: config.db.ownerUrl, redis: config.redis.url });
  const db = createDb(config.db.url, config.db.poolMax);
  const workerRedis = createRedis('worker');
  const queueRedis = createRedis('client');
  const workers = await startWorkers({ db, workerRedis, queueRedis }, options);
  exitGracefullyOnSignals(async () => {
    await workers.close();
    await Promise.allSettled([workerRedis.quit(), queueRedis.quit(), db.destroy()]);
  });
  logger.info('workers started', { queues: workers.queueNames });
}
