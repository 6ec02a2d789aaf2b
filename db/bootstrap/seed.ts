import { hashPassword } from '../auth/password.js';
import type { Db } from '../knex.js';
import { withTenant } from '../tenant.js';
import { insertSysadmin } from '../users/sysadmin-service.js';

export interface BootstrapSettings {
  seedDemo: boolean;
  sysadminEmail: string;
  sysadminPassword: string;
  demoAdminEmail: string;
  demoAdminPassword: string;
}

export interface BootstrapResult {
  sysadminCreated: boolean;
  demoOrganizationId: string | null;
}

export const DEMO_ORGANIZATION = 'Demo Dispensary';
export const DEMO_STORES = [
  { name: 'Demo Dispensary — Downtown', timezone: 'America/Los_Angeles', country: 'US', currency: 'USD' },
  { name: 'Demo Dispensary — Harbor', timezone: 'America/Los_Angeles', country: 'US', currency: 'USD' },
];

/**
 * First start on an empty database: the platform sysadmin from configuration and, when asked, the demo
 * organisation with two stores and its admin. Later starts change nothing.
 */
export async function bootstrap(db: Db, settings: BootstrapSettings): Promise<BootstrapResult> {
  const result: BootstrapResult = { sysadminCreated: false, demoOrganizationId: null };

  await withTenant(db, { platform: true }, async (trx) => {
    await trx.raw(`select pg_advisory_xact_lock(hashtext('patron-bootstrap'))`);
    const sysadmin = await trx('users').where({ role: 'sysadmin' }).whereNull('deleted_at').first('id');
    if (!sysadmin) {
      await insertSysadmin(trx, {
        email: settings.sysadminEmail,
        password: settings.sysadminPassword,
        passwordHash: await hashPassword(settings.sysadminPassword),
        name: 'Platform sysadmin',
      });
      result.sysadminCreated = true;
    }
    if (!settings.seedDemo) return;
    const anyOrganization = await trx('organizations').first('id');
    if (anyOrganization) return;
    const [org] = await trx('organizations').insert({ name: DEMO_ORGANIZATION }).returning('id');
    result.demoOrganizationId = org.id;
  });

  const orgId = result.demoOrganizationId;
  if (orgId) {
    await withTenant(db, { orgId }, async (trx) => {
      await trx('stores').insert(DEMO_STORES.map((s) => ({ ...s, organization_id: orgId })));
      await trx('users').insert({
        organization_id: orgId,
        email: settings.demoAdminEmail,
        password_hash: await hashPassword(settings.demoAdminPassword),
        name: 'Demo admin',
        role: 'admin',
      });
    });
  }
  return result;
}
