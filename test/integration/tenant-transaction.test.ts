import { expect } from 'chai';
import { withTenant } from '../../db/tenant.js';
import { createOrg, createStore } from '../support/fixtures.js';
import { testContext } from '../support/test-context.js';

describe('tenant transactions', () => {
  it('set the tenant for their own statements only; the pooled connection forgets it at commit', async () => {
    const { deps } = testContext();
    const org = await createOrg();
    await createStore(org.id);
    const inside = await withTenant(deps.db, { orgId: org.id }, async (trx) => {
      const setting = await trx.raw(`select current_setting('app.org_id', true) as org`);
      const stores = await trx('stores').count<{ count: number }[]>('* as count');
      return { org: setting.rows[0].org, stores: stores[0].count };
    });
    expect(inside).to.deep.equal({ org: org.id, stores: 1 });
    // Every pooled connection, after the transaction: no tenant, so no rows.
    const after = await Promise.all(
      Array.from({ length: 12 }, () =>
        deps.db.raw(
          `select coalesce(current_setting('app.org_id', true), '') as org, (select count(*) from stores)::int as n`,
        ),
      ),
    );
    for (const r of after) expect(r.rows[0]).to.deep.equal({ org: '', n: 0 });
  });

  it('roll back everything, including the tenant setting, when the work throws', async () => {
    const { deps, owner } = testContext();
    const org = await createOrg();
    const failing = withTenant(deps.db, { orgId: org.id }, async (trx) => {
      await trx('stores').insert({
        organization_id: org.id,
        name: 'rolled back',
        timezone: 'UTC',
        country: 'US',
        currency: 'USD',
      });
      throw new Error('boom');
    });
    const error = await failing.then(
      () => undefined,
      (err: Error) => err,
    );
    expect(error?.message).to.equal('boom');
    expect(await owner('stores').where({ organization_id: org.id })).to.deep.equal([]);
  });
});
