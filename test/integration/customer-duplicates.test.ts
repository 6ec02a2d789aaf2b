import { expect } from 'chai';
import { blindIndex } from '../../db/crypto/field-encryption.js';
import { findDuplicateCandidates, type DuplicateProbe } from '../../db/customers/duplicate-finder.js';
import { withTenant } from '../../db/tenant.js';
import { createTenant } from '../support/fixtures.js';
import { insertCustomer } from '../support/customer-fixtures.js';
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
  const { deps } = testContext();

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

    it('ignores other stores, merged, deleted and erased customers and the excluded id; best first', async () => {
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
});
