import { readFileSync } from 'node:fs';
import { expect } from 'chai';
import { validateResponse } from '../../integrations/pos/http.js';
import {
  leaflogixBalances,
  leaflogixCustomerType,
  leaflogixDate,
  leaflogixInstant,
  leaflogixModifiedFilter,
  leaflogixPhone,
  leaflogixSavedId,
  leaflogixToPosCustomer,
  toLeaflogixCreate,
  toLeaflogixSave,
} from '../../integrations/pos/leaflogix/leaflogix-mappers.js';
import {
  leaflogixCustomerPage,
  leaflogixLoyaltySnapshot,
  leaflogixSaveResponse,
} from '../../integrations/pos/leaflogix/leaflogix-schemas.js';

const fixture = (name: string): unknown =>
  JSON.parse(readFileSync(new URL(`../fixtures/leaflogix/${name}`, import.meta.url), 'utf8'));

describe('leaflogix mappers', () => {
  const page = validateResponse(leaflogixCustomerPage, fixture('customers-page.json'), 'leaflogix');
  const balances = leaflogixBalances(validateResponse(leaflogixLoyaltySnapshot, fixture('loyalty-snapshot.json')));
  const [maria, liam, zoe] = page.map((r) => leaflogixToPosCustomer(r, balances));

  it('maps a full record into our shape', () => {
    expect(maria).to.deep.equal({
      externalId: '5001',
      firstName: 'María',
      middleName: null,
      lastName: 'García',
      birthday: '1984-03-12',
      email: 'maria.garcia.0@sandbox.example',
      phone: '4152000000',
      driversLicense: null,
      medicalCard: { number: 'MMJ500000', state: null, expiresOn: '2027-06-30' },
      customerType: 'medical',
      loyaltyPoints: 312.5,
      status: 'active',
      mergedIntoExternalId: null,
      lastModifiedAt: new Date('2026-10-30T14:05:09.437Z'),
    });
  });

  it('accepts customerID, and turns "N/A" and year-1900 dates into null', () => {
    expect(liam).to.include({
      externalId: '5002',
      middleName: null,
      email: null,
      birthday: null,
      medicalCard: null,
      customerType: 'recreational',
      status: 'inactive',
      mergedIntoExternalId: null,
    });
  });

  it('falls back to the cell phone when phone is a placeholder', () => {
    expect(liam.phone).to.equal('4152000001');
    expect(zoe.phone).to.equal(null);
  });

  it('reads lastModifiedDateUTC with or without a zone, and as MM/dd/yyyy HH:mm:ss, all as UTC', () => {
    expect(liam.lastModifiedAt).to.deep.equal(new Date('2026-10-30T14:06:00Z'));
    expect(zoe.lastModifiedAt).to.deep.equal(new Date('2026-10-30T14:07:00Z'));
    expect(leaflogixInstant('2024-01-15T10:30:00.1234567')).to.deep.equal(new Date('2024-01-15T10:30:00.123Z'));
    expect(leaflogixInstant('2024-01-15T10:30:00-07:00')).to.deep.equal(new Date('2024-01-15T17:30:00Z'));
    expect(leaflogixInstant('1/5/2024 1:02:03 PM')).to.deep.equal(new Date('2024-01-05T13:02:03Z'));
    expect(leaflogixInstant('1900-01-01T00:00:00')).to.equal(null);
    expect(leaflogixInstant('yesterday')).to.equal(null);
  });

  it('a merged-into pointer makes the record merged, whatever its status says', () => {
    expect(zoe).to.include({ status: 'merged', mergedIntoExternalId: '5001', birthday: null, loyaltyPoints: 0 });
  });

  it('mergedIntoCustomerId 0 or the record itself is no pointer', () => {
    const [record] = page;
    expect(leaflogixToPosCustomer({ ...record, mergedIntoCustomerId: 5001 }).status).to.equal('active');
    expect(leaflogixToPosCustomer({ ...record, status: 'Merged', mergedIntoCustomerId: 0 }).status).to.equal(
      'inactive',
    );
  });

  it('loyalty points only for loyalty members, and only when the snapshot knows them', () => {
    const [record] = page;
    expect(leaflogixToPosCustomer(record).loyaltyPoints).to.equal(null);
    expect(leaflogixToPosCustomer({ ...record, isLoyaltyMember: false }, balances).loyaltyPoints).to.equal(null);
  });

  it('reads free-text customer types as recreational or medical, and leaves the unknown unknown', () => {
    const cases: Array<[string | null, string | null]> = [
      ['Medical', 'medical'],
      ['Medical - Out of State', 'medical'],
      ['MMJ Patient', 'medical'],
      ['Recreational', 'recreational'],
      ['Adult Use', 'recreational'],
      ['Non-Medical', 'recreational'],
      ['Employee', null],
      ['N/A', null],
      [null, null],
    ];
    for (const [text, expected] of cases) expect(leaflogixCustomerType(text), String(text)).to.equal(expected);
  });

  it('keeps calendar dates as written and refuses impossible ones', () => {
    expect(leaflogixDate('1984-03-12T23:59:59-10:00')).to.equal('1984-03-12');
    expect(leaflogixDate('03/12/1984')).to.equal('1984-03-12');
    expect(leaflogixDate('1984-02-30')).to.equal(null);
    expect(leaflogixDate('0001-01-01T00:00:00')).to.equal(null);
    expect(leaflogixDate('')).to.equal(null);
  });

  it('asks for changes from a minute before since, to the second, in UTC', () => {
    expect(leaflogixModifiedFilter(new Date('2024-03-10T17:45:30.250Z'))).to.equal('2024-03-10T17:44:30Z');
  });

  it('a sparse save names only the patched fields, and null clears', () => {
    expect(toLeaflogixSave({ email: 'new@example.com', phone: '+14155550100' })).to.deep.equal({
      emailAddress: 'new@example.com',
      phone: '4155550100',
    });
    expect(toLeaflogixSave({ medicalCard: null, customerType: 'medical', birthday: null })).to.deep.equal({
      mmjidNumber: null,
      mmjidExpirationDate: null,
      customerType: 'Medical',
      dateOfBirth: null,
    });
    expect(toLeaflogixSave({ driversLicense: { number: 'D1', state: 'CA', expiresOn: null } })).to.deep.equal({});
  });

  it('a create leaves out what is unknown and carries the Patron id', () => {
    const body = toLeaflogixCreate(
      {
        firstName: 'Ana',
        middleName: null,
        lastName: 'Silva',
        birthday: '1990-01-02',
        email: null,
        phone: '+442071234567',
        driversLicense: null,
        medicalCard: { number: 'MMJ1', state: 'CA', expiresOn: '2027-01-01' },
        customerType: 'recreational',
      },
      'b3c1e9a2-0000-4000-8000-000000000001',
    );
    expect(body).to.deep.equal({
      firstName: 'Ana',
      lastName: 'Silva',
      dateOfBirth: '1990-01-02',
      phone: '+442071234567',
      mmjidNumber: 'MMJ1',
      mmjidExpirationDate: '2027-01-01',
      customerType: 'Recreational',
      externalCustomerId: 'b3c1e9a2-0000-4000-8000-000000000001',
    });
  });

  it('reads the new id from a saved customer or a bare id', () => {
    expect(leaflogixSavedId(validateResponse(leaflogixSaveResponse, { customerId: 9001, firstName: 'A' }))).to.equal(
      '9001',
    );
    expect(leaflogixSavedId(validateResponse(leaflogixSaveResponse, { customerID: 9002 }))).to.equal('9002');
    expect(leaflogixSavedId(validateResponse(leaflogixSaveResponse, 9003))).to.equal('9003');
  });

  it('leaves non-US phones alone', () => {
    expect(leaflogixPhone('+14155550100')).to.equal('4155550100');
    expect(leaflogixPhone('+442071234567')).to.equal('+442071234567');
  });
});
