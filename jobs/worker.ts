// The worker process alone (Procfile `worker`). On SIGTERM active jobs finish before pools close.
import { config } from '../config/env.js';
import { logger } from '../config/logger.js';
import { checkServices, ServiceUnavailableError } from '../config/preflight.js';
import { createRedis } from '../config/redis.js';
import { createDb } from '../db/knex.js';
import { startWorkers } from './workers.js';

async function main(): Promise<void> {
  await checkServices({ postgres: config.db.ownerUrl, redis: config.redis.url });
  const db = createDb(config.db.url, config.db.poolMax);
  const workerRedis = createRedis('worker');
  const queueRedis = createRedis('client');
  const workers = await startWorkers({ db, workerRedis, queueRedis });
  logger.info('workers started');
  const stop = async (signal: string) => {
    logger.info('worker shutting down', { signal });
    await workers.close();
    await Promise.allSettled([workerRedis.quit(), queueRedis.quit(), db.destroy()]);
    process.exit(0);
  };
  process.once('SIGTERM', () => void stop('SIGTERM'));
  process.once('SIGINT', () => void stop('SIGINT'));
}

main().catch((err) => {
  console.error(err instanceof ServiceUnavailableError ? `Patron worker cannot start:\n${err.message}` : err);
  process.exit(1);
});
