import { Worker } from 'bullmq';
import type { Redis } from 'ioredis';
import { logger } from '../config/logger.js';
import type { Db } from '../db/knex.js';
import { maintenanceProcessor } from './processors/maintenance.js';
import { createQueue, queuePrefix } from './queues.js';
import { registerSchedules } from './schedules.js';

export interface RunningWorkers {
  close(): Promise<void>;
}

/** Starts every worker and registers the schedules; `close` lets active jobs finish first. */
export async function startWorkers(deps: { db: Db; workerRedis: Redis; queueRedis: Redis }): Promise<RunningWorkers> {
  const maintenanceQueue = createQueue('maintenance', deps.queueRedis);
  await registerSchedules(maintenanceQueue);
  const workers = [
    new Worker('maintenance', maintenanceProcessor(deps.db), {
      connection: deps.workerRedis,
      prefix: queuePrefix(),
      concurrency: 1,
    }),
  ];
  for (const worker of workers) {
    worker.on('failed', (job, err) => logger.error('job failed', { queue: worker.name, jobId: job?.id, err }));
    worker.on('error', (err) => logger.error('worker error', { queue: worker.name, err }));
  }
  return {
    async close() {
      await Promise.all(workers.map((w) => w.close()));
      await maintenanceQueue.close();
    },
  };
}
