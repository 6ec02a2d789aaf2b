import { expect } from 'chai';
import express from 'express';
import { randomUUID } from 'node:crypto';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import request from 'supertest';
import { redisKey } from '../../config/redis.js';
import { QUEUE_NAMES } from '../../jobs/queues.js';
import { mountAdmin } from '../../server/admin/admin.js';
import { ADMIN_COOKIE } from '../../server/admin/admin-session.js';
import { createAccessTokens } from '../../server/auth/access-tokens.js';
import { apiKeyFor } from '../support/customer-subresource-fixtures.js';
import { bearer, createSysadmin, createTenant, tokenFor, type UserFixture } from '../support/fixtures.js';
import { testContext } from '../support/test-context.js';

const HTML = 'text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8';

/** The Set-Cookie line of the admin cookie, if the response set one. */
function adminCookie(res: request.Response): string | undefined {
  const lines = ([] as string[]).concat(res.headers['set-cookie'] ?? []);
  return lines.find((line) => line.startsWith(`${ADMIN_COOKIE}=`));
}
const cookieToken = (line: string) => decodeURIComponent(line.split(';')[0].slice(ADMIN_COOKIE.length + 1));

describe('/admin/queues (Bull Board)', () => {
  const { app, deps, owner } = testContext();
  let server: Server;
  let base: string;
  let sysadmin: UserFixture;

  before(async () => {
    // A listening server, so the Origin a test sends can name the host the requests really go to.
    server = app.listen(0, '127.0.0.1');
    await new Promise((resolve) => server.once('listening', resolve));
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    sysadmin = await createSysadmin();
  });
  after(() => {
    server.closeAllConnections();
    return new Promise((resolve) => server.close(resolve));
  });

  async function signIn(user: UserFixture = sysadmin) {
    const agent = request.agent(base);
    const res = await agent
      .post('/admin/login')
      .set('Origin', base)
      .type('form')
      .send({ email: user.email, password: user.password });
    return { agent, res };
  }

  describe('without a sysadmin', () => {
    it('answers an API client without credentials 401 in the error shape', async () => {
      const res = await request(base).get('/admin/queues').set('Accept', 'application/json');
      expect(res.status).to.equal(401);
      expect(res.body.error).to.include({ code: 'unauthenticated' });
      expect(res.body.error.requestId).to.equal(res.headers['x-request-id']);
      const api = await request(base).get('/admin/queues/api/queues');
      expect(api.status).to.equal(401);
    });

    it('sends a browser without credentials to the sign-in page', async () => {
      const res = await request(base).get('/admin/queues').set('Accept', HTML);
      expect(res.status).to.equal(303);
      expect(res.headers.location).to.equal('/admin/login');
    });

    it('refuses staff, org admins and API keys with 403', async () => {
      const { org, storeA, staff, admin } = await createTenant();
      for (const user of [staff, admin]) {
        const res = await request(base)
          .get('/admin/queues/api/queues')
          .set(bearer(await tokenFor(user)));
        expect(res.status, user.role).to.equal(403);
        expect(res.body.error.code).to.equal('forbidden');
      }
      const key = await apiKeyFor(org.id, storeA.id, 'manager');
      const res = await request(base).get('/admin/queues').set(bearer(key));
      expect(res.status).to.equal(403);
    });

    it('refuses a non-sysadmin token planted in the session cookie with 403', async () => {
      const { admin } = await createTenant();
      const res = await request(base)
        .get('/admin/queues/api/queues')
        .set('Cookie', `${ADMIN_COOKIE}=${await tokenFor(admin)}`);
      expect(res.status).to.equal(403);
    });

    it('refuses a revoked sysadmin token', async () => {
      const sessionId = randomUUID();
      const token = await tokenFor(sysadmin, sessionId);
      await deps.sessions.revoke([sessionId]);
      const res = await request(base).get('/admin/queues/api/queues').set(bearer(token));
      expect(res.status).to.equal(401);
    });
  });

  describe('with a sysadmin Bearer token', () => {
    it('serves the board and every queue of the registry', async () => {
      const token = await tokenFor(sysadmin);
      const page = await request(base).get('/admin/queues').set(bearer(token));
      expect(page.status).to.equal(200);
      expect(page.headers['content-type']).to.match(/text\/html/);
      expect(page.text).to.include('<title>Patron jobs</title>');
      expect(page.text).to.include('<base href="/admin/queues/"');

      const api = await request(base).get('/admin/queues/api/queues').set(bearer(token));
      expect(api.status).to.equal(200);
      const names = (api.body.queues as Array<{ name: string }>).map((q) => q.name).sort();
      expect(names).to.deep.equal([...QUEUE_NAMES].sort());
    });

    it('serves the board under a CSP of its own: scripts from this origin only, nothing from elsewhere', async () => {
      const page = await request(base)
        .get('/admin/queues')
        .set(bearer(await tokenFor(sysadmin)));
      const csp = String(page.headers['content-security-policy']);
      expect(csp).to.include("script-src 'self'");
      expect(csp).to.include("connect-src 'self'");
      expect(csp).to.include("frame-ancestors 'none'");
      expect(csp).not.to.match(/https:|googleapis/);
      const script = /src="(static\/js\/main\.[^"]+)"/.exec(page.text)![1];
      const asset = await request(base)
        .get(`/admin/queues/${script}`)
        .set(bearer(await tokenFor(sysadmin)));
      expect(asset.status).to.equal(200);
      expect(asset.headers['content-type']).to.match(/javascript/);
    });

    it('takes state changes from a Bearer client without an Origin (no cookie, nothing to forge)', async () => {
      const token = await tokenFor(sysadmin);
      const paused = await request(base).put('/admin/queues/api/queues/outbox-dispatch/pause').set(bearer(token));
      expect(paused.status).to.equal(200);
      const resumed = await request(base).put('/admin/queues/api/queues/outbox-dispatch/resume').set(bearer(token));
      expect(resumed.status).to.equal(200);
    });
  });

  describe('signing in with the form', () => {
    it('serves a self-contained form: no scripts, no external assets, not cached', async () => {
      const res = await request(base).get('/admin/login');
      expect(res.status).to.equal(200);
      expect(res.headers['content-type']).to.match(/text\/html/);
      expect(res.text).to.include('<form method="post" action="/admin/login">');
      expect(res.text).to.include('name="email"');
      expect(res.text).to.include('type="password"');
      expect(res.text).not.to.match(/<script|rel="stylesheet"|https?:\/\//);
      expect(res.headers['cache-control']).to.equal('no-store');
      expect(String(res.headers['content-security-policy'])).to.include("form-action 'self'");
    });

    it('sets an HttpOnly, SameSite=Strict cookie on /admin and opens the board with it', async () => {
      const { agent, res } = await signIn();
      expect(res.status).to.equal(303);
      expect(res.headers.location).to.equal('/admin/queues');
      const cookie = adminCookie(res)!;
      expect(cookie).to.match(/; HttpOnly/);
      expect(cookie).to.match(/; SameSite=Strict/);
      expect(cookie).to.match(/; Path=\/admin(;|$)/);
      expect(cookie).to.match(/; Max-Age=\d+/);
      expect(cookie).not.to.match(/; Secure/); // not in development and tests: plain http

      const page = await agent.get('/admin/queues').set('Accept', HTML);
      expect(page.status).to.equal(200);
      expect(page.text).to.include('<title>Patron jobs</title>');
      const api = await agent.get('/admin/queues/api/queues');
      expect(api.status).to.equal(200);
      expect(api.body.queues).to.have.length(QUEUE_NAMES.length);

      const row = await owner('users').where({ id: sysadmin.id }).first('last_login_at');
      expect(row.last_login_at).to.be.an.instanceOf(Date);
    });

    it('marks the cookie Secure in production', async () => {
      const prodApp = express();
      prodApp.use(express.json());
      mountAdmin(prodApp, { ...deps, config: { ...deps.config, isProduction: true } });
      const res = await request(prodApp)
        .post('/admin/login')
        .set('Host', 'patron.example')
        .set('Origin', 'https://patron.example')
        .type('form')
        .send({ email: sysadmin.email, password: sysadmin.password });
      expect(res.status).to.equal(303);
      expect(adminCookie(res)).to.match(/; Secure/);
    });

    it('answers a wrong password with the form again, an error and 401, and no cookie', async () => {
      const res = await request(base)
        .post('/admin/login')
        .set('Origin', base)
        .type('form')
        .send({ email: sysadmin.email, password: 'not the password' });
      expect(res.status).to.equal(401);
      expect(res.headers['content-type']).to.match(/text\/html/);
      expect(res.text).to.include('role="alert"');
      expect(res.text).to.include('Sign-in refused');
      expect(res.text).to.include(`value="${sysadmin.email}"`);
      expect(adminCookie(res)).to.equal(undefined);
    });

    it('refuses the right password of a non-sysadmin exactly like a wrong one', async () => {
      const { admin } = await createTenant();
      const { res } = await signIn(admin);
      expect(res.status).to.equal(401);
      expect(res.text).to.include('Sign-in refused');
      expect(adminCookie(res)).to.equal(undefined);
    });

    it('answers an incomplete form 400 and escapes what was typed', async () => {
      const res = await request(base)
        .post('/admin/login')
        .set('Origin', base)
        .type('form')
        .send({ email: '"><script>alert(1)</script>' });
      expect(res.status).to.equal(400);
      expect(res.text).not.to.include('<script>');
      expect(res.text).to.include('&quot;&gt;&lt;script&gt;');
    });

    it('limits failed attempts per email like /auth/login, with Retry-After', async () => {
      const victim = await createSysadmin();
      let last: request.Response | undefined;
      for (let i = 0; i <= deps.config.auth.loginEmailFailureLimit; i++) {
        last = await request(base)
          .post('/admin/login')
          .set('Origin', base)
          .type('form')
          .send({ email: victim.email, password: `wrong-${i}` });
      }
      expect(last!.status).to.equal(429);
      expect(Number(last!.headers['retry-after'])).to.be.above(0);
      expect(last!.text).to.include('Too many failed sign-in attempts');
      // The right password is refused too while the limit holds.
      const { res } = await signIn(victim);
      expect(res.status).to.equal(429);
    });
  });

  describe('signing out', () => {
    it('clears the cookie and ends the session, so its token no longer works anywhere', async () => {
      const { agent, res } = await signIn();
      const token = cookieToken(adminCookie(res)!);
      expect((await request(base).get('/api/v1/me').set(bearer(token))).status).to.equal(200);

      const out = await agent.post('/admin/logout').set('Origin', base);
      expect(out.status).to.equal(303);
      expect(out.headers.location).to.equal('/admin/login');
      expect(adminCookie(out)).to.match(/^patron_admin=;.*Expires=Thu, 01 Jan 1970/);
      expect(adminCookie(out)).to.match(/; Path=\/admin/);

      expect((await agent.get('/admin/queues/api/queues')).status).to.equal(401);
      expect(
        (await request(base).get('/admin/queues/api/queues').set('Cookie', `${ADMIN_COOKIE}=${token}`)).status,
      ).to.equal(401);
      expect((await request(base).get('/api/v1/me').set(bearer(token))).status).to.equal(401);
    });

    it('offers a sign-out button on the sign-in page while signed in', async () => {
      const { agent } = await signIn();
      const page = await agent.get('/admin/login');
      expect(page.text).to.include('action="/admin/logout"');
      const anonymous = await request(base).get('/admin/login');
      expect(anonymous.text).not.to.include('action="/admin/logout"');
    });
  });

  describe('cross-site requests', () => {
    it('refuses a sign-in posted from another site or without Origin and Referer', async () => {
      const form = { email: sysadmin.email, password: sysadmin.password };
      const evil = await request(base)
        .post('/admin/login')
        .set('Origin', 'https://evil.example')
        .type('form')
        .send(form);
      expect(evil.status).to.equal(403);
      expect(evil.body.error.code).to.equal('forbidden');
      expect(adminCookie(evil)).to.equal(undefined);
      const bare = await request(base).post('/admin/login').type('form').send(form);
      expect(bare.status).to.equal(403);
      const viaReferer = await request(base)
        .post('/admin/login')
        .set('Referer', `${base}/admin/login`)
        .type('form')
        .send(form);
      expect(viaReferer.status).to.equal(303);
    });

    it('refuses a sign-out posted from another site', async () => {
      const { agent } = await signIn();
      const res = await agent.post('/admin/logout').set('Origin', 'https://evil.example');
      expect(res.status).to.equal(403);
      expect((await agent.get('/admin/queues/api/queues')).status).to.equal(200);
    });

    it('refuses state changes on the cookie unless they come from this site', async () => {
      const { agent } = await signIn();
      const forged = await agent
        .put('/admin/queues/api/queues/outbox-dispatch/pause')
        .set('Origin', 'https://evil.example');
      expect(forged.status).to.equal(403);
      const noOrigin = await agent.put('/admin/queues/api/queues/outbox-dispatch/pause');
      expect(noOrigin.status).to.equal(403);
      const counts = await agent.get('/admin/queues/api/queues');
      const queue = counts.body.queues.find((q: { name: string }) => q.name === 'outbox-dispatch');
      expect(queue.isPaused).to.equal(false);
      const own = await agent.put('/admin/queues/api/queues/outbox-dispatch/pause').set('Origin', base);
      expect(own.status).to.equal(200);
      expect((await agent.put('/admin/queues/api/queues/outbox-dispatch/resume').set('Origin', base)).status).to.equal(
        200,
      );
    });
  });

  describe('keeping the session alive', () => {
    // A token with little life left, signed with the service's key as the dashboard's own would be.
    async function shortLivedCookie(userId: string, sessionId: string): Promise<string> {
      const shortTokens = createAccessTokens({ ...deps.config.auth, accessTokenTtlSeconds: 60 });
      const token = await shortTokens.sign({ userId, orgId: null, role: 'sysadmin', sessionId });
      return `${ADMIN_COOKIE}=${token}`;
    }

    it('re-signs a token past half its life while the session is younger than its maximum age', async () => {
      const sessionId = randomUUID();
      await deps.redis.set(redisKey('admin-session', sessionId), sysadmin.id, 'EX', 60);
      const res = await request(base)
        .get('/admin/queues/api/queues')
        .set('Cookie', await shortLivedCookie(sysadmin.id, sessionId));
      expect(res.status).to.equal(200);
      const renewed = adminCookie(res)!;
      const claims = await deps.accessTokens.verify(cookieToken(renewed));
      expect(claims).to.include({ userId: sysadmin.id, sessionId, role: 'sysadmin' });
    });

    it('does not re-sign once the session passed its maximum age or the user stopped being a sysadmin', async () => {
      const expired = randomUUID();
      const stale = await request(base)
        .get('/admin/queues/api/queues')
        .set('Cookie', await shortLivedCookie(sysadmin.id, expired));
      expect(stale.status).to.equal(200);
      expect(adminCookie(stale)).to.equal(undefined);

      const demoted = await createSysadmin();
      const sessionId = randomUUID();
      await deps.redis.set(redisKey('admin-session', sessionId), demoted.id, 'EX', 60);
      await owner('users').where({ id: demoted.id }).update({ deleted_at: new Date() });
      const res = await request(base)
        .get('/admin/queues/api/queues')
        .set('Cookie', await shortLivedCookie(demoted.id, sessionId));
      expect(adminCookie(res)).to.equal(undefined);
    });
  });
});
