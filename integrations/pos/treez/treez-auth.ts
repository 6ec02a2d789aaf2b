import { createPrivateKey, randomUUID, sign, type KeyObject } from 'node:crypto';
import { PosError } from '../pos-errors.js';

/** Treez refuses (400) a token whose exp is not exactly iat + 30 s. */
export const TREEZ_TOKEN_TTL_MS = 30_000;

export interface TreezTokenClaims {
  /** The exact URL being called. */
  aud: string;
  /** The certificate id Treez issued for our public key. */
  iss: string;
  /** The organisation GUID. */
  oid: string;
  /** Milliseconds, not the JWT seconds. */
  iat: number;
  exp: number;
  /** Recommended by Treez against replay. */
  jti: string;
}

/** The store's PEM as a key object; an unreadable or non-RSA key is the store's settings at fault. */
export function treezSigningKey(pem: string): KeyObject {
  let key: KeyObject;
  try {
    key = createPrivateKey(pem);
  } catch {
    throw new PosError('pos_misconfigured', 'treez private key is not a readable PEM key', { provider: 'treez' });
  }
  if (key.asymmetricKeyType !== 'rsa') {
    throw new PosError('pos_misconfigured', 'treez private key must be an RSA key', { provider: 'treez' });
  }
  return key;
}

/**
 * Treez v3's self-signed token: base64url(claims JSON) + "." + base64(RSA-SHA256 signature). Not a JWT
 * (no header segment, times in ms), so no JWT library fits. [ASSUMPTION] the signature covers the
 * encoded claims segment, as in JWS; code.treez.io does not spell out the signing input.
 */
export function signTreezToken(
  claims: Pick<TreezTokenClaims, 'aud' | 'iss' | 'oid'>,
  key: KeyObject,
  at: Date,
): string {
  const iat = at.getTime();
  const full: TreezTokenClaims = { ...claims, iat, exp: iat + TREEZ_TOKEN_TTL_MS, jti: randomUUID() };
  const payload = Buffer.from(JSON.stringify(full)).toString('base64url');
  const signature = sign('sha256', Buffer.from(payload), key).toString('base64');
  return `${payload}.${signature}`;
}
