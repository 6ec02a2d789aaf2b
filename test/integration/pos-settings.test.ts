import { expect } from 'chai';
import request from 'supertest';
import { decryptField } from '../../db/crypto/field-encryption.js';
import { assertPosUrl } from '../../db/pos/pos-settings-service.js';
import { checkPosBaseUrl } from '../../integrations/pos/base-url-guard.js';
import { createQueue, jobId } from '../../jobs/queues.js';
import { bearer, createTenant, tokenFor } from '../support/fixtures.js';
import { testContext } from '../support/test-context.js';

describe('POS settings (PUT/GET /stores/:storeId/pos)', () => {
  const { app, deps, owner } = testContext();
  const queue = createQueue('customer-sync', deps.redis);
  let tenant: Awaited<ReturnType<typeof createTenant>>;
  let admin: Record<string, string>;
  const path = () => `/api/v1/stores/${tenant.storeA.id}/pos`;

  beforeEach(async () => {
    tenant = await createTenant();
    admin = bearer(await tokenFor(tenant.admin));
  });
  afterEach(async () => {
    await queue.removeJobScheduler(jobId('customer-sync', tenant.storeA.id));
  });

  it('stores the credentials encrypted and never answers them, on PUT or GET', async () => {
    const put = await request(app)
      .put(path())
      .set(admin)
      .send({ provider: 'leaflogix', credentials: { apiKey: 'secret-key-123' }, baseUrl: 'http://127.0.0.1:9' });
    expect(put.status, JSON.stringify(put.body)).to.equal(200);
    expect(put.body).to.deep.equal({
      provider: 'leaflogix',
      baseUrl: 'http://127.0.0.1:9',
      authUrl: null,
      syncSchedule: '0 3 * * *',
      lastSync: null,
    });
    const row = await owner('pos_settings').where({ store_id: tenant.storeA.id }).first();
    expect(row.credentials_ciphertext).to.not.include('secret-key-123');
    expect(JSON.parse(decryptField(row.credentials_ciphertext))).to.deep.equal({ apiKey: 'secret-key-123' });

    const get = await request(app).get(path()).set(admin);
    expect(get.status).to.equal(200);
    expect(JSON.stringify(get.body)).to.not.include('secret-key-123');
    expect(get.body).to.not.have.property('credentials');
    expect(get.body.provider).to.equal('leaflogix');
  });

  it('does not start a sync', async () => {
    await request(app)
      .put(path())
      .set(admin)
      .send({ provider: 'leaflogix', credentials: { apiKey: 'k' } })
      .expect(200);
    expect(await owner('customer_syncs').where({ store_id: tenant.storeA.id })).to.have.length(0);
  });

  it('refuses credentials of the wrong shape for the provider with 400 and saves nothing', async () => {
    const res = await request(app)
      .put(path())
      .set(admin)
      .send({ provider: 'blaze', credentials: { apiKey: 'only-one-of-two' } });
    expect(res.status).to.equal(400);
    expect(res.body.error.code).to.equal('validation_failed');
    expect(res.body.error.details[0].path).to.equal('credentials');
    expect(await owner('pos_settings').where({ store_id: tenant.storeA.id })).to.have.length(0);
  });

  it('refuses a baseUrl the guard refuses (here: not a URL) with 400', async () => {
    const res = await request(app)
      .put(path())
      .set(admin)
      .send({ provider: 'leaflogix', credentials: { apiKey: 'k' }, baseUrl: 'ftp://example.test' });
    expect(res.status).to.equal(400);
    expect(res.body.error.details[0].path).to.equal('baseUrl');
  });

  it('in production refuses loopback and private base URLs, and hosts that are not the vendor', async () => {
    for (const url of ['http://127.0.0.1:8080', 'https://127.0.0.1', 'https://10.0.0.5', 'https://169.254.169.254']) {
      expect((await checkPosBaseUrl('leaflogix', url, { development: false })).ok, url).to.equal(false);
    }
    const lookup = async () => [{ address: '10.1.2.3', family: 4 }];
    const rebound = await checkPosBaseUrl('leaflogix', 'https://api.pos.dutchie.com', { development: false, lookup });
    expect(rebound.ok, 'vendor host resolving to a private address').to.equal(false);
    const err = await assertPosUrl('leaflogix', 'baseUrl', 'http://127.0.0.1:8080', { development: false }).catch(
      (e: unknown) => e,
    );
    expect((err as { code: string }).code).to.equal('validation_failed');
    expect((await checkPosBaseUrl('leaflogix', 'http://127.0.0.1:8080', { development: true })).ok).to.equal(true);
  });

  it("puts the store's sync on its cron in the store's time zone, once, moved by a second PUT", async () => {
    await request(app)
      .put(path())
      .set(admin)
      .send({ provider: 'leaflogix', credentials: { apiKey: 'k' } })
      .expect(200);
    const id = jobId('customer-sync', tenant.storeA.id);
    let scheduler = await queue.getJobScheduler(id);
    expect(scheduler?.pattern).to.equal('0 3 * * *');
    expect(scheduler?.tz).to.equal('America/Los_Angeles');
    expect(scheduler?.template?.data).to.deep.equal({
      syncId: 'scheduled',
      storeId: tenant.storeA.id,
      orgId: tenant.org.id,
    });

    await request(app)
      .put(path())
      .set(admin)
      .send({ provider: 'leaflogix', credentials: { apiKey: 'k' }, syncSchedule: '30 4 * * 1' })
      .expect(200);
    scheduler = await queue.getJobScheduler(id);
    expect(scheduler?.pattern).to.equal('30 4 * * 1');
    const all = await queue.getJobSchedulers();
    expect(all.filter((s) => s.key === id)).to.have.length(1);
  });

  it('refuses a schedule that is not a cron expression', async () => {
    const res = await request(app)
      .put(path())
      .set(admin)
      .send({ provider: 'leaflogix', credentials: { apiKey: 'k' }, syncSchedule: 'every day' });
    expect(res.status).to.equal(400);
    expect(res.body.error.details[0].path).to.equal('syncSchedule');
  });

  it('answers 404 for a store of another organisation and GET before any PUT', async () => {
    const other = await createTenant();
    const res = await request(app)
      .put(`/api/v1/stores/${other.storeA.id}/pos`)
      .set(admin)
      .send({
        provider: 'leaflogix',
        credentials: { apiKey: 'k' },
      });
    expect(res.status).to.equal(404);
    expect((await request(app).get(path()).set(admin)).status).to.equal(404);
  });

  it('refuses managers (admin only)', async () => {
    const manager = bearer(await tokenFor(tenant.manager));
    const res = await request(app)
      .put(path())
      .set(manager)
      .send({ provider: 'leaflogix', credentials: { apiKey: 'k' } });
    expect(res.status).to.equal(403);
  });
});
