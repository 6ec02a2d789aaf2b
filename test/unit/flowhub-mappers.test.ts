import { expect } from 'chai';
import {
  calendarDate,
  joinFlowhubName,
  splitFlowhubName,
  toFlowhubCreate,
  toFlowhubPhone,
  toFlowhubUpdate,
  toPosCustomer,
} from '../../integrations/pos/flowhub/flowhub-mappers.js';
import type { FlowhubCustomer } from '../../integrations/pos/flowhub/flowhub-schemas.js';
import { PosError } from '../../integrations/pos/pos-errors.js';
import type { NewPosCustomer } from '../../integrations/pos/pos-types.js';

const record = (overrides: Partial<FlowhubCustomer> = {}): FlowhubCustomer => ({
  id: '0b6e3a4c-1f1e-4a3b-9d55-3c2a1b0f9e01',
  name: 'Jane Doe',
  type: 'recCustomer',
  birthDate: '1988-04-12',
  phone: '(555) 123-4567',
  email: 'jane@example.com',
  state: 'co',
  isLoyal: true,
  loyaltyPoints: 120,
  createdAt: '2024-01-02T03:04:05.123456Z',
  updatedAt: '2024-03-01T10:20:30.654321Z',
  ...overrides,
});

const newCustomer = (overrides: Partial<NewPosCustomer> = {}): NewPosCustomer => ({
  patronId: '6d8f1a52-8a53-4a4b-b0e1-5ab1f8f3c2d0',
  firstName: 'Juan',
  middleName: null,
  lastName: 'de la Cruz',
  birthday: '1979-11-30',
  email: 'juan@example.com',
  phone: '+14155550123',
  driversLicense: null,
  medicalCard: null,
  customerType: null,
  ...overrides,
});

function rejection(work: () => unknown): PosError {
  try {
    work();
  } catch (err) {
    expect(err).to.be.an.instanceOf(PosError);
    return err as PosError;
  }
  throw new Error('expected a PosError');
}

