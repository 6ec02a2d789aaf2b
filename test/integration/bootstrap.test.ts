import { expect } from 'chai';
import { config } from '../../config/env.js';
import { verifyPassword } from '../../db/auth/password.js';
import { bootstrap, DEMO_ORGANIZATION } from '../../db/bootstrap/seed.js';
import { createDb, type Db } from '../../db/knex.js';
import { databaseName, dropDatabase, provisionDatabase, withDatabase } from '../../db/provision.js';

describe('first start on an empty database', () => {
  // A database of its own: the seed only runs when there is no organisation at all.
  const name = `${databaseName(config.db.ownerUrl)}_bootstrap`;
  const ownerUrl = withDatabase(config.db.ownerUrl, name);
  const appUrl = withDatabase(config.db.url, name);
  let app: Db;
  let owner: Db;
  const settings = {
    seedDemo: true,
    sysadminEmail: 'sys@patron.test',
    sysadminPassword: 'sysadmin-password-1',
    demoAdminEmail: 'admin@demo.patron.test',
    demoAdminPassword: 'demo-admin-password-1',
  };

  before(async () => {
    await dropDatabase(ownerUrl);
    await provisionDatabase({ ownerUrl, appUrl });
    app = createDb(appUrl, 2);
    owner = createDb(ownerUrl, 2);
  });
  after(async () => {
    await app.destroy();
    await owner.destroy();
    await dropDatabase(ownerUrl);
  });

  it('creates the sysadmin, Demo Dispensary with two stores and its admin; a second start changes nothing', async () => {
    const first = await bootstrap(app, settings);
    expect(first.sysadminCreated).to.equal(true);
    const orgs = await owner('organizations').select('id', 'name');
    expect(orgs).to.deep.equal([{ id: first.demoOrganizationId, name: DEMO_ORGANIZATION }]);
    const stores = await owner('stores').where({ organization_id: first.demoOrganizationId });
    expect(stores.map((s) => s.name)).to.have.members(['Demo Dispensary — Downtown', 'Demo Dispensary — Harbor']);
    const admin = await owner('users').where({ email: settings.demoAdminEmail }).first();
    expect(admin).to.include({ role: 'admin', organization_id: first.demoOrganizationId });
    expect(await verifyPassword(settings.demoAdminPassword, admin.password_hash)).to.equal(true);
    const sysadmin = await owner('users').where({ email: settings.sysadminEmail }).first();
    expect(sysadmin).to.include({ role: 'sysadmin', organization_id: null });

    const second = await bootstrap(app, { ...settings, sysadminEmail: 'another@patron.test' });
    expect(second).to.deep.equal({ sysadminCreated: false, demoOrganizationId: null });
    expect(await owner('organizations').count<{ count: number }[]>('* as count')).to.deep.equal([{ count: 1 }]);
    expect(await owner('users').count<{ count: number }[]>('* as count')).to.deep.equal([{ count: 2 }]);
  });

  it('migrations roll all the way back and forward again', async () => {
    const { migrationConfig } = await import('../../db/provision.js');
    await owner.migrate.rollback(migrationConfig, true);
    const { rows } = await owner.raw(
      `select count(*)::int as n from pg_tables where schemaname = 'public' and tablename not like 'knex%'`,
    );
    expect(rows[0].n).to.equal(0);
    await provisionDatabase({ ownerUrl, appUrl });
    const after = await owner.raw(
      `select count(*)::int as n from pg_tables where schemaname = 'public' and tablename not like 'knex%'`,
    );
    expect(after.rows[0].n).to.be.greaterThan(5);
  });
});
