import type { Knex } from 'knex';
import type { Db, Trx } from '../knex.js';

export interface RefreshTokenRecord {
  id: string;
  organizationId: string | null;
  userId: string;
  familyId: string;
  expiresAt: Date;
  usedAt: Date | null;
  revokedAt: Date | null;
}

/** Runs before the tenant is known, through a security-definer function (see the RLS migration). */
export async function findRefreshTokenByHash(db: Db, tokenHash: string): Promise<RefreshTokenRecord | undefined> {
  const { rows } = await db.raw('select * from auth_refresh_token_by_hash(?)', [tokenHash]);
  const row = rows[0];
  if (!row) return undefined;
  return {
    id: row.id,
    organizationId: row.organization_id,
    userId: row.user_id,
    familyId: row.family_id,
    expiresAt: row.expires_at,
    usedAt: row.used_at,
    revokedAt: row.revoked_at,
  };
}

/** Tokens of sysadmins belong to no organisation; the filter says so explicitly rather than leaning on RLS. */
function inOrganization(query: Knex.QueryBuilder, orgId: string | null): Knex.QueryBuilder {
  return orgId === null ? query.whereNull('organization_id') : query.where('organization_id', orgId);
}

export async function insertRefreshToken(
  trx: Trx,
  token: { organizationId: string | null; userId: string; familyId: string; tokenHash: string; expiresAt: Date },
): Promise<string> {
  const [row] = await trx('refresh_tokens')
    .insert({
      organization_id: token.organizationId,
      user_id: token.userId,
      family_id: token.familyId,
      token_hash: token.tokenHash,
      expires_at: token.expiresAt,
    })
    .returning('id');
  return row.id;
}

/**
 * Marks a live token used, atomically: of two requests rotating the same token, exactly one gets
 * `true`; the other sees a token already used.
 */
export async function claimRefreshToken(trx: Trx, orgId: string | null, tokenId: string): Promise<boolean> {
  const rows = await inOrganization(trx('refresh_tokens'), orgId)
    .where({ id: tokenId })
    .whereNull('used_at')
    .whereNull('revoked_at')
    .update({ used_at: trx.fn.now() })
    .returning('id');
  return rows.length === 1;
}

export async function setReplacedBy(
  trx: Trx,
  orgId: string | null,
  tokenId: string,
  replacementId: string,
): Promise<void> {
  await inOrganization(trx('refresh_tokens'), orgId).where({ id: tokenId }).update({ replaced_by: replacementId });
}

/** Revokes every still-live token of one session (family) of a user. */
export async function revokeRefreshFamily(
  trx: Trx,
  orgId: string | null,
  userId: string,
  familyId: string,
): Promise<number> {
  return inOrganization(trx('refresh_tokens'), orgId)
    .where({ user_id: userId, family_id: familyId })
    .whereNull('revoked_at')
    .update({ revoked_at: trx.fn.now() });
}

/** Revokes every live refresh token of a user; returns the session (family) ids that were live. */
export async function revokeAllSessionsOfUser(trx: Trx, userId: string): Promise<string[]> {
  const rows = await trx('refresh_tokens')
    .where({ user_id: userId })
    .whereNull('revoked_at')
    .update({ revoked_at: trx.fn.now() })
    .returning('family_id');
  return [...new Set(rows.map((r: { family_id: string }) => r.family_id))];
}
