import { unauthenticated } from '../../config/errors.js';
import { findLoginUser, findSessionUser, recordLastLogin } from '../auth/auth-user-repository.js';
import { verifyAgainstDecoy, verifyPassword } from '../auth/password.js';
import type { Db } from '../knex.js';
import { withTenant } from '../tenant.js';

// One answer for an unknown email, a wrong password and a user who is not a sysadmin: the page must not
// tell an attacker that a password is right for some other account.
export const SIGN_IN_REFUSED = 'email or password is incorrect, or the account is not a platform sysadmin';

/** Checks a sysadmin's credentials the way /auth/login does (same lookup, same hash, same decoy timing). */
export async function signInSysadmin(db: Db, credentials: { email: string; password: string }): Promise<string> {
  const found = await findLoginUser(db, credentials.email);
  const valid = found
    ? await verifyPassword(credentials.password, found.passwordHash)
    : await verifyAgainstDecoy(credentials.password);
  if (!found || !valid || found.role !== 'sysadmin' || found.organizationId !== null) {
    throw unauthenticated(SIGN_IN_REFUSED);
  }
  await withTenant(db, { platform: true }, (trx) => recordLastLogin(trx, null, found.id));
  return found.id;
}

/** Whether the user is still a (not deleted) platform sysadmin. */
export async function isActiveSysadmin(db: Db, userId: string): Promise<boolean> {
  const user = await withTenant(db, { platform: true }, (trx) => findSessionUser(trx, null, userId));
  return user?.role === 'sysadmin';
}
