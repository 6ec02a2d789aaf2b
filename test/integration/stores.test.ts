import { expect } from 'chai';
import request from 'supertest';
import { generateApiKey } from '../../db/api-keys/api-key-secret.js';
import { bearer, createSysadmin, createTenant, tokenFor } from '../support/fixtures.js';
import { testContext } from '../support/test-context.js';

describe('stores', () => {
  const { app, owner } = testContext();

  async function adminOfNewTenant() {
    const tenant = await createTenant();
    return { ...tenant, auth: bearer(await tokenFor(tenant.admin)) };
  }

  const validStore = { name: 'Downtown', timezone: 'America/New_York' };

  describe('POST /api/v1/stores', () => {
    it('creates a store with US/USD defaults, version 1 and a store.created audit row', async () => {
      const { org, admin, auth } = await adminOfNewTenant();
      const res = await request(app).post('/api/v1/stores').set(auth).send(validStore);
      expect(res.status).to.equal(201);
      expect(res.body).to.include({
        organizationId: org.id,
        name: 'Downtown',
        timezone: 'America/New_York',
        country: 'US',
        currency: 'USD',
        externalAccountId: null,
        version: 1,
      });
      expect(res.body.id).to.match(/^[0-9a-f-]{36}$/);
      expect(Date.parse(res.body.createdAt)).to.be.a('number').and.not.NaN;
      const audit = await owner('audit_log').where({ subject_id: res.body.id });
      expect(audit).to.have.length(1);
      expect(audit[0]).to.include({
        action: 'store.created',
        organization_id: org.id,
        store_id: res.body.id,
        actor_type: 'user',
        actor_id: admin.id,
      });
    });

    it('accepts UTC, lower-case codes (stored upper-case) and an external account id', async () => {
      const { auth } = await adminOfNewTenant();
      const res = await request(app)
        .post('/api/v1/stores')
        .set(auth)
        .send({ name: ' Zurich ', timezone: 'UTC', country: 'ch', currency: 'chf', externalAccountId: 'acct-42' });
      expect(res.status).to.equal(201);
      expect(res.body).to.include({
        name: 'Zurich',
        timezone: 'UTC',
        country: 'CH',
        currency: 'CHF',
        externalAccountId: 'acct-42',
      });
    });

    it('reports every invalid field at once', async () => {
      const { auth } = await adminOfNewTenant();
      const res = await request(app)
        .post('/api/v1/stores')
        .set(auth)
        .send({
          name: '',
          timezone: 'Mars/Olympus_Mons',
          country: 'UK',
          currency: 'XYZ',
          externalAccountId: 'x'.repeat(201),
        });
      expect(res.status).to.equal(400);
      expect(res.body.error.code).to.equal('validation_failed');
      const paths = res.body.error.details.map((d: { path: string }) => d.path).sort();
      expect(paths).to.deep.equal(['country', 'currency', 'externalAccountId', 'name', 'timezone']);
      const country = res.body.error.details.find((d: { path: string }) => d.path === 'country');
      expect(country.message).to.match(/ISO 3166-1/);
    });

    it('requires name and timezone', async () => {
      const { auth } = await adminOfNewTenant();
      const res = await request(app).post('/api/v1/stores').set(auth).send({});
      expect(res.status).to.equal(400);
      const paths = res.body.error.details.map((d: { path: string }) => d.path).sort();
      expect(paths).to.deep.equal(['name', 'timezone']);
    });

    it('refuses staff and managers with 403 and API keys with 403', async () => {
      const { org, staff, manager, storeA } = await createTenant();
      for (const user of [staff, manager]) {
        const res = await request(app)
          .post('/api/v1/stores')
          .set(bearer(await tokenFor(user)))
          .send(validStore);
        expect(res.status).to.equal(403);
        expect(res.body.error.code).to.equal('forbidden');
      }
      const key = generateApiKey();
      await owner('api_keys').insert({
        organization_id: org.id,
        store_id: storeA.id,
        name: 'kiosk',
        prefix: key.prefix,
        key_hash: key.hash,
        role: 'manager',
      });
      const res = await request(app).get('/api/v1/stores').set(bearer(key.key));
      expect(res.status).to.equal(403);
      expect(await owner('stores').where({ organization_id: org.id })).to.have.length(2);
    });
  });

  describe('GET /api/v1/stores', () => {
    it("pages through the organisation's stores only, with a cursor that rejects forgeries", async () => {
      const { org, storeA, storeB, auth } = await adminOfNewTenant();
      const other = await createTenant();
      const seen: string[] = [];
      let cursor: string | null = null;
      do {
        const res: request.Response = await request(app)
          .get('/api/v1/stores')
          .query(cursor ? { limit: 1, cursor } : { limit: 1 })
          .set(auth);
        expect(res.status).to.equal(200);
        expect(res.body.data.length).to.be.at.most(1);
        for (const store of res.body.data) {
          expect(store.organizationId).to.equal(org.id);
          seen.push(store.id);
        }
        cursor = res.body.nextCursor;
      } while (cursor);
      expect(seen).to.have.members([storeA.id, storeB.id]);
      expect(seen).to.have.length(2);
      expect(seen).to.not.include(other.storeA.id);

      const forged = await request(app).get('/api/v1/stores').query({ cursor: 'abc.def' }).set(auth);
      expect(forged.status).to.equal(400);
      const tooMany = await request(app).get('/api/v1/stores').query({ limit: 101 }).set(auth);
      expect(tooMany.status).to.equal(400);
    });

    it('lets a sysadmin list the stores of the organisation named in X-Organization-Id', async () => {
      const { org, storeA, storeB } = await createTenant();
      const sysadmin = await createSysadmin();
      const res = await request(app)
        .get('/api/v1/stores')
        .set(bearer(await tokenFor(sysadmin)))
        .set('X-Organization-Id', org.id);
      expect(res.status).to.equal(200);
      expect(res.body.data.map((s: { id: string }) => s.id)).to.have.members([storeA.id, storeB.id]);
    });
  });

  describe('GET /api/v1/stores/:storeId', () => {
    it('answers the whole store to an admin', async () => {
      const { org, storeB, auth } = await adminOfNewTenant();
      const res = await request(app).get(`/api/v1/stores/${storeB.id}`).set(auth);
      expect(res.status).to.equal(200);
      expect(res.body).to.include({
        id: storeB.id,
        organizationId: org.id,
        country: 'US',
        currency: 'USD',
        version: 1,
      });
      expect(res.body).to.have.all.keys(
        'id',
        'organizationId',
        'name',
        'timezone',
        'country',
        'currency',
        'externalAccountId',
        'version',
        'createdAt',
        'updatedAt',
      );
    });

    it('answers 404 to staff and managers for a store they were not granted, 403 for their own', async () => {
      const { staff, manager, storeA, storeB } = await createTenant();
      for (const user of [staff, manager]) {
        const auth = bearer(await tokenFor(user));
        const notGranted = await request(app).get(`/api/v1/stores/${storeB.id}`).set(auth);
        expect(notGranted.status).to.equal(404);
        expect(notGranted.body.error.code).to.equal('not_found');
        const granted = await request(app).get(`/api/v1/stores/${storeA.id}`).set(auth);
        expect(granted.status).to.equal(403);
        const patch = await request(app).patch(`/api/v1/stores/${storeB.id}`).set(auth).send({ name: 'Mine now' });
        expect(patch.status).to.equal(404);
      }
    });

    it('answers 404 for an id that is not a uuid or does not exist', async () => {
      const { auth } = await adminOfNewTenant();
      expect((await request(app).get('/api/v1/stores/not-a-uuid').set(auth)).status).to.equal(404);
      expect((await request(app).get('/api/v1/stores/00000000-0000-4000-8000-000000000000').set(auth)).status).to.equal(
        404,
      );
    });
  });

  describe('PATCH /api/v1/stores/:storeId', () => {
    it('changes the fields given, bumps the version and audits the changed field names', async () => {
      const { storeA, auth } = await adminOfNewTenant();
      const res = await request(app)
        .patch(`/api/v1/stores/${storeA.id}`)
        .set(auth)
        .set('If-Match', '1')
        .send({ name: 'Renamed', currency: 'CAD', country: 'US' });
      expect(res.status).to.equal(200);
      expect(res.body).to.include({ name: 'Renamed', currency: 'CAD', country: 'US', version: 2 });
      expect(new Date(res.body.updatedAt).getTime()).to.be.greaterThan(new Date(res.body.createdAt).getTime());
      const audit = await owner('audit_log').where({ subject_id: storeA.id, action: 'store.updated' });
      expect(audit).to.have.length(1);
      expect(audit[0].changed_fields).to.have.members(['name', 'currency']);
    });

    it('bumps the version without If-Match and can clear the external account id', async () => {
      const { storeA, auth } = await adminOfNewTenant();
      await owner('stores').where({ id: storeA.id }).update({ external_account_id: 'acct-1' });
      const res = await request(app)
        .patch(`/api/v1/stores/${storeA.id}`)
        .set(auth)
        .send({ externalAccountId: null, timezone: 'Europe/Paris' });
      expect(res.status).to.equal(200);
      expect(res.body).to.include({ externalAccountId: null, timezone: 'Europe/Paris', version: 2 });
    });

    it('answers 409 conflict for a stale If-Match and leaves the store unchanged', async () => {
      const { storeA, auth } = await adminOfNewTenant();
      await request(app).patch(`/api/v1/stores/${storeA.id}`).set(auth).send({ name: 'First' });
      const res = await request(app)
        .patch(`/api/v1/stores/${storeA.id}`)
        .set(auth)
        .set('If-Match', '"1"')
        .send({ name: 'Second' });
      expect(res.status).to.equal(409);
      expect(res.body.error.code).to.equal('conflict');
      expect(res.body.error.details[0]).to.include({ path: 'If-Match', currentVersion: 2 });
      const row = await owner('stores').where({ id: storeA.id }).first();
      expect(row).to.include({ name: 'First', version: 2 });
    });

    it('lets exactly one of several concurrent PATCHes with the same version win', async () => {
      const { storeA, auth } = await adminOfNewTenant();
      const results = await Promise.all(
        ['A', 'B', 'C', 'D'].map((n) =>
          request(app)
            .patch(`/api/v1/stores/${storeA.id}`)
            .set(auth)
            .set('If-Match', '1')
            .send({ name: `Name ${n}` }),
        ),
      );
      const statuses = results.map((r) => r.status).sort();
      expect(statuses).to.deep.equal([200, 409, 409, 409]);
      const winner = results.find((r) => r.status === 200)!;
      const row = await owner('stores').where({ id: storeA.id }).first();
      expect(row).to.include({ name: winner.body.name, version: 2 });
    });

    it('refuses an empty patch, a malformed If-Match and an invalid zone', async () => {
      const { storeA, auth } = await adminOfNewTenant();
      const empty = await request(app).patch(`/api/v1/stores/${storeA.id}`).set(auth).send({});
      expect(empty.status).to.equal(400);
      const badHeader = await request(app)
        .patch(`/api/v1/stores/${storeA.id}`)
        .set(auth)
        .set('If-Match', 'yesterday')
        .send({ name: 'x' });
      expect(badHeader.status).to.equal(400);
      expect(badHeader.body.error.details[0].path).to.equal('If-Match');
      const badZone = await request(app)
        .patch(`/api/v1/stores/${storeA.id}`)
        .set(auth)
        .send({ timezone: 'america/new_york', version: 3 });
      expect(badZone.status).to.equal(400);
      expect(badZone.body.error.details.map((d: { path: string }) => d.path)).to.deep.equal(['timezone']);
      const row = await owner('stores').where({ id: storeA.id }).first();
      expect(row.version).to.equal(1);
    });
  });
});
