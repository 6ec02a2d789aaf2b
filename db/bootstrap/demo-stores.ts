import type { Db } from '../knex.js';
import { withTenant } from '../tenant.js';
import { DEMO_ORGANIZATION, DEMO_STORES } from './seed.js';

export interface DemoStore {
  orgId: string;
  storeId: string;
  name: string;
  hasPosSettings: boolean;
}

/**
 * The demo organisation's seeded stores, in DEMO_STORES order, and whether each has POS settings yet;
 * empty when there is no demo organisation (SEED_DEMO off, or a database that was not empty).
 */
export async function findDemoStores(db: Db): Promise<DemoStore[]> {
  const org = await withTenant(db, { platform: true }, (trx) =>
    trx('organizations').where({ name: DEMO_ORGANIZATION }).orderBy('created_at').first('id'),
  );
  if (!org) return [];
  const orgId: string = org.id;
  const rows: Array<{ id: string; name: string; has_pos: boolean }> = await withTenant(db, { orgId }, (trx) =>
    trx('stores as s')
      .where('s.organization_id', orgId)
      .whereIn(
        's.name',
        DEMO_STORES.map((s) => s.name),
      )
      .select('s.id', 's.name', trx.raw('exists (select 1 from pos_settings p where p.store_id = s.id) as has_pos')),
  );
  return DEMO_STORES.flatMap((demo) =>
    rows
      .filter((r) => r.name === demo.name)
      .map((r) => ({ orgId, storeId: r.id, name: r.name, hasPosSettings: r.has_pos })),
  );
}
