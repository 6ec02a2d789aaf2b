import { notFound } from '../../config/errors.js';
import { recordAudit } from '../audit/audit-repository.js';
import { type ServiceContext, storeOf } from '../context.js';
import type { Db } from '../knex.js';
import { toPage, type Page } from '../pagination.js';
import { withTenant } from '../tenant.js';
import type { ApiKeyRole } from '../users/roles.js';
import { findApiKey, insertApiKey, listApiKeysOfStore, revokeLiveApiKey, type ApiKey } from './api-key-repository.js';
import { generateApiKey } from './api-key-secret.js';
import { decodeTimeCursor } from '../time-cursor.js';

export async function listApiKeys(
  db: Db,
  ctx: ServiceContext,
  query: { limit: number; cursor?: string },
): Promise<Page<ApiKey>> {
  const storeId = storeOf(ctx);
  const cursor = decodeTimeCursor(query.cursor);
  const after = cursor && { createdAtKey: cursor.at, id: cursor.id };
  const rows = await withTenant(db, { orgId: ctx.orgId }, (trx) =>
    listApiKeysOfStore(trx, ctx.orgId, storeId, { limit: query.limit + 1, after }),
  );
  const page = toPage(rows, query.limit, (row) => [row.createdAtKey, row.id]);
  return { data: page.data.map(({ createdAtKey: _, ...key }) => key), nextCursor: page.nextCursor };
}

/** Creates a key; its secret is in this answer and nowhere else (only its hash is stored). */
export async function createApiKey(
  db: Db,
  ctx: ServiceContext,
  input: { name: string; role: ApiKeyRole },
): Promise<ApiKey & { key: string }> {
  const storeId = storeOf(ctx);
  const secret = generateApiKey();
  const apiKey = await withTenant(db, { orgId: ctx.orgId }, async (trx) => {
    const created = await insertApiKey(trx, {
      organizationId: ctx.orgId,
      storeId,
      name: input.name,
      role: input.role,
      prefix: secret.prefix,
      keyHash: secret.hash,
      createdBy: ctx.actor.type === 'user' ? ctx.actor.id : null,
    });
    await recordAudit(trx, ctx, { action: 'api_key.created', subjectType: 'api_key', subjectId: created.id });
    return created;
  });
  return { ...apiKey, key: secret.key };
}

/** Revoking is idempotent: a key already revoked stays so; a key not of this store is not found. */
export async function revokeApiKey(db: Db, ctx: ServiceContext, keyId: string): Promise<void> {
  const storeId = storeOf(ctx);
  await withTenant(db, { orgId: ctx.orgId }, async (trx) => {
    const revoked = await revokeLiveApiKey(trx, ctx.orgId, storeId, keyId);
    if (revoked) {
      await recordAudit(trx, ctx, { action: 'api_key.revoked', subjectType: 'api_key', subjectId: keyId });
    } else if (!(await findApiKey(trx, ctx.orgId, storeId, keyId))) {
      throw notFound('API key');
    }
  });
}
