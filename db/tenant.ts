import type { Db, Trx } from './knex.js';

/**
 * Who a transaction acts for. Row-level security reads these settings; they are set with
 * `is_local = true`, so they end with the transaction and a pooled connection never carries them over.
 */
export type TenantScope = { orgId: string } | { platform: true };

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** The statement that sets the tenant; the org id is inlined only after it matched a strict UUID pattern. */
export function tenantStatement(scope: TenantScope): string {
  if ('platform' in scope) return `SELECT set_config('app.platform', 'on', true)`;
  if (!UUID.test(scope.orgId)) throw new Error('tenant organisation id must be a UUID');
  return `SELECT set_config('app.org_id', '${scope.orgId.toLowerCase()}', true)`;
}

export async function withTenant<T>(db: Db, scope: TenantScope, work: (trx: Trx) => Promise<T>): Promise<T> {
  // `beginWith` is read by the client in db/knex.ts; knex copies unknown config keys through.
  const config = { beginWith: tenantStatement(scope) } as Parameters<Db['transaction']>[1];
  return db.transaction(work, config);
}
