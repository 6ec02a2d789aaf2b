import type { Queue } from 'bullmq';
import type { QueuePayloads } from './queues.js';

/**
 * Job schedulers are upserted by id, so every process may register them at boot: Redis holds one
 * scheduler per id and it fires once per period however many processes run.
 */
export async function registerSchedules(maintenance: Queue<QueuePayloads['maintenance']>): Promise<void> {
  await maintenance.upsertJobScheduler(
    'purge-expired',
    { every: 60 * 60 * 1000 },
    { name: 'purge-expired', data: { task: 'purge-expired' } },
  );
}
