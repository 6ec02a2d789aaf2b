import { expect } from 'chai';
import {
  boundedErrors,
  latestModified,
  latestPerExternalId,
  listSince,
  mapPosCustomer,
  MAX_RECORD_ERRORS,
} from '../../db/syncs/customer-sync-rules.js';
import type { PosCustomer } from '../../integrations/pos/pos-types.js';

const pos = (overrides: Partial<PosCustomer> = {}): PosCustomer => ({
  externalId: '42',
  firstName: 'Ada',
  middleName: null,
  lastName: 'Lovelace',
  birthday: '1990-12-10',
  email: 'Ada@Example.TEST',
  phone: '(415) 555-0100',
  driversLicense: { number: 'd-123 456', state: 'ca', expiresOn: '2030-01-01' },
  medicalCard: null,
  customerType: 'recreational',
  loyaltyPoints: 12,
  status: 'active',
  mergedIntoExternalId: null,
  lastModifiedAt: new Date('2026-11-01T00:00:00Z'),
  ...overrides,
});

describe('customer sync rules', () => {
  it('normalises a POS record for the store country: email lower-case, phone E.164, licence upper-case', () => {
    const mapped = mapPosCustomer(pos(), 'US');
    expect(mapped.problems).to.deep.equal([]);
    expect(mapped.warnings).to.deep.equal([]);
    expect(mapped.input.email).to.equal('ada@example.test');
    expect(mapped.input.phone).to.equal('+14155550100');
    expect(mapped.input.driversLicense).to.deep.equal({ number: 'D123456', state: 'CA', expiresOn: '2030-01-01' });
  });

  it('drops an invalid phone with a warning naming the field, never the value', () => {
    const mapped = mapPosCustomer(pos({ phone: '12' }), 'US');
    expect(mapped.problems).to.deep.equal([]);
    expect(mapped.input.phone).to.equal(undefined);
    expect(mapped.warnings).to.have.length(1);
    expect(mapped.warnings[0].path).to.equal('phone');
    expect(JSON.stringify(mapped.warnings)).to.not.include('12"');
  });

  it('refuses a record without any name', () => {
    expect(mapPosCustomer(pos({ firstName: null, lastName: null }), 'US').problems.map((p) => p.path)).to.include(
      'name',
    );
  });

  it('imports a medical customer whose POS sends no card, with a warning (Flowhub never returns medId)', () => {
    const mapped = mapPosCustomer(pos({ customerType: 'medical' }), 'US');
    expect(mapped.problems).to.deep.equal([]);
    expect(mapped.input.customerType).to.equal('medical');
    expect(mapped.warnings.map((w) => w.path)).to.deep.equal(['medicalCard']);
  });

  it('clears what the POS clears: a null email or licence becomes null, not "keep ours"', () => {
    const mapped = mapPosCustomer(pos({ email: null, driversLicense: null }), 'US');
    expect(mapped.input.email).to.equal(null);
    expect(mapped.input.driversLicense).to.equal(null);
  });

  it('rounds fractional loyalty balances and drops out-of-range ones with a warning', () => {
    expect(mapPosCustomer(pos({ loyaltyPoints: 12.6 }), 'US').loyaltyPoints).to.equal(13);
    const huge = mapPosCustomer(pos({ loyaltyPoints: 1e12 }), 'US');
    expect(huge.loyaltyPoints).to.equal(null);
    expect(huge.warnings.map((w) => w.path)).to.deep.equal(['loyaltyPoints']);
  });

  it('keeps the latest version of an external id repeated within a page', () => {
    const older = pos({ email: 'old@example.test', lastModifiedAt: new Date('2026-01-01') });
    const newer = pos({ email: 'new@example.test', lastModifiedAt: new Date('2026-02-01') });
    expect(latestPerExternalId([newer, older])).to.deep.equal([newer]);
    expect(latestPerExternalId([older, newer, pos({ externalId: '7' })])).to.have.length(2);
  });

  it('the watermark is the latest lastModifiedAt seen, never moved back', () => {
    const at = new Date('2026-05-01T00:00:00Z');
    expect(latestModified([pos({ lastModifiedAt: null })], null)).to.equal(null);
    expect(latestModified([pos({ lastModifiedAt: new Date('2026-04-01') })], at)).to.equal(at);
    expect(latestModified([pos()], at)?.toISOString()).to.equal('2026-11-01T00:00:00.000Z');
  });

  it('lists from the watermark less an overlap (longer for the lagging Dutchie API), everything without one', () => {
    const at = new Date('2026-11-01T00:10:00Z');
    expect(listSince('leaflogix', null)).to.equal(null);
    expect(listSince('leaflogix', at)?.toISOString()).to.equal('2026-11-01T00:00:00.000Z');
    expect(listSince('blaze', at)!.getTime()).to.be.lessThan(at.getTime());
  });

  it('keeps at most the first MAX_RECORD_ERRORS record errors', () => {
    const many = Array.from({ length: 150 }, (_, i) => ({ externalId: String(i), message: 'phone is invalid' }));
    const kept = boundedErrors(many.slice(0, 60), many.slice(60));
    expect(kept).to.have.length(MAX_RECORD_ERRORS);
    expect(kept[0].externalId).to.equal('0');
  });
});
