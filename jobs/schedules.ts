import { logger } from '../config/logger.js';
import type { Db } from '../db/knex.js';
import { listAllSyncSchedules } from '../db/pos/pos-schedule-repository.js';
import { storeSyncScheduler } from './processors/customer-sync.js';
import type { Queues } from './queues.js';

/**
 * Job schedulers are upserted by id, so every process may register them at boot: Redis holds one
 * scheduler per id and it fires once per period however many processes run. Each store with POS
 * settings gets `customer-sync.<storeId>` on its cron in its zone (the same id PUT /pos upserts).
 */
export async function registerSchedules(
  queues: Pick<Queues, 'maintenance' | 'customer-sync'>,
  db: Db,
): Promise<{ storeSyncs: number }> {
  await queues.maintenance.upsertJobScheduler(
    'purge-expired',
    { every: 60 * 60 * 1000 },
    { name: 'purge-expired', data: { task: 'purge-expired' } },
  );
  const schedule = storeSyncScheduler(queues['customer-sync']);
  const stores = await listAllSyncSchedules(db);
  for (const store of stores) {
    try {
      await schedule(store);
    } catch (err) {
      // One store's cron that Redis refuses must not keep the others (or the workers) from starting.
      logger.error('store sync schedule not registered', { storeId: store.storeId, err });
    }
  }
  return { storeSyncs: stores.length };
}
