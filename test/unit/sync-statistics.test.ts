import { expect } from 'chai';
import { createStatisticsRefresher } from '../../db/syncs/sync-statistics.js';

describe('sync statistics refresher', () => {
  it('re-analyses when the run has created 1k, then 10x more, and not in between', async () => {
    const calls: string[] = [];
    const db = { raw: async (sql: string) => void calls.push(sql) } as never;
    const refresh = createStatisticsRefresher(db);
    for (const created of [0, 500, 999, 1000, 1500, 9999, 10_000, 50_000, 99_999, 100_000]) await refresh(created);
    expect(calls).to.deep.equal(Array(3).fill('select refresh_customer_statistics()'));
  });
});
