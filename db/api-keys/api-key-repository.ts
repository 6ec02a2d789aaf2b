import type { Trx } from '../knex.js';
import type { ApiKeyRole } from '../users/roles.js';

/** A key as its managers see it: never the secret, never its hash. */
export interface ApiKey {
  id: string;
  storeId: string;
  name: string;
  role: ApiKeyRole;
  prefix: string;
  createdAt: Date;
  lastUsedAt: Date | null;
  revokedAt: Date | null;
}

/** `createdAt` with its microseconds, for the cursor: a JS Date would round them away and repeat rows. */
export type ApiKeyRow = ApiKey & { createdAtKey: string };

const COLUMNS = ['id', 'store_id', 'name', 'role', 'prefix', 'created_at', 'last_used_at', 'revoked_at'];

function toApiKey(row: Record<string, unknown>): ApiKey {
  return {
    id: row.id as string,
    storeId: row.store_id as string,
    name: row.name as string,
    role: row.role as ApiKeyRole,
    prefix: row.prefix as string,
    createdAt: row.created_at as Date,
    lastUsedAt: (row.last_used_at as Date | null) ?? null,
    revokedAt: (row.revoked_at as Date | null) ?? null,
  };
}

export async function insertApiKey(
  trx: Trx,
  key: {
    organizationId: string;
    storeId: string;
    name: string;
    role: ApiKeyRole;
    prefix: string;
    keyHash: string;
    createdBy: string | null;
  },
): Promise<ApiKey> {
  const [row] = await trx('api_keys')
    .insert({
      organization_id: key.organizationId,
      store_id: key.storeId,
      name: key.name,
      role: key.role,
      prefix: key.prefix,
      key_hash: key.keyHash,
      created_by: key.createdBy,
    })
    .returning(COLUMNS);
  return toApiKey(row);
}

/** One page (plus one row, to tell whether another follows) in creation order. */
export async function listApiKeysOfStore(
  trx: Trx,
  orgId: string,
  storeId: string,
  page: { limit: number; after?: { createdAtKey: string; id: string } },
): Promise<ApiKeyRow[]> {
  const query = trx('api_keys')
    .select(...COLUMNS, trx.raw(`to_json(created_at) #>> '{}' as created_at_key`))
    .where({ organization_id: orgId, store_id: storeId })
    .orderBy([
      { column: 'created_at', order: 'asc' },
      { column: 'id', order: 'asc' },
    ])
    .limit(page.limit);
  if (page.after) {
    query.whereRaw('(created_at, id) > (?::timestamptz, ?::uuid)', [page.after.createdAtKey, page.after.id]);
  }
  const rows = await query;
  return rows.map((row) => ({ ...toApiKey(row), createdAtKey: row.created_at_key }));
}

export async function findApiKey(trx: Trx, orgId: string, storeId: string, keyId: string): Promise<ApiKey | undefined> {
  const row = await trx('api_keys').where({ id: keyId, organization_id: orgId, store_id: storeId }).first(COLUMNS);
  return row ? toApiKey(row) : undefined;
}

/** Revokes a live key; undefined when there is no such live key (absent or already revoked). */
export async function revokeLiveApiKey(
  trx: Trx,
  orgId: string,
  storeId: string,
  keyId: string,
): Promise<ApiKey | undefined> {
  const [row] = await trx('api_keys')
    .where({ id: keyId, organization_id: orgId, store_id: storeId })
    .whereNull('revoked_at')
    .update({ revoked_at: trx.fn.now() })
    .returning(COLUMNS);
  return row ? toApiKey(row) : undefined;
}
