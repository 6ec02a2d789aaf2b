import { createHash, randomBytes } from 'node:crypto';

const PREFIX = 'rt_live_';

/** An opaque refresh token: shown to the client once, stored only as its sha256 (it is random, not a password). */
export function generateRefreshToken(): { token: string; hash: string } {
  const token = `${PREFIX}${randomBytes(32).toString('base64url')}`;
  return { token, hash: hashRefreshToken(token) };
}

export function hashRefreshToken(token: string): string {
  return createHash('sha256').update(token).digest('hex');
}
