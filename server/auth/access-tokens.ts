import { errors, jwtVerify, SignJWT } from 'jose';
import { unauthenticated } from '../../config/errors.js';
import { ROLES, type Role } from '../../db/users/roles.js';
import { createVerifiedTokenCache } from './verified-token-cache.js';

export interface AccessTokenSettings {
  jwtSecret: string;
  issuer: string;
  audience: string;
  accessTokenTtlSeconds: number;
}

export interface AccessClaims {
  userId: string;
  orgId: string | null;
  role: Role;
  sessionId: string;
}

// One algorithm, pinned: a token that names another (or `none`) is refused before its signature is read.
const ALGORITHMS = ['HS256'];

/** Clients reuse one access token for many requests; this many verified tokens skip the HMAC check. */
export const VERIFIED_TOKEN_CACHE_SIZE = 10_000;

export function createAccessTokens(settings: AccessTokenSettings, cacheSize = VERIFIED_TOKEN_CACHE_SIZE) {
  // Per instance, so a cached token is only ever trusted under the secret, issuer and audience that verified it.
  const verified = createVerifiedTokenCache<Readonly<AccessClaims>>(cacheSize);

  // Imported once: handing jose the raw bytes would make it import the key on every sign and verify.
  const key = crypto.subtle.importKey(
    'raw',
    new TextEncoder().encode(settings.jwtSecret),
    { name: 'HMAC', hash: 'SHA-256' },
    false,
    ['sign', 'verify'],
  );

  async function sign(claims: AccessClaims): Promise<string> {
    return new SignJWT({ org: claims.orgId, role: claims.role, sid: claims.sessionId })
      .setProtectedHeader({ alg: 'HS256', typ: 'JWT' })
      .setSubject(claims.userId)
      .setIssuer(settings.issuer)
      .setAudience(settings.audience)
      .setIssuedAt()
      .setExpirationTime(`${settings.accessTokenTtlSeconds}s`)
      .sign(await key);
  }

  async function verify(token: string): Promise<Readonly<AccessClaims>> {
    const cached = verified.lookup(token);
    if (cached.status === 'hit') return cached.claims;
    if (cached.status === 'expired') throw unauthenticated('access token has expired');
    try {
      const { payload } = await jwtVerify(token, await key, {
        algorithms: ALGORITHMS,
        issuer: settings.issuer,
        audience: settings.audience,
        requiredClaims: ['sub', 'exp', 'iat'],
      });
      const role = payload.role as Role;
      if (!ROLES.includes(role) || typeof payload.sid !== 'string' || typeof payload.sub !== 'string') {
        throw unauthenticated('access token is malformed');
      }
      const claims = Object.freeze({
        userId: payload.sub,
        orgId: (payload.org as string | null) ?? null,
        role,
        sessionId: payload.sid,
      });
      verified.remember(token, claims, payload.exp!);
      return claims;
    } catch (err) {
      if (err instanceof errors.JWTExpired) throw unauthenticated('access token has expired');
      if (err instanceof errors.JOSEError) throw unauthenticated('access token is invalid');
      throw err;
    }
  }

  return { sign, verify, ttlSeconds: settings.accessTokenTtlSeconds };
}

export type AccessTokens = ReturnType<typeof createAccessTokens>;