describe('Flowhub mappers', () => {
  describe('splitting the single name field', () => {
    const cases: Array<[string, [string | null, string | null, string | null]]> = [
      ['Jane Doe', ['Jane', null, 'Doe']],
      ['  Jane   Doe ', ['Jane', null, 'Doe']],
      ['Cher', ['Cher', null, null]],
      ['Mary Ann Smith', ['Mary', 'Ann', 'Smith']],
      ['Juan de la Cruz', ['Juan', null, 'de la Cruz']],
      ['Juan Carlos De La Cruz', ['Juan', 'Carlos', 'De La Cruz']],
      ['Ludwig van Beethoven', ['Ludwig', null, 'van Beethoven']],
      ['Van Morrison', ['Van', null, 'Morrison']],
      ['Martin Luther King Jr.', ['Martin', 'Luther', 'King Jr.']],
      ['John Smith, Jr.', ['John', null, 'Smith Jr.']],
      ['Sean III', ['Sean', null, 'III']],
      ['Doe, Jane Q', ['Jane', 'Q', 'Doe']],
      ['María García y López', ['María', null, 'García y López']],
      ['Ana Sofía Pérez y Núñez', ['Ana', 'Sofía', 'Pérez y Núñez']],
      ["Siobhán O'Brien-Walsh", ['Siobhán', null, "O'Brien-Walsh"]],
    ];
    for (const [name, [firstName, middleName, lastName]] of cases) {
      it(`reads "${name}" as first ${firstName}, middle ${middleName}, last ${lastName}`, () => {
        expect(splitFlowhubName(name)).to.deep.equal({ firstName, middleName, lastName });
      });
    }

    it('gives no name parts for an empty or missing name', () => {
      for (const empty of ['', '   ', null, undefined]) {
        expect(splitFlowhubName(empty)).to.deep.equal({ firstName: null, middleName: null, lastName: null });
      }
    });

    it('joins the parts back into the same name for the shapes Patron writes', () => {
      for (const name of ['Jane Doe', 'Juan de la Cruz', 'Mary Ann Smith', 'Martin Luther King Jr.']) {
        expect(joinFlowhubName(splitFlowhubName(name))).to.equal(name);
      }
    });
  });

  describe('reading a customer', () => {
    it('maps every field into our shape', () => {
      expect(toPosCustomer(record())).to.deep.equal({
        externalId: '0b6e3a4c-1f1e-4a3b-9d55-3c2a1b0f9e01',
        firstName: 'Jane',
        middleName: null,
        lastName: 'Doe',
        birthday: '1988-04-12',
        email: 'jane@example.com',
        phone: '(555) 123-4567',
        driversLicense: null,
        medicalCard: null,
        customerType: 'recreational',
        loyaltyPoints: 120,
        status: 'active',
        mergedIntoExternalId: null,
        lastModifiedAt: new Date('2024-03-01T10:20:30.654Z'),
      });
    });

    it('reads medCustomer as medical, in any casing, and an unknown type as null', () => {
      expect(toPosCustomer(record({ type: 'medCustomer' })).customerType).to.equal('medical');
      expect(toPosCustomer(record({ type: 'MedCustomer' })).customerType).to.equal('medical');
      expect(toPosCustomer(record({ type: 'RECCUSTOMER' })).customerType).to.equal('recreational');
      expect(toPosCustomer(record({ type: 'wholesale' })).customerType).to.equal(null);
      expect(toPosCustomer(record({ type: null })).customerType).to.equal(null);
    });

    it('gives no loyalty balance to a customer who is not enrolled', () => {
      expect(toPosCustomer(record({ isLoyal: false, loyaltyPoints: 0 })).loyaltyPoints).to.equal(null);
      expect(toPosCustomer(record({ isLoyal: true, loyaltyPoints: 0 })).loyaltyPoints).to.equal(0);
      expect(toPosCustomer(record({ isLoyal: undefined, loyaltyPoints: 7 })).loyaltyPoints).to.equal(7);
      expect(toPosCustomer(record({ loyaltyPoints: null })).loyaltyPoints).to.equal(null);
    });

    it('turns blanks and placeholders into null', () => {
      const customer = toPosCustomer(
        record({ name: ' ', email: '', phone: 'N/A', birthDate: '1900-01-01', updatedAt: null }),
      );
      expect(customer).to.include({
        firstName: null,
        lastName: null,
        email: null,
        phone: null,
        birthday: null,
        lastModifiedAt: null,
      });
    });

    it('keeps the calendar date of a birth date sent as a timestamp', () => {
      expect(calendarDate('1988-04-12T00:00:00.000Z')).to.equal('1988-04-12');
      expect(calendarDate('0001-01-01')).to.equal(null);
      expect(calendarDate('1988-13-01')).to.equal(null);
      expect(calendarDate('04/12/1988')).to.equal(null);
    });

    it('reads state ID and medical ID when a tenant sends them, with the customer state', () => {
      const customer = toPosCustomer(
        record({ stateId: 'D1234567', stateIdExpiration: '2028-01-31', medId: 'MMJ42', medIdExpiration: '' }),
      );
      expect(customer.driversLicense).to.deep.equal({ number: 'D1234567', state: 'CO', expiresOn: '2028-01-31' });
      expect(customer.medicalCard).to.deep.equal({ number: 'MMJ42', state: 'CO', expiresOn: null });
    });
  });

  describe('writing a customer', () => {
    it('formats North American E.164 phones the way Flowhub shows them, others as given', () => {
      expect(toFlowhubPhone('+14155550123')).to.equal('(415) 555-0123');
      expect(toFlowhubPhone('+447700900123')).to.equal('+447700900123');
      expect(toFlowhubPhone(null)).to.equal(null);
    });

    it('builds the create body with the required birthDate, name, state and type', () => {
      const body = toFlowhubCreate(
        newCustomer({
          middleName: 'Pablo',
          customerType: 'medical',
          driversLicense: { number: 'D77', state: 'ca', expiresOn: '2030-05-01' },
          medicalCard: { number: 'MMJ9', state: null, expiresOn: null },
        }),
        'CO',
      );
      expect(body).to.deep.equal({
        birthDate: '1979-11-30',
        name: 'Juan Pablo de la Cruz',
        state: 'CA',
        type: 'medCustomer',
        email: 'juan@example.com',
        phone: '(415) 555-0123',
        stateId: 'D77',
        stateIdExpiration: '2030-05-01',
        medId: 'MMJ9',
        medIdExpiration: null,
      });
    });

    it("falls back to the store's state and to a recreational customer", () => {
      const body = toFlowhubCreate(newCustomer({ email: null, phone: null }), 'co');
      expect(body, 'nothing to clear on a new customer: no nulls sent').to.deep.equal({
        birthDate: '1979-11-30',
        name: 'Juan de la Cruz',
        state: 'CO',
        type: 'recCustomer',
      });
    });

    it('refuses, without retry, a customer Flowhub would refuse: no birthday, no state', () => {
      const noBirthday = rejection(() => toFlowhubCreate(newCustomer({ birthday: null }), 'CO'));
      expect(noBirthday).to.include({ code: 'pos_rejected', retryable: false });
      expect(noBirthday.details).to.deep.equal([{ path: 'birthday', type: 'any.required' }]);
      const noState = rejection(() => toFlowhubCreate(newCustomer(), null));
      expect(noState.details).to.deep.equal([{ path: 'state', type: 'any.required' }]);
    });

    it('lays a patch over the current record, keeping what the patch does not name', () => {
      const current = record({ streetAddress1: '1 Main St', city: 'Denver', consentsToPromotionalSMS: true });
      const body = toFlowhubUpdate(current, { lastName: 'Roe', email: null, phone: '+13035550100' }, 'CO');
      expect(body).to.deep.equal({
        birthDate: '1988-04-12',
        name: 'Jane Roe',
        state: 'CO',
        type: 'recCustomer',
        email: null,
        phone: '(303) 555-0100',
        streetAddress1: '1 Main St',
        city: 'Denver',
        consentsToPromotionalSMS: true,
      });
    });

    it('never writes loyalty back: a sale between our read and our write keeps its points', () => {
      const body = toFlowhubUpdate(record(), { email: 'new@example.com' }, 'CO');
      expect(body).not.to.have.any.keys('isLoyal', 'loyaltyPoints', 'groups');
    });

    it('keeps the current type when the patch clears it, and refuses a cleared birthday', () => {
      expect(toFlowhubUpdate(record({ type: 'medCustomer' }), { customerType: null }, 'CO').type).to.equal(
        'medCustomer',
      );
      expect(toFlowhubUpdate(record(), { customerType: 'medical' }, 'CO').type).to.equal('medCustomer');
      expect(rejection(() => toFlowhubUpdate(record(), { birthday: null }, 'CO')).code).to.equal('pos_rejected');
    });

    it('clears a licence with nulls and sets a new one', () => {
      const current = record({ stateId: 'OLD1', stateIdExpiration: '2025-01-01' });
      expect(toFlowhubUpdate(current, { driversLicense: null }, 'CO')).to.include({
        stateId: null,
        stateIdExpiration: null,
      });
      expect(
        toFlowhubUpdate(current, { driversLicense: { number: 'NEW2', state: 'CO', expiresOn: null } }, 'CO'),
      ).to.include({ stateId: 'NEW2', stateIdExpiration: null });
    });
  });
});
