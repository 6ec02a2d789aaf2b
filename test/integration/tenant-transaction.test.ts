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

describe('tenant reads in one round trip', () => {
  it('see only their tenant, and leave nothing set on the pooled connection', async () => {
    const { tenantRead } = await import('../../db/tenant.js');
    const { deps } = testContext();
    const [a, b] = [await createOrg(), await createOrg()];
    await createStore(a.id);
    await createStore(b.id);
    const rows = await tenantRead<{ organization_id: string }>(
      deps.db,
      { orgId: a.id },
      'select organization_id from stores where organization_id in ($1, $2)',
      [a.id, b.id],
    );
    expect(rows.map((r) => r.organization_id)).to.deep.equal([a.id]);
    const after = await deps.db.raw(`select coalesce(current_setting('app.org_id', true), '') as org`);
    expect(after.rows[0].org).to.equal('');
  });
});
