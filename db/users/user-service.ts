import { AppError, notFound, unauthenticated, versionConflict } from '../../config/errors.js';
import { recordAudit } from '../audit/audit-repository.js';
import { hashPassword } from '../auth/password.js';
import { revokeAllSessionsOfUser } from '../auth/refresh-token-repository.js';
import type { ServiceContext } from '../context.js';
import type { Db, Trx } from '../knex.js';
import type { Page } from '../pagination.js';
import { findForeignStoreIds } from '../stores/store-repository.js';
import { withTenant } from '../tenant.js';
import type { Role } from './roles.js';
import {
  findApiKeyProfile,
  findUser,
  findUserProfile,
  insertUser,
  listUsers,
  replaceUserStores,
  updateUser,
  type StoreSummary,
  type User,
} from './user-repository.js';
import {
  changedUserFields,
  endsSessions,
  grantedStoreIds,
  refuseSelfLockout,
  type OrgRole,
  type UserPatch,
} from './user-rules.js';

/** Session ids to mark revoked once the transaction has committed (the caller owns the session store). */
export interface WithEndedSessions<T> {
  result: T;
  endedSessionIds: string[];
}

export interface NewUserInput {
  email: string;
  password: string;
  name: string;
  role: OrgRole;
  storeIds: string[];
}

const isEmailTaken = (err: unknown) =>
  (err as { code?: string; constraint?: string }).code === '23505' &&
  (err as { constraint?: string }).constraint === 'users_email_unique';

async function assertStoresOfOrganization(trx: Trx, orgId: string, storeIds: string[]): Promise<void> {
  const foreign = await findForeignStoreIds(trx, orgId, storeIds);
  if (foreign.length === 0) return;
  throw new AppError('validation_failed', 'storeIds names stores that are not in this organisation', {
    details: foreign.map((id) => ({
      path: `storeIds.${storeIds.indexOf(id)}`,
      message: `${id} is not a store of this organisation`,
      storeId: id,
    })),
  });
}

export async function createUser(db: Db, ctx: ServiceContext, input: NewUserInput): Promise<User> {
  const storeIds = grantedStoreIds(input.role, input.storeIds);
  // Hashing is deliberately slow; keep it outside the transaction.
  const passwordHash = await hashPassword(input.password);
  return withTenant(db, { orgId: ctx.orgId }, async (trx) => {
    if (storeIds.length > 0) await assertStoresOfOrganization(trx, ctx.orgId, input.storeIds);
    let user: User;
    try {
      user = await insertUser(trx, ctx.orgId, { email: input.email, passwordHash, name: input.name, role: input.role });
    } catch (err) {
      if (!isEmailTaken(err)) throw err;
      throw new AppError('conflict', 'email already in use', {
        details: [{ path: 'email', message: 'is already in use' }],
      });
    }
    await replaceUserStores(trx, ctx.orgId, user.id, storeIds);
    await recordAudit(trx, ctx, {
      action: 'user.created',
      subjectType: 'user',
      subjectId: user.id,
      storeId: null,
    });
    return { ...user, storeIds };
  });
}

export async function listUsersOfOrganization(
  db: Db,
  ctx: ServiceContext,
  filter: { role?: Role; limit: number; cursor?: string },
): Promise<Page<User>> {
  return withTenant(db, { orgId: ctx.orgId }, (trx) => listUsers(trx, ctx.orgId, filter));
}

/**
 * `expectedVersion` comes from If-Match. The row is locked first, so two PATCHes naming the same
 * version cannot both succeed. Returns the sessions that must end (role, stores or password changed).
 */
