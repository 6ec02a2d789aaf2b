import { expect } from 'chai';
import { AppError } from '../../config/errors.js';
import { changedUserFields, endsSessions, grantedStoreIds, refuseSelfLockout } from '../../db/users/user-rules.js';

const S1 = '11111111-1111-4111-8111-111111111111';
const S2 = '22222222-2222-4222-8222-222222222222';

describe('user rules', () => {
  const staff = { id: 'u1', name: 'Sam', role: 'staff' as const, storeIds: [S1] };
  const admin = { id: 'u2', name: 'Ada', role: 'admin' as const, storeIds: [] };

  it('admins hold no store grants; others keep a sorted, de-duplicated list', () => {
    expect(grantedStoreIds('admin', [S1, S2])).to.deep.equal([]);
    expect(grantedStoreIds('staff', [S2, S1, S2])).to.deep.equal([S1, S2]);
  });

  it('names only the fields that really change', () => {
    expect(changedUserFields(staff, { name: 'Sam' })).to.deep.equal([]);
    expect(changedUserFields(staff, { name: 'Samuel', storeIds: [S1] })).to.deep.equal(['name']);
    expect(changedUserFields(staff, { storeIds: [S2, S1] })).to.deep.equal(['storeIds']);
    expect(changedUserFields(staff, { role: 'admin' })).to.deep.equal(['role', 'storeIds']);
    expect(changedUserFields(admin, { role: 'manager' })).to.deep.equal(['role']);
    expect(changedUserFields(staff, { password: 'whatever it is' })).to.deep.equal(['password']);
  });

  it('ends sessions for a new role, new stores or a new password, not for a new name', () => {
    expect(endsSessions(['name'])).to.equal(false);
    expect(endsSessions([])).to.equal(false);
    for (const field of ['role', 'storeIds', 'password'] as const) expect(endsSessions(['name', field])).to.equal(true);
  });

  it('stops an admin from demoting or deleting themself, but not from renaming or acting on others', () => {
    expect(() => refuseSelfLockout(admin.id, admin, { role: 'staff' })).to.throw(AppError, /own role/);
    expect(() => refuseSelfLockout(admin.id, admin, 'delete')).to.throw(AppError, /own account/);
    expect(() => refuseSelfLockout(admin.id, admin, { name: 'Ada L.' })).to.not.throw();
    expect(() => refuseSelfLockout(admin.id, admin, { role: 'admin' })).to.not.throw();
    expect(() => refuseSelfLockout(admin.id, staff, 'delete')).to.not.throw();
    expect(() => refuseSelfLockout(null, admin, 'delete')).to.not.throw();
  });
});
