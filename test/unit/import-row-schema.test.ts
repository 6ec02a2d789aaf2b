import { expect } from 'chai';
import Joi from 'joi';
import { newCustomerFields } from '../../db/customers/customer-input-schema.js';
import { customerInputFor } from '../../db/imports/import-row-rules.js';

// The import checks a row with the create schema cut down to the fields the row gives (plus those checked
// when missing): every row must get exactly what the whole schema would answer.

const RULES = { abortEarly: false, convert: true, stripUnknown: true } as const;
const whole = Joi.object(newCustomerFields).required();

const rows: Array<Record<string, unknown>> = [
  {
    firstName: ' Ada ',
    lastName: 'Lovelace',
    email: 'ADA@example.com ',
    phone: '(503) 555-0111',
    birthday: '1985-12-10',
  },
  { lastName: 'Nofirst', email: 'not an email', birthday: '2999-01-01' },
  { firstName: '', lastName: 'x'.repeat(101), phone: 'p'.repeat(41), gender: 'robot' },
  { firstName: 'Med', lastName: 'Ical', customerType: 'medical' },
  { firstName: 'Med', lastName: 'Ical', customerType: 'medical', medicalCard: null },
  { firstName: 'Card', lastName: 'Only', medicalCard: { number: 'MC-2' } },
  {
    firstName: 'Med',
    lastName: 'Ical',
    customerType: 'medical',
    medicalCard: { number: 'MC-1', expiresOn: '2030-02-30' },
  },
  {
    firstName: 'Rec',
    lastName: 'Reational',
    customerType: 'recreational',
    medicalCard: null,
    driversLicense: { number: '--' },
  },
  { firstName: 'Tag', lastName: 'Ged', tags: ['vip', ' ', 'y'.repeat(51)], consents: { marketingEmail: 'maybe' } },
  {
    firstName: 'Add',
    lastName: 'Ress',
    addresses: [{ type: 'shipping', isDefault: true, line1: '1 Main', city: 'Portland', country: 'usa' }],
  },
  { firstName: 'Un', lastName: 'Known', unknownField: 'dropped', middleName: '' },
  {
    firstName: 'All',
    lastName: 'Undefined',
    middleName: undefined,
    email: undefined,
    phone: undefined,
    tags: undefined,
  },
];

describe('import row schema: the create schema cut to the fields a row gives', () => {
  for (const [i, row] of rows.entries()) {
    it(`answers row ${i + 1} as the whole schema does (value and every problem)`, () => {
      const expected = whole.validate(row, RULES);
      const actual = customerInputFor(row).validate(row); // the rules travel with the schema
      expect(actual.error?.details.map((d) => [d.path.join('.'), d.message])).to.deep.equal(
        expected.error?.details.map((d) => [d.path.join('.'), d.message]),
      );
      expect(JSON.parse(JSON.stringify(actual.value))).to.deep.equal(JSON.parse(JSON.stringify(expected.value)));
    });
  }

  it('checks a missing required name and a medical customer without a card even when the row lacks them', () => {
    const { error } = customerInputFor({ customerType: 'medical' }).validate({ customerType: 'medical' }, RULES);
    expect(error?.details.map((d) => d.path.join('.'))).to.have.members(['firstName', 'lastName', 'medicalCard']);
  });

  it('leaves out a field whose only rule for a missing value is a condition no given field can trigger', () => {
    const keys = (input: Record<string, unknown>) =>
      Object.keys((customerInputFor(input).describe() as { keys: Record<string, unknown> }).keys);
    expect(keys({ firstName: 'A', lastName: 'B', email: 'a@b.co' })).to.have.members([
      'firstName',
      'lastName',
      'email',
    ]);
    expect(keys({ firstName: 'A', lastName: 'B', customerType: 'recreational' })).to.include('medicalCard');
  });
});
