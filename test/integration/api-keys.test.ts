import { expect } from 'chai';
import express from 'express';
import request from 'supertest';
import { hashApiKey } from '../../db/api-keys/api-key-secret.js';
import type { AppDeps } from '../../server/app-deps.js';
import { mountRoutes } from '../../server/http/mount-routes.js';
import { authenticate } from '../../server/middleware/authenticate.js';
import { authorize } from '../../server/middleware/authorize.js';
import { errorHandler } from '../../server/middleware/error-handler.js';
import { requestContext } from '../../server/middleware/request-context.js';
import { bearer, createTenant, tokenFor } from '../support/fixtures.js';
import { testContext } from '../support/test-context.js';

/**
 * Few store routes exist yet that keys may call, so this app serves two: 'me.get' (any credential)
 * and a store-scoped route open to staff and API keys, behind the real authenticate and authorize.
 */
function probeApp(deps: AppDeps): express.Express {
  const app = express();
  app.use(requestContext);
  mountRoutes(
    app,
    [
      {
        method: 'get',
        path: '/probe/me',
        policy: 'me.get',
        summary: 'probe',
        tag: 'test',
        responses: { 200: { description: 'the principal' } },
        handler: (_req, res) => res.json(res.locals.principal),
      },
    ],
    deps,
  );
  const storeStaff = { access: 'authenticated', scope: 'store', minRole: 'staff', apiKeys: true } as const;
  app.get('/probe/stores/:storeId', authenticate(deps), authorize(storeStaff, deps), (_req, res) => {
    res.json({ storeId: res.locals.store!.id, principal: res.locals.principal });
  });
  app.use(errorHandler(deps.logger));
  return app;
}

