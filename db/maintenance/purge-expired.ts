import type { Db } from '../knex.js';

/**
 * Deletes idempotency keys past their 24 h and refresh tokens a day past expiry, across every
 * organisation: a security-definer function does it, so the app role still never sees other tenants.
 */
export async function purgeExpired(db: Db): Promise<{ idempotencyKeys: number; refreshTokens: number }> {
  const { rows } = await db.raw('select * from maintenance_purge_expired()');
  return { idempotencyKeys: Number(rows[0].idempotency_keys), refreshTokens: Number(rows[0].refresh_tokens) };
}
