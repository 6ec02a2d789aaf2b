import { randomUUID } from 'node:crypto';
import { expect } from 'chai';
import request from 'supertest';
import { decryptField } from '../../db/crypto/field-encryption.js';
import { bearer, createTenant, tokenFor } from '../support/fixtures.js';
import { testContext } from '../support/test-context.js';

// The admin routes of webhooks. NODE_ENV=test: private targets are refused, as outside development.
describe('webhooks API', () => {
  const { app, owner } = testContext();
  let tenant: Awaited<ReturnType<typeof createTenant>>;
  let admin: Record<string, string>;

  beforeEach(async () => {
    tenant = await createTenant();
    admin = bearer(await tokenFor(tenant.admin));
  });

  const register = (body: Record<string, unknown>, headers = admin) =>
    request(app).post('/api/v1/webhooks').set(headers).send(body);
  const valid = { url: 'https://hooks.example.com/patron', eventTypes: ['customer.created', 'customer.updated'] };

  async function registered(body: Record<string, unknown> = valid) {
    const res = await register(body);
    expect(res.status, JSON.stringify(res.body)).to.equal(201);
    return res.body;
  }

  it('registers a webhook and shows its signing secret in that answer only, stored encrypted', async () => {
    const res = await register({ ...valid, description: 'CRM sync', storeId: tenant.storeA.id });
    expect(res.status, JSON.stringify(res.body)).to.equal(201);
    expect(res.body).to.include({
      url: valid.url,
      description: 'CRM sync',
      storeId: tenant.storeA.id,
      organizationId: tenant.org.id,
      active: true,
      version: 1,
    });
    expect(res.body.eventTypes).to.deep.equal(valid.eventTypes);
    expect(res.body.secret).to.match(/^whsec_[A-Za-z0-9_-]{43}$/);

    const row = await owner('webhooks').where({ id: res.body.id }).first();
    expect(row.secret_ciphertext).to.not.include(res.body.secret);
    expect(decryptField(row.secret_ciphertext)).to.equal(res.body.secret);
    expect(row.created_by).to.equal(tenant.admin.id);

    const got = await request(app).get(`/api/v1/webhooks/${res.body.id}`).set(admin);
    expect(got.status).to.equal(200);
    expect(got.body).to.not.have.property('secret');
    const listed = await request(app).get('/api/v1/webhooks').set(admin);
    expect(JSON.stringify(listed.body)).to.not.include(res.body.secret);
    expect(JSON.stringify(listed.body)).to.not.include('secret');
  });

  it('takes * alone for every event type', async () => {
    const body = await registered({ url: valid.url, eventTypes: ['*', 'customer.created'] });
    expect(body.eventTypes).to.deep.equal(['*']);
  });

  it('refuses a URL that is not https, or names a loopback, private, link-local or metadata address (400, path url)', async () => {
    const refused = [
      'http://hooks.example.com/patron',
      'https://127.0.0.1/hook',
      'https://localhost/hook',
      'https://api.localhost/hook',
      'https://[::1]/hook',
      'https://10.1.2.3/hook',
      'https://192.168.0.10/hook',
      'https://172.16.5.5/hook',
      'https://169.254.169.254/latest/meta-data',
      'https://[fd00::1]/hook',
      'https://[::ffff:127.0.0.1]/hook',
      'https://2130706433/hook', // 127.0.0.1 written as one number
      'https://0x7f.1/hook',
      'https://intranet/hook',
      'https://metadata.google.internal/computeMetadata',
      'https://user:pass@hooks.example.com/hook',
      'ftp://hooks.example.com/hook',
      'not a url',
    ];
    for (const url of refused) {
      const res = await register({ ...valid, url });
      expect(res.status, url).to.equal(400);
      expect(res.body.error.code, url).to.equal('validation_failed');
      expect(
        res.body.error.details.map((d: { path: string }) => d.path),
        url,
      ).to.deep.equal(['url']);
    }
    expect(await owner('webhooks').where({ organization_id: tenant.org.id })).to.have.lengthOf(0);
  });

  it('refuses unknown or no event types, and a store of another organisation', async () => {
    const unknown = await register({ ...valid, eventTypes: ['customer.created', 'customer.exploded'] });
    expect(unknown.status).to.equal(400);
    expect(unknown.body.error.details.map((d: { path: string }) => d.path)).to.deep.equal(['eventTypes.1']);

    const none = await register({ ...valid, eventTypes: [] });
    expect(none.status).to.equal(400);
    expect(none.body.error.details[0].path).to.equal('eventTypes');

    const other = await createTenant();
    const foreign = await register({ ...valid, storeId: other.storeA.id });
    expect(foreign.status).to.equal(400);
    expect(foreign.body.error.details.map((d: { path: string }) => d.path)).to.deep.equal(['storeId']);
  });

  it('lists the webhooks of the organisation only, with keyset pages', async () => {
    const ids = [];
    for (let i = 0; i < 3; i++) ids.push((await registered({ ...valid, url: `https://hooks.example.com/${i}` })).id);
    const other = await createTenant();
    await register(valid, bearer(await tokenFor(other.admin)));

    const first = await request(app).get('/api/v1/webhooks?limit=2').set(admin);
    expect(first.status).to.equal(200);
    expect(first.body.data.map((w: { id: string }) => w.id)).to.deep.equal(ids.slice(0, 2));
    expect(first.body.nextCursor).to.be.a('string');
    const second = await request(app)
      .get('/api/v1/webhooks')
      .query({ limit: 2, cursor: first.body.nextCursor })
      .set(admin);
    expect(second.body.data.map((w: { id: string }) => w.id)).to.deep.equal(ids.slice(2));
    expect(second.body.nextCursor).to.equal(null);

    const forged = await request(app).get('/api/v1/webhooks').query({ cursor: 'abc.def' }).set(admin);
    expect(forged.status).to.equal(400);
  });

  it('changes a webhook with If-Match, refuses a stale version (409) and a private URL (400)', async () => {
    const created = await registered();
    const path = `/api/v1/webhooks/${created.id}`;
    const changed = await request(app)
      .patch(path)
      .set({ ...admin, 'If-Match': '1' })
      .send({ url: 'https://other.example.com/in', eventTypes: ['order.paid'], description: 'orders', active: false });
    expect(changed.status, JSON.stringify(changed.body)).to.equal(200);
    expect(changed.body).to.include({
      url: 'https://other.example.com/in',
      description: 'orders',
      active: false,
      version: 2,
    });
    expect(changed.body.eventTypes).to.deep.equal(['order.paid']);
    expect(changed.body).to.not.have.property('secret');

    const stale = await request(app)
      .patch(path)
      .set({ ...admin, 'If-Match': '1' })
      .send({ active: true });
    expect(stale.status).to.equal(409);
    expect(stale.body.error.code).to.equal('conflict');

    const privateUrl = await request(app).patch(path).set(admin).send({ url: 'https://10.0.0.1/in' });
    expect(privateUrl.status).to.equal(400);
    expect(privateUrl.body.error.details[0].path).to.equal('url');
    expect((await request(app).get(path).set(admin)).body.url).to.equal('https://other.example.com/in');
  });

  it('deletes a webhook (204): it is gone from GET, the list and PATCH, and its pending deliveries fail', async () => {
    const created = await registered();
    const [delivery] = await owner('webhook_deliveries')
      .insert({
        organization_id: tenant.org.id,
        webhook_id: created.id,
        event_id: randomUUID(),
        event_type: 'customer.created',
        payload: {},
      })
      .returning('id');
    const path = `/api/v1/webhooks/${created.id}`;
    expect((await request(app).delete(path).set(admin)).status).to.equal(204);
    expect((await request(app).get(path).set(admin)).status).to.equal(404);
    expect((await request(app).patch(path).set(admin).send({ active: true })).status).to.equal(404);
    expect((await request(app).get(`${path}/deliveries`).set(admin)).status).to.equal(404);
    expect((await request(app).get('/api/v1/webhooks').set(admin)).body.data).to.deep.equal([]);
    expect(await owner('webhook_deliveries').where({ id: delivery.id }).first()).to.include({
      status: 'failed',
      last_error: 'webhook was deleted',
    });
  });

  it("answers 404 for another organisation's webhook, on every route", async () => {
    const created = await registered();
    const other = await createTenant();
    const stranger = bearer(await tokenFor(other.admin));
    const path = `/api/v1/webhooks/${created.id}`;
    expect((await request(app).get(path).set(stranger)).status).to.equal(404);
    expect((await request(app).patch(path).set(stranger).send({ active: false })).status).to.equal(404);
    expect((await request(app).delete(path).set(stranger)).status).to.equal(404);
    expect((await request(app).get(`${path}/deliveries`).set(stranger)).status).to.equal(404);
    const retry = await request(app).post(`${path}/deliveries/${randomUUID()}/retry`).set(stranger).send({});
    expect(retry.status).to.equal(404);
    expect((await request(app).get(path).set(admin)).body.active).to.equal(true);
  });

  it('refuses managers, staff and API keys (403)', async () => {
    const manager = bearer(await tokenFor(tenant.manager));
    expect((await register(valid, manager)).status).to.equal(403);
    expect((await request(app).get('/api/v1/webhooks').set(manager)).status).to.equal(403);
  });

  it('replays a registration sent again with the same Idempotency-Key, creating one webhook', async () => {
    const key = randomUUID();
    const first = await request(app)
      .post('/api/v1/webhooks')
      .set({ ...admin, 'Idempotency-Key': key })
      .send(valid);
    const again = await request(app)
      .post('/api/v1/webhooks')
      .set({ ...admin, 'Idempotency-Key': key })
      .send(valid);
    expect(first.status).to.equal(201);
    expect(again.status).to.equal(201);
    expect(again.body.id).to.equal(first.body.id);
    expect(await owner('webhooks').where({ organization_id: tenant.org.id })).to.have.lengthOf(1);
  });
});
