import type { Db } from '../knex.js';

/**
 * Re-analyses the customer tables as a sync run's inserts grow tenfold (1k, 10k, 100k…): see the
 * migration of refresh_customer_statistics() for why. A handful of calls on the largest runs, none on
 * an incremental one.
 */
export function createStatisticsRefresher(db: Db, firstAt = 1000): (createdSoFar: number) => Promise<void> {
  let next = firstAt;
  return async (createdSoFar) => {
    if (createdSoFar < next) return;
    next = createdSoFar * 10;
    await db.raw('select refresh_customer_statistics()');
  };
}
