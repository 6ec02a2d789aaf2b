import { expect } from 'chai';
import { AppError } from '../../config/errors.js';
import { assertMergeable, mergeConsents, planSurvivor } from '../../db/customers/merge-rules.js';

const row = (overrides: Record<string, unknown> = {}) => ({
  id: 'x',
  status: 'active',
  first_name: 'Maria',
  middle_name: null,
  last_name: 'Garcia',
  birthday: '1990-04-12',
  email: null,
  phone: null,
  gender: null,
  customer_type: 'recreational',
  drivers_license_ciphertext: null,
  drivers_license_bidx: null,
  drivers_license_last4: null,
  drivers_license_state: null,
  drivers_license_expires_on: null,
  medical_card_ciphertext: null,
  medical_card_bidx: null,
  medical_card_last4: null,
  medical_card_state: null,
  medical_card_expires_on: null,
  avatar_key: null,
  avatar_content_type: null,
  consents: {},
  loyalty_points: 0,
  ...overrides,
});

describe('merge rules', () => {
  it('lets only active and inactive customers take part', () => {
    for (const status of ['active', 'inactive'])
      expect(() => assertMergeable(row({ status }), 'source')).not.to.throw();
    for (const status of ['merged', 'deleted', 'erased']) {
      expect(() => assertMergeable(row({ status }), 'target'))
        .to.throw(AppError)
        .with.property('code', 'conflict');
    }
  });

  it("keeps the survivor's values and fills only its empty fields from the source", () => {
    const target = row({ email: 'maria@example.test' });
    const source = row({ first_name: 'Mary', email: 'other@example.test', phone: '+14155550100' });
    const plan = planSurvivor(target, source, {});
    expect(plan.patch).to.deep.equal({ phone: '+14155550100' });
    expect(plan.changedFields).to.deep.equal(['phone']);
  });

  it("takes the source's value where told, even an empty one, and keeps an empty survivor field where told", () => {
    const target = row({ email: 'maria@example.test' });
    const source = row({ first_name: 'Mary', phone: '+14155550100' });
    const plan = planSurvivor(target, source, { firstName: 'source', email: 'source', phone: 'target' });
    expect(plan.patch).to.include({ first_name: 'Mary', email: null });
    expect(plan.patch).not.to.have.property('phone');
    expect(plan.changedFields).to.deep.equal(['firstName', 'email']);
  });

  it('moves an identity number with all its columns together', () => {
    const licence = {
      drivers_license_ciphertext: 'v1.k.iv.tag.ct',
      drivers_license_bidx: 'abc',
      drivers_license_last4: '4567',
      drivers_license_state: 'CA',
      drivers_license_expires_on: '2030-01-01',
    };
    const plan = planSurvivor(row(), row(licence), {});
    expect(plan.patch).to.include(licence);
    expect(plan.changedFields).to.deep.equal(['driversLicense']);
  });

  it('swaps avatar files when the survivor takes the source one, so none is shared or orphaned', () => {
    const target = row({ avatar_key: 'avatars/o/t', avatar_content_type: 'image/png' });
    const source = row({ avatar_key: 'avatars/o/s', avatar_content_type: 'image/jpeg' });
    const plan = planSurvivor(target, source, { avatar: 'source' });
    expect(plan.patch).to.include({ avatar_key: 'avatars/o/s', avatar_content_type: 'image/jpeg' });
    expect(plan.sourcePatch).to.include({ avatar_key: 'avatars/o/t', avatar_content_type: 'image/png' });
    expect(plan.sourceChangedFields).to.deep.equal(['avatar']);
  });

  it('adds up loyalty points and leaves none on the source', () => {
    const plan = planSurvivor(row({ loyalty_points: 120 }), row({ loyalty_points: 30 }), {});
    expect(plan.patch.loyalty_points).to.equal(150);
    expect(plan.sourcePatch.loyalty_points).to.equal(0);
    expect(plan.changedFields).to.include('loyaltyPoints');
  });

  it('keeps the latest statement of each consent, whichever record holds it', () => {
    const target = {
      marketingEmail: { granted: true, at: '2025-01-01T00:00:00Z', source: 'pos' },
      marketingSms: { granted: true, at: '2025-06-01T00:00:00Z', source: 'pos' },
    };
    const source = {
      marketingEmail: { granted: false, at: '2025-03-01T00:00:00Z', source: 'web' },
      marketingSms: { granted: false, at: '2024-01-01T00:00:00Z', source: 'web' },
      dataProcessing: { granted: true, at: '2024-01-01T00:00:00Z', source: 'web' },
    };
    expect(mergeConsents(target, source)).to.deep.equal({
      marketingEmail: source.marketingEmail,
      marketingSms: target.marketingSms,
      dataProcessing: source.dataProcessing,
    });
    const plan = planSurvivor(row({ consents: target }), row({ consents: source }), {});
    expect(plan.changedFields).to.include('consents');
    expect(
      planSurvivor(row({ consents: target }), row({ consents: source }), { consents: 'target' }).changedFields,
    ).to.deep.equal([]);
  });
});
