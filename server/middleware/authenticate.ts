import type { RequestHandler } from 'express';
import { unauthenticated } from '../../config/errors.js';
import { enrichLogContext } from '../../config/log-context.js';
import { findApiKeyByPrefix } from '../../db/api-keys/api-key-lookup.js';
import { createApiKeyUsageRecorder } from '../../db/api-keys/api-key-usage.js';
import { apiKeyMatches, apiKeyPrefix, isApiKeyToken } from '../../db/api-keys/api-key-secret.js';
import type { AppDeps } from '../app-deps.js';
import type { Principal } from '../auth/principal.js';

export function bearerToken(header: string | undefined): string | undefined {
  const match = /^Bearer\s+(\S+)\s*$/i.exec(header ?? '');
  return match?.[1];
}

/** Resolves the caller from `Authorization: Bearer` (an access JWT or a store API key), or 401. */
export function authenticate(deps: AppDeps): RequestHandler {
  const recordUsage = createApiKeyUsageRecorder(deps.db);

  async function fromApiKey(token: string): Promise<Principal> {
    const prefix = apiKeyPrefix(token);
    const key = prefix ? await findApiKeyByPrefix(deps.db, prefix) : undefined;
    if (!key || key.revokedAt || !apiKeyMatches(token, key.keyHash))
      throw unauthenticated('API key is invalid or revoked');
    await recordUsage(key);
    return { kind: 'api_key', keyId: key.id, orgId: key.organizationId, storeId: key.storeId, role: key.role };
  }

  async function fromAccessToken(token: string): Promise<Principal> {
    const claims = await deps.accessTokens.verify(token);
    if (await deps.sessions.isRevoked(claims.sessionId)) throw unauthenticated('session has ended; sign in again');
    return { kind: 'user', ...claims };
  }

  return async (req, res, next) => {
    const token = bearerToken(req.get('authorization'));
    if (!token) throw unauthenticated('send Authorization: Bearer <token>');
    const principal = isApiKeyToken(token) ? await fromApiKey(token) : await fromAccessToken(token);
    res.locals.principal = principal;
    if (principal.orgId) enrichLogContext({ orgId: principal.orgId });
    next();
  };
}
