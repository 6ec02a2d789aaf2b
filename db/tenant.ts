import type { Db, Trx } from './knex.js';

/**
 * Who a transaction acts for. Row-level security reads these settings; they are set with
 * `is_local = true`, so they end with the transaction and a pooled connection never carries them over.
 */
export type TenantScope = { orgId: string } | { platform: true };

export async function withTenant<T>(db: Db, scope: TenantScope, work: (trx: Trx) => Promise<T>): Promise<T> {
  return db.transaction(async (trx) => {
    if ('orgId' in scope) {
      await trx.raw(`select set_config('app.org_id', ?, true)`, [scope.orgId]);
    } else {
      await trx.raw(`select set_config('app.platform', 'on', true)`);
    }
    return work(trx);
  });
}
