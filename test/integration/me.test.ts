import { expect } from 'chai';
import request from 'supertest';
import { generateApiKey } from '../../db/api-keys/api-key-secret.js';
import { bearer, createStore, createSysadmin, createTenant, tokenFor } from '../support/fixtures.js';
import { testContext } from '../support/test-context.js';

describe('GET /api/v1/me', () => {
  const { app, owner } = testContext();

  const storeIds = (body: { stores: Array<{ id: string }> }) => body.stores.map((s) => s.id);

  it('shows a staff member their organisation, their granted stores only and their role', async () => {
    const { org, staff, storeA } = await createTenant();
    const res = await request(app)
      .get('/api/v1/me')
      .set(bearer(await tokenFor(staff)));
    expect(res.status).to.equal(200);
    expect(res.body).to.deep.equal({
      type: 'user',
      user: { id: staff.id, email: staff.email, name: 'Test staff', role: 'staff', organizationId: org.id },
      organization: { id: org.id, name: org.name },
      stores: [{ id: storeA.id, name: storeA.name, timezone: 'America/Los_Angeles', country: 'US', currency: 'USD' }],
      role: 'staff',
    });
  });

  it('shows a manager their granted stores and an admin every store of the organisation', async () => {
    const { org, manager, admin, storeA, storeB } = await createTenant();
    const storeC = await createStore(org.id, { country: 'CA', currency: 'CAD', timezone: 'America/Toronto' });
    await createTenant();

    const asManager = await request(app)
      .get('/api/v1/me')
      .set(bearer(await tokenFor(manager)));
    expect(asManager.status).to.equal(200);
    expect(asManager.body.role).to.equal('manager');
    expect(storeIds(asManager.body)).to.deep.equal([storeA.id]);

    const asAdmin = await request(app)
      .get('/api/v1/me')
      .set(bearer(await tokenFor(admin)));
    expect(asAdmin.status).to.equal(200);
    expect(asAdmin.body.role).to.equal('admin');
    expect(storeIds(asAdmin.body)).to.have.members([storeA.id, storeB.id, storeC.id]);
    expect(asAdmin.body.stores).to.have.length(3);
    expect(asAdmin.body.stores.find((s: { id: string }) => s.id === storeC.id)).to.include({
      country: 'CA',
      currency: 'CAD',
      timezone: 'America/Toronto',
    });
  });

  it('shows a sysadmin with no organisation and no stores', async () => {
    const sysadmin = await createSysadmin();
    const res = await request(app)
      .get('/api/v1/me')
      .set(bearer(await tokenFor(sysadmin)));
    expect(res.status).to.equal(200);
    expect(res.body).to.deep.include({ type: 'user', organization: null, stores: [], role: 'sysadmin' });
    expect(res.body.user).to.include({ id: sysadmin.id, email: sysadmin.email, organizationId: null });
  });

  it('shows an API key its own store, organisation and role', async () => {
    const { org, storeB } = await createTenant();
    const key = generateApiKey();
    const [row] = await owner('api_keys')
      .insert({
        organization_id: org.id,
        store_id: storeB.id,
        name: 'Front kiosk',
        prefix: key.prefix,
        key_hash: key.hash,
        role: 'staff',
      })
      .returning('id');
    const res = await request(app).get('/api/v1/me').set(bearer(key.key));
    expect(res.status).to.equal(200);
    expect(res.body).to.deep.equal({
      type: 'api_key',
      apiKey: { id: row.id, name: 'Front kiosk', role: 'staff', storeId: storeB.id },
      organization: { id: org.id, name: org.name },
      stores: [{ id: storeB.id, name: storeB.name, timezone: 'America/Los_Angeles', country: 'US', currency: 'USD' }],
      role: 'staff',
    });

    await owner('api_keys').where({ id: row.id }).update({ revoked_at: new Date() });
    expect((await request(app).get('/api/v1/me').set(bearer(key.key))).status).to.equal(401);
  });

  it('answers 401 for a deleted user, a token of another organisation, and no token', async () => {
    const { staff, org } = await createTenant();
    const other = await createTenant();
    // A token whose organisation claim does not match the user's row finds nobody.
    const mismatched = await testContext().deps.accessTokens.sign({
      userId: staff.id,
      orgId: other.org.id,
      role: 'staff',
      sessionId: 'x',
    });
    expect((await request(app).get('/api/v1/me').set(bearer(mismatched))).status).to.equal(401);

    await owner('users').where({ id: staff.id, organization_id: org.id }).update({ deleted_at: new Date() });
    const deleted = await request(app)
      .get('/api/v1/me')
      .set(bearer(await tokenFor(staff)));
    expect(deleted.status).to.equal(401);
    expect(deleted.body.error.code).to.equal('unauthenticated');

    const anonymous = await request(app).get('/api/v1/me');
    expect(anonymous.status).to.equal(401);
  });
});
