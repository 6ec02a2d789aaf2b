import { randomUUID } from 'node:crypto';
import { unauthenticated } from '../../config/errors.js';
import { recordAudit } from '../audit/audit-repository.js';
import { systemActor, type ServiceContext } from '../context.js';
import type { Db, Trx } from '../knex.js';
import { withTenant, type TenantScope } from '../tenant.js';
import { findLoginUser, findSessionUser, recordLastLogin, type SessionUser } from './auth-user-repository.js';
import { verifyAgainstDecoy, verifyPassword } from './password.js';
import {
  claimRefreshToken,
  findRefreshTokenByHash,
  insertRefreshToken,
  revokeRefreshFamily,
  setReplacedBy,
  type RefreshTokenRecord,
} from './refresh-token-repository.js';
import { generateRefreshToken, hashRefreshToken } from './refresh-token-secret.js';

/** Access tokens are stateless: ending a session must also reach whatever list they are checked against. */
export interface SessionRevoker {
  revoke(sessionIds: string[]): Promise<void>;
}

export interface AuthDeps {
  db: Db;
  sessions: SessionRevoker;
  refreshTokenTtlDays: number;
}

/** A signed-in session; the caller signs the access token for it. */
export interface Session {
  user: SessionUser;
  sessionId: string;
  refreshToken: string;
}

// One message for an unknown email and a wrong password, so the answer does not reveal which it was.
const LOGIN_FAILED = 'email or password is incorrect';
const REFRESH_REFUSED = 'refresh token is invalid, expired or already used; sign in again';

const scopeOf = (orgId: string | null): TenantScope => (orgId ? { orgId } : { platform: true });

async function issueRefreshToken(
  trx: Trx,
  auth: AuthDeps,
  user: SessionUser,
  familyId: string,
): Promise<{ id: string; token: string }> {
  const { token, hash } = generateRefreshToken();
  const expiresAt = new Date(Date.now() + auth.refreshTokenTtlDays * 86_400_000);
  const id = await insertRefreshToken(trx, {
    organizationId: user.organizationId,
    userId: user.id,
    familyId,
    tokenHash: hash,
    expiresAt,
  });
  return { id, token };
}

function userContext(user: SessionUser, orgId: string, requestId: string | undefined): ServiceContext {
  return { orgId, requestId, actor: { type: 'user', id: user.id, role: user.role } };
}

export async function login(
  auth: AuthDeps,
  credentials: { email: string; password: string },
  requestId?: string,
): Promise<Session> {
  const found = await findLoginUser(auth.db, credentials.email);
  const valid = found
    ? await verifyPassword(credentials.password, found.passwordHash)
    : await verifyAgainstDecoy(credentials.password);
  if (!found || !valid) throw unauthenticated(LOGIN_FAILED);

  const { passwordHash: _, ...user } = found;
  const sessionId = randomUUID();
  const orgId = user.organizationId;
  const refresh = await withTenant(auth.db, scopeOf(orgId), async (trx) => {
    const issued = await issueRefreshToken(trx, auth, user, sessionId);
    await recordLastLogin(trx, orgId, user.id);
    if (orgId) {
      await recordAudit(trx, userContext(user, orgId, requestId), {
        action: 'user.login',
        subjectType: 'user',
        subjectId: user.id,
        storeId: null,
      });
    }
    return issued;
  });
  return { user, sessionId, refreshToken: refresh.token };
}

/**
 * Rotates a refresh token. A token presented a second time means it leaked (or the client raced
 * itself): the whole session ends, refresh tokens and access tokens alike.
 */
export async function refresh(auth: AuthDeps, refreshToken: string, requestId?: string): Promise<Session> {
  const record = await findRefreshTokenByHash(auth.db, hashRefreshToken(refreshToken));
  if (!record) throw unauthenticated(REFRESH_REFUSED);
  const alreadySpent = record.usedAt !== null || record.revokedAt !== null;
  if (!alreadySpent && record.expiresAt.getTime() <= Date.now()) throw unauthenticated(REFRESH_REFUSED);

  const orgId = record.organizationId;
  const session = await withTenant(auth.db, scopeOf(orgId), async (trx) => {
    if (alreadySpent || !(await claimRefreshToken(trx, orgId, record.id))) {
      await endSessionOnReuse(trx, record, requestId);
      return undefined;
    }
    const user = await findSessionUser(trx, orgId, record.userId);
    if (!user) {
      await revokeRefreshFamily(trx, orgId, record.userId, record.familyId);
      return undefined;
    }
    const next = await issueRefreshToken(trx, auth, user, record.familyId);
    await setReplacedBy(trx, orgId, record.id, next.id);
    return { user, sessionId: record.familyId, refreshToken: next.token };
  });
  // After the commit: the revocation above must persist even though this request fails.
  if (!session) {
    await auth.sessions.revoke([record.familyId]);
    throw unauthenticated(REFRESH_REFUSED);
  }
  return session;
}

async function endSessionOnReuse(trx: Trx, record: RefreshTokenRecord, requestId: string | undefined) {
  const revoked = await revokeRefreshFamily(trx, record.organizationId, record.userId, record.familyId);
  // Worth a trace only when it ended a live session, not when a logged-out client retries.
  if (revoked > 0 && record.organizationId) {
    await recordAudit(
      trx,
      { orgId: record.organizationId, requestId, actor: systemActor },
      { action: 'user.session_reuse_detected', subjectType: 'user', subjectId: record.userId, storeId: null },
    );
  }
}

/** Ends one session: its refresh tokens are revoked and its access tokens refused from now on. */
export async function logout(
  auth: AuthDeps,
  session: { userId: string; orgId: string | null; sessionId: string },
): Promise<void> {
  await withTenant(auth.db, scopeOf(session.orgId), (trx) =>
    revokeRefreshFamily(trx, session.orgId, session.userId, session.sessionId),
  );
  await auth.sessions.revoke([session.sessionId]);
}
