import { expect } from 'chai';
import request from 'supertest';
import { customerMetrics } from '../../db/customers/customer-metrics.js';
import { encodeCursor } from '../../db/pagination.js';
import { insertCustomer, insertCustomers, type CustomerSeed } from '../support/customer-fixtures.js';
import { bearer, createOrg, createStore, createTenant, createUser, tokenFor } from '../support/fixtures.js';
import { testContext } from '../support/test-context.js';

describe('customer search: GET /api/v1/stores/:storeId/customers', () => {
  const { app, owner } = testContext();

  async function tenant() {
    const t = await createTenant();
    const staffAuth = bearer(await tokenFor(t.staff));
    const managerAuth = bearer(await tokenFor(t.manager));
    const seed = (s: Omit<CustomerSeed, 'orgId' | 'storeId'>, storeId = t.storeA.id): CustomerSeed => ({
      orgId: t.org.id,
      storeId,
      ...s,
    });
    return { ...t, staffAuth, managerAuth, seed, path: `/api/v1/stores/${t.storeA.id}/customers` };
  }

  type Tenant = Awaited<ReturnType<typeof tenant>>;
  const search = (t: Tenant, query: Record<string, string | number | string[]>, auth = t.staffAuth) =>
    request(app).get(t.path).query(query).set(auth);
  const ids = (res: request.Response) => res.body.data.map((c: { id: string }) => c.id);

  describe('q detects what was typed', () => {
    let t: Tenant;
    let ana: string;
    let other: string;
    before(async () => {
      t = await tenant();
      ana = await insertCustomer(
        t.seed({
          firstName: 'Ana',
          lastName: 'Núñez',
          email: 'Ana.Nunez@Example.com',
          phone: '+1 (415) 555-2671',
          birthday: '1990-04-12',
          driversLicense: 'd123-456-7',
          medicalCard: 'MC 9988 7766',
        }),
      );
      other = await insertCustomer(
        t.seed({
          firstName: 'Bob',
          lastName: 'Stone',
          email: 'bob@example.com',
          phone: '212 555 0187',
          birthday: '1990-12-04',
          driversLicense: 'S7654321',
        }),
      );
    });

    it('an email goes to the email index, whatever its case', async () => {
      const res = await search(t, { q: '  ANA.nunez@example.COM ' });
      expect(res.status).to.equal(200);
      expect(ids(res)).to.deep.equal([ana]);
      expect(res.body.data[0].match).to.deep.equal({ field: 'email', method: 'exact', score: 1 });
    });

    for (const typed of ['+1 (415) 555-2671', '415.555.2671', '4155552671', '(415) 555 2671', '+14155552671']) {
      it(`a phone typed as "${typed}" is read in the store's country`, async () => {
        const res = await search(t, { q: typed });
        expect(res.status).to.equal(200);
        expect(ids(res)).to.deep.equal([ana]);
        expect(res.body.data[0].match).to.deep.equal({ field: 'phone', method: 'exact', score: 1 });
      });
    }

    it('exactly four digits are the end of a phone number', async () => {
      const res = await search(t, { q: '0187' });
      expect(ids(res)).to.deep.equal([other]);
      expect(res.body.data[0].match).to.include({ field: 'phone', method: 'suffix' });
    });

    it("a driver's licence is found through its blind index, typed with or without separators", async () => {
      for (const typed of ['D1234567', 'd123-4567', 'D 123 4567']) {
        const res = await search(t, { q: typed });
        expect(ids(res), typed).to.deep.equal([ana]);
        expect(res.body.data[0].match).to.deep.equal({ field: 'driversLicense', method: 'exact', score: 1 });
      }
    });

    it('a medical card number is found through its own blind index', async () => {
      const res = await search(t, { q: 'mc99887766' });
      expect(ids(res)).to.deep.equal([ana]);
      expect(res.body.data[0].match).to.include({ field: 'medicalCard', method: 'exact' });
    });

    it('a date of birth in the common formats; 04/12/1990 is month first in a US store', async () => {
      for (const typed of ['1990-04-12', '04/12/1990', '12.04.1990', '4/12/1990']) {
        const res = await search(t, { q: typed });
        expect(ids(res), typed).to.deep.equal([ana]);
        expect(res.body.data[0].match).to.deep.equal({ field: 'birthday', method: 'exact', score: 1 });
      }
    });

    it('outside the US, 04/12/1990 is day first', async () => {
      const store = await createStore(t.org.id, { country: 'FR', timezone: 'Europe/Paris', currency: 'EUR' });
      const inFrance = await insertCustomer({
        orgId: t.org.id,
        storeId: store.id,
        firstName: 'Zoé',
        lastName: 'Roux',
        birthday: '1990-12-04',
      });
      const res = await request(app)
        .get(`/api/v1/stores/${store.id}/customers`)
        .query({ q: '04/12/1990' })
        .set(bearer(await tokenFor(t.admin)));
      expect(ids(res)).to.deep.equal([inFrance]);
    });

    it('a name with accents typed without them, in either order, or with a typo', async () => {
      for (const typed of ['ana nunez', 'Núñez Ana', 'NUNEZ, ANA', 'ana nunes', 'aan nunez']) {
        const res = await search(t, { q: typed });
        expect(res.status).to.equal(200);
        expect(ids(res)[0], typed).to.equal(ana);
        expect(res.body.data[0].match.field, typed).to.equal('name');
      }
    });

    it('says how a name matched: exact, prefix or fuzzy, with a score', async () => {
      const exact = await search(t, { q: 'Ana Núñez' });
      expect(exact.body.data[0].match).to.deep.equal({ field: 'name', method: 'exact', score: 1 });
      const prefix = await search(t, { q: 'nuñ' });
      expect(prefix.body.data[0].id).to.equal(ana);
      expect(prefix.body.data[0].match).to.include({ field: 'lastName', method: 'prefix' });
      const fuzzy = await search(t, { q: 'ana nuñes' });
      expect(fuzzy.body.data[0].match).to.include({ field: 'name', method: 'fuzzy' });
      expect(fuzzy.body.data[0].match.score).to.be.within(0.5, 0.99);
    });

    it('a search that matches nothing answers an empty page', async () => {
      const res = await search(t, { q: 'zzyzx qqq' });
      expect(res.status).to.equal(200);
      expect(res.body).to.deep.equal({ data: [], nextCursor: null });
    });

    it('records the search duration by query kind', async () => {
      const before = await customerMetrics.searchDuration.get();
      const count = (values: typeof before.values, kind: string) =>
        values.find((v) => v.labels.kind === kind && v.metricName?.endsWith('_count'))?.value ?? 0;
      await search(t, { q: 'ana.nunez@example.com' });
      await search(t, { q: 'ana nunez' });
      const after = await customerMetrics.searchDuration.get();
      expect(count(after.values, 'email')).to.equal(count(before.values, 'email') + 1);
      expect(count(after.values, 'name')).to.equal(count(before.values, 'name') + 1);
    });
  });

  describe('name search', () => {
    let t: Tenant;
    const people: Record<string, string> = {};
    before(async () => {
      t = await tenant();
      const names: Array<[string, string]> = [
        ['María', 'García'],
        ['Mario', 'Garza'],
        ['Marta', 'Ortega'],
        ['Marc', 'Dubois'],
        ['Jean-Pierre', 'Lefèvre'],
        ['Siobhán', "O'Sullivan"],
        ['Nguyễn', 'Thị Lan'],
        ['Jürgen', 'Müller'],
        ['Hannah', 'Schmidt'],
        ['Lucía', 'García López'],
      ];
      const inserted = await insertCustomers(names.map(([firstName, lastName]) => t.seed({ firstName, lastName })));
      names.forEach(([f, l], i) => (people[`${f} ${l}`] = inserted[i]));
    });

    it('"mar" finds every María, Mario, Marta and Marc by prefix', async () => {
      const res = await search(t, { q: 'mar' });
      expect(ids(res)).to.include.members([
        people['María García'],
        people['Mario Garza'],
        people['Marta Ortega'],
        people['Marc Dubois'],
      ]);
      for (const c of res.body.data) expect(c.match.method).to.be.oneOf(['prefix', 'exact', 'fuzzy']);
      // Marc is the whole first name typed but one letter: it ranks above the longer names.
      expect(ids(res)[0]).to.equal(people['Marc Dubois']);
    });

    it('a first name and the start of a last name narrows to that person', async () => {
      const res = await search(t, { q: 'maria gar' });
      expect(ids(res)[0]).to.equal(people['María García']);
      expect(res.body.data[0].match.method).to.equal('prefix');
    });

    it('tolerates two typos and accents typed either way', async () => {
      const cases: Array<[string, string]> = [
        ['jurgen muller', 'Jürgen Müller'],
        ['juergen mueller', 'Jürgen Müller'],
        ['Jürgen Mülller', 'Jürgen Müller'],
        ['hanah schmit', 'Hannah Schmidt'],
        ['jean pierre lefevre', 'Jean-Pierre Lefèvre'],
        ['siobhan osullivan', "Siobhán O'Sullivan"],
        ['mraia gracia', 'María García'],
      ];
      for (const [typed, who] of cases) {
        const res = await search(t, { q: typed });
        expect(ids(res).slice(0, 3), `${typed} → ${who}`).to.include(people[who]);
      }
    });

    it('a single word with a typo, or a first name with the second of two surnames, still finds the person', async () => {
      const typo = await search(t, { q: 'schmitd' });
      expect(ids(typo)[0]).to.equal(people['Hannah Schmidt']);
      expect(typo.body.data[0].match).to.include({ field: 'name', method: 'fuzzy' });
      const second = await search(t, { q: 'lucia lopez' });
      expect(ids(second)[0]).to.equal(people['Lucía García López']);
    });

    it('ranks results by score, best first', async () => {
      const res = await search(t, { q: 'maria garcia' });
      const scores = res.body.data.map((c: any) => c.match.score);
      expect(scores).to.deep.equal([...scores].sort((a: number, b: number) => b - a));
      expect(ids(res)[0]).to.equal(people['María García']);
    });
  });

  describe('filters', () => {
    let t: Tenant;
    let c: Record<string, string>;
    before(async () => {
      t = await tenant();
      const at = (n: number) => new Date(Date.UTC(2030, 0, 1, 0, 0, n));
      const [ana, andres, anabel, deleted, inactive] = await insertCustomers([
        t.seed({
          createdAt: at(1),
          firstName: 'Ána',
          lastName: 'Pérez',
          email: 'ana@example.com',
          phone: '4155550101',
          birthday: '1985-01-02',
          driversLicense: 'A1111111',
        }),
        t.seed({
          createdAt: at(2),
          firstName: 'Andrés',
          lastName: 'Peralta',
          phone: '4155550102',
          birthday: '1985-01-02',
        }),
        t.seed({ createdAt: at(3), firstName: 'Anabel', lastName: 'Smith', phone: '4155550103' }),
        t.seed({ createdAt: at(4), firstName: 'Anatole', lastName: 'Pérez', status: 'deleted' }),
        t.seed({ createdAt: at(5), firstName: 'Anaïs', lastName: 'Petit', status: 'inactive' }),
      ]);
      c = { ana, andres, anabel, deleted, inactive };
      await owner('customer_tags').insert([
        { organization_id: t.org.id, store_id: t.storeA.id, customer_id: ana, label: 'VIP' },
        { organization_id: t.org.id, store_id: t.storeA.id, customer_id: anabel, label: 'vip' },
        { organization_id: t.org.id, store_id: t.storeA.id, customer_id: andres, label: 'wholesale' },
      ]);
    });

    it('firstName and lastName are prefixes, ignoring case and accents, and combine', async () => {
      const res = await search(t, { firstName: 'ANA' });
      expect(ids(res)).to.have.members([c.ana, c.anabel, c.inactive]);
      const both = await search(t, { firstName: 'an', lastName: 'pe' });
      expect(ids(both)).to.have.members([c.ana, c.andres, c.inactive]);
      const accented = await search(t, { lastName: 'Pér' });
      expect(ids(accented)).to.have.members([c.ana, c.andres]);
    });

    it('a plain list shows active and inactive customers in creation order, without match', async () => {
      const res = await search(t, {});
      expect(ids(res)).to.deep.equal([c.ana, c.andres, c.anabel, c.inactive]);
      expect(res.body.data[0].match).to.equal(null);
    });

    it('status asks for other statuses explicitly, one or several', async () => {
      expect(ids(await search(t, { status: 'deleted' }))).to.deep.equal([c.deleted]);
      expect(ids(await search(t, { status: 'deleted,inactive' }))).to.have.members([c.deleted, c.inactive]);
      expect(ids(await search(t, { status: ['active', 'deleted'] }))).to.have.members([
        c.ana,
        c.andres,
        c.anabel,
        c.deleted,
      ]);
      const bad = await search(t, { status: 'gone' });
      expect(bad.status).to.equal(400);
      expect(bad.body.error.details[0].path).to.equal('query.status');
    });

    it('email, phone (any format or last 4), licence and birthday are exact', async () => {
      expect(ids(await search(t, { email: 'ANA@example.com' }))).to.deep.equal([c.ana]);
      expect(ids(await search(t, { phone: '(415) 555-0102' }))).to.deep.equal([c.andres]);
      expect(ids(await search(t, { phone: '0103' }))).to.deep.equal([c.anabel]);
      expect(ids(await search(t, { driversLicense: 'a111-1111' }))).to.deep.equal([c.ana]);
      expect(ids(await search(t, { birthday: '1985-01-02' }))).to.have.members([c.ana, c.andres]);
    });

    it('tag matches labels case-insensitively', async () => {
      expect(ids(await search(t, { tag: 'vip' }))).to.have.members([c.ana, c.anabel]);
      expect(ids(await search(t, { tag: 'VIP', firstName: 'anab' }))).to.deep.equal([c.anabel]);
    });

    it('filters combine with q', async () => {
      const res = await search(t, { q: 'ana', tag: 'vip' });
      expect(ids(res)).to.have.members([c.ana, c.anabel]);
      expect(ids(await search(t, { q: '1985-01-02', lastName: 'pera' }))).to.deep.equal([c.andres]);
    });

    it('updatedSince is inclusive', async () => {
      const at = new Date('2031-05-06T07:08:09.123Z');
      await owner('customers').where({ id: c.andres }).update({ updated_at: at });
      expect(ids(await search(t, { updatedSince: at.toISOString() }))).to.deep.equal([c.andres]);
      const later = new Date(at.getTime() + 1).toISOString();
      expect(ids(await search(t, { updatedSince: later }))).to.deep.equal([]);
    });

    it('an unreadable phone or a malformed birthday is a 400 naming the field', async () => {
      const res = await search(t, { phone: '12ab', birthday: '1990-02-30' });
      expect(res.status).to.equal(400);
      expect(res.body.error.details.map((d: any) => d.path)).to.include('query.birthday');
      const phone = await search(t, { phone: '123456' });
      expect(phone.status).to.equal(400);
      expect(phone.body.error.details[0].path).to.equal('query.phone');
    });
  });

  describe('who sees what', () => {
    it('staff see licence and medical numbers masked in lists; managers see them in full', async () => {
      const t = await tenant();
      await insertCustomer(
        t.seed({ firstName: 'Kim', lastName: 'Lee', driversLicense: 'K9876543', medicalCard: 'M55554444' }),
      );
      const staff = await search(t, { q: 'kim lee' });
      expect(staff.body.data[0].driversLicense.number).to.equal('•••• 6543');
      expect(staff.body.data[0].medicalCard.number).to.equal('•••• 4444');
      expect(JSON.stringify(staff.body)).to.not.include('K9876543');
      const manager = await search(t, { q: 'kim lee' }, t.managerAuth);
      expect(manager.body.data[0].driversLicense.number).to.equal('K9876543');
    });

    it("a store the caller cannot reach is 404, whether in its organisation or another's", async () => {
      const t = await tenant();
      const res = await request(app).get(`/api/v1/stores/${t.storeB.id}/customers`).set(t.staffAuth);
      expect(res.status).to.equal(404);
      const otherOrg = await createOrg();
      const foreign = await createStore(otherOrg.id);
      const admin = bearer(await tokenFor(await createUser({ orgId: t.org.id, role: 'admin' })));
      const res2 = await request(app).get(`/api/v1/stores/${foreign.id}/customers`).set(admin);
      expect(res2.status).to.equal(404);
      expect(res2.body.error.code).to.equal('not_found');
    });

    it("another store's customers never appear, whatever is searched", async () => {
      const t = await tenant();
      const mine = await insertCustomer(
        t.seed({
          firstName: 'Pat',
          lastName: 'Quinn',
          email: 'pat@example.com',
          phone: '4155550199',
          birthday: '1970-07-07',
          driversLicense: 'Q1234567',
        }),
      );
      await insertCustomer(
        t.seed(
          {
            firstName: 'Pat',
            lastName: 'Quinn',
            email: 'pat@example.com',
            phone: '4155550199',
            birthday: '1970-07-07',
            driversLicense: 'Q1234567',
          },
          t.storeB.id,
        ),
      );
      const otherOrg = await createOrg();
      const foreign = await createStore(otherOrg.id);
      await insertCustomer({
        orgId: otherOrg.id,
        storeId: foreign.id,
        firstName: 'Pat',
        lastName: 'Quinn',
        email: 'pat@example.com',
      });
      const queries: Array<Record<string, string>> = [
        {},
        { q: 'pat quinn' },
        { q: 'pat@example.com' },
        { q: '4155550199' },
        { q: '0199' },
        { q: 'Q1234567' },
        { q: '1970-07-07' },
        { firstName: 'pat' },
      ];
      for (const query of queries) {
        const res = await search(t, query, bearer(await tokenFor(t.admin)));
        expect(ids(res), JSON.stringify(query)).to.deep.equal([mine]);
      }
    });
  });

  describe('pagination', () => {
    async function collect(t: Tenant, query: Record<string, string | number>, between: () => Promise<void>) {
      const seen: string[] = [];
      let cursor: string | null = null;
      let pages = 0;
      do {
        const res = await search(t, { ...query, ...(cursor ? { cursor } : {}) });
        expect(res.status).to.equal(200);
        seen.push(...ids(res));
        cursor = res.body.nextCursor;
        pages++;
        await between();
      } while (cursor && pages < 50);
      return { seen, pages };
    }

    it('a list has no gaps or repeats while customers are added between pages', async () => {
      const t = await tenant();
      const existing = await insertCustomers(
        Array.from({ length: 23 }, (_, i) => t.seed({ firstName: `Page${i}`, lastName: 'Reader' })),
      );
      let n = 0;
      const { seen, pages } = await collect(t, { limit: 5 }, async () => {
        await insertCustomer(t.seed({ firstName: `Late${n++}`, lastName: 'Reader' }));
      });
      expect(pages).to.be.greaterThan(4);
      expect(new Set(seen).size).to.equal(seen.length);
      expect(seen).to.include.members(existing);
    });

    it('a list keeps rows created within the same millisecond apart (microsecond cursors)', async () => {
      const t = await tenant();
      const at = new Date('2030-01-01T00:00:00.000Z');
      const rows = await insertCustomers(
        Array.from({ length: 6 }, (_, i) => t.seed({ firstName: `Same${i}`, lastName: 'Instant', createdAt: at })),
      );
      // Same millisecond, different microseconds.
      for (const [i, id] of rows.entries())
        await owner.raw(
          `update customers set created_at = ?::timestamptz + (? || ' microseconds')::interval where id = ?`,
          [at.toISOString(), i, id],
        );
      const { seen } = await collect(t, { limit: 2 }, async () => {});
      expect(seen).to.deep.equal(rows);
    });

    it('a ranked search has no gaps or repeats while matching customers are added between pages', async () => {
      const t = await tenant();
      const existing = await insertCustomers(
        [
          'Marie',
          'Maria',
          'Mario',
          'Marius',
          'Mariana',
          'Marianne',
          'Marika',
          'Marisol',
          'Maribel',
          'Marin',
          'Marion',
          'Mariah',
        ].map((firstName) => t.seed({ firstName, lastName: 'Dupont' })),
      );
      const repeated = await insertCustomers(
        Array.from({ length: 5 }, () => t.seed({ firstName: 'Maria', lastName: 'Dupont' })),
      );
      let n = 0;
      const names = ['Maria', 'Marie', 'Marina', 'Mario', 'Mari'];
      const { seen } = await collect(t, { q: 'maria dupont', limit: 3 }, async () => {
        await insertCustomer(t.seed({ firstName: names[n++ % names.length], lastName: 'Dupont' }));
      });
      expect(new Set(seen).size).to.equal(seen.length);
      expect(seen).to.include.members([...existing.filter((_, i) => i < 3), ...repeated]);
      // Everything that matched before the first page is there.
      const before = await search(t, { q: 'maria dupont', limit: 100 });
      const all = ids(before).filter((id: string) => existing.includes(id) || repeated.includes(id));
      expect(seen).to.include.members(all);
    });

    it('an identifier search pages by id when every hit scores the same', async () => {
      const t = await tenant();
      const same = await insertCustomers(
        Array.from({ length: 7 }, (_, i) =>
          t.seed({ firstName: `Twin${i}`, lastName: 'Born', birthday: '2001-02-03' }),
        ),
      );
      const { seen } = await collect(t, { q: '2001-02-03', limit: 3 }, async () => {});
      expect(seen).to.have.members(same);
      expect(seen).to.have.length(7);
    });

    it('a forged or edited cursor is a 400', async () => {
      const t = await tenant();
      await insertCustomers(Array.from({ length: 3 }, (_, i) => t.seed({ firstName: `C${i}`, lastName: 'Ursor' })));
      const first = await search(t, { limit: 1 });
      const cursor: string = first.body.nextCursor;
      const [payload, signature] = cursor.split('.');
      const edited = `${Buffer.from(JSON.stringify(['l', 'x', '2000-01-01T00:00:00.000000Z', first.body.data[0].id])).toString('base64url')}.${signature}`;
      for (const bad of ['garbage', `${payload}.AAAA`, edited]) {
        const res = await search(t, { limit: 1, cursor: bad });
        expect(res.status, bad).to.equal(400);
        expect(res.body.error.code).to.equal('validation_failed');
      }
    });

    it('a cursor of another query, or one this service signed with the wrong shape, is a 400', async () => {
      const t = await tenant();
      await insertCustomers(Array.from({ length: 3 }, (_, i) => t.seed({ firstName: `Pat${i}`, lastName: 'Cursor' })));
      const first = await search(t, { limit: 1 });
      expect((await search(t, { limit: 1, q: 'pat', cursor: first.body.nextCursor })).status).to.equal(400);
      expect((await search(t, { limit: 1, firstName: 'pat', cursor: first.body.nextCursor })).status).to.equal(400);
      const wrongShape = encodeCursor(['l', 'x', 'drop table', 1]);
      expect((await search(t, { cursor: wrongShape })).status).to.equal(400);
    });

    it('limit outside 1–100 is a 400', async () => {
      const t = await tenant();
      for (const limit of [0, 101, 'many']) {
        const res = await search(t, { limit });
        expect(res.status, String(limit)).to.equal(400);
        expect(res.body.error.details[0].path).to.equal('query.limit');
      }
      expect((await search(t, { limit: 100 })).status).to.equal(200);
    });
  });
});
