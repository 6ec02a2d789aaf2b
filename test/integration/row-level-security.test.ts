import { expect } from 'chai';
import { withTenant } from '../../db/tenant.js';
import { createTenant } from '../support/fixtures.js';
import { testContext } from '../support/test-context.js';

describe('row-level security (the app role, no help from the code)', () => {
  const { deps, owner } = testContext();
  const db = deps.db;
  let a: Awaited<ReturnType<typeof createTenant>>;
  let b: Awaited<ReturnType<typeof createTenant>>;

  before(async () => {
    a = await createTenant();
    b = await createTenant();
  });

  it('a query with no tenant set sees no stores and no users, though rows exist', async () => {
    expect(Number((await owner('stores').count('* as n'))[0].n)).to.be.at.least(4);
    expect(await db('stores').select()).to.deep.equal([]);
    expect(await db('users').select()).to.deep.equal([]);
    expect(await db('user_store_access').select()).to.deep.equal([]);
    expect(await db('organizations').select()).to.deep.equal([]);
    // Also inside a transaction that set nothing.
    await db.transaction(async (trx) => {
      expect(await trx('stores').where({ id: a.storeA.id })).to.deep.equal([]);
    });
  });

  it("inside org A's transaction a query that forgot organization_id returns org A's rows only", async () => {
    const stores = await withTenant(db, { orgId: a.org.id }, (trx) => trx('stores').select());
    expect(stores.map((s) => s.id)).to.have.members([a.storeA.id, a.storeB.id]);
    const users = await withTenant(db, { orgId: a.org.id }, (trx) => trx('users').select('id'));
    expect(users.map((u) => u.id)).to.have.members([a.staff.id, a.manager.id, a.admin.id]);
    const orgs = await withTenant(db, { orgId: a.org.id }, (trx) => trx('organizations').select('id'));
    expect(orgs.map((o) => o.id)).to.deep.equal([a.org.id]);
  });

  it("refuses to insert or move a row into org B inside org A's transaction", async () => {
    let error: unknown;
    try {
      await withTenant(db, { orgId: a.org.id }, (trx) =>
        trx('stores').insert({
          organization_id: b.org.id,
          name: 'Smuggled',
          timezone: 'UTC',
          country: 'US',
          currency: 'USD',
        }),
      );
    } catch (err) {
      error = err;
    }
    expect(String((error as Error | undefined)?.message)).to.match(/row-level security/);

    let moveError: unknown;
    try {
      await withTenant(db, { orgId: a.org.id }, (trx) =>
        trx('stores').where({ id: a.storeA.id }).update({ organization_id: b.org.id }),
      );
    } catch (err) {
      moveError = err;
    }
    expect(String((moveError as Error | undefined)?.message)).to.match(/row-level security/);

    // And writes aimed at org B's rows simply reach nothing.
    const touched = await withTenant(db, { orgId: a.org.id }, (trx) =>
      trx('stores').where({ id: b.storeA.id }).update({ name: 'Defaced' }),
    );
    expect(touched).to.equal(0);
    expect(await owner('stores').where({ name: 'Smuggled' })).to.have.length(0);
    expect((await owner('stores').where({ id: a.storeA.id }).first()).organization_id).to.equal(a.org.id);
    expect((await owner('stores').where({ id: b.storeA.id }).first()).name).to.equal(b.storeA.name);
  });

  it('the tenant setting ends with its transaction: the pooled connection carries nothing over', async () => {
    await withTenant(db, { orgId: a.org.id }, (trx) => trx('stores').select());
    const results = await Promise.all(Array.from({ length: 12 }, () => db('stores').select('id')));
    for (const rows of results) expect(rows).to.deep.equal([]);
  });

  it('the app role is not a superuser, cannot bypass RLS, and every table forces row-level security', async () => {
    const role = await db.raw('select rolsuper, rolbypassrls from pg_roles where rolname = current_user');
    expect(role.rows).to.deep.equal([{ rolsuper: false, rolbypassrls: false }]);

    const tables = await owner.raw(
      `select c.relname, c.relrowsecurity, c.relforcerowsecurity
         from pg_class c join pg_namespace n on n.oid = c.relnamespace
        where n.nspname = 'public' and c.relkind in ('r', 'p') and c.relname not like 'knex\\_%'
        order by c.relname`,
    );
    expect(tables.rows.length).to.be.at.least(9);
    const unprotected = tables.rows
      .filter(
        (t: { relrowsecurity: boolean; relforcerowsecurity: boolean }) => !t.relrowsecurity || !t.relforcerowsecurity,
      )
      .map((t: { relname: string }) => t.relname);
    expect(unprotected).to.deep.equal([]);

    const owned = await db.raw(
      `select count(*)::int as n from pg_class c join pg_namespace n on n.oid = c.relnamespace
        where n.nspname = 'public' and pg_get_userbyid(c.relowner) = current_user`,
    );
    expect(owned.rows[0].n, 'the app role owns no table (owners skip RLS unless forced)').to.equal(0);
  });
});