describe('store API keys', () => {
  const { app, deps, owner } = testContext();
  const probe = probeApp(deps);
  const keysOf = (storeId: string) => `/api/v1/stores/${storeId}/api-keys`;

  async function createKey(token: string, storeId: string, body: object = { name: 'Kiosk 1', role: 'staff' }) {
    return request(app).post(keysOf(storeId)).set(bearer(token)).send(body);
  }

  describe('POST /stores/:storeId/api-keys', () => {
    it('creates a key, shows its secret once and stores only its hash', async () => {
      const { org, storeA, admin } = await createTenant();
      const res = await createKey(await tokenFor(admin), storeA.id, { name: '  Checkout service ', role: 'manager' });
      expect(res.status).to.equal(201);
      expect(res.body).to.have.keys(
        'id',
        'storeId',
        'name',
        'role',
        'prefix',
        'createdAt',
        'lastUsedAt',
        'revokedAt',
        'key',
      );
      expect(res.body).to.include({
        storeId: storeA.id,
        name: 'Checkout service',
        role: 'manager',
        lastUsedAt: null,
        revokedAt: null,
      });
      expect(res.body.key).to.match(/^pk_live_[0-9a-f]{16}_[A-Za-z0-9_-]{43}$/);
      expect(res.body.key.startsWith(`${res.body.prefix}_`)).to.equal(true);

      const row = await owner('api_keys').where({ id: res.body.id }).first();
      expect(row).to.include({
        organization_id: org.id,
        store_id: storeA.id,
        key_hash: hashApiKey(res.body.key),
        created_by: admin.id,
      });
      expect(JSON.stringify(row)).to.not.include(res.body.key.slice(res.body.prefix.length + 1));

      const audit = await owner('audit_log').where({ subject_id: res.body.id });
      expect(audit).to.have.length(1);
      expect(audit[0]).to.include({ action: 'api_key.created', actor_id: admin.id, store_id: storeA.id });
    });

    it('never shows the secret or its hash again in the list', async () => {
      const { storeA, admin } = await createTenant();
      const token = await tokenFor(admin);
      const created = await createKey(token, storeA.id);
      const list = await request(app).get(keysOf(storeA.id)).set(bearer(token));
      expect(list.status).to.equal(200);
      expect(list.body.data).to.have.length(1);
      const { key: _, ...shown } = created.body;
      expect(list.body.data[0]).to.deep.equal(shown);
      expect(JSON.stringify(list.body)).to.not.include(created.body.key);
      expect(JSON.stringify(list.body)).to.not.include(hashApiKey(created.body.key));
    });

    it('refuses a missing or overlong name and a role other than staff or manager', async () => {
      const { storeA, admin } = await createTenant();
      const token = await tokenFor(admin);
      for (const body of [
        { name: '', role: 'staff' },
        { name: 'x'.repeat(101), role: 'staff' },
        { name: 'Kiosk', role: 'admin' },
        { role: 'staff' },
      ]) {
        const res = await createKey(token, storeA.id, body);
        expect(res.status, JSON.stringify(body)).to.equal(400);
        expect(res.body.error.code).to.equal('validation_failed');
      }
      expect((await createKey(token, storeA.id, { name: 'x'.repeat(100), role: 'manager' })).status).to.equal(201);
    });
  });

  describe('GET /stores/:storeId/api-keys', () => {
    it('pages in creation order and lists only keys of that store', async () => {
      const { storeA, storeB, admin } = await createTenant();
      const token = await tokenFor(admin);
      const ids: string[] = [];
      for (const name of ['one', 'two', 'three'])
        ids.push((await createKey(token, storeA.id, { name, role: 'staff' })).body.id);
      await createKey(token, storeB.id);

      const first = await request(app).get(keysOf(storeA.id)).query({ limit: 2 }).set(bearer(token));
      expect(first.status).to.equal(200);
      expect(first.body.data.map((k: { id: string }) => k.id)).to.deep.equal(ids.slice(0, 2));
      expect(first.body.nextCursor).to.be.a('string');
      const second = await request(app)
        .get(keysOf(storeA.id))
        .query({ limit: 2, cursor: first.body.nextCursor })
        .set(bearer(token));
      expect(second.body.data.map((k: { id: string }) => k.id)).to.deep.equal(ids.slice(2));
      expect(second.body.nextCursor).to.equal(null);
    });

    it('returns every key exactly once when keys share a creation instant', async () => {
      const { org, storeA, admin } = await createTenant();
      const createdAt = '2026-01-31T17:04:05.123456Z';
      const rows = await owner('api_keys')
        .insert(
          [1, 2, 3].map((n) => ({
            organization_id: org.id,
            store_id: storeA.id,
            name: `tied ${n}`,
            prefix: `pk_live_tie${n}${Math.random().toString(16).slice(2, 14)}`,
            key_hash: 'x',
            role: 'staff',
            created_at: createdAt,
          })),
        )
        .returning('id');
      const token = await tokenFor(admin);
      const seen: string[] = [];
      let cursor: string | undefined;
      do {
        const res = await request(app)
          .get(keysOf(storeA.id))
          .query(cursor ? { limit: 1, cursor } : { limit: 1 })
          .set(bearer(token));
        expect(res.status).to.equal(200);
        seen.push(...res.body.data.map((k: { id: string }) => k.id));
        cursor = res.body.nextCursor ?? undefined;
      } while (cursor && seen.length < 10);
      expect(seen).to.deep.equal(rows.map((r: { id: string }) => r.id).sort());
    });

    it('refuses a forged cursor and a limit out of range with 400', async () => {
      const { storeA, admin } = await createTenant();
      const token = await tokenFor(admin);
      for (const query of [{ cursor: 'forged.cursor' }, { limit: 0 }, { limit: 101 }]) {
        const res = await request(app).get(keysOf(storeA.id)).query(query).set(bearer(token));
        expect(res.status, JSON.stringify(query)).to.equal(400);
        expect(res.body.error.code).to.equal('validation_failed');
      }
    });
  });

  describe('using a key', () => {
    it('works on a store route of its own store and is not found on another store', async () => {
      const { org, storeA, storeB, admin } = await createTenant();
      const { body } = await createKey(await tokenFor(admin), storeA.id, { name: 'Kiosk', role: 'staff' });

      const own = await request(probe).get(`/probe/stores/${storeA.id}`).set(bearer(body.key));
      expect(own.status).to.equal(200);
      expect(own.body.storeId).to.equal(storeA.id);
      expect(own.body.principal).to.deep.equal({
        kind: 'api_key',
        keyId: body.id,
        orgId: org.id,
        storeId: storeA.id,
        role: 'staff',
      });
      const other = await request(probe).get(`/probe/stores/${storeB.id}`).set(bearer(body.key));
      expect(other.status).to.equal(404);
      expect(other.body.error.code).to.equal('not_found');

      const me = await request(probe).get('/probe/me').set(bearer(body.key));
      expect(me.status).to.equal(200);
    });

    it('cannot manage API keys, even of its own store (403)', async () => {
      const { storeA, admin } = await createTenant();
      const { body } = await createKey(await tokenFor(admin), storeA.id, { name: 'Ops', role: 'manager' });
      const list = await request(app).get(keysOf(storeA.id)).set(bearer(body.key));
      expect(list.status).to.equal(403);
      expect(list.body.error.code).to.equal('forbidden');
      expect((await createKey(body.key, storeA.id)).status).to.equal(403);
    });

    it('is refused with 401 when a character of its secret is changed', async () => {
      const { storeA, admin } = await createTenant();
      const { body } = await createKey(await tokenFor(admin), storeA.id);
      const last = body.key.at(-1) === 'A' ? 'B' : 'A';
      const res = await request(probe)
        .get('/probe/me')
        .set(bearer(`${body.key.slice(0, -1)}${last}`));
      expect(res.status).to.equal(401);
    });
  });

  describe('DELETE /stores/:storeId/api-keys/:keyId', () => {
    it('revokes a key: it is refused with 401 from then on; revoking again is a no-op 204', async () => {
      const { storeA, admin } = await createTenant();
      const token = await tokenFor(admin);
      const { body } = await createKey(token, storeA.id);
      expect((await request(probe).get('/probe/me').set(bearer(body.key))).status).to.equal(200);

      const res = await request(app)
        .delete(`${keysOf(storeA.id)}/${body.id}`)
        .set(bearer(token));
      expect(res.status).to.equal(204);
      const used = await request(probe).get(`/probe/stores/${storeA.id}`).set(bearer(body.key));
      expect(used.status).to.equal(401);
      expect(used.body.error.code).to.equal('unauthenticated');

      const row = await owner('api_keys').where({ id: body.id }).first('revoked_at');
      expect(row.revoked_at).to.be.an.instanceOf(Date);
      const again = await request(app)
        .delete(`${keysOf(storeA.id)}/${body.id}`)
        .set(bearer(token));
      expect(again.status).to.equal(204);
      const unchanged = await owner('api_keys').where({ id: body.id }).first('revoked_at');
      expect(unchanged.revoked_at.getTime()).to.equal(row.revoked_at.getTime());

      const audit = await owner('audit_log').where({ subject_id: body.id, action: 'api_key.revoked' });
      expect(audit).to.have.length(1);
      expect(audit[0]).to.include({ actor_id: admin.id, store_id: storeA.id });

      const listed = await request(app).get(keysOf(storeA.id)).set(bearer(token));
      expect(new Date(listed.body.data[0].revokedAt).getTime()).to.equal(row.revoked_at.getTime());
    });

    it('answers 404 for a key of another store, an unknown key and a malformed id', async () => {
      const { storeA, storeB, admin } = await createTenant();
      const token = await tokenFor(admin);
      const { body } = await createKey(token, storeA.id);
      for (const path of [
        `${keysOf(storeB.id)}/${body.id}`,
        `${keysOf(storeA.id)}/00000000-0000-4000-8000-000000000000`,
        `${keysOf(storeA.id)}/not-a-uuid`,
      ]) {
        const res = await request(app).delete(path).set(bearer(token));
        expect(res.status, path).to.equal(404);
        expect(res.body.error.code).to.equal('not_found');
      }
      expect((await owner('api_keys').where({ id: body.id }).first('revoked_at')).revoked_at).to.equal(null);
    });
  });

  describe('who may manage keys', () => {
    async function everyManagementCall(storeId: string, keyId: string, token: string) {
      return [
        ['list', await request(app).get(keysOf(storeId)).set(bearer(token))],
        ['create', await createKey(token, storeId, { name: 'Mine', role: 'staff' })],
        [
          'revoke',
          await request(app)
            .delete(`${keysOf(storeId)}/${keyId}`)
            .set(bearer(token)),
        ],
      ] as const;
    }

    it('refuses staff and managers of the store with 403', async () => {
      const { storeA, staff, manager, admin } = await createTenant();
      const { body } = await createKey(await tokenFor(admin), storeA.id);
      for (const user of [staff, manager]) {
        const token = await tokenFor(user);
        for (const [call, res] of await everyManagementCall(storeA.id, body.id, token)) {
          expect(res.status, `${user.role} ${call}`).to.equal(403);
          expect(res.body.error.code).to.equal('forbidden');
        }
      }
      expect(await owner('api_keys').where({ store_id: storeA.id })).to.have.length(1);
    });

    it('answers an admin of another organisation with 404', async () => {
      const { storeA, admin } = await createTenant();
      const stranger = (await createTenant()).admin;
      const { body } = await createKey(await tokenFor(admin), storeA.id);
      const token = await tokenFor(stranger);
      for (const [call, res] of await everyManagementCall(storeA.id, body.id, token)) {
        expect(res.status, call).to.equal(404);
        expect(res.body.error.code).to.equal('not_found');
      }
      expect((await owner('api_keys').where({ id: body.id }).first('revoked_at')).revoked_at).to.equal(null);
    });
  });

  it('documents the API key routes in /openapi.json', async () => {
    const res = await request(app).get('/openapi.json');
    const path = res.body.paths['/api/v1/stores/{storeId}/api-keys'];
    expect(path.post.responses['201'].content['application/json'].schema.required).to.include('key');
    expect(path.get.responses['200'].content['application/json'].schema.required).to.have.members([
      'data',
      'nextCursor',
    ]);
    expect(res.body.paths['/api/v1/stores/{storeId}/api-keys/{keyId}'].delete.responses).to.have.property('204');
  });
});
