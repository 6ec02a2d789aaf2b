import { readFileSync } from 'node:fs';
import { expect } from 'chai';
import { dateWindow } from '../../integrations/pos/blaze/blaze-client.js';
import {
  applyBlazePatch,
  blazeChangedSince,
  blazeCustomerType,
  blazeDate,
  blazeDateMs,
  blazeStatus,
  blazeToPosCustomer,
  toBlazeAddRequest,
} from '../../integrations/pos/blaze/blaze-mappers.js';
import { blazeMemberPage, type BlazeMember } from '../../integrations/pos/blaze/blaze-schemas.js';
import { validateResponse } from '../../integrations/pos/http.js';

const fixture = (name: string): unknown =>
  JSON.parse(readFileSync(new URL(`../fixtures/blaze/${name}`, import.meta.url), 'utf8'));

describe('blaze mappers', () => {
  const page = validateResponse(blazeMemberPage, fixture('members-page.json'), 'blaze');
  const [maria, liam, zoe] = page.values.map(blazeToPosCustomer);

  it('maps a full Member into our shape', () => {
    expect(maria).to.deep.equal({
      externalId: '5f3c9a1e2b4d6f8a0c1e3a5b',
      firstName: 'María',
      middleName: null,
      lastName: 'García',
      birthday: '1984-03-12',
      email: 'maria.garcia.0@sandbox.example',
      phone: '4152000000',
      driversLicense: { number: 'D1000000', state: 'CA', expiresOn: '2026-12-31' },
      medicalCard: { number: 'MMJ500000', state: 'CA', expiresOn: '2027-07-01' },
      customerType: 'medical',
      loyaltyPoints: 312.5,
      status: 'active',
      mergedIntoExternalId: null,
      lastModifiedAt: new Date(1730296709437),
    });
  });

  it('takes the licence from the Drivers identification valid longest, never a passport', () => {
    const member = page.values[0];
    const onlyPassport = { ...member, identifications: member.identifications!.slice(0, 1) };
    expect(blazeToPosCustomer(onlyPassport).driversLicense).to.equal(null);
  });

  it('dob 0 is unset and falls back to the birthdate text; year-1900 is no date', () => {
    expect(liam.birthday).to.equal('1979-07-04');
    expect(zoe.birthday).to.equal(null);
    expect(blazeDate(Date.UTC(1990, 0, 2))).to.equal('1990-01-02');
    expect(blazeDate(Date.UTC(1990, 0, 2, 8))).to.equal('1990-01-02');
    expect(blazeDate(null)).to.equal(null);
  });

  it('the phone falls back to cpn, and empty text is null', () => {
    expect(liam).to.include({ phone: '4152000001', email: null, driversLicense: null, medicalCard: null });
  });

  it('Pending is active, Inactive and deleted are inactive', () => {
    expect(liam.status).to.equal('active');
    expect(zoe.status).to.equal('inactive');
    expect(blazeStatus({ status: 'Inactive', deleted: false })).to.equal('inactive');
    expect(blazeStatus({ status: 'Active', deleted: null })).to.equal('active');
  });

  it('rec/med from consumerType, falling back to the medical flag', () => {
    const cases: Array<[string | null, boolean | null, string | null]> = [
      ['AdultUse', false, 'recreational'],
      ['MedicinalState', false, 'medical'],
      ['MedicinalThirdParty', null, 'medical'],
      ['Other', true, 'medical'],
      ['Other', false, null],
      [null, null, null],
    ];
    for (const [consumerType, medical, expected] of cases) {
      expect(blazeCustomerType({ consumerType, medical }), `${consumerType}/${medical}`).to.equal(expected);
    }
    expect(zoe.customerType).to.equal('medical');
    expect(zoe.loyaltyPoints).to.equal(null);
  });

  it("keeps a window's record only when its own modified is not before since", () => {
    const since = new Date(1730296760000);
    expect(page.values.map((m) => blazeChangedSince(m, since))).to.deep.equal([false, true, true]);
    expect(blazeChangedSince({ id: 'x' }, since), 'undated records are kept').to.equal(true);
  });

  it('the window ends now, and always after its start', () => {
    const now = new Date('2024-03-12T12:00:00Z');
    expect(dateWindow(new Date('2024-03-10T00:00:00Z'), now)).to.deep.equal({
      startDate: Date.parse('2024-03-10T00:00:00Z'),
      endDate: now.getTime(),
    });
    expect(dateWindow(new Date(now.getTime() + 5), now)).to.deep.equal({
      startDate: now.getTime() + 5,
      endDate: now.getTime() + 6,
    });
  });

  it('writes calendar dates at noon UTC, so they read back as the same day', () => {
    expect(blazeDateMs('1990-01-02')).to.equal(Date.UTC(1990, 0, 2, 12));
    expect(blazeDate(blazeDateMs('1990-01-02'))).to.equal('1990-01-02');
  });

  it('a create sends what is known, in Member fields', () => {
    expect(
      toBlazeAddRequest({
        patronId: 'p-1',
        firstName: 'Ana',
        middleName: null,
        lastName: 'Silva',
        birthday: '1990-01-02',
        email: null,
        phone: '+14155550100',
        driversLicense: { number: 'D42', state: 'CA', expiresOn: '2028-01-31' },
        medicalCard: null,
        customerType: 'recreational',
      }),
    ).to.deep.equal({
      firstName: 'Ana',
      lastName: 'Silva',
      primaryPhone: '4155550100',
      dob: Date.UTC(1990, 0, 2, 12),
      consumerType: 'AdultUse',
      medical: false,
      identifications: [
        { licenseNumber: 'D42', state: 'CA', expirationDate: Date.UTC(2028, 0, 31, 12), type: 'Drivers' },
      ],
    });
  });

  it('an update changes the patched fields of the full Member and keeps everything else', () => {
    const member = page.values[0] as BlazeMember;
    const next = applyBlazePatch(member, {
      email: 'new@example.com',
      driversLicense: { number: 'D2000000', state: 'NV', expiresOn: null },
      medicalCard: { number: 'MMJ500000', state: 'CA', expiresOn: '2028-07-01' },
    });
    expect(next.email).to.equal('new@example.com');
    expect(next.identifications).to.deep.equal([
      member.identifications![0],
      { licenseNumber: 'D2000000', state: 'NV', expirationDate: null, type: 'Drivers' },
    ]);
    expect(next.recommendations).to.have.length(1);
    expect(next.recommendations![0]).to.include({
      recommendationNumber: 'MMJ500000',
      doctorLastName: 'Lee',
      expirationDate: Date.UTC(2028, 6, 1, 12),
    });
    const untouched = { ...next, email: member.email, identifications: null, recommendations: null };
    expect(untouched).to.deep.equal({ ...member, identifications: null, recommendations: null });
    expect(applyBlazePatch(member, { medicalCard: null, customerType: 'recreational' })).to.include({
      consumerType: 'AdultUse',
      medical: false,
    });
    expect(applyBlazePatch(member, { medicalCard: null }).recommendations).to.deep.equal([]);
  });
});
