import { expect } from 'chai';
import request from 'supertest';
import { createApiKeyUsageRecorder } from '../../db/api-keys/api-key-usage.js';
import { bearer, createTenant, tokenFor } from '../support/fixtures.js';
import { testContext } from '../support/test-context.js';

describe('API key lastUsedAt', () => {
  const { app, owner, deps } = testContext();

  it('is set when the key is used, and shown in the list', async () => {
    const t = await createTenant();
    const adminToken = await tokenFor(t.admin);
    const created = await request(app)
      .post(`/api/v1/stores/${t.storeA.id}/api-keys`)
      .set(bearer(adminToken))
      .send({ name: 'kiosk', role: 'staff' });
    expect(created.status).to.equal(201);
    expect(created.body.lastUsedAt).to.equal(null);

    const used = await request(app).get('/api/v1/me').set(bearer(created.body.key));
    expect(used.status).to.equal(200);

    const list = await request(app).get(`/api/v1/stores/${t.storeA.id}/api-keys`).set(bearer(adminToken));
    const listed = list.body.data.find((k: { id: string }) => k.id === created.body.id);
    expect(listed.lastUsedAt).to.be.a('string');
    expect(Date.now() - Date.parse(listed.lastUsedAt)).to.be.lessThan(60_000);
  });

  it('writes at most once a minute per key', async () => {
    const t = await createTenant();
    const [key] = await owner('api_keys')
      .insert({
        organization_id: t.org.id,
        store_id: t.storeA.id,
        name: 'k',
        prefix: `pk_live_${Date.now()}`,
        key_hash: 'x',
        role: 'staff',
      })
      .returning(['id', 'organization_id']);
    let clock = 1_000_000;
    const record = createApiKeyUsageRecorder(deps.db, 60_000, () => clock);
    const usage = { id: key.id, organizationId: key.organization_id };
    await record(usage);
    const first = (await owner('api_keys').where({ id: key.id }).first()).last_used_at as Date;
    clock += 30_000;
    await record(usage);
    expect((await owner('api_keys').where({ id: key.id }).first()).last_used_at).to.deep.equal(first);
    clock += 31_000;
    await record(usage);
    expect(((await owner('api_keys').where({ id: key.id }).first()).last_used_at as Date).getTime()).to.equal(
      first.getTime() + 61_000,
    );
  });
});
