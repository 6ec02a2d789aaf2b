import type { Response } from 'express';
import { AppError } from '../../config/errors.js';
import { login, logout, refresh, type AuthDeps, type Session } from '../../db/auth/auth-service.js';
import type { AppDeps } from '../app-deps.js';
import { API_PREFIX, defineRoutes, type RouteDef } from '../http/route.js';
import { errorResponse, loginSchema, refreshSchema, sessionResponse } from './auth-schemas.js';
import { createAuthRateLimits } from './rate-limits.js';

export function authRoutes(deps: AppDeps): RouteDef[] {
  const auth: AuthDeps = {
    db: deps.db,
    sessions: deps.sessions,
    refreshTokenTtlDays: deps.config.auth.refreshTokenTtlDays,
  };
  const limits = createAuthRateLimits(deps);

  async function answer(res: Response, session: Session): Promise<void> {
    const { user } = session;
    const accessToken = await deps.accessTokens.sign({
      userId: user.id,
      orgId: user.organizationId,
      role: user.role,
      sessionId: session.sessionId,
    });
    res.json({
      accessToken,
      refreshToken: session.refreshToken,
      tokenType: 'Bearer',
      expiresIn: deps.accessTokens.ttlSeconds,
      user: { id: user.id, organizationId: user.organizationId, email: user.email, name: user.name, role: user.role },
    });
  }

  const sessionResponses = {
    200: { description: 'Signed in: an access token and a single-use refresh token', schema: sessionResponse },
    400: { description: 'Invalid body', schema: errorResponse },
    401: { description: 'Credentials refused', schema: errorResponse },
    429: { description: 'Too many attempts; see `Retry-After`', schema: errorResponse },
  };

  return defineRoutes([
    {
      method: 'post',
      path: `${API_PREFIX}/auth/login`,
      policy: 'auth.login',
      summary: 'Sign in with email and password',
      tag: 'Auth',
      schema: loginSchema,
      responses: sessionResponses,
      handler: async (req, res) => {
        await limits.login(req, res);
        await answer(res, await login(auth, res.locals.valid.body, res.locals.requestId));
      },
    },
    {
      method: 'post',
      path: `${API_PREFIX}/auth/refresh`,
      policy: 'auth.refresh',
      summary: 'Exchange a refresh token for new tokens (the old one stops working)',
      tag: 'Auth',
      schema: refreshSchema,
      responses: sessionResponses,
      handler: async (req, res) => {
        await limits.refresh(req, res);
        await answer(res, await refresh(auth, res.locals.valid.body.refreshToken, res.locals.requestId));
      },
    },
    {
      method: 'post',
      path: `${API_PREFIX}/auth/logout`,
      policy: 'auth.logout',
      summary: "End the access token's session and revoke its refresh tokens",
      tag: 'Auth',
      responses: { 204: { description: 'Signed out' } },
      handler: async (_req, res) => {
        const principal = res.locals.principal;
        // The policy admits user sessions only; API keys are refused before this runs.
        if (principal?.kind !== 'user') throw new AppError('internal', 'logout reached without a user session');
        await logout(auth, principal);
        res.status(204).end();
      },
    },
  ]);
}
