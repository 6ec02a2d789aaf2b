import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';

const PREFIX = 'pk_live_';
const FORMAT = /^pk_live_([0-9a-f]{16})_([A-Za-z0-9_-]{43})$/;

/** A new key: shown once, then only its sha256 is kept (the secret is random, so no slow hash is needed). */
export function generateApiKey(): { key: string; prefix: string; hash: string } {
  const id = randomBytes(8).toString('hex');
  const key = `${PREFIX}${id}_${randomBytes(32).toString('base64url')}`;
  return { key, prefix: `${PREFIX}${id}`, hash: hashApiKey(key) };
}

export function isApiKeyToken(token: string): boolean {
  return token.startsWith(PREFIX);
}

export function apiKeyPrefix(key: string): string | undefined {
  const match = FORMAT.exec(key);
  return match ? `${PREFIX}${match[1]}` : undefined;
}

export function hashApiKey(key: string): string {
  return createHash('sha256').update(key).digest('hex');
}

export function apiKeyMatches(key: string, storedHash: string): boolean {
  const a = Buffer.from(hashApiKey(key), 'hex');
  const b = Buffer.from(storedHash, 'hex');
  return a.length === b.length && timingSafeEqual(a, b);
}
