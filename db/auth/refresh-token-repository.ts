import type { Trx } from '../knex.js';

/** Revokes every live refresh token of a user; returns the session (family) ids that were live. */
export async function revokeAllSessionsOfUser(trx: Trx, userId: string): Promise<string[]> {
  const rows = await trx('refresh_tokens')
    .where({ user_id: userId })
    .whereNull('revoked_at')
    .update({ revoked_at: trx.fn.now() })
    .returning('family_id');
  return [...new Set(rows.map((r: { family_id: string }) => r.family_id))];
}
