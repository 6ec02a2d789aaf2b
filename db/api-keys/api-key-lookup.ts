import type { Db } from '../knex.js';
import type { ApiKeyRole } from '../users/roles.js';

export interface ApiKeyCredential {
  id: string;
  organizationId: string;
  storeId: string;
  role: ApiKeyRole;
  keyHash: string;
  revokedAt: Date | null;
}

/** Runs before the tenant is known, through a security-definer function (see the RLS migration). */
export async function findApiKeyByPrefix(db: Db, prefix: string): Promise<ApiKeyCredential | undefined> {
  const { rows } = await db.raw('select * from auth_api_key_by_prefix(?)', [prefix]);
  const row = rows[0];
  if (!row) return undefined;
  return {
    id: row.id,
    organizationId: row.organization_id,
    storeId: row.store_id,
    role: row.role,
    keyHash: row.key_hash,
    revokedAt: row.revoked_at,
  };
}
