import { randomBytes, randomUUID } from 'node:crypto';
import { expect } from 'chai';
import request from 'supertest';
import { verifyPassword } from '../../db/auth/password.js';
import {
  bearer,
  createSysadmin,
  createTenant,
  createUser,
  tokenFor,
  uniqueEmail,
  type UserFixture,
} from '../support/fixtures.js';
import { testContext } from '../support/test-context.js';

describe('users', () => {
  const { app, owner, deps } = testContext();

  async function adminOfNewTenant() {
    const tenant = await createTenant();
    return { ...tenant, auth: bearer(await tokenFor(tenant.admin)) };
  }

  /** A live session of the user: a refresh-token row whose family is the access token's session id. */
  async function openSession(user: UserFixture): Promise<{ sessionId: string; token: string }> {
    const sessionId = randomUUID();
    await owner('refresh_tokens').insert({
      organization_id: user.orgId,
      user_id: user.id,
      family_id: sessionId,
      token_hash: randomBytes(32).toString('hex'),
      expires_at: new Date(Date.now() + 86_400_000),
    });
    return { sessionId, token: await tokenFor(user, sessionId) };
  }

  async function sessionEnded(sessionId: string): Promise<boolean> {
    const rows = await owner('refresh_tokens').where({ family_id: sessionId });
    return rows.every((r) => r.revoked_at !== null) && (await deps.sessions.isRevoked(sessionId));
  }

  const newUser = (overrides: Record<string, unknown> = {}) => ({
    email: uniqueEmail('new'),
    password: 'a long enough password',
    name: 'Nia Newcomer',
    role: 'staff',
    storeIds: [],
    ...overrides,
  });

  describe('POST /api/v1/users', () => {
    it('creates a staff user with their stores, a lower-cased email, a hashed password and an audit row', async () => {
      const { org, storeA, storeB, admin, auth } = await adminOfNewTenant();
      const email = uniqueEmail('MixedCase').toUpperCase();
      const res = await request(app)
        .post('/api/v1/users')
        .set(auth)
        .send(newUser({ email, storeIds: [storeB.id, storeA.id] }));
      expect(res.status).to.equal(201);
      expect(res.body).to.include({
        organizationId: org.id,
        email: email.toLowerCase(),
        name: 'Nia Newcomer',
        role: 'staff',
        version: 1,
        lastLoginAt: null,
      });
      expect(res.body.storeIds).to.have.members([storeA.id, storeB.id]);
      expect(res.body).to.not.have.any.keys('password', 'passwordHash', 'password_hash');
      const row = await owner('users').where({ id: res.body.id }).first();
      expect(await verifyPassword('a long enough password', row.password_hash)).to.equal(true);
      const grants = await owner('user_store_access').where({ user_id: res.body.id }).pluck('store_id');
      expect(grants).to.have.members([storeA.id, storeB.id]);
      const audit = await owner('audit_log').where({ subject_id: res.body.id });
      expect(audit).to.have.length(1);
      expect(audit[0]).to.include({ action: 'user.created', actor_id: admin.id, organization_id: org.id });
    });

    it('gives an admin no store grants: admins reach every store', async () => {
      const { storeA, auth } = await adminOfNewTenant();
      const res = await request(app)
        .post('/api/v1/users')
        .set(auth)
        .send(newUser({ role: 'admin', storeIds: [storeA.id] }));
      expect(res.status).to.equal(201);
      expect(res.body.storeIds).to.deep.equal([]);
      expect(await owner('user_store_access').where({ user_id: res.body.id })).to.have.length(0);
    });

    it('reports every invalid field at once, including the sysadmin role', async () => {
      const { auth } = await adminOfNewTenant();
      const res = await request(app)
        .post('/api/v1/users')
        .set(auth)
        .send({ email: 'not-an-email', password: 'short', name: '', role: 'sysadmin', storeIds: ['nope'] });
      expect(res.status).to.equal(400);
      expect(res.body.error.code).to.equal('validation_failed');
      const paths = res.body.error.details.map((d: { path: string }) => d.path).sort();
      expect(paths).to.deep.equal(['email', 'name', 'password', 'role', 'storeIds.0']);
      const role = res.body.error.details.find((d: { path: string }) => d.path === 'role');
      expect(role.message).to.match(/staff, manager or admin/);
    });

    it('refuses storeIds that are not stores of the organisation, naming each one', async () => {
      const { storeA, auth } = await adminOfNewTenant();
      const foreign = await createTenant();
      const missing = randomUUID();
      const email = uniqueEmail('misgranted');
      const res = await request(app)
        .post('/api/v1/users')
        .set(auth)
        .send(newUser({ email, storeIds: [storeA.id, foreign.storeA.id, missing] }));
      expect(res.status).to.equal(400);
      expect(res.body.error.code).to.equal('validation_failed');
      expect(res.body.error.details.map((d: { storeId: string }) => d.storeId)).to.have.members([
        foreign.storeA.id,
        missing,
      ]);
      expect(res.body.error.details.map((d: { path: string }) => d.path)).to.have.members(['storeIds.1', 'storeIds.2']);
      expect(await owner('users').where({ email })).to.have.length(0);
    });

    it('answers 409 when the email is in use, in any case and in any organisation', async () => {
      const { auth } = await adminOfNewTenant();
      const other = await createTenant();
      for (const email of [other.staff.email.toUpperCase(), other.staff.email]) {
        const res = await request(app).post('/api/v1/users').set(auth).send(newUser({ email }));
        expect(res.status).to.equal(409);
        expect(res.body.error).to.include({ code: 'conflict', message: 'email already in use' });
      }
      expect(await owner('users').where({ email: other.staff.email })).to.have.length(1);
    });

    it('refuses staff and managers with 403', async () => {
      const { staff, manager } = await createTenant();
      for (const user of [staff, manager]) {
        const res = await request(app)
          .post('/api/v1/users')
          .set(bearer(await tokenFor(user)))
          .send(newUser());
        expect(res.status).to.equal(403);
      }
    });

    it('lets a sysadmin add a user to the organisation named by organizationId', async () => {
      const { org } = await createTenant();
      const sysadmin = await createSysadmin();
      const res = await request(app)
        .post('/api/v1/users')
        .set(bearer(await tokenFor(sysadmin)))
        .send(newUser({ role: 'admin', organizationId: org.id }));
      expect(res.status).to.equal(201);
      expect(res.body).to.include({ organizationId: org.id, role: 'admin' });
      const audit = await owner('audit_log').where({ subject_id: res.body.id }).first();
      expect(audit).to.include({ actor_id: sysadmin.id, organization_id: org.id });
    });

    it('asks a sysadmin to name the organisation and answers 404 for one that does not exist', async () => {
      const sysadmin = await createSysadmin();
      const auth = bearer(await tokenFor(sysadmin));
      const unnamed = await request(app).post('/api/v1/users').set(auth).send(newUser());
      expect(unnamed.status).to.equal(400);
      const unknown = await request(app)
        .post('/api/v1/users')
        .set(auth)
        .send(newUser({ organizationId: randomUUID() }));
      expect(unknown.status).to.equal(404);
    });

    it("answers 404 when an admin names another organisation's id", async () => {
      const { auth } = await adminOfNewTenant();
      const other = await createTenant();
      const email = uniqueEmail('intruder');
      const res = await request(app)
        .post('/api/v1/users')
        .set(auth)
        .send(newUser({ email, organizationId: other.org.id }));
      expect(res.status).to.equal(404);
      expect(await owner('users').where({ email })).to.have.length(0);
    });
  });

  describe('GET /api/v1/users', () => {
    it('lists the live users of the organisation, filtered by role and paged', async () => {
      const { org, staff, manager, admin, auth } = await adminOfNewTenant();
      const gone = await createUser({ orgId: org.id, role: 'staff' });
      await owner('users').where({ id: gone.id }).update({ deleted_at: new Date() });
      await createTenant();

      const seen: string[] = [];
      let cursor: string | null = null;
      do {
        const res: request.Response = await request(app)
          .get('/api/v1/users')
          .query(cursor ? { limit: 2, cursor } : { limit: 2 })
          .set(auth);
        expect(res.status).to.equal(200);
        for (const u of res.body.data) {
          expect(u.organizationId).to.equal(org.id);
          seen.push(u.id);
        }
        cursor = res.body.nextCursor;
      } while (cursor);
      expect(seen).to.have.members([staff.id, manager.id, admin.id]);
      expect(seen).to.have.length(3);

      const managers = await request(app).get('/api/v1/users').query({ role: 'manager' }).set(auth);
      expect(managers.body.data.map((u: { id: string }) => u.id)).to.deep.equal([manager.id]);
      expect(managers.body.data[0].storeIds).to.have.length(1);
      const bad = await request(app).get('/api/v1/users').query({ role: 'king' }).set(auth);
      expect(bad.status).to.equal(400);
    });
  });

  describe('PATCH /api/v1/users/:userId', () => {
    it('renames with If-Match, bumps the version and keeps the sessions', async () => {
      const { staff, auth } = await adminOfNewTenant();
      const session = await openSession(staff);
      const res = await request(app)
        .patch(`/api/v1/users/${staff.id}`)
        .set(auth)
        .set('If-Match', '1')
        .send({ name: 'Sam Renamed' });
      expect(res.status).to.equal(200);
      expect(res.body).to.include({ name: 'Sam Renamed', version: 2 });
      expect(await sessionEnded(session.sessionId)).to.equal(false);
      const me = await request(app).get('/api/v1/me').set(bearer(session.token));
      expect(me.status).to.equal(200);
      const audit = await owner('audit_log').where({ subject_id: staff.id, action: 'user.updated' });
      expect(audit[0].changed_fields).to.deep.equal(['name']);
    });

    it('changing the role ends every session of the user', async () => {
      const { staff, auth } = await adminOfNewTenant();
      const first = await openSession(staff);
      const second = await openSession(staff);
      const res = await request(app).patch(`/api/v1/users/${staff.id}`).set(auth).send({ role: 'manager' });
      expect(res.status).to.equal(200);
      expect(res.body).to.include({ role: 'manager', version: 2 });
      expect(await sessionEnded(first.sessionId)).to.equal(true);
      expect(await sessionEnded(second.sessionId)).to.equal(true);
      const me = await request(app).get('/api/v1/me').set(bearer(first.token));
      expect(me.status).to.equal(401);
    });

    it('replacing the stores ends the sessions and changes the grants', async () => {
      const { staff, storeB, auth } = await adminOfNewTenant();
      const session = await openSession(staff);
      const res = await request(app)
        .patch(`/api/v1/users/${staff.id}`)
        .set(auth)
        .send({ storeIds: [storeB.id] });
      expect(res.status).to.equal(200);
      expect(res.body.storeIds).to.deep.equal([storeB.id]);
      expect(await owner('user_store_access').where({ user_id: staff.id }).pluck('store_id')).to.deep.equal([
        storeB.id,
      ]);
      expect(await sessionEnded(session.sessionId)).to.equal(true);
    });

    it('a new password is hashed, replaces the old one and ends the sessions', async () => {
      const { staff, auth } = await adminOfNewTenant();
      const session = await openSession(staff);
      const res = await request(app)
        .patch(`/api/v1/users/${staff.id}`)
        .set(auth)
        .send({ password: 'a brand new passphrase' });
      expect(res.status).to.equal(200);
      const row = await owner('users').where({ id: staff.id }).first();
      expect(await verifyPassword('a brand new passphrase', row.password_hash)).to.equal(true);
      expect(await verifyPassword(staff.password, row.password_hash)).to.equal(false);
      expect(await sessionEnded(session.sessionId)).to.equal(true);
      const audit = await owner('audit_log').where({ subject_id: staff.id, action: 'user.updated' }).first();
      expect(audit.changed_fields).to.deep.equal(['password']);
    });

    it('promoting to admin drops the store grants', async () => {
      const { manager, auth } = await adminOfNewTenant();
      const res = await request(app).patch(`/api/v1/users/${manager.id}`).set(auth).send({ role: 'admin' });
      expect(res.status).to.equal(200);
      expect(res.body).to.include({ role: 'admin' });
      expect(res.body.storeIds).to.deep.equal([]);
      expect(await owner('user_store_access').where({ user_id: manager.id })).to.have.length(0);
    });

    it('answers 409 for a stale If-Match, and lets exactly one of two concurrent PATCHes win', async () => {
      const { staff, auth } = await adminOfNewTenant();
      const [a, b] = await Promise.all(
        ['One', 'Two'].map((n) =>
          request(app).patch(`/api/v1/users/${staff.id}`).set(auth).set('If-Match', '1').send({ name: n }),
        ),
      );
      expect([a.status, b.status].sort()).to.deep.equal([200, 409]);
      const stale = await request(app)
        .patch(`/api/v1/users/${staff.id}`)
        .set(auth)
        .set('If-Match', '1')
        .send({ name: 'Three' });
      expect(stale.status).to.equal(409);
      expect(stale.body.error.code).to.equal('conflict');
      const row = await owner('users').where({ id: staff.id }).first();
      expect(row.version).to.equal(2);
      expect(row.name).to.equal((a.status === 200 ? a : b).body.name);
    });

    it('will not let an admin demote themself', async () => {
      const { admin, auth } = await adminOfNewTenant();
      const res = await request(app).patch(`/api/v1/users/${admin.id}`).set(auth).send({ role: 'manager' });
      expect(res.status).to.equal(409);
      expect(res.body.error.message).to.match(/own role/);
      expect((await owner('users').where({ id: admin.id }).first()).role).to.equal('admin');
      const rename = await request(app).patch(`/api/v1/users/${admin.id}`).set(auth).send({ name: 'Still Admin' });
      expect(rename.status).to.equal(200);
    });

    it('refuses the sysadmin role, an unknown store and an empty body', async () => {
      const { staff, auth } = await adminOfNewTenant();
      const role = await request(app).patch(`/api/v1/users/${staff.id}`).set(auth).send({ role: 'sysadmin' });
      expect(role.status).to.equal(400);
      const store = await request(app)
        .patch(`/api/v1/users/${staff.id}`)
        .set(auth)
        .send({ storeIds: [randomUUID()] });
      expect(store.status).to.equal(400);
      const empty = await request(app).patch(`/api/v1/users/${staff.id}`).set(auth).send({});
      expect(empty.status).to.equal(400);
      expect((await owner('users').where({ id: staff.id }).first()).version).to.equal(1);
    });
  });

  describe('DELETE /api/v1/users/:userId', () => {
    it('soft-deletes, ends the sessions, hides the user and frees the email', async () => {
      const { org, staff, auth } = await adminOfNewTenant();
      const session = await openSession(staff);
      const res = await request(app).delete(`/api/v1/users/${staff.id}`).set(auth);
      expect(res.status).to.equal(204);
      const row = await owner('users').where({ id: staff.id }).first();
      expect(row.deleted_at).to.be.an.instanceOf(Date);
      expect(await sessionEnded(session.sessionId)).to.equal(true);
      // The token of a deleted user fails even where its session was not revoked.
      expect(
        (
          await request(app)
            .get('/api/v1/me')
            .set(bearer(await tokenFor(staff)))
        ).status,
      ).to.equal(401);

      const list = await request(app).get('/api/v1/users').set(auth);
      expect(list.body.data.map((u: { id: string }) => u.id)).to.not.include(staff.id);
      expect((await request(app).delete(`/api/v1/users/${staff.id}`).set(auth)).status).to.equal(404);
      expect((await request(app).patch(`/api/v1/users/${staff.id}`).set(auth).send({ name: 'Ghost' })).status).to.equal(
        404,
      );

      const again = await request(app)
        .post('/api/v1/users')
        .set(auth)
        .send(newUser({ email: staff.email }));
      expect(again.status).to.equal(201);
      const audit = await owner('audit_log').where({ subject_id: staff.id, action: 'user.deleted' });
      expect(audit).to.have.length(1);
      expect(audit[0].organization_id).to.equal(org.id);
    });

    it('will not let an admin delete themself', async () => {
      const { admin, auth } = await adminOfNewTenant();
      const res = await request(app).delete(`/api/v1/users/${admin.id}`).set(auth);
      expect(res.status).to.equal(409);
      expect(res.body.error.message).to.match(/your own account/);
      expect((await owner('users').where({ id: admin.id }).first()).deleted_at).to.equal(null);
    });
  });
});
