import { expect } from 'chai';
import { AppError } from '../../config/errors.js';
import {
  applyInput,
  assertEditable,
  changedFields,
  emptyValues,
  identityLockKeys,
  newCustomerProblems,
  normaliseInput,
  prepareAddresses,
  prepareTags,
  touchesIdentity,
  uniqueProblems,
  type CustomerValues,
} from '../../db/customers/customer-rules.js';

const stamp = { at: '2026-01-31T17:04:05.123Z', source: 'staff' };
const later = { at: '2026-02-01T09:00:00.000Z', source: 'api' };

function stored(overrides: Partial<CustomerValues> = {}): CustomerValues {
  return {
    ...emptyValues(),
    firstName: 'Ana',
    lastName: 'Núñez',
    email: 'ana@example.test',
    phone: '+14155552671',
    driversLicense: { number: 'D1234567', state: 'CA', expiresOn: '2030-01-31' },
    ...overrides,
  };
}

describe('customer rules', () => {
  describe('normaliseInput', () => {
    it('normalises names, email, phone in the store country and identity numbers', () => {
      const { input, problems } = normaliseInput(
        {
          firstName: ' Jose\u0301 ',
          middleName: '',
          email: ' A@B.Test ',
          phone: '030 901820',
          driversLicense: { number: 'd12-34', state: ' ca ' },
        },
        'DE',
      );
      expect(problems).to.deep.equal([]);
      expect(input).to.deep.equal({
        firstName: 'José',
        middleName: null,
        email: 'a@b.test',
        phone: '+4930901820',
        driversLicense: { number: 'D1234', state: 'CA' },
      });
    });

    it('reports a phone that does not parse for the store country and an identity number with no characters', () => {
      const { problems } = normaliseInput({ phone: '030 901820', medicalCard: { number: '--' } }, 'US');
      expect(problems).to.deep.equal([
        { path: 'phone', message: 'is not a valid phone number for US' },
        { path: 'medicalCard.number', message: 'must contain letters or digits' },
      ]);
    });

    it('reads an empty phone or email as cleared', () => {
      expect(normaliseInput({ phone: ' ', email: '' }, 'US').input).to.deep.equal({ phone: null, email: null });
    });
  });

  describe('applyInput', () => {
    it('keeps unsent fields, clears nulls and merges identity keys', () => {
      const { values, problems } = applyInput(
        stored(),
        { email: null, driversLicense: { expiresOn: '2031-01-01' } },
        stamp,
      );
      expect(problems).to.deep.equal([]);
      expect(values).to.include({ firstName: 'Ana', email: null, phone: '+14155552671' });
      expect(values.driversLicense).to.deep.equal({ number: 'D1234567', state: 'CA', expiresOn: '2031-01-01' });
    });

    it('needs a number for an identity document and a medical card for a medical customer', () => {
      expect(applyInput(emptyValues(), { driversLicense: { state: 'CA' } }, stamp).problems).to.deep.equal([
        { path: 'driversLicense.number', message: 'is required' },
      ]);
      expect(applyInput(stored(), { customerType: 'medical' }, stamp).problems).to.deep.equal([
        { path: 'medicalCard', message: 'is required for a medical customer' },
      ]);
      const medical = stored({ customerType: 'medical', medicalCard: { number: 'MC1', state: null, expiresOn: null } });
      expect(applyInput(medical, { medicalCard: null }, stamp).problems).to.have.length(1);
      expect(applyInput(medical, { medicalCard: null, customerType: 'recreational' }, stamp).problems).to.deep.equal(
        [],
      );
    });

    it('stamps a consent when first decided or changed, and leaves a repeated decision alone', () => {
      const first = applyInput(emptyValues(), { consents: { marketingEmail: false } }, stamp).values;
      expect(first.consents.marketingEmail).to.deep.equal({ granted: false, ...stamp });
      const repeated = applyInput(first, { consents: { marketingEmail: false } }, later).values;
      expect(repeated.consents.marketingEmail).to.deep.equal({ granted: false, ...stamp });
      const changed = applyInput(first, { consents: { marketingEmail: true } }, later).values;
      expect(changed.consents.marketingEmail).to.deep.equal({ granted: true, ...later });
    });
  });

  describe('changedFields', () => {
    it('names only what differs, identity documents as a whole and consents per kind', () => {
      const before = stored();
      const after = applyInput(
        before,
        { firstName: 'Ana', lastName: 'Nunez', driversLicense: { state: 'NV' }, consents: { dataProcessing: true } },
        stamp,
      ).values;
      expect(changedFields(before, after)).to.deep.equal(['lastName', 'driversLicense', 'consents.dataProcessing']);
      expect(changedFields(before, { ...before })).to.deep.equal([]);
    });

    it('says which changes are identity changes (they trigger the duplicate check)', () => {
      expect(touchesIdentity(['gender', 'consents.marketingSms'])).to.equal(false);
      expect(touchesIdentity(['gender', 'phone'])).to.equal(true);
    });
  });

  describe('prepareAddresses', () => {
    it('makes the first of a type its default when none is marked and fills the store country', () => {
      const { addresses, problems } = prepareAddresses(
        [
          { type: 'shipping', line1: ' 1 Main ', city: 'Oakland' },
          { type: 'shipping', line1: '2 Main', city: 'Oakland', line2: '' },
          { type: 'billing', line1: '3 Main', city: 'Oakland', country: 'mx', isDefault: false },
          { type: 'billing', line1: '4 Main', city: 'Oakland', isDefault: true },
        ],
        'US',
      );
      expect(problems).to.deep.equal([]);
      expect(addresses.map((a) => [a.line1, a.isDefault, a.country, a.line2])).to.deep.equal([
        ['1 Main', true, 'US', null],
        ['2 Main', false, 'US', null],
        ['3 Main', false, 'MX', null],
        ['4 Main', true, 'US', null],
      ]);
    });

    it('refuses a second default of one type', () => {
      const { problems } = prepareAddresses(
        [
          { type: 'billing', line1: 'a', city: 'b', isDefault: true },
          { type: 'billing', line1: 'c', city: 'd', isDefault: true },
        ],
        'US',
      );
      expect(problems).to.deep.equal([
        { path: 'addresses.1.isDefault', message: 'only one billing address can be the default' },
      ]);
    });
  });

  it('dedupes tags without regard to case, keeping the first spelling', () => {
    expect(prepareTags(['VIP', ' vip ', 'Big  Spender', 'big spender', ''])).to.deep.equal(['VIP', 'Big Spender']);
  });

  it('reports every problem of a new customer at once, one per path', () => {
    const problems = newCustomerProblems(
      {
        firstName: 'A',
        lastName: 'B',
        phone: '12',
        customerType: 'medical',
        driversLicense: { number: '**' },
        addresses: [
          { type: 'shipping', line1: 'a', city: 'b', isDefault: true },
          { type: 'shipping', line1: 'c', city: 'd', isDefault: true },
        ],
      },
      'US',
      stamp,
    );
    expect(problems.map((p) => p.path)).to.deep.equal([
      'phone',
      'driversLicense.number',
      'medicalCard',
      'addresses.1.isDefault',
    ]);
    expect(uniqueProblems([{ path: 'x', message: '1' }], [{ path: 'x', message: '2' }])).to.deep.equal([
      { path: 'x', message: '1' },
    ]);
  });

  it('refuses edits of deleted, merged and erased customers with a conflict', () => {
    expect(() => assertEditable('active')).to.not.throw();
    expect(() => assertEditable('inactive')).to.not.throw();
    for (const status of ['deleted', 'merged', 'erased'] as const) {
      try {
        assertEditable(status, status === 'merged' ? 'survivor-id' : null);
        expect.fail(`${status} should be refused`);
      } catch (err) {
        expect(err).to.be.instanceOf(AppError);
        expect((err as AppError).code).to.equal('conflict');
      }
    }
  });

  it('orders identifier lock keys, so concurrent writers take them in the same order', () => {
    const keys = identityLockKeys('s1', {
      phone: '+1',
      email: 'a@b',
      driversLicenseBidx: 'ff',
      externalRef: 'treez:1',
    });
    expect(keys).to.deep.equal([...keys].sort());
    expect(keys).to.have.length(4);
    expect(identityLockKeys('s1', { email: null })).to.deep.equal([]);
  });
});
