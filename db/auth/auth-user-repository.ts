import type { Knex } from 'knex';
import type { Db, Trx } from '../knex.js';
import type { Role } from '../users/roles.js';

export interface SessionUser {
  id: string;
  organizationId: string | null;
  email: string;
  name: string;
  role: Role;
}

export interface LoginUser extends SessionUser {
  passwordHash: string;
}

/** Runs before the tenant is known, through a security-definer function (see the RLS migration). */
export async function findLoginUser(db: Db, email: string): Promise<LoginUser | undefined> {
  const { rows } = await db.raw('select * from auth_user_by_email(?)', [email]);
  const row = rows[0];
  if (!row) return undefined;
  return {
    id: row.id,
    organizationId: row.organization_id,
    email: row.email,
    name: row.name,
    role: row.role,
    passwordHash: row.password_hash,
  };
}

function inOrganization(query: Knex.QueryBuilder, orgId: string | null): Knex.QueryBuilder {
  return orgId === null ? query.whereNull('organization_id') : query.where('organization_id', orgId);
}

/** The user behind a session, unless deleted since. */
export async function findSessionUser(
  trx: Trx,
  orgId: string | null,
  userId: string,
): Promise<SessionUser | undefined> {
  const row = await inOrganization(trx('users'), orgId)
    .where({ id: userId })
    .whereNull('deleted_at')
    .first('id', 'organization_id', 'email', 'name', 'role');
  if (!row) return undefined;
  return { id: row.id, organizationId: row.organization_id, email: row.email, name: row.name, role: row.role };
}

export async function recordLastLogin(trx: Trx, orgId: string | null, userId: string): Promise<void> {
  await inOrganization(trx('users'), orgId).where({ id: userId }).update({ last_login_at: trx.fn.now() });
}
