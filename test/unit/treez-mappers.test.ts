import { readFileSync } from 'node:fs';
import { expect } from 'chai';
import { PosError } from '../../integrations/pos/pos-errors.js';
import type { NewPosCustomer } from '../../integrations/pos/pos-types.js';
import {
  customerTypeOf,
  datePart,
  present,
  statusOf,
  toPosCustomer,
  toTreezNewCustomer,
  treezPhone,
} from '../../integrations/pos/treez/treez-mappers.js';
import { treezCustomer, treezReasonCode, type TreezCustomer } from '../../integrations/pos/treez/treez-schemas.js';

const fixture = (name: string): TreezCustomer => {
  const raw: unknown = JSON.parse(readFileSync(new URL(`../fixtures/treez/${name}.json`, import.meta.url), 'utf8'));
  const { value, error } = treezCustomer.validate(raw, { allowUnknown: true });
  if (error) throw error;
  return value;
};

const newCustomer = (overrides: Partial<NewPosCustomer> = {}): NewPosCustomer => ({
  patronId: '6f1d2c1e-0d6b-4c47-9d43-0f6f3f1b2a10',
  firstName: 'Dana',
  middleName: null,
  lastName: 'Rivera',
  birthday: '1991-08-14',
  email: 'dana@example.com',
  phone: '+15105550142',
  driversLicense: null,
  medicalCard: null,
  customerType: 'recreational',
  ...overrides,
});

