import type { Job } from 'bullmq';
import { logger } from '../../config/logger.js';
import type { Db } from '../../db/knex.js';
import { purgeExpired } from '../../db/maintenance/purge-expired.js';
import type { QueuePayloads } from '../queues.js';

export function maintenanceProcessor(db: Db) {
  return async (job: Job<QueuePayloads['maintenance']>) => {
    if (job.data.task === 'purge-expired') {
      const purged = await purgeExpired(db);
      logger.info('purged expired rows', { jobId: job.id, ...purged });
      return purged;
    }
    return undefined;
  };
}
