import type { Db } from '../knex.js';

/** A store's sync cron in its zone: what a scheduler needs, nothing more. */
export interface StoreSyncSchedule {
  orgId: string;
  storeId: string;
  pattern: string;
  timezone: string;
}

/**
 * Every store's sync schedule across organisations, through the security-definer pos_sync_schedules()
 * (row-level security hides other tenants' rows from the app role); used at worker boot only.
 */
export async function listAllSyncSchedules(db: Db): Promise<StoreSyncSchedule[]> {
  const { rows } = await db.raw('select organization_id, store_id, sync_schedule, timezone from pos_sync_schedules()');
  return (rows as Array<Record<string, string>>).map((r) => ({
    orgId: r.organization_id,
    storeId: r.store_id,
    pattern: r.sync_schedule,
    timezone: r.timezone,
  }));
}
