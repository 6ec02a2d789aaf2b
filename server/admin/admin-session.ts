import { randomUUID } from 'node:crypto';
import type { CookieOptions, Request, Response } from 'express';
import { decodeJwt } from 'jose';
import { AppError } from '../../config/errors.js';
import { redisKey } from '../../config/redis.js';
import { isActiveSysadmin } from '../../db/admin/sysadmin-sign-in.js';
import type { AppDeps } from '../app-deps.js';
import type { AccessClaims } from '../auth/access-tokens.js';

export const ADMIN_COOKIE = 'patron_admin';
/** A browser session signs in again after this long, however busy the dashboard keeps it. */
export const ADMIN_SESSION_MAX_HOURS = 8;

/** One cookie's value from a Cookie header (no cookie parser for a single cookie). */
export function cookieValue(header: string | undefined, name: string): string | undefined {
  for (const part of (header ?? '').split(';')) {
    const at = part.indexOf('=');
    if (at > 0 && part.slice(0, at).trim() === name) {
      try {
        return decodeURIComponent(part.slice(at + 1).trim());
      } catch {
        return undefined;
      }
    }
  }
  return undefined;
}

/**
 * The dashboard's browser session. The cookie holds an ordinary access token of a sysadmin session, so
 * it is checked exactly like a Bearer token (signature, expiry, `deps.sessions` revocation) and ends with
 * the session. Access tokens are short-lived, so a token past half its life is re-signed while the
 * session is younger than ADMIN_SESSION_MAX_HOURS (its start is a Redis key) and the user is still a
 * sysadmin.
 */
export function createAdminSessions(deps: AppDeps) {
  const startedKey = (sessionId: string) => redisKey('admin-session', sessionId);
  const cookieOptions: CookieOptions = {
    httpOnly: true,
    secure: deps.config.isProduction,
    sameSite: 'strict',
    path: '/admin',
  };

  async function setCookie(res: Response, userId: string, sessionId: string): Promise<void> {
    const token = await deps.accessTokens.sign({ userId, orgId: null, role: 'sysadmin', sessionId });
    res.cookie(ADMIN_COOKIE, token, { ...cookieOptions, maxAge: deps.accessTokens.ttlSeconds * 1000 });
  }

  async function verified(token: string): Promise<Readonly<AccessClaims> | undefined> {
    try {
      const claims = await deps.accessTokens.verify(token);
      return (await deps.sessions.isRevoked(claims.sessionId)) ? undefined : claims;
    } catch (err) {
      if (err instanceof AppError && err.code === 'unauthenticated') return undefined;
      throw err;
    }
  }

  return {
    /** Starts a session for a sysadmin whose credentials were just checked. */
    async start(res: Response, userId: string): Promise<void> {
      const sessionId = randomUUID();
      await deps.redis.set(startedKey(sessionId), userId, 'EX', ADMIN_SESSION_MAX_HOURS * 3600);
      await setCookie(res, userId, sessionId);
    },

    /** The cookie's claims when its token is valid and its session live; otherwise undefined. */
    async read(req: Request): Promise<Readonly<AccessClaims> | undefined> {
      const token = cookieValue(req.get('cookie'), ADMIN_COOKIE);
      return token ? verified(token) : undefined;
    },

    /** Re-signs the cookie's token once past half its life, within the session's maximum age. */
    async renewIfDue(req: Request, res: Response, claims: Readonly<AccessClaims>): Promise<void> {
      const { exp } = decodeJwt(cookieValue(req.get('cookie'), ADMIN_COOKIE)!);
      const secondsLeft = (exp ?? 0) - Date.now() / 1000;
      if (secondsLeft > deps.accessTokens.ttlSeconds / 2) return;
      if ((await deps.redis.get(startedKey(claims.sessionId))) !== claims.userId) return;
      if (!(await isActiveSysadmin(deps.db, claims.userId))) return;
      await setCookie(res, claims.userId, claims.sessionId);
    },

    /** Ends the cookie's session everywhere (its tokens are revoked) and clears the cookie. */
    async end(req: Request, res: Response): Promise<void> {
      const claims = await this.read(req);
      if (claims) {
        await deps.sessions.revoke([claims.sessionId]);
        await deps.redis.del(startedKey(claims.sessionId));
      }
      res.clearCookie(ADMIN_COOKIE, cookieOptions);
    },

    clear(res: Response): void {
      res.clearCookie(ADMIN_COOKIE, cookieOptions);
    },
  };
}

export type AdminSessions = ReturnType<typeof createAdminSessions>;
