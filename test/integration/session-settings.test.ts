import { expect } from 'chai';
import { config } from '../../config/env.js';
import { createDb, type Db } from '../../db/knex.js';
import { testContext } from '../support/test-context.js';

describe("Patron's database sessions", () => {
  testContext();
  let db: Db;

  before(() => {
    db = createDb(config.db.url, 1);
  });
  after(async () => {
    await db.destroy();
  });

  it('never compile a statement with JIT, however costly its estimate', async () => {
    // A threshold of zero would JIT-compile any statement of a session that allowed it.
    const plan = await db.transaction(async (trx) => {
      await trx.raw(`set local jit_above_cost = 0`);
      const { rows } = await trx.raw(
        `explain (analyze, format json) select count(*) from generate_series(1, 1000) g where g % 7 = 0`,
      );
      return rows[0]['QUERY PLAN'][0] as Record<string, unknown>;
    });
    expect(plan).to.have.property('Execution Time');
    expect(plan).not.to.have.property('JIT');
  });
});
