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

/**
 * One round trip for a fixed read whose parameters are all UUIDs (or null): the tenant's set_config
 * and the query travel as one simple-protocol message, which PostgreSQL runs as one implicit
 * transaction, so the setting is local to this read and gone when it returns. `$n` placeholders are
 * filled only with values that matched the strict UUID pattern. For hot paths such as GET /me.
 */
export async function tenantRead<T>(
  db: Db,
  scope: TenantScope,
  sql: string,
  params: Array<string | null>,
): Promise<T[]> {
  const text = sql.replace(/\$(\d+)/g, (_, n: string) => {
    const value = params[Number(n) - 1];
    if (value === null) return 'NULL';
    if (value === undefined || !UUID.test(value)) throw new Error(`tenantRead parameter $${n} must be a UUID`);
    return `'${value.toLowerCase()}'`;
  });
  const results = (await db.raw(`${tenantStatement(scope)}; ${text}`)) as Array<{ rows: T[] }>;
  return results[1].rows;
}
