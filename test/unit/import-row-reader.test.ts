import { readFileSync } from 'node:fs';
import { expect } from 'chai';
import { parse } from 'csv-parse/sync';
import {
  TEMPLATE_COLUMNS,
  detectImportFormat,
  type DetectedFormat,
  type ImportRow,
} from '../../db/imports/import-formats.js';

function detected(header: string[]): DetectedFormat {
  const result = detectImportFormat(header);
  if ('error' in result) throw new Error(`expected a format, got: ${result.error}`);
  return result;
}

/** A reader for these columns, and a row built from column → cell (other cells empty). */
function readerFor(header: string[]) {
  const format = detected(header);
  return (values: Record<string, string>): ImportRow => format.read(header.map((h) => values[h] ?? ''));
}

/** A fixture as the import job will see it: parsed by csv-parse, then the header detected and each row read. */
function readFixture(name: string, delimiter = ','): { format: string; rows: ImportRow[] } {
  const records: string[][] = parse(readFileSync(new URL(`../fixtures/imports/${name}`, import.meta.url)), {
    bom: true,
    delimiter,
  });
  const format = detected(records[0]);
  return { format: format.format, rows: records.slice(1).map(format.read) };
}

describe('import row reader', () => {
  describe('our template', () => {
    const read = readerFor(TEMPLATE_COLUMNS);

    it('maps every column to the API fields', () => {
      const row = read({
        first_name: ' Jordan ',
        last_name: 'Avery',
        middle_name: 'Lee',
        email: 'jordan@example.com',
        phone: '+15035550111',
        birthday: '1987-09-14',
        gender: 'F',
        customer_type: 'Medical',
        drivers_license: 'D1234567',
        drivers_license_state: 'OR',
        drivers_license_expires_on: '9/14/2029',
        medical_card_number: 'MC-1',
        medical_card_expires_on: '2027-01-31',
        marketing_email_opt_in: 'Yes',
        marketing_sms_opt_in: '0',
        tags: 'vip| newsletter ||',
        address_line1: '221 Cedar St',
        address_line2: 'Apt 3',
        city: 'Portland',
        region: 'OR',
        postal_code: '97209',
        country: 'US',
        external_id: 'legacy-1001',
      });
      expect(row).to.deep.equal({
        customer: {
          firstName: 'Jordan',
          lastName: 'Avery',
          middleName: 'Lee',
          email: 'jordan@example.com',
          phone: '+15035550111',
          birthday: '1987-09-14',
          gender: 'female',
          customerType: 'medical',
          driversLicense: { number: 'D1234567', state: 'OR', expiresOn: '2029-09-14' },
          medicalCard: { number: 'MC-1', expiresOn: '2027-01-31' },
          consents: { marketingEmail: true, marketingSms: false },
          tags: ['vip', 'newsletter'],
          address: {
            line1: '221 Cedar St',
            line2: 'Apt 3',
            city: 'Portland',
            region: 'OR',
            postalCode: '97209',
            country: 'US',
          },
          externalId: 'legacy-1001',
        },
        problems: [],
        warnings: [],
      });
    });

    it('leaves empty and blank cells out instead of sending empty strings', () => {
      const row = read({ first_name: 'Ada', last_name: 'Byron', email: '   ', tags: ' | ', phone: '' });
      expect(row.customer).to.deep.equal({ firstName: 'Ada', lastName: 'Byron' });
      expect(Object.values(row.customer)).not.to.include('');
    });

    it('reads a row shorter than the header as empty trailing cells', () => {
      const format = detected(TEMPLATE_COLUMNS);
      expect(format.read(['Ada', 'Byron']).customer).to.deep.equal({ firstName: 'Ada', lastName: 'Byron' });
    });

    it('reads booleans as yes/no, true/false, 1/0 and y/n in any case', () => {
      const pairs: [string, boolean][] = [
        ['yes', true],
        ['NO', false],
        ['True', true],
        ['false', false],
        ['1', true],
        ['0', false],
        ['Y', true],
        ['n', false],
      ];
      for (const [text, value] of pairs) {
        expect(read({ marketing_sms_opt_in: text }).customer.consents).to.deep.equal({ marketingSms: value });
      }
    });

    it('refuses another boolean with a problem naming the column', () => {
      const row = read({ first_name: 'A', last_name: 'B', marketing_email_opt_in: 'sometimes' });
      expect(row.problems).to.deep.equal([
        { column: 'marketing_email_opt_in', message: 'must be yes/no, true/false, 1/0 or y/n' },
      ]);
      expect(row.customer).not.to.have.property('consents');
    });

    it('reads dates as YYYY-MM-DD from ISO dates, timestamps and US M/D/YYYY', () => {
      const dates: [string, string][] = [
        ['1990-05-17', '1990-05-17'],
        ['1990-5-7', '1990-05-07'],
        ['1990-05-17T00:00:00', '1990-05-17'],
        ['1990-05-17T23:30:00-08:00', '1990-05-17'],
        ['5/17/1990', '1990-05-17'],
        ['05/07/1990', '1990-05-07'],
        ['05-17-1990', '1990-05-17'],
        ['2/29/2000', '2000-02-29'],
        ['May 17, 1990', '1990-05-17'],
      ];
      for (const [text, value] of dates) expect(read({ birthday: text }).customer.birthday, text).to.equal(value);
    });

    it('refuses an unreadable date, or one without a year, with a problem on its column', () => {
      for (const text of ['31.02.1982', '17/05/1990', '2/29/2001', '1990-13-01', 'soon', '90-05-17']) {
        const row = read({ birthday: text });
        expect(row.problems, text).to.deep.equal([
          { column: 'birthday', message: 'is not a date (expected YYYY-MM-DD or M/D/YYYY)' },
        ]);
        expect(row.customer).not.to.have.property('birthday');
      }
      expect(read({ drivers_license: 'D1', drivers_license_expires_on: '05-17' }).problems).to.deep.equal([
        { column: 'drivers_license_expires_on', message: 'has no year (expected YYYY-MM-DD or M/D/YYYY)' },
      ]);
    });

    it('does not judge ranges: a future birthday is the API rules’ business', () => {
      expect(read({ birthday: '2999-01-01' })).to.deep.include({ problems: [], customer: { birthday: '2999-01-01' } });
    });

    it('maps common gender spellings, and keeps unknown text for the API rules to refuse', () => {
      const genders: [string, string][] = [
        ['F', 'female'],
        ['Female', 'female'],
        ['m', 'male'],
        ['MALE', 'male'],
        ['Non-binary', 'other'],
        ['other', 'other'],
        ['Prefer not to say', 'undisclosed'],
        ['robot', 'robot'],
      ];
      for (const [text, value] of genders) expect(read({ gender: text }).customer.gender, text).to.equal(value);
    });

    it('maps customer types in any case, and keeps unknown text for the API rules to refuse', () => {
      expect(read({ customer_type: 'RECREATIONAL' }).customer.customerType).to.equal('recreational');
      expect(read({ customer_type: 'medical' }).customer.customerType).to.equal('medical');
      expect(read({ customer_type: 'wholesale' }).customer.customerType).to.equal('wholesale');
    });

    it('ignores a licence state or expiry without its number, with a warning', () => {
      const row = read({ drivers_license_state: 'OR' });
      expect(row.customer).to.deep.equal({});
      expect(row.warnings).to.deep.equal([
        { column: 'drivers_license_state', message: 'is ignored: drivers_license is empty' },
      ]);
    });

    it('imports no address without its first line, with a warning', () => {
      const row = read({ city: 'Portland', postal_code: '97209' });
      expect(row.customer).to.deep.equal({});
      expect(row.warnings).to.deep.equal([
        { column: 'address_line1', message: 'is empty: the address is not imported' },
      ]);
      expect(read({ country: 'US' })).to.deep.equal({ customer: {}, problems: [], warnings: [] });
    });
  });

  describe('Shopify', () => {
    const header = [
      'Customer ID',
      'First Name',
      'Last Name',
      'Email',
      'Accepts Email Marketing',
      'Default Address Company',
      'Default Address Address1',
      'Default Address Address2',
      'Default Address City',
      'Default Address Province Code',
      'Default Address Country Code',
      'Default Address Zip',
      'Default Address Phone',
      'Phone',
      'Accepts SMS Marketing',
      'Total Spent',
      'Total Orders',
      'Note',
      'Tax Exempt',
      'Tags',
      'Birth date (customer.metafields.facts.birth_date)',
    ];
    const read = readerFor(header);

    it('strips the leading apostrophe, splits tags on commas and reads the birth-date metafield', () => {
      const row = read({
        'Customer ID': "'7210448301122",
        'First Name': 'Maya',
        'Last Name': 'Okafor',
        Email: 'maya@example.com',
        'Accepts Email Marketing': 'yes',
        'Default Address Company': 'Okafor Ltd',
        'Default Address Address1': '1420 Alder St',
        'Default Address City': 'Portland',
        'Default Address Province Code': 'OR',
        'Default Address Country Code': 'US',
        'Default Address Zip': "'97214",
        'Default Address Phone': "'+15035550199",
        Phone: "'+15035550141",
        'Accepts SMS Marketing': 'no',
        'Total Spent': '412.50',
        'Total Orders': '7',
        Note: 'Prefers pickup',
        'Tax Exempt': 'no',
        Tags: 'vip, medical',
        'Birth date (customer.metafields.facts.birth_date)': '1988-11-03',
      });
      expect(row).to.deep.equal({
        customer: {
          firstName: 'Maya',
          lastName: 'Okafor',
          email: 'maya@example.com',
          phone: '+15035550141',
          birthday: '1988-11-03',
          consents: { marketingEmail: true, marketingSms: false },
          tags: ['vip', 'medical'],
          address: { line1: '1420 Alder St', city: 'Portland', region: 'OR', postalCode: '97214', country: 'US' },
          externalId: '7210448301122',
        },
        problems: [],
        warnings: [],
      });
    });

    it('takes the phone from Default Address Phone when Phone is empty, and says which column it used', () => {
      const row = read({ 'First Name': 'Dan', 'Last Name': 'B', 'Default Address Phone': "'+15415550188" });
      expect(row.customer.phone).to.equal('+15415550188');
      expect(row.sourceColumns).to.deep.equal({ phone: 'Default Address Phone' });
      expect(read({ Phone: '+15415550100' })).not.to.have.property('sourceColumns');
    });

    it('keeps an apostrophe that is part of the text', () => {
      expect(read({ 'Last Name': "O'Connor", 'First Name': "'Tis" }).customer).to.deep.equal({
        firstName: "'Tis",
        lastName: "O'Connor",
      });
    });

    it('reports a bad consent with the Shopify column name', () => {
      expect(read({ 'Accepts SMS Marketing': 'maybe' }).problems).to.deep.equal([
        { column: 'Accepts SMS Marketing', message: 'must be yes/no, true/false, 1/0 or y/n' },
      ]);
    });
  });

  describe('Square', () => {
    const header = [
      'Reference ID',
      'First Name',
      'Last Name',
      'Email Address',
      'Phone Number',
      'Nickname',
      'Company Name',
      'Street Address 1',
      'Street Address 2',
      'City',
      'State',
      'Postal Code',
      'Birthday',
      'Memo',
      'Square Customer ID',
      'Creation Source',
      'First Visit',
      'Last Visit',
      'Transaction Count',
      'Lifetime Spend',
      'Email Subscription Status',
      'Instant Profile',
      'Blocked from online booking',
    ];
    const read = readerFor(header);

    it('maps a customer, with the subscription status as the marketing-email consent', () => {
      const row = read({
        'Reference ID': 'CRM-1',
        'First Name': 'Rosa',
        'Last Name': 'Delgado',
        'Email Address': 'rosa@example.com',
        'Phone Number': '+15035550163',
        Nickname: 'Ro',
        'Street Address 1': '310 Pine St',
        'Street Address 2': 'Unit 2',
        City: 'Portland',
        State: 'OR',
        'Postal Code': '97205',
        Birthday: '1990-05-17',
        Memo: 'Allergic to nuts, prefers oat milk',
        'Square Customer ID': 'Q8XJ2W4K1N5V7R9T3B6M0P2D4F',
        'Lifetime Spend': '$1,234.50',
        'Email Subscription Status': 'subscribed',
      });
      expect(row).to.deep.equal({
        customer: {
          firstName: 'Rosa',
          lastName: 'Delgado',
          email: 'rosa@example.com',
          phone: '+15035550163',
          birthday: '1990-05-17',
          consents: { marketingEmail: true },
          address: { line1: '310 Pine St', line2: 'Unit 2', city: 'Portland', region: 'OR', postalCode: '97205' },
          externalId: 'Q8XJ2W4K1N5V7R9T3B6M0P2D4F',
        },
        problems: [],
        warnings: [],
      });
    });

    it('reads each subscription status; Unknown decides nothing; other text is a problem', () => {
      const statuses: [string, boolean | undefined][] = [
        ['Subscribed', true],
        ['unsubscribed', false],
        ['not_subscribed', false],
        ['Not subscribed', false],
        ['Unknown', undefined],
      ];
      for (const [text, value] of statuses) {
        const row = read({ 'Email Subscription Status': text });
        expect(row.customer.consents?.marketingEmail, text).to.equal(value);
        expect(row.problems).to.deep.equal([]);
      }
      expect(read({ 'Email Subscription Status': 'pending' }).problems).to.deep.equal([
        {
          column: 'Email Subscription Status',
          message: 'must be subscribed, unsubscribed, not subscribed or unknown',
        },
      ]);
    });

    it('keeps a birthday without a year as unknown, with a warning rather than a problem', () => {
      for (const text of ['--05-17', '0000-05-17', '0000-05-17T00:00:00-00:00', '05-17', '5/17', 'May 17', '17 May']) {
        const row = read({ 'First Name': 'Kenji', 'Last Name': 'W', Birthday: text });
        expect(row.customer, text).to.deep.equal({ firstName: 'Kenji', lastName: 'W' });
        expect(row.problems, text).to.deep.equal([]);
        expect(row.warnings, text).to.deep.equal([
          { column: 'Birthday', message: 'has no year: the birthday is left unknown' },
        ]);
      }
    });

    it('still refuses a birthday that is no date at all', () => {
      expect(read({ Birthday: '02-30' }).problems).to.deep.equal([
        { column: 'Birthday', message: 'is not a date (expected YYYY-MM-DD or M/D/YYYY)' },
      ]);
    });
  });

  describe('Dutchie', () => {
    const header = [
      'customerId',
      'firstName',
      'lastName',
      'dateOfBirth',
      'gender',
      'phone',
      'cellPhone',
      'emailAddress',
      'address1',
      'address2',
      'city',
      'state',
      'postalCode',
      'customerType',
      'mmjidNumber',
      'mmjidExpirationDate',
    ];
    const read = readerFor(header);

    it('maps a medical customer: ISO date of birth, card from mmjid, cell phone preferred', () => {
      const row = read({
        customerId: '5001',
        firstName: 'María',
        lastName: 'García',
        dateOfBirth: '1984-03-12T00:00:00',
        gender: 'Female',
        phone: '(415) 200-0000',
        cellPhone: '(415) 555-0134',
        emailAddress: 'maria@example.com',
        address1: '12 Mission St',
        city: 'San Francisco',
        state: 'CA',
        postalCode: '94103',
        customerType: 'Medical',
        mmjidNumber: 'MMJ-500000',
        mmjidExpirationDate: '2027-06-30T00:00:00',
      });
      expect(row).to.deep.equal({
        customer: {
          firstName: 'María',
          lastName: 'García',
          email: 'maria@example.com',
          phone: '(415) 555-0134',
          birthday: '1984-03-12',
          gender: 'female',
          customerType: 'medical',
          medicalCard: { number: 'MMJ-500000', expiresOn: '2027-06-30' },
          address: { line1: '12 Mission St', city: 'San Francisco', region: 'CA', postalCode: '94103' },
          externalId: '5001',
        },
        problems: [],
        warnings: [],
      });
    });

    it('takes phone when cellPhone is empty', () => {
      const row = read({ phone: '(415) 555-0150' });
      expect(row.customer.phone).to.equal('(415) 555-0150');
      expect(row.sourceColumns).to.deep.equal({ phone: 'phone' });
    });

    it('reads N/A cells and year-1900 dates as unknown', () => {
      const row = read({
        firstName: 'Zoe',
        lastName: 'Chen',
        dateOfBirth: '1900-01-01T00:00:00',
        mmjidNumber: 'N/A',
        address1: 'n/a',
      });
      expect(row).to.deep.equal({ customer: { firstName: 'Zoe', lastName: 'Chen' }, problems: [], warnings: [] });
    });

    it('reads operator-defined customer types, and warns about one that is neither', () => {
      expect(read({ customerType: 'RECREATIONAL' }).customer.customerType).to.equal('recreational');
      expect(read({ customerType: 'Medical - Out of State' }).customer.customerType).to.equal('medical');
      const row = read({ customerType: 'Employee' });
      expect(row.customer).to.deep.equal({});
      expect(row.warnings).to.deep.equal([
        { column: 'customerType', message: 'is not recreational or medical: ignored' },
      ]);
    });

    it('refuses an unreadable date of birth with the Dutchie column name', () => {
      expect(read({ dateOfBirth: '1984-02-30T00:00:00' }).problems).to.deep.equal([
        { column: 'dateOfBirth', message: 'is not a date (expected YYYY-MM-DD or M/D/YYYY)' },
      ]);
    });
  });

  describe('fixture files, parsed as the import job parses them', () => {
    it('shopify-customers.csv: quoted comma and line break, apostrophes, birth metafield', () => {
      const { format, rows } = readFixture('shopify-customers.csv');
      expect(format).to.equal('shopify');
      expect(rows).to.have.length(4);
      expect(rows.flatMap((r) => [...r.problems, ...r.warnings])).to.deep.equal([]);
      expect(rows[0].customer).to.deep.include({
        externalId: '7210448301122',
        birthday: '1988-11-03',
        tags: ['vip', 'medical'],
      });
      expect(rows[0].customer.address).to.deep.include({ line2: 'Apt 4, Rear', postalCode: '97214' });
      expect(rows[1].customer.phone).to.equal('+15415550188');
      expect(rows[2].customer).to.deep.include({ firstName: 'Léa', phone: '+15035550102' });
      expect(rows[2].customer).not.to.have.property('address');
      expect(rows[3].customer).to.deep.include({
        tags: ['newsletter', 'returning'],
        consents: { marketingEmail: false, marketingSms: false },
      });
    });

    it('shopify-customers-legacy.csv: no Customer ID column', () => {
      const { format, rows } = readFixture('shopify-customers-legacy.csv');
      expect(format).to.equal('shopify');
      expect(rows.map((r) => r.customer.externalId)).to.deep.equal([undefined, undefined]);
      expect(rows.flatMap((r) => r.problems)).to.deep.equal([]);
    });

    it('square-customers.csv: CRLF, quoted memo with a line break, birthdays without year', () => {
      const { format, rows } = readFixture('square-customers.csv');
      expect(format).to.equal('square');
      expect(rows).to.have.length(4);
      expect(rows.flatMap((r) => r.problems)).to.deep.equal([]);
      expect(rows[0].customer).to.deep.include({ birthday: '1990-05-17', consents: { marketingEmail: true } });
      expect(rows[1].customer).not.to.have.property('birthday');
      expect(rows[1].warnings).to.have.length(1);
      expect(rows[2].customer.consents).to.deep.equal({ marketingEmail: false });
      expect(rows[3].warnings).to.deep.equal([
        { column: 'Birthday', message: 'has no year: the birthday is left unknown' },
      ]);
    });

    it('dutchie-customers.csv: ISO and US dates, placeholders, medical cards', () => {
      const { format, rows } = readFixture('dutchie-customers.csv');
      expect(format).to.equal('dutchie');
      expect(rows.flatMap((r) => r.problems)).to.deep.equal([]);
      expect(rows.map((r) => r.customer.birthday)).to.deep.equal(['1984-03-12', '1990-05-17', undefined, '1979-07-04']);
      expect(rows[1].customer).to.deep.include({
        lastName: "O'Connor",
        phone: '(415) 555-0150',
        customerType: 'recreational',
      });
      expect(rows[1].customer).not.to.have.property('medicalCard');
      expect(rows[2].customer.medicalCard).to.deep.equal({ number: 'CA-OOS-77812', expiresOn: '2026-12-31' });
      expect(rows[3].warnings).to.deep.equal([
        { column: 'customerType', message: 'is not recreational or medical: ignored' },
      ]);
    });

    it('patron-template.csv: BOM, quoted comma and line break, | tags', () => {
      const { format, rows } = readFixture('patron-template.csv');
      expect(format).to.equal('patron');
      expect(rows.flatMap((r) => [...r.problems, ...r.warnings])).to.deep.equal([]);
      expect(rows[0].customer.address?.line2).to.equal('Apt 3, Back');
      expect(rows[1].customer).to.deep.include({
        birthday: '1975-03-05',
        customerType: 'medical',
        tags: ['medical', 'loyal'],
      });
      expect(rows[2].customer.address?.line1).to.equal('9 Willow Way\nBuilding B');
    });

    it('patron-template-semicolon.csv: ; delimiter', () => {
      const { format, rows } = readFixture('patron-template-semicolon.csv', ';');
      expect(format).to.equal('patron');
      expect(rows.flatMap((r) => [...r.problems, ...r.warnings])).to.deep.equal([]);
      expect(rows[0].customer.address).to.deep.equal({
        line1: '12, rue des Lilas',
        city: 'Lyon',
        postalCode: '69003',
        country: 'FR',
      });
      expect(rows[2].customer.address?.line1).to.equal('Hof 3; Eingang B');
    });

    it('patron-template-row-errors.csv: bad boolean and bad date are problems on their columns', () => {
      const { rows } = readFixture('patron-template-row-errors.csv');
      expect(rows.map((r) => r.problems)).to.deep.equal([
        [],
        [{ column: 'marketing_email_opt_in', message: 'must be yes/no, true/false, 1/0 or y/n' }],
        [{ column: 'birthday', message: 'is not a date (expected YYYY-MM-DD or M/D/YYYY)' }],
        [],
        [],
      ]);
      expect(rows[3].customer.gender).to.equal('robot');
      expect(rows[4].customer).not.to.have.property('firstName');
    });
  });
});
