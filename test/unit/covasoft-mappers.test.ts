import { readFileSync } from 'node:fs';
import { expect } from 'chai';
import { validateResponse } from '../../integrations/pos/http.js';
import { PosError } from '../../integrations/pos/pos-errors.js';
import {
  applyPatch,
  birthdayOf,
  customerFullQuery,
  odataDateTime,
  parseCovaUtc,
  toCustomerFullBody,
  toPosCustomer,
} from '../../integrations/pos/covasoft/covasoft-mappers.js';
import {
  covasoftCredentialsSchema,
  customerFullPageSchema,
  type CovaCustomerFull,
} from '../../integrations/pos/covasoft/covasoft-schemas.js';

const fixture = (): CovaCustomerFull[] =>
  JSON.parse(readFileSync(new URL('../fixtures/covasoft/customer-full.json', import.meta.url), 'utf8'));

describe('Cova mappers', () => {
  describe('a CustomerFull page', () => {
    it('the documented CustomerFull shape passes the response schema', () => {
      expect(validateResponse(customerFullPageSchema, fixture(), 'covasoft')).to.have.length(3);
    });

    it('an envelope in place of the bare array is pos_bad_response naming only paths', () => {
      try {
        validateResponse(customerFullPageSchema, { value: fixture() }, 'covasoft');
        expect.fail('validated');
      } catch (err) {
        expect(err).to.be.an.instanceOf(PosError).with.property('code', 'pos_bad_response');
        expect((err as PosError).message).not.to.include('Robert');
      }
    });

    it('a person: names, calendar birthday, the default phone over fax and work lines, the email', () => {
      expect(toPosCustomer(fixture()[0])).to.deep.equal({
        externalId: '7f252c18-e07a-47e7-914a-cf2a726b21b7',
        firstName: 'Robert',
        middleName: 'Lee',
        lastName: 'Smith',
        birthday: '1952-07-23',
        email: 'robert.smith@example.com',
        phone: '(306) 222-3333',
        driversLicense: null,
        medicalCard: null,
        customerType: null,
        loyaltyPoints: null,
        status: 'active',
        mergedIntoExternalId: null,
        lastModifiedAt: new Date('2024-03-11T08:15:42.470Z'),
      });
    });

    it('a record merged into another is merged, pointing at its survivor, whatever its Disabled flag', () => {
      const merged = toPosCustomer(fixture()[1]);
      expect(merged).to.include({
        status: 'merged',
        mergedIntoExternalId: '7f252c18-e07a-47e7-914a-cf2a726b21b7',
        middleName: null,
        email: null,
        phone: null,
        birthday: '2014-05-08',
      });
      expect(merged.lastModifiedAt?.toISOString()).to.equal('2024-03-11T09:00:00.000Z');
    });

    it('Guid.Empty is no merge pointer, Disabled is inactive, year-1 birthdays and null contacts are null', () => {
      const company = toPosCustomer(fixture()[2]);
      expect(company).to.include({
        status: 'inactive',
        mergedIntoExternalId: null,
        firstName: 'Northern Lights Wellness Ltd.',
        lastName: null,
        birthday: null,
        phone: null,
        email: null,
      });
      expect(company.lastModifiedAt?.toISOString()).to.equal('2024-03-11T16:30:00.500Z');
    });

    it('with no Default, a mobile is preferred over other phones, and the first email is taken', () => {
      const record: CovaCustomerFull = {
        Id: '11111111-2222-4333-8444-555555555555',
        ContactMethods: [
          { ContactMethodCategoryId: 1, ContactMethodTypeId: 1, Value: '111' },
          { ContactMethodCategoryId: 1, ContactMethodTypeId: 3, Value: '333' },
          { ContactMethodCategoryId: 2, ContactMethodTypeId: 10, Value: 'first@example.com' },
          { ContactMethodCategoryId: 2, ContactMethodTypeId: 9, Value: 'second@example.com' },
        ],
      };
      expect(toPosCustomer(record)).to.include({ phone: '333', email: 'first@example.com' });
    });
  });

  describe('dates', () => {
    it('UTC timestamps without a zone are read as UTC, not server-local; offsets and 7 fractional digits too', () => {
      expect(parseCovaUtc('2024-03-11T08:15:42')?.toISOString()).to.equal('2024-03-11T08:15:42.000Z');
      expect(parseCovaUtc('2024-03-11T08:15:42.1234567')?.toISOString()).to.equal('2024-03-11T08:15:42.123Z');
      expect(parseCovaUtc('2024-03-11T08:15:42.1+0200')?.toISOString()).to.equal('2024-03-11T06:15:42.100Z');
      expect(parseCovaUtc('2024-03-11T08:15:42z')?.toISOString()).to.equal('2024-03-11T08:15:42.000Z');
      expect(parseCovaUtc('')).to.equal(null);
      expect(parseCovaUtc('yesterday')).to.equal(null);
    });

    it('birthdays keep the written calendar date; placeholders and impossible dates are null', () => {
      expect(birthdayOf('1985-03-01T00:00:00')).to.equal('1985-03-01');
      expect(birthdayOf('1985-02-28T23:00:00-08:00')).to.equal('1985-02-28');
      expect(birthdayOf('1985-03-01')).to.equal('1985-03-01');
      expect(birthdayOf('0001-01-01T00:00:00')).to.equal(null);
      expect(birthdayOf('1900-01-01T00:00:00')).to.equal(null);
      expect(birthdayOf('1985-02-30T00:00:00')).to.equal(null);
      expect(birthdayOf(null)).to.equal(null);
    });

    it('the incremental filter is the documented OData literal, whole seconds rounded down, spaces as %20', () => {
      const since = new Date('2024-03-10T17:45:30.999Z');
      expect(odataDateTime(since)).to.equal('2024-03-10T17:45:30Z');
      expect(customerFullQuery(since, 500, 500)).to.equal(
        "$filter=LastModifiedDateUtc%20ge%20datetime'2024-03-10T17%3A45%3A30Z'&$skip=500&$top=500",
      );
      expect(customerFullQuery(null, 0, 500)).to.equal('$skip=0&$top=500');
    });
  });

  describe('writes', () => {
    it('a new customer is a Person with phone and email as default contact methods; no licence or card fields', () => {
      const body = toCustomerFullBody({
        patronId: '0b5a3c1e-0000-4000-8000-000000000001',
        firstName: 'Ana',
        middleName: null,
        lastName: 'García',
        birthday: '1990-04-02',
        email: 'ana@example.com',
        phone: '+14155550100',
        driversLicense: { number: 'D123', state: 'CA', expiresOn: null },
        medicalCard: { number: 'MMJ1', state: null, expiresOn: null },
        customerType: 'medical',
      });
      expect(body).to.deep.equal({
        CustomerTypeId: 2,
        PrimaryName: 'Ana',
        FamilyName: 'García',
        DateOfBirth: '1990-04-02',
        Disabled: false,
        ContactMethods: [
          { ContactMethodCategoryId: 1, ContactMethodTypeId: 3, Value: '+14155550100', Default: true },
          { ContactMethodCategoryId: 2, ContactMethodTypeId: 9, Value: 'ana@example.com', Default: true },
        ],
      });
      expect(JSON.stringify(body)).not.to.match(/D123|MMJ1|medical|0b5a3c1e/);
    });

    it('a patch changes the chosen contact in place and keeps every other field, Version included', () => {
      const current = fixture()[0];
      const { body, changed } = applyPatch(current, { phone: '+13062229999', lastName: 'Smyth' });
      expect(changed).to.equal(true);
      expect(body).to.include({
        FamilyName: 'Smyth',
        PrimaryName: 'Robert',
        Version: 3,
        Notes: 'Interested in iPhone 6',
      });
      expect(body.Addresses).to.deep.equal(current.Addresses);
      const phones = body.ContactMethods!.filter((m) => m.ContactMethodCategoryId === 1).map((m) => m.Value);
      expect(phones).to.deep.equal(['(306) 222-0000', '(306) 222-1111', '+13062229999']);
      expect(toPosCustomer(body).phone).to.equal('+13062229999');
      expect(current.FamilyName, 'the record read is not mutated').to.equal('Smith');
    });

    it('clearing the phone removes every line that could be read back as it, but keeps faxes', () => {
      const { body } = applyPatch(fixture()[0], { phone: null });
      expect(toPosCustomer(body).phone).to.equal(null);
      expect(body.ContactMethods!.map((m) => m.ContactMethodTypeId)).to.deep.equal([6, 9, 14]);
    });

    it('a missing email is added as a default contact method; a birthday is sent in the short form', () => {
      const { body, changed } = applyPatch(fixture()[2], { email: 'hello@example.com', birthday: '1970-01-31' });
      expect(changed).to.equal(true);
      expect(body.ContactMethods).to.deep.equal([
        { ContactMethodCategoryId: 2, ContactMethodTypeId: 9, Value: 'hello@example.com', Default: true },
      ]);
      expect(body.DateOfBirth).to.equal('1970-01-31');
    });

    it('a patch the record already holds changes nothing', () => {
      const { changed } = applyPatch(fixture()[0], {
        firstName: 'Robert',
        email: 'robert.smith@example.com',
        phone: '(306) 222-3333',
        birthday: '1952-07-23',
        driversLicense: null,
      });
      expect(changed).to.equal(false);
      expect(applyPatch(fixture()[2], { middleName: null, phone: null }).changed).to.equal(false);
    });
  });

  it('credentials need all five settings; a numeric companyId string is accepted as the int', () => {
    const good = { companyId: '14146', username: 'u', password: 'p', clientId: 'c', clientSecret: 's' };
    expect(covasoftCredentialsSchema.validate(good).value?.companyId).to.equal(14146);
    const { error } = covasoftCredentialsSchema.validate({ companyId: 'x', username: 'u' }, { abortEarly: false });
    expect(error?.details.map((d) => d.path[0])).to.have.members(['companyId', 'password', 'clientId', 'clientSecret']);
  });
});