export async function updateUserAccount(
  db: Db,
  ctx: ServiceContext,
  userId: string,
  patch: UserPatch,
  expectedVersion?: number,
): Promise<WithEndedSessions<User>> {
  const passwordHash = patch.password === undefined ? undefined : await hashPassword(patch.password);
  return withTenant(db, { orgId: ctx.orgId }, async (trx) => {
    const current = await findUser(trx, ctx.orgId, userId, { forUpdate: true });
    if (!current) throw notFound('user');
    if (expectedVersion !== undefined && expectedVersion !== current.version) {
      throw versionConflict('user', current.version);
    }
    refuseSelfLockout(ctx.actor.id, current, patch);

    const changed = changedUserFields(current, patch);
    const role = patch.role ?? current.role;
    const storeIds = grantedStoreIds(role, patch.storeIds ?? current.storeIds);
    if (changed.includes('storeIds')) {
      if (patch.storeIds !== undefined && storeIds.length > 0) {
        await assertStoresOfOrganization(trx, ctx.orgId, patch.storeIds);
      }
      await replaceUserStores(trx, ctx.orgId, userId, storeIds);
    }
    const updated = await updateUser(trx, ctx.orgId, userId, current.version, {
      name: changed.includes('name') ? patch.name : undefined,
      role: changed.includes('role') ? patch.role : undefined,
      passwordHash,
    });
    if (!updated) throw versionConflict('user', current.version + 1);

    const endedSessionIds = endsSessions(changed) ? await revokeAllSessionsOfUser(trx, userId) : [];
    await recordAudit(trx, ctx, {
      action: 'user.updated',
      subjectType: 'user',
      subjectId: userId,
      storeId: null,
      changedFields: changed,
    });
    return { result: { ...updated, storeIds }, endedSessionIds };
  });
}

/** Soft delete: the row stays for the audit trail, the email becomes free, every session ends. */
export async function deleteUserAccount(
  db: Db,
  ctx: ServiceContext,
  userId: string,
  expectedVersion?: number,
): Promise<WithEndedSessions<void>> {
  return withTenant(db, { orgId: ctx.orgId }, async (trx) => {
    const current = await findUser(trx, ctx.orgId, userId, { forUpdate: true });
    if (!current) throw notFound('user');
    if (expectedVersion !== undefined && expectedVersion !== current.version) {
      throw versionConflict('user', current.version);
    }
    refuseSelfLockout(ctx.actor.id, current, 'delete');
    const deleted = await updateUser(trx, ctx.orgId, userId, current.version, { deleted: true });
    if (!deleted) throw versionConflict('user', current.version + 1);
    const endedSessionIds = await revokeAllSessionsOfUser(trx, userId);
    await recordAudit(trx, ctx, { action: 'user.deleted', subjectType: 'user', subjectId: userId, storeId: null });
    return { result: undefined, endedSessionIds };
  });
}

// --- GET /me ---

export type Caller =
  { kind: 'user'; userId: string; orgId: string | null } | { kind: 'api_key'; keyId: string; orgId: string };

export type CallerProfile =
  | {
      type: 'user';
      user: { id: string; email: string; name: string; role: Role; organizationId: string | null };
      organization: { id: string; name: string } | null;
      stores: StoreSummary[];
      role: Role;
    }
  | {
      type: 'api_key';
      apiKey: { id: string; name: string; role: Role; storeId: string };
      organization: { id: string; name: string };
      stores: StoreSummary[];
      role: Role;
    };

/** One transaction, one query: this sits on every client's start-up path. */
export async function describeCaller(db: Db, caller: Caller): Promise<CallerProfile> {
  if (caller.kind === 'api_key') {
    const profile = await withTenant(db, { orgId: caller.orgId }, (trx) =>
      findApiKeyProfile(trx, caller.keyId, caller.orgId),
    );
    if (!profile) throw unauthenticated('API key is invalid or revoked');
    const { apiKey, organization, store } = profile;
    return { type: 'api_key', apiKey, organization, stores: [store], role: apiKey.role };
  }
  const profile = await findUserProfile(db, caller.userId, caller.orgId);
  if (!profile) throw unauthenticated('this account no longer exists');
  return { type: 'user', ...profile, role: profile.user.role };
}
