import { expect } from 'chai';
import request from 'supertest';
import { blindIndex } from '../../db/crypto/field-encryption.js';
import { findDuplicateCandidates, type DuplicateProbe } from '../../db/customers/duplicate-finder.js';
import { withTenant } from '../../db/tenant.js';
import { bearer, createTenant, tokenFor } from '../support/fixtures.js';
import { insertCustomer, insertCustomers } from '../support/customer-fixtures.js';
import { apiKeyFor } from '../support/customer-subresource-fixtures.js';
import { testContext } from '../support/test-context.js';

const emptyProbe: DuplicateProbe = {
  firstName: null,
  lastName: null,
  birthday: null,
  email: null,
  phone: null,
  driversLicenseBidx: null,
  medicalCardBidx: null,
};

describe('customer duplicates', () => {
  const { app, deps } = testContext();

  describe('findDuplicateCandidates', () => {
    async function find(orgId: string, storeId: string, probe: Partial<DuplicateProbe>, excludeId?: string) {
      return withTenant(deps.db, { orgId }, (trx) =>
        findDuplicateCandidates(trx, { orgId, storeId }, { ...emptyProbe, ...probe }, { excludeId }),
      );
    }

    it('finds a customer with the same email, phone, licence or medical card, with exact evidence', async () => {
      const { org, storeA } = await createTenant();
      const scope = { orgId: org.id, storeId: storeA.id };
      const id = await insertCustomer({
        ...scope,
        firstName: 'Renée',
        lastName: 'Dupont',
        email: 'renee@example.test',
        phone: '(415) 555-0101',
        driversLicense: 'D1234567',
        medicalCard: 'MC-998877',
      });
      const name = { firstName: 'Renée', lastName: 'Dupont' };
      const byEmail = await find(org.id, storeA.id, { ...name, email: 'renee@example.test' });
      expect(byEmail).to.have.length(1);
      expect(byEmail[0]).to.include({ customerId: id, firstName: 'Renée', lastName: 'Dupont' });
      expect(byEmail[0]!.matchedOn).to.deep.include({ field: 'email', method: 'exact' });
      expect(byEmail[0]!.matchedOn).to.deep.include({ field: 'name', method: 'exact' });
      expect(byEmail[0]!.score).to.be.within(0.9, 1);

      const byPhone = await find(org.id, storeA.id, { ...name, phone: '+14155550101' });
      expect(byPhone[0]!.matchedOn).to.deep.include({ field: 'phone', method: 'exact' });
      const byLicence = await find(org.id, storeA.id, {
        firstName: 'R',
        lastName: 'D',
        driversLicenseBidx: blindIndex('drivers_license', 'D1234567'),
      });
      expect(byLicence.map((c) => c.customerId)).to.deep.equal([id]);
      expect(byLicence[0]!.matchedOn).to.deep.equal([{ field: 'driversLicense', method: 'exact' }]);
      const byCard = await find(org.id, storeA.id, {
        ...name,
        medicalCardBidx: blindIndex('medical_card', 'MC998877'),
      });
      expect(byCard[0]!.matchedOn[0]).to.deep.equal({ field: 'medicalCard', method: 'exact' });
    });

    it('finds the same birthday with a similar name: accents, typos and swapped first and last names', async () => {
      const { org, storeA } = await createTenant();
      const scope = { orgId: org.id, storeId: storeA.id };
      const id = await insertCustomer({ ...scope, firstName: 'José', lastName: 'Hernández', birthday: '1988-03-14' });
      const accentsOnly = await find(org.id, storeA.id, {
        firstName: 'JOSE',
        lastName: 'hernandez',
        birthday: '1988-03-14',
      });
      expect(accentsOnly[0]!.matchedOn).to.deep.include({ field: 'name', method: 'exact' });
      for (const [firstName, lastName] of [
        ['Josè', 'Hernadez'],
        ['Hernandez', 'Jose'],
        ['Jsoe', 'Hernandes'],
      ]) {
        const found = await find(org.id, storeA.id, { firstName, lastName, birthday: '1988-03-14' });
        expect(
          found.map((c) => c.customerId),
          `${firstName} ${lastName}`,
        ).to.deep.equal([id]);
        expect(found[0]!.matchedOn).to.deep.include.members([
          { field: 'name', method: 'fuzzy' },
          { field: 'birthday', method: 'exact' },
        ]);
      }
    });

    it('does not offer another person born the same day, nor the same name born another day', async () => {
      const { org, storeA } = await createTenant();
      const scope = { orgId: org.id, storeId: storeA.id };
      await insertCustomer({ ...scope, firstName: 'Maria', lastName: 'Garcia', birthday: '1990-01-01' });
      expect(await find(org.id, storeA.id, { firstName: 'Kevin', lastName: 'Wong', birthday: '1990-01-01' })).to.be
        .empty;
      expect(await find(org.id, storeA.id, { firstName: 'Maria', lastName: 'Garcia', birthday: '1991-01-01' })).to.be
        .empty;
    });

    it('does not take a family sharing a phone number for one person', async () => {
      const { org, storeA } = await createTenant();
      const scope = { orgId: org.id, storeId: storeA.id };
      await insertCustomer({
        ...scope,
        firstName: 'Anna',
        lastName: 'Kowalski',
        birthday: '1975-05-05',
        phone: '415-555-0199',
      });
      const sibling = await find(org.id, storeA.id, {
        firstName: 'Piotr',
        lastName: 'Kowalski',
        birthday: '2001-09-09',
        phone: '+14155550199',
      });
      expect(sibling).to.be.empty;
    });

    it('ignores other stores, deleted and erased customers and the excluded id; best first', async () => {
      const { org, storeA, storeB } = await createTenant();
      const email = 'sam@example.test';
      const base = { orgId: org.id, firstName: 'Sam', lastName: 'Lee', email };
      await insertCustomer({ ...base, storeId: storeB.id });
      for (const status of ['deleted', 'erased']) await insertCustomer({ ...base, storeId: storeA.id, status });
      const strong = await insertCustomer({ ...base, storeId: storeA.id, birthday: '1970-02-02' });
      const weaker = await insertCustomer({ ...base, storeId: storeA.id, firstName: 'Sami', status: 'inactive' });
      const probe = { firstName: 'Sam', lastName: 'Lee', email, birthday: '1970-02-02' };
      const found = await find(org.id, storeA.id, probe);
      expect(found.map((c) => c.customerId)).to.deep.equal([strong, weaker]);
      expect(found[0]!.score).to.be.greaterThan(found[1]!.score);
      expect((await find(org.id, storeA.id, probe, strong)).map((c) => c.customerId)).to.deep.equal([weaker]);
    });

    it('answers nothing for a probe without identifiers or birthday', async () => {
      const { org, storeA } = await createTenant();
      await insertCustomer({ orgId: org.id, storeId: storeA.id, firstName: 'Ola', lastName: 'Nordmann' });
      expect(await find(org.id, storeA.id, { firstName: 'Ola', lastName: 'Nordmann' })).to.deep.equal([]);
    });
  });

  describe('GET /stores/:storeId/customers/duplicates', () => {
    const list = (storeId: string, token: string, query: Record<string, string | number> = {}) =>
      request(app).get(`/api/v1/stores/${storeId}/customers/duplicates`).query(query).set(bearer(token));

    async function storeWithPairs() {
      const tenant = await createTenant();
      const scope = { orgId: tenant.org.id, storeId: tenant.storeA.id };
      const [licenceA, licenceB, bdayA, bdayB, phoneA, phoneB, loner, merged] = await insertCustomers([
        {
          ...scope,
          firstName: 'Olga',
          lastName: 'Petrov',
          driversLicense: 'P1111111',
          createdAt: new Date('2024-01-01'),
        },
        {
          ...scope,
          firstName: 'Olga',
          lastName: 'Petrova',
          driversLicense: 'p-1111111',
          createdAt: new Date('2023-01-01'),
        },
        { ...scope, firstName: 'Siobhán', lastName: 'Murphy', birthday: '1985-10-31' },
        { ...scope, firstName: 'Murphy', lastName: 'Siobhan', birthday: '1985-10-31' },
        { ...scope, firstName: 'Tom', lastName: 'Baker', phone: '212-555-0123' },
        { ...scope, firstName: 'Tomm', lastName: 'Baker', phone: '(212) 555 0123' },
        { ...scope, firstName: 'Nobody', lastName: 'Else', birthday: '1985-10-31' },
        { ...scope, firstName: 'Tom', lastName: 'Baker', phone: '212-555-0123', status: 'deleted' },
      ]);
      await insertCustomer({
        orgId: tenant.org.id,
        storeId: tenant.storeB.id,
        firstName: 'Tom',
        lastName: 'Baker',
        phone: '212-555-0123',
      });
      return { ...tenant, ids: { licenceA, licenceB, bdayA, bdayB, phoneA, phoneB, loner, merged } };
    }

    it('lists candidate pairs of the store best first, with score, evidence and both customers, older first', async () => {
      const w = await storeWithPairs();
      const res = await list(w.storeA.id, await tokenFor(w.manager));
      expect(res.status).to.equal(200);
      expect(res.body.nextCursor).to.equal(null);
      const pairs = res.body.data;
      expect(pairs).to.have.length(3);
      const scores = pairs.map((p: { score: number }) => p.score);
      expect(scores).to.deep.equal([...scores].sort((a, b) => b - a));
      const ids = (p: { customers: Array<{ id: string }> }) => p.customers.map((c) => c.id);
      const licence = pairs.find((p: { matchedOn: unknown[] }) =>
        p.matchedOn.some((m) => (m as { field: string }).field === 'driversLicense'),
      );
      expect(ids(licence), 'the older customer first').to.deep.equal([w.ids.licenceB, w.ids.licenceA]);
      expect(licence.customers[0]).to.include({ firstName: 'Olga', lastName: 'Petrova', status: 'active' });
      expect(licence.customers[0].driversLicense.number, 'managers see numbers in full').to.equal('P1111111');
      const swapped = pairs.find((p: { customers: Array<{ id: string }> }) => ids(p).includes(w.ids.bdayA));
      expect(swapped.matchedOn).to.deep.equal([
        { field: 'name', method: 'fuzzy' },
        { field: 'birthday', method: 'exact' },
      ]);
      const phone = pairs.find((p: { customers: Array<{ id: string }> }) => ids(p).includes(w.ids.phoneA));
      expect(ids(phone).sort()).to.deep.equal([w.ids.phoneA, w.ids.phoneB].sort());
      expect(phone.matchedOn).to.deep.include({ field: 'phone', method: 'exact' });
      const everyId = pairs.flatMap(ids);
      expect(everyId).not.to.include(w.ids.loner);
      expect(everyId, 'deleted customers take no part').not.to.include(w.ids.merged);
    });

    it('pages with limit and cursor, without repeats or gaps; a forged cursor is refused', async () => {
      const w = await storeWithPairs();
      const token = await tokenFor(w.manager);
      const all = (await list(w.storeA.id, token, { limit: 100 })).body.data;
      const first = await list(w.storeA.id, token, { limit: 2 });
      expect(first.body.data).to.have.length(2);
      expect(first.body.nextCursor).to.be.a('string');
      const second = await list(w.storeA.id, token, { limit: 2, cursor: first.body.nextCursor });
      expect(second.status).to.equal(200);
      expect(second.body.data).to.have.length(1);
      expect(second.body.nextCursor).to.equal(null);
      expect([...first.body.data, ...second.body.data]).to.deep.equal(all);

      const forged = await list(w.storeA.id, token, { cursor: `${first.body.nextCursor}x` });
      expect(forged.status).to.equal(400);
      expect(forged.body.error.code).to.equal('validation_failed');
      expect((await list(w.storeA.id, token, { limit: 101 })).status).to.equal(400);
    });

    it('no longer lists a pair once merged', async () => {
      const w = await storeWithPairs();
      const token = await tokenFor(w.manager);
      const merge = await request(app)
        .post(`/api/v1/stores/${w.storeA.id}/customers/${w.ids.phoneA}/merge`)
        .set(bearer(token))
        .send({ sourceId: w.ids.phoneB });
      expect(merge.status).to.equal(200);
      const pairs = (await list(w.storeA.id, token)).body.data;
      expect(pairs).to.have.length(2);
      expect(pairs.flatMap((p: { customers: Array<{ id: string }> }) => p.customers.map((c) => c.id))).not.to.include(
        w.ids.phoneB,
      );
    });

    it('is for managers (and manager API keys): staff and staff keys get 403, other stores 404', async () => {
      const w = await storeWithPairs();
      const other = await createTenant();
      expect((await list(w.storeA.id, await tokenFor(w.staff))).status).to.equal(403);
      expect((await list(w.storeA.id, await apiKeyFor(w.org.id, w.storeA.id, 'staff'))).status).to.equal(403);
      expect((await list(w.storeA.id, await apiKeyFor(w.org.id, w.storeA.id, 'manager'))).status).to.equal(200);
      expect((await list(w.storeB.id, await tokenFor(w.manager))).status, 'a store the manager cannot reach').to.equal(
        404,
      );
      expect((await list(other.storeA.id, await tokenFor(w.admin))).status, 'another organisation').to.equal(404);
      const empty = await list(w.storeB.id, await tokenFor(w.admin));
      expect(empty.status).to.equal(200);
      expect(empty.body.data).to.deep.equal([]);
    });
  });
});
