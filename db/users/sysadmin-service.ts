import { AppError } from '../../config/errors.js';
import { hashPassword } from '../auth/password.js';
import type { Db, Trx } from '../knex.js';
import { withTenant } from '../tenant.js';

export interface NewSysadmin {
  email: string;
  password: string;
  name: string;
}

/** Inserts a platform sysadmin (no organisation) inside a platform-scope transaction. */
export async function insertSysadmin(
  trx: Trx,
  input: NewSysadmin & { passwordHash: string },
): Promise<{ id: string; email: string }> {
  try {
    const [row] = await trx('users')
      .insert({
        organization_id: null,
        email: input.email.toLowerCase(),
        password_hash: input.passwordHash,
        name: input.name,
        role: 'sysadmin',
      })
      .returning(['id', 'email']);
    return row;
  } catch (err) {
    if ((err as { code?: string }).code === '23505') throw new AppError('conflict', 'email already in use');
    throw err;
  }
}

/** Platform sysadmins are created here (CLI, first start), never through the organisation API. */
export async function createSysadmin(db: Db, input: NewSysadmin): Promise<{ id: string; email: string }> {
  const passwordHash = await hashPassword(input.password);
  return withTenant(db, { platform: true }, (trx) => insertSysadmin(trx, { ...input, passwordHash }));
}
