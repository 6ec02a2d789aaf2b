import { notFound, versionConflict } from '../../config/errors.js';
import { recordAudit } from '../audit/audit-repository.js';
import type { ServiceContext } from '../context.js';
import type { Db } from '../knex.js';
import type { Page } from '../pagination.js';
import { withTenant } from '../tenant.js';
import { findStore, insertStore, listStores, updateStore, type Store, type StoreFields } from './store-repository.js';

export async function createStore(db: Db, ctx: ServiceContext, fields: StoreFields): Promise<Store> {
  return withTenant(db, { orgId: ctx.orgId }, async (trx) => {
    const store = await insertStore(trx, ctx.orgId, fields);
    await recordAudit(trx, ctx, {
      action: 'store.created',
      subjectType: 'store',
      subjectId: store.id,
      storeId: store.id,
    });
    return store;
  });
}

export async function getStore(db: Db, ctx: ServiceContext, storeId: string): Promise<Store> {
  const store = await withTenant(db, { orgId: ctx.orgId }, (trx) => findStore(trx, ctx.orgId, storeId));
  if (!store) throw notFound('store');
  return store;
}

export async function listStoresOfOrganization(
  db: Db,
  ctx: ServiceContext,
  page: { limit: number; cursor?: string },
): Promise<Page<Store>> {
  return withTenant(db, { orgId: ctx.orgId }, (trx) => listStores(trx, ctx.orgId, page));
}

/**
 * `expectedVersion` comes from If-Match. The row is locked first, so a PATCH without If-Match applies
 * to the latest version, and two PATCHes naming the same version cannot both succeed.
 */
export async function updateStoreSettings(
  db: Db,
  ctx: ServiceContext,
  storeId: string,
  patch: Partial<StoreFields>,
  expectedVersion?: number,
): Promise<Store> {
  return withTenant(db, { orgId: ctx.orgId }, async (trx) => {
    const current = await findStore(trx, ctx.orgId, storeId, { forUpdate: true });
    if (!current) throw notFound('store');
    if (expectedVersion !== undefined && expectedVersion !== current.version) {
      throw versionConflict('store', current.version);
    }
    const updated = await updateStore(trx, ctx.orgId, storeId, current.version, patch);
    if (!updated) throw versionConflict('store', current.version + 1);
    const changedFields = (Object.keys(patch) as Array<keyof StoreFields>).filter(
      (field) => patch[field] !== undefined && patch[field] !== current[field],
    );
    await recordAudit(trx, ctx, {
      action: 'store.updated',
      subjectType: 'store',
      subjectId: storeId,
      storeId,
      changedFields,
    });
    return updated;
  });
}
