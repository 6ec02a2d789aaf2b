import { expect } from 'chai';
import { COUNTRIES, isCountry, isCurrency, isTimezone } from '../../db/stores/store-rules.js';

describe('store rules', () => {
  it('accepts IANA zones, their current names that ICU lists under old ids, and UTC', () => {
    for (const zone of [
      'America/New_York',
      'Europe/Berlin',
      'Asia/Calcutta',
      'Asia/Kolkata',
      'Europe/Kyiv',
      'UTC',
      'Etc/UTC',
    ]) {
      expect(isTimezone(zone), zone).to.equal(true);
    }
  });

  it('refuses made-up, mis-cased and offset-style zones', () => {
    for (const zone of [
      'Mars/Olympus_Mons',
      'america/new_york',
      'America/NEW_YORK',
      'utc',
      '+05:00',
      'EST5EDT ',
      '',
      'GMT+25',
    ]) {
      expect(isTimezone(zone), zone).to.equal(false);
    }
  });

  it('accepts ISO 3166-1 alpha-2 codes in upper case', () => {
    for (const code of ['US', 'CA', 'GB', 'DE', 'JP', 'BR', 'ZA', 'CW']) expect(isCountry(code), code).to.equal(true);
  });

  it('refuses lower case, withdrawn, macro-region and non-ISO codes', () => {
    for (const code of ['us', 'UK', 'SU', 'YU', 'EU', 'UN', 'ZZ', 'XK', 'AC', 'TA', 'USA', '']) {
      expect(isCountry(code), code).to.equal(false);
    }
  });

  it('keeps only countries with a phone numbering plan, so phones can be read in the store country', () => {
    // ISO 3166-1 has 249 codes; 7 uninhabited or shared-plan territories have no plan of their own.
    expect(COUNTRIES).to.have.length(242);
    for (const code of ['AQ', 'BV', 'HM']) expect(isCountry(code), code).to.equal(false);
  });

  it('accepts ISO 4217 currencies and refuses unknown or non-currency codes', () => {
    for (const code of ['USD', 'EUR', 'CAD', 'JPY', 'CHF']) expect(isCurrency(code), code).to.equal(true);
    for (const code of ['usd', 'XYZ', 'XXX', 'US', 'DOLLARS']) expect(isCurrency(code), code).to.equal(false);
  });
});
