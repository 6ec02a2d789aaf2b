import { expect } from 'chai';
import pg from 'pg';
import request from 'supertest';
import { config } from '../../config/env.js';
import { createDb } from '../../db/knex.js';
import { planName } from '../../db/reused-plans.js';
import { reachableStoreStatement } from '../../db/stores/store-access.js';
import { tenantQueries, tenantQuery } from '../../db/tenant.js';
import { insertCustomer } from '../support/customer-fixtures.js';
import { bearer, createTenant, tokenFor } from '../support/fixtures.js';
import { testContext } from '../support/test-context.js';

const HOSTILE = [
  `'; drop table customers; --`,
  `\\'; select 1; --`,
  `' or true or '`,
  `E'\\x27'`,
  `$$; select 1; $$`,
  `$1 ? ?? \\? :name`,
  `back\\slash\\`,
  `"double" {brace} ,comma`,
  `naïve — 日本語 🙂`,
  `*/ /* -- `,
];

describe('one-trip tenant reads (tenantQuery) and the one-trip customer search', () => {
  const { app, deps, owner } = testContext();

  describe('tenantQuery', () => {
    let orgId: string;
    before(async () => {
      orgId = (await createTenant()).org.id;
    });

    it('hands every hostile string back exactly as given: inlined as data, never as SQL', async () => {
      for (const text of HOSTILE) {
        const rows = await tenantQuery<{ v: string }>(deps.db, { orgId }, 'select $1::text as v', [text]);
        expect(rows, text).to.deep.equal([{ v: text }]);
      }
      const arrays = await tenantQuery<{ v: string[] }>(deps.db, { orgId }, 'select $1::text[] as v', [HOSTILE]);
      expect(arrays[0].v).to.deep.equal(HOSTILE);
      const withNull = await tenantQuery<{ v: Array<string | null> }>(deps.db, { orgId }, 'select $1::text[] as v', [
        ['NULL', null, ''],
      ]);
      expect(withNull[0].v).to.deep.equal(['NULL', null, '']);
    });

    it('keeps numbers, booleans, null and dates typed as bound parameters would', async () => {
      const [row] = await tenantQuery<Record<string, unknown>>(
        deps.db,
        { orgId },
        'select 1 - $1 as n, $2::float8 as f, $3::boolean as b, $4::text as z, $5::timestamptz as t',
        [-1, 0.8333, false, null, new Date('2026-01-02T03:04:05.678Z')],
      );
      expect(row).to.deep.equal({ n: 2, f: 0.8333, b: false, z: null, t: new Date('2026-01-02T03:04:05.678Z') });
    });

    it('refuses values it cannot inline before anything is sent', async () => {
      for (const bad of [undefined, { a: 1 }, 'nul\0byte', Number.NaN]) {
        let error: unknown;
        try {
          await tenantQuery(deps.db, { orgId }, 'select $1::text as v', [bad]);
        } catch (e) {
          error = e;
        }
        expect(error, String(bad)).to.be.instanceOf(Error);
      }
    });

    it('sets the tenant for that read only: the pooled connection does not keep it', async () => {
      const single = createDb(config.db.url, 1);
      try {
        const inside = await tenantQuery<{ org: string }>(
          single,
          { orgId },
          `select current_setting('app.org_id', true) as org`,
          [],
        );
        expect(inside).to.deep.equal([{ org: orgId }]);
        const after = await single.raw(`select coalesce(current_setting('app.org_id', true), '') as org`);
        expect(after.rows).to.deep.equal([{ org: '' }]);
      } finally {
        await single.destroy();
      }
    });

    it('runs a prelude in the same message: its local settings reach the query and end with it', async () => {
      const single = createDb(config.db.url, 1);
      try {
        const [, rows] = await tenantQueries(single, { orgId }, [
          { sql: `select set_config('pg_trgm.similarity_threshold', $1, true)`, params: ['0.42'] },
          { sql: `select current_setting('pg_trgm.similarity_threshold') as t`, params: [] },
        ]);
        expect(rows).to.deep.equal([{ t: '0.42' }]);
        const after = await single.raw(`select current_setting('pg_trgm.similarity_threshold') as t`);
        expect(after.rows[0].t).to.not.equal('0.42');
      } finally {
        await single.destroy();
      }
    });

    it('reads only the tenant it was given (row-level security still applies)', async () => {
      const a = await createTenant();
      const b = await createTenant();
      const mine = await insertCustomer({ orgId: a.org.id, storeId: a.storeA.id, firstName: 'Ada', lastName: 'Mine' });
      const theirs = await insertCustomer({
        orgId: b.org.id,
        storeId: b.storeA.id,
        firstName: 'Ada',
        lastName: 'Theirs',
      });
      const rows = await tenantQuery<{ id: string }>(
        deps.db,
        { orgId: a.org.id },
        'select id from customers where id = any($1::uuid[]) order by id',
        [[mine, theirs]],
      );
      expect(rows.map((r) => r.id)).to.deep.equal([mine]);
    });
  });

  describe('GET …/customers on the one-trip path', () => {
    let t: Awaited<ReturnType<typeof createTenant>>;
    let ana: string;
    let bob: string;
    before(async () => {
      t = await createTenant();
      ana = await insertCustomer({
        orgId: t.org.id,
        storeId: t.storeA.id,
        firstName: 'Ana',
        lastName: 'Quote',
        email: `o'hara?x@example.com`,
        phone: '415 555 0199',
        driversLicense: 'Q1234567',
      });
      bob = await insertCustomer({ orgId: t.org.id, storeId: t.storeA.id, firstName: 'Bob', lastName: 'Plain' });
      const row = { organization_id: t.org.id, store_id: t.storeA.id };
      await owner('customer_tags').insert([
        { ...row, customer_id: ana, label: 'vip' },
        { ...row, customer_id: ana, label: 'Alpha' },
      ]);
      await owner('customer_addresses').insert({
        ...row,
        customer_id: ana,
        type: 'billing',
        line1: '1 Main St',
        city: 'Oakland',
        country: 'US',
        is_default: true,
      });
      await owner('customer_external_refs').insert({
        ...row,
        customer_id: ana,
        provider: 'dutchie',
        external_id: 'x-1',
      });
    });

    const get = async (query: Record<string, string>, user = t.manager) =>
      request(app)
        .get(`/api/v1/stores/${t.storeA.id}/customers`)
        .query(query)
        .set(bearer(await tokenFor(user)));

    it('an identifier search answers with the tags, addresses and POS refs of each hit', async () => {
      const res = await get({ q: `O'Hara?x@Example.com` });
      expect(res.status).to.equal(200);
      expect(res.body.data).to.have.length(1);
      const hit = res.body.data[0];
      expect(hit.id).to.equal(ana);
      expect(hit.match).to.deep.equal({ field: 'email', method: 'exact', score: 1 });
      expect(hit.tags).to.deep.equal(['Alpha', 'vip']);
      expect(hit.addresses).to.have.length(1);
      expect(hit.addresses[0]).to.include({ type: 'billing', line1: '1 Main St', city: 'Oakland', isDefault: true });
      expect(hit.externalRefs).to.deep.equal([{ provider: 'dutchie', externalId: 'x-1' }]);
      expect(hit.driversLicense.number).to.equal('Q1234567');
      expect(res.body.nextCursor).to.equal(null);
    });

    it('a name search, narrow or widened for a typo, answers with the related rows too', async () => {
      for (const q of ['ana quote', 'Qoute']) {
        const res = await get({ q });
        expect(res.status, q).to.equal(200);
        expect(res.body.data[0].id, q).to.equal(ana);
        expect(res.body.data[0].tags, q).to.deep.equal(['Alpha', 'vip']);
        expect(res.body.data[0].externalRefs, q).to.deep.equal([{ provider: 'dutchie', externalId: 'x-1' }]);
      }
      const filtered = await get({ firstName: 'AN', lastName: 'quo' });
      expect(filtered.body.data.map((c: { id: string }) => c.id)).to.deep.equal([ana]);
      expect(filtered.body.data[0].addresses).to.have.length(1);
    });

    it('staff still see identity numbers masked', async () => {
      const res = await get({ q: 'Q1234567' }, t.staff);
      expect(res.body.data.map((c: { id: string }) => c.id)).to.deep.equal([ana]);
      expect(res.body.data[0].driversLicense.number).to.equal('•••• 4567');
    });

    it('a hostile q is searched for, not run', async () => {
      for (const q of HOSTILE) {
        const res = await get({ q });
        expect(res.status, q).to.equal(200);
      }
      expect(await owner('customers').where({ organization_id: t.org.id }).count('* as n')).to.deep.equal([{ n: 2 }]);
    });

    it('a plain list pages in creation order with related rows and no gaps', async () => {
      const first = await get({ limit: '1' });
      expect(first.body.data.map((c: { id: string }) => c.id)).to.deep.equal([ana]);
      expect(first.body.data[0].tags).to.deep.equal(['Alpha', 'vip']);
      expect(first.body.data[0].match).to.equal(null);
      const second = await get({ limit: '1', cursor: first.body.nextCursor });
      expect(second.body.data.map((c: { id: string }) => c.id)).to.deep.equal([bob]);
      expect(second.body.data[0]).to.include.keys('tags', 'addresses', 'externalRefs');
      expect(second.body.data[0].tags).to.deep.equal([]);
      expect(second.body.nextCursor).to.equal(null);
    });

    it('another store of the organisation is not reachable through it', async () => {
      const res = await request(app)
        .get(`/api/v1/stores/${t.storeB.id}/customers`)
        .query({ q: `o'hara?x@example.com` })
        .set(bearer(await tokenFor(t.staff)));
      expect(res.status).to.equal(404);
    });
  });
  describe('the store check inside the search message', () => {
    let t: Awaited<ReturnType<typeof createTenant>>;
    let ana: string;
    before(async () => {
      t = await createTenant();
      ana = await insertCustomer({
        orgId: t.org.id,
        storeId: t.storeA.id,
        firstName: 'Ana',
        lastName: 'Gate',
        email: 'ana.gate@example.com',
        phone: '+442079460958',
      });
    });

    const search = async (q: string, user = t.staff) =>
      request(app)
        .get(`/api/v1/stores/${t.storeA.id}/customers`)
        .query({ q })
        .set(bearer(await tokenFor(user)));

    /** Messages sent to PostgreSQL while `work` runs (counted at the client: the server is real). */
    async function messagesDuring(work: () => Promise<unknown>): Promise<string[]> {
      const sent: string[] = [];
      const proto = pg.Client.prototype as unknown as { query: (...args: unknown[]) => unknown };
      const original = proto.query;
      proto.query = function (this: unknown, ...args: unknown[]) {
        const text = typeof args[0] === 'string' ? args[0] : (args[0] as { text?: string })?.text;
        sent.push(String(text));
        return original.apply(this, args);
      };
      try {
        await work();
      } finally {
        proto.query = original;
      }
      return sent;
    }

    it('once the store is known, an identifier search is one message that checks the store too', async () => {
      expect((await search('ana.gate@example.com')).status).to.equal(200);
      let res: request.Response | undefined;
      const sent = await messagesDuring(async () => (res = await search('ana.gate@example.com')));
      expect(res!.status).to.equal(200);
      expect(res!.body.data.map((c: { id: string }) => c.id)).to.deep.equal([ana]);
      expect(sent).to.have.length(1);
      // The check is the reachable-store statement, prepared on this connection or named by its plan.
      const guard = reachableStoreStatement(t.org.id, t.storeA.id, { userId: t.staff.id });
      expect(guard.sql)
        .to.match(/from stores s where/)
        .and.to.match(/user_store_access/);
      expect(sent[0]).to.contain(`EXECUTE ${planName(guard.sql)}(`);
    });

    it('access taken away answers 404 at once: the check is never cached, only the country', async () => {
      expect((await search('ana.gate@example.com')).status).to.equal(200);
      await owner('user_store_access').where({ user_id: t.staff.id, store_id: t.storeA.id }).del();
      try {
        const res = await search('ana.gate@example.com');
        expect(res.status).to.equal(404);
        expect(res.body.error.code).to.equal('not_found');
        expect(JSON.stringify(res.body)).to.not.contain(ana);
      } finally {
        await owner('user_store_access').insert({
          organization_id: t.org.id,
          user_id: t.staff.id,
          store_id: t.storeA.id,
        });
      }
    });

    it('a store whose country changed is searched by its new country (a national phone parses by it)', async () => {
      expect((await search('ana.gate@example.com')).status).to.equal(200); // the country is known: US
      expect((await search('020 7946 0958')).body.data).to.deep.equal([]);
      await owner('stores').where({ id: t.storeA.id }).update({ country: 'GB' });
      try {
        const res = await search('020 7946 0958');
        expect(res.status).to.equal(200);
        expect(res.body.data.map((c: { id: string }) => c.id)).to.deep.equal([ana]);
        expect(res.body.data[0].match.field).to.equal('phone');
      } finally {
        await owner('stores').where({ id: t.storeA.id }).update({ country: 'US' });
      }
    });
  });
});