describe('Treez mappers', () => {
  describe('reading a customer', () => {
    it('turns "N/A" and empty strings into null, everywhere Treez uses them', () => {
      const customer = toPosCustomer(fixture('customer-placeholders'));
      expect(customer).to.deep.equal({
        externalId: '121',
        firstName: 'DANA',
        middleName: null,
        lastName: 'RIVERA',
        birthday: '1991-08-14',
        email: null,
        phone: '5105550142',
        driversLicense: { number: 'Y5550123', state: null, expiresOn: '2029-08-14' },
        medicalCard: null,
        customerType: 'recreational',
        loyaltyPoints: 40,
        status: 'active',
        mergedIntoExternalId: null,
        lastModifiedAt: new Date('2024-03-11T16:30:12.000Z'),
      });
    });

    it('reads the three date formats: plain date, local date-time without offset, ISO with the store offset', () => {
      const survivor = toPosCustomer(fixture('customer-merge-survivor'));
      expect(survivor.birthday).to.equal('1984-11-02');
      expect(survivor.medicalCard).to.deep.equal({ number: 'MMJ-88412', state: null, expiresOn: '2024-05-31' });
      expect(survivor.lastModifiedAt?.toISOString()).to.equal('2024-03-11T23:45:00.000Z');
    });

    it('keeps the survivor of a merge (status MERGED) active: only the merged-into pointer makes a record merged', () => {
      expect(toPosCustomer(fixture('customer-merge-survivor'))).to.include({
        status: 'active',
        mergedIntoExternalId: null,
        customerType: 'medical',
        loyaltyPoints: 1275,
      });
      expect(toPosCustomer(fixture('customer-merged-away'))).to.include({
        externalId: '339',
        status: 'merged',
        mergedIntoExternalId: '340',
        phone: null,
      });
    });

    it('maps DEACTIVATED without a pointer to inactive, and a numeric or string pointer alike', () => {
      expect(statusOf({ status: 'DEACTIVATED', merged_into_customer_id: null })).to.deep.equal({
        status: 'inactive',
        mergedIntoExternalId: null,
      });
      expect(statusOf({ status: 'ACTIVE', merged_into_customer_id: '' })).to.deep.equal({
        status: 'active',
        mergedIntoExternalId: null,
      });
      expect(statusOf({ status: 'DEACTIVATED', merged_into_customer_id: '77' }).mergedIntoExternalId).to.equal('77');
    });

    it('maps patient_type to rec/med and leaves values it does not know unknown', () => {
      expect(customerTypeOf('ADULT')).to.equal('recreational');
      expect(customerTypeOf('MEDICAL')).to.equal('medical');
      expect(customerTypeOf('MEDICAL_MMID')).to.equal('medical');
      expect(customerTypeOf('medical_caregiver')).to.equal('medical');
      expect(customerTypeOf('N/A')).to.equal(null);
      expect(customerTypeOf('EMPLOYEE')).to.equal(null);
      expect(customerTypeOf(null)).to.equal(null);
    });

    it('treats placeholder and zero dates as unknown', () => {
      expect(datePart('N/A')).to.equal(null);
      expect(datePart('1900-01-01')).to.equal(null);
      expect(datePart('0000-00-00 00:00:00.000')).to.equal(null);
      expect(datePart('2024-05-31 00:00:00.000')).to.equal('2024-05-31');
      expect(datePart('not a date')).to.equal(null);
      expect(present('  n/a ')).to.equal(null);
      expect(present(' Ana ')).to.equal('Ana');
    });

    it('keeps only code-like reasons from an error envelope, never the detail that may quote the customer', () => {
      expect(
        treezReasonCode({ resultCode: 'FAIL', resultReason: 'CUSTOMER_DOESNT_EXIST', resultDetail: 'id: 20333' }),
      ).to.equal('CUSTOMER_DOESNT_EXIST');
      expect(
        treezReasonCode({
          resultCode: 'FAIL',
          resultReason: 'Full authentication is required to access this resource',
        }),
      ).to.equal(undefined);
      expect(treezReasonCode({ resultCode: 'SUCCESS', resultReason: 'NOT_FOUND' })).to.equal(undefined);
    });
  });

  describe('writing a new customer', () => {
    it('sends the documented required fields, a 10-digit phone and our id as external_id', () => {
      expect(toTreezNewCustomer(newCustomer({ middleName: 'Lee' }))).to.deep.equal({
        first_name: 'Dana',
        last_name: 'Rivera',
        birthday: '1991-08-14',
        patient_type: 'ADULT',
        middle_name: 'Lee',
        email: 'dana@example.com',
        phone: '5105550142',
        external_id: '6f1d2c1e-0d6b-4c47-9d43-0f6f3f1b2a10',
      });
    });

    it('sends MEDICAL_MMID with the card and its expiry, and MEDICAL when the card has no expiry', () => {
      const card = { number: 'MMJ-1', state: 'CA', expiresOn: '2026-01-31' };
      expect(toTreezNewCustomer(newCustomer({ customerType: 'medical', medicalCard: card }))).to.include({
        patient_type: 'MEDICAL_MMID',
        state_medical_id: 'MMJ-1',
        permit_expiration: '2026-01-31',
      });
      const noExpiry = toTreezNewCustomer(
        newCustomer({ customerType: 'medical', medicalCard: { ...card, expiresOn: null } }),
      );
      expect(noExpiry).to.include({ patient_type: 'MEDICAL', state_medical_id: 'MMJ-1' });
      expect(noExpiry).to.not.have.property('permit_expiration');
    });

    it('leaves out a phone Treez cannot hold (outside +1, or starting with 0/1)', () => {
      expect(treezPhone('+447911123456')).to.equal(undefined);
      expect(treezPhone('+11235550100')).to.equal(undefined);
      expect(treezPhone('+14155550100')).to.equal('4155550100');
      expect(toTreezNewCustomer(newCustomer({ phone: '+447911123456' }))).to.not.have.property('phone');
    });

    it('refuses, before any request, a customer without the last name or birthday Treez requires', () => {
      try {
        toTreezNewCustomer(newCustomer({ lastName: null, birthday: null }));
        expect.fail('expected a PosError');
      } catch (err) {
        expect(err).to.be.an.instanceOf(PosError);
        expect((err as PosError).code).to.equal('pos_rejected');
        expect((err as PosError).retryable).to.equal(false);
        expect((err as PosError).details).to.deep.equal([
          { path: 'lastName', type: 'any.required' },
          { path: 'birthday', type: 'any.required' },
        ]);
      }
    });
  });
});
