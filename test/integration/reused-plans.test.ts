import { expect } from 'chai';
import { config } from '../../config/env.js';
import { createDb, type Db } from '../../db/knex.js';
import { MAX_PLANS_PER_CONNECTION, planName } from '../../db/reused-plans.js';
import { tenantQueries, tenantQuery, type QueryStatement } from '../../db/tenant.js';
import { insertCustomer } from '../support/customer-fixtures.js';
import { createTenant } from '../support/fixtures.js';
import { testContext } from '../support/test-context.js';

/** The prepared statements of the one pooled connection of `db`, read on that connection. */
async function preparedOn(db: Db): Promise<string[]> {
  const { rows } = await db.raw(`select name from pg_prepared_statements order by name`);
  return rows.map((r: { name: string }) => r.name);
}

describe('reused plans: hot reads prepared once per connection (PREPARE / EXECUTE in the one message)', () => {
  const { owner } = testContext();
  let single: Db;
  let orgId: string;
  let storeId: string;
  let ana: string;

  const byEmail = (email: string): QueryStatement => ({
    sql: `select id, email from customers where store_id = $1 and email = $2`,
    params: [storeId, email],
    reusePlan: true,
  });

  before(async () => {
    const t = await createTenant();
    orgId = t.org.id;
    storeId = t.storeA.id;
    ana = await insertCustomer({ orgId, storeId, firstName: 'Ana', lastName: 'Plan', email: 'ana.plan@example.com' });
  });
  beforeEach(() => {
    single = createDb(config.db.url, 1);
  });
  afterEach(async () => {
    await single.destroy();
  });

  it('answers as a planned-each-time read does, and prepares the statement once on the connection', async () => {
    const plain = await tenantQuery(single, { orgId }, byEmail('ana.plan@example.com').sql, [
      storeId,
      'ana.plan@example.com',
    ]);
    for (let i = 0; i < 7; i += 1) {
      const [rows] = await tenantQueries(single, { orgId }, [byEmail('ana.plan@example.com')]);
      expect(rows).to.deep.equal(plain);
    }
    const [none] = await tenantQueries(single, { orgId }, [byEmail('nobody@example.com')]);
    expect(none).to.deep.equal([]);
    expect(await preparedOn(single)).to.deep.equal([planName(byEmail('').sql)]);
    // Planned once, generically: not once for each of the first five runs.
    const { rows: counts } = await single.raw(`select generic_plans, custom_plans from pg_prepared_statements`);
    expect(counts).to.deep.equal([{ generic_plans: 8, custom_plans: 0 }]);
  });

  it('leaves statements sent as text planned for their values: generic plans end with the message', async () => {
    await tenantQueries(single, { orgId }, [byEmail('ana.plan@example.com')]);
    const { rows } = await single.raw(`select current_setting('plan_cache_mode') as mode`);
    expect(rows).to.deep.equal([{ mode: 'auto' }]);
  });

  it('still applies row-level security: another tenant reading through the same plan sees nothing', async () => {
    const other = await createTenant();
    await tenantQueries(single, { orgId }, [byEmail('ana.plan@example.com')]);
    const [rows] = await tenantQueries(single, { orgId: other.org.id }, [byEmail('ana.plan@example.com')]);
    expect(rows).to.deep.equal([]);
    const [mine] = await tenantQueries(single, { orgId }, [byEmail('ana.plan@example.com')]);
    expect(mine.map((r) => r.id)).to.deep.equal([ana]);
  });

  it('inlines hostile values as data in EXECUTE as it does in a plain read', async () => {
    const hostile = `x'); drop table customers; --`;
    const [rows] = await tenantQueries(single, { orgId }, [
      { sql: 'select $1::text as v, $2::int as n', params: [hostile, 7], reusePlan: true },
    ]);
    expect(rows).to.deep.equal([{ v: hostile, n: 7 }]);
    expect((await owner('customers').where({ id: ana })).length).to.equal(1);
  });

  it('recovers when the connection lost its prepared statements', async () => {
    await tenantQueries(single, { orgId }, [byEmail('ana.plan@example.com')]);
    await single.raw('deallocate all');
    const [rows] = await tenantQueries(single, { orgId }, [byEmail('ana.plan@example.com')]);
    expect(rows.map((r) => r.id)).to.deep.equal([ana]);
  });

  it('recovers when a migration changes what a prepared statement returns', async () => {
    await owner.raw('drop table if exists plan_probe');
    await owner.raw('create table plan_probe (id int primary key, a text)');
    await owner.raw(`insert into plan_probe values (1, 'one')`);
    const appRole = new URL(config.db.url).username;
    await owner.raw(`grant select on plan_probe to ${appRole}`);
    try {
      const probe: QueryStatement = { sql: 'select * from plan_probe where id = $1', params: [1], reusePlan: true };
      expect((await tenantQueries(single, { orgId }, [probe]))[0]).to.deep.equal([{ id: 1, a: 'one' }]);
      await owner.raw(`alter table plan_probe add column b text default 'two'`);
      expect((await tenantQueries(single, { orgId }, [probe]))[0]).to.deep.equal([{ id: 1, a: 'one', b: 'two' }]);
    } finally {
      await owner.raw('drop table if exists plan_probe');
    }
  });

  it('keeps working after a message that prepared a statement failed', async () => {
    let failure: unknown;
    try {
      await tenantQueries(single, { orgId }, [byEmail('ana.plan@example.com'), { sql: 'select 1 / $1', params: [0] }]);
    } catch (e) {
      failure = e;
    }
    expect((failure as { code?: string })?.code).to.equal('22012'); // division by zero
    for (let i = 0; i < 2; i += 1) {
      const [rows] = await tenantQueries(single, { orgId }, [byEmail('ana.plan@example.com')]);
      expect(rows.map((r) => r.id)).to.deep.equal([ana]);
    }
  });

  it('holds at most MAX_PLANS_PER_CONNECTION statements on a connection', async () => {
    for (let i = 0; i <= MAX_PLANS_PER_CONNECTION + 5; i += 1) {
      const [rows] = await tenantQueries(single, { orgId }, [
        { sql: `select $1::int + ${i} as n`, params: [1], reusePlan: true },
      ]);
      expect(rows).to.deep.equal([{ n: 1 + i }]);
    }
    const names = await preparedOn(single);
    expect(names.length).to.be.greaterThan(0).and.at.most(MAX_PLANS_PER_CONNECTION);
  });
});
