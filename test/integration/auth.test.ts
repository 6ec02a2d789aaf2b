import { createHash, randomUUID } from 'node:crypto';
import { expect } from 'chai';
import express from 'express';
import type { Options } from 'express-rate-limit';
import { SignJWT } from 'jose';
import type { RedisReply } from 'rate-limit-redis';
import request from 'supertest';
import { config } from '../../config/env.js';
import { redisKey } from '../../config/redis.js';
import { hashRefreshToken } from '../../db/auth/refresh-token-secret.js';
import { buildApp } from '../../server/app.js';
import { RecoveringRedisStore } from '../../server/auth/rate-limits.js';
import type { AppDeps } from '../../server/app-deps.js';
import { mountRoutes } from '../../server/http/mount-routes.js';
import { errorHandler } from '../../server/middleware/error-handler.js';
import { requestContext } from '../../server/middleware/request-context.js';
import {
  bearer,
  createSysadmin,
  createTenant,
  createUser,
  DEFAULT_PASSWORD,
  uniqueEmail,
} from '../support/fixtures.js';
import { testContext } from '../support/test-context.js';

const sha256 = (value: string) => createHash('sha256').update(value).digest('hex');

/** A tiny app with one authenticated route (policy 'me.get'), to see whether a token is accepted. */
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
  app.use(errorHandler(deps.logger));
  return app;
}

/** An app whose auth limits differ from the defaults; `trustProxy: 1` lets each test pose as its own IP. */
function appWithAuth(overrides: Partial<typeof config.auth>): express.Express {
  const deps = testContext().deps;
  return buildApp({ ...deps, config: { ...config, trustProxy: 1, auth: { ...config.auth, ...overrides } } }).app;
}

const randomIp = () => `10.${[0, 0, 0].map(() => Math.floor(Math.random() * 250) + 1).join('.')}`;

async function clearRateLimits(): Promise<void> {
  const { redis } = testContext().deps;
  let cursor = '0';
  do {
    const [next, keys] = await redis.scan(cursor, 'MATCH', redisKey('rl', '*'), 'COUNT', 500);
    if (keys.length > 0) await redis.del(...keys);
    cursor = next;
  } while (cursor !== '0');
}

describe('auth', () => {
  const { app, deps, owner } = testContext();
  const probe = probeApp(deps);

  // Counters live 15 minutes in Redis; earlier runs on this prefix must not lock this one out.
  before(clearRateLimits);

  const login = (email: string, password: string, on: express.Express = app, ip?: string) => {
    const req = request(on).post('/api/v1/auth/login');
    if (ip) req.set('X-Forwarded-For', ip);
    return req.send({ email, password });
  };
  const refresh = (refreshToken: string, on: express.Express = app, ip?: string) => {
    const req = request(on).post('/api/v1/auth/refresh');
    if (ip) req.set('X-Forwarded-For', ip);
    return req.send({ refreshToken });
  };
  const whoAmI = (token: string) => request(probe).get('/probe/me').set(bearer(token));

  describe('POST /auth/login', () => {
    it('signs in with the right password and answers tokens that work', async () => {
      const { org, manager } = await createTenant();
      const res = await login(manager.email.toUpperCase(), DEFAULT_PASSWORD);
      expect(res.status).to.equal(200);
      expect(res.body).to.include({ tokenType: 'Bearer', expiresIn: config.auth.accessTokenTtlSeconds });
      expect(res.body.refreshToken).to.match(/^rt_live_[A-Za-z0-9_-]{43}$/);
      expect(res.body.user).to.deep.equal({
        id: manager.id,
        organizationId: org.id,
        email: manager.email,
        name: 'Test manager',
        role: 'manager',
      });
      const me = await whoAmI(res.body.accessToken);
      expect(me.status).to.equal(200);
      expect(me.body).to.include({ kind: 'user', userId: manager.id, orgId: org.id, role: 'manager' });
    });

    it('stores only the hash of the refresh token, with the session as its family, and records the login', async () => {
      const { org, staff } = await createTenant();
      const res = await login(staff.email, DEFAULT_PASSWORD);
      const claims = await deps.accessTokens.verify(res.body.accessToken);
      const rows = await owner('refresh_tokens').where({ user_id: staff.id });
      expect(rows).to.have.length(1);
      expect(rows[0]).to.include({
        token_hash: hashRefreshToken(res.body.refreshToken),
        family_id: claims.sessionId,
        organization_id: org.id,
        used_at: null,
        revoked_at: null,
      });
      expect(JSON.stringify(rows[0])).to.not.include(res.body.refreshToken);
      const days = (rows[0].expires_at.getTime() - Date.now()) / 86_400_000;
      expect(days).to.be.closeTo(config.auth.refreshTokenTtlDays, 0.01);

      const user = await owner('users').where({ id: staff.id }).first('last_login_at');
      expect(user.last_login_at).to.be.an.instanceOf(Date);
      const audit = await owner('audit_log').where({ subject_id: staff.id, action: 'user.login' });
      expect(audit).to.have.length(1);
      expect(audit[0]).to.include({
        organization_id: org.id,
        actor_type: 'user',
        actor_id: staff.id,
        request_id: res.headers['x-request-id'],
      });
    });

    it('signs a sysadmin in with no organisation, and the session refreshes', async () => {
      const sysadmin = await createSysadmin();
      const res = await login(sysadmin.email, DEFAULT_PASSWORD);
      expect(res.status).to.equal(200);
      expect(res.body.user).to.include({ id: sysadmin.id, organizationId: null, role: 'sysadmin' });
      const rotated = await refresh(res.body.refreshToken);
      expect(rotated.status).to.equal(200);
      expect(rotated.body.user).to.include({ id: sysadmin.id, role: 'sysadmin' });
      expect(await owner('audit_log').where({ subject_id: sysadmin.id })).to.have.length(0);
      const out = await request(app).post('/api/v1/auth/logout').set(bearer(rotated.body.accessToken));
      expect(out.status).to.equal(204);
      expect((await refresh(rotated.body.refreshToken)).status).to.equal(401);
    });

    it('answers a wrong password and an unknown email with the same 401', async () => {
      const { staff } = await createTenant();
      const wrong = await login(staff.email, 'not the password');
      const unknown = await login(uniqueEmail('nobody'), DEFAULT_PASSWORD);
      for (const res of [wrong, unknown]) {
        expect(res.status).to.equal(401);
        expect(res.body.error.details).to.deep.equal([]);
        expect(res.body.error.requestId).to.equal(res.headers['x-request-id']);
      }
      expect(wrong.body.error.code).to.equal('unauthenticated');
      expect(unknown.body.error.code).to.equal(wrong.body.error.code);
      expect(unknown.body.error.message).to.equal(wrong.body.error.message);
      expect(await owner('refresh_tokens').where({ user_id: staff.id })).to.have.length(0);
    });

    it('refuses a deleted user', async () => {
      const { org } = await createTenant();
      const user = await createUser({ orgId: org.id, role: 'admin' });
      await owner('users').where({ id: user.id }).update({ deleted_at: owner.fn.now() });
      expect((await login(user.email, DEFAULT_PASSWORD)).status).to.equal(401);
    });

    it('answers a malformed body with 400', async () => {
      const res = await request(app).post('/api/v1/auth/login').send({ email: 'not-an-email' });
      expect(res.status).to.equal(400);
      expect(res.body.error.code).to.equal('validation_failed');
      expect(res.body.error.details.map((d: { path: string }) => d.path)).to.have.members(['email', 'password']);
    });
  });

  describe('login rate limits', () => {
    it('locks an email after the configured number of failures, even for the right password, with Retry-After', async () => {
      const limited = appWithAuth({ loginEmailFailureLimit: 3 });
      const { staff, manager } = await createTenant();
      for (let i = 0; i < 3; i++) {
        expect((await login(staff.email, 'wrong', limited, randomIp())).status).to.equal(401);
      }
      const locked = await login(staff.email, DEFAULT_PASSWORD, limited, randomIp());
      expect(locked.status).to.equal(429);
      expect(locked.body.error).to.include({ code: 'rate_limited', requestId: locked.headers['x-request-id'] });
      expect(locked.body.error.details).to.deep.equal([]);
      const retryAfter = Number(locked.headers['retry-after']);
      expect(retryAfter).to.be.within(1, config.auth.loginWindowMinutes * 60);

      // Another account is untouched, and the lock holds across app instances sharing Redis.
      expect((await login(manager.email, DEFAULT_PASSWORD, limited, randomIp())).status).to.equal(200);
      expect(
        (await login(staff.email.toUpperCase(), DEFAULT_PASSWORD, appWithAuth({ loginEmailFailureLimit: 3 }))).status,
      ).to.equal(429);
    });

    it('keys the email counter by a hash, never the email itself', async () => {
      const limited = appWithAuth({ loginEmailFailureLimit: 3 });
      const email = uniqueEmail('hashed');
      await login(email, 'wrong', limited, randomIp());
      const { redis } = deps;
      const key = redisKey('rl', 'login-email', sha256(email));
      expect(await redis.get(key)).to.equal('1');
      const keys = await redis.keys(redisKey('rl', '*'));
      expect(keys.filter((k) => k.includes(email) || k.includes(email.split('@')[0]))).to.deep.equal([]);
    });

    it('does not count successful logins', async () => {
      const limited = appWithAuth({ loginEmailFailureLimit: 2, loginIpFailureLimit: 2 });
      const { staff } = await createTenant();
      const ip = randomIp();
      for (let i = 0; i < 4; i++) {
        expect((await login(staff.email, DEFAULT_PASSWORD, limited, ip)).status).to.equal(200);
      }
    });

    it('limits failures per client IP across different emails', async () => {
      const limited = appWithAuth({ loginIpFailureLimit: 3 });
      const { staff } = await createTenant();
      const ip = randomIp();
      for (let i = 0; i < 3; i++) {
        expect((await login(uniqueEmail('spray'), 'guess', limited, ip)).status).to.equal(401);
      }
      const blocked = await login(staff.email, DEFAULT_PASSWORD, limited, ip);
      expect(blocked.status).to.equal(429);
      expect(blocked.body.error.code).to.equal('rate_limited');
      expect(Number(blocked.headers['retry-after'])).to.be.greaterThan(0);
      expect((await login(staff.email, DEFAULT_PASSWORD, limited, randomIp())).status).to.equal(200);
    });

    it('recovers when Redis was unreachable while the limiter started', async () => {
      const { redis } = deps;
      let failures = 2;
      const store = new RecoveringRedisStore({
        prefix: redisKey('rl', 'recovery-test', ''),
        sendCommand: (command: string, ...args: string[]) =>
          failures-- > 0
            ? Promise.reject(new Error('Connection is closed.'))
            : (redis.call(command, ...args) as Promise<RedisReply>),
      });
      await store.init({ windowMs: 60_000 } as Options).catch(() => undefined);
      const key = randomUUID();
      let firstError: unknown;
      await store.increment(key).catch((err) => (firstError = err));
      expect(firstError).to.be.an.instanceOf(Error);
      expect((await store.increment(key)).totalHits).to.equal(1);
      expect((await store.increment(key)).totalHits).to.equal(2);
    });

    it('limits refreshes per client IP', async () => {
      const limited = appWithAuth({ refreshIpLimit: 2 });
      const ip = randomIp();
      expect((await refresh('rt_live_unknown', limited, ip)).status).to.equal(401);
      expect((await refresh('rt_live_unknown', limited, ip)).status).to.equal(401);
      const blocked = await refresh('rt_live_unknown', limited, ip);
      expect(blocked.status).to.equal(429);
      expect(blocked.body.error.code).to.equal('rate_limited');
      expect(blocked.headers).to.have.property('retry-after');
    });
  });

  describe('access tokens', () => {
    const key = new TextEncoder().encode(config.auth.jwtSecret);
    let user: Awaited<ReturnType<typeof createTenant>>['staff'];
    before(async () => {
      user = (await createTenant()).staff;
    });

    function craft(
      options: { secret?: Uint8Array; alg?: string; iss?: string; aud?: string; iat?: number; exp?: number } = {},
    ) {
      const now = Math.floor(Date.now() / 1000);
      return new SignJWT({ org: user.orgId, role: user.role, sid: randomUUID() })
        .setProtectedHeader({ alg: options.alg ?? 'HS256', typ: 'JWT' })
        .setSubject(user.id)
        .setIssuer(options.iss ?? config.auth.issuer)
        .setAudience(options.aud ?? config.auth.audience)
        .setIssuedAt(options.iat ?? now)
        .setExpirationTime(options.exp ?? now + 300)
        .sign(options.secret ?? key);
    }

    const b64 = (value: object) => Buffer.from(JSON.stringify(value)).toString('base64url');

    it('accepts a token crafted like the service signs them (the control for the cases below)', async () => {
      expect((await whoAmI(await craft())).status).to.equal(200);
    });

    const refused: Array<[string, () => Promise<string>]> = [
      [
        'an expired token',
        () => craft({ iat: Math.floor(Date.now() / 1000) - 3600, exp: Math.floor(Date.now() / 1000) - 60 }),
      ],
      ['a token signed with another secret', () => craft({ secret: new TextEncoder().encode('x'.repeat(48)) })],
      ['a token for another audience', () => craft({ aud: 'someone-else' })],
      ['a token from another issuer', () => craft({ iss: 'evil' })],
      ['a token signed with HS512', () => craft({ alg: 'HS512' })],
      [
        'an unsigned token (alg none)',
        async () => {
          const valid = await craft();
          const payload = valid.split('.')[1];
          return `${b64({ alg: 'none', typ: 'JWT' })}.${payload}.`;
        },
      ],
      [
        'a token whose payload was edited after signing',
        async () => {
          const [header, payload, signature] = (await craft()).split('.');
          const claims = JSON.parse(Buffer.from(payload, 'base64url').toString());
          return `${header}.${b64({ ...claims, role: 'admin' })}.${signature}`;
        },
      ],
      ['garbage', async () => 'not.a.jwt'],
    ];
    for (const [what, make] of refused) {
      it(`refuses ${what} with 401`, async () => {
        const res = await whoAmI(await make());
        expect(res.status).to.equal(401);
        expect(res.body.error.code).to.equal('unauthenticated');
      });
    }
  });

  describe('POST /auth/refresh', () => {
    it('rotates: the new refresh token works, the old one records its successor', async () => {
      const { staff } = await createTenant();
      const first = await login(staff.email, DEFAULT_PASSWORD);
      const second = await refresh(first.body.refreshToken);
      expect(second.status).to.equal(200);
      expect(second.body.refreshToken).to.not.equal(first.body.refreshToken);
      expect(second.body.user).to.include({ id: staff.id, role: 'staff' });
      const before = await deps.accessTokens.verify(first.body.accessToken);
      const after = await deps.accessTokens.verify(second.body.accessToken);
      expect(after.sessionId).to.equal(before.sessionId);
      expect((await whoAmI(second.body.accessToken)).status).to.equal(200);

      const third = await refresh(second.body.refreshToken);
      expect(third.status).to.equal(200);

      const old = await owner('refresh_tokens')
        .where({ token_hash: hashRefreshToken(first.body.refreshToken) })
        .first();
      const next = await owner('refresh_tokens')
        .where({ token_hash: hashRefreshToken(second.body.refreshToken) })
        .first();
      expect(old.used_at).to.be.an.instanceOf(Date);
      expect(old.replaced_by).to.equal(next.id);
      expect(next.family_id).to.equal(old.family_id);
    });

    it('refuses a rotated token and ends the whole session: newest refresh token and its access token die', async () => {
      const { org, staff } = await createTenant();
      const first = await login(staff.email, DEFAULT_PASSWORD);
      const second = await refresh(first.body.refreshToken);
      expect(second.status).to.equal(200);

      const replay = await refresh(first.body.refreshToken);
      expect(replay.status).to.equal(401);
      expect(replay.body.error.code).to.equal('unauthenticated');

      expect((await refresh(second.body.refreshToken)).status).to.equal(401);
      expect((await whoAmI(second.body.accessToken)).status).to.equal(401);
      expect((await whoAmI(first.body.accessToken)).status).to.equal(401);
      const live = await owner('refresh_tokens').where({ user_id: staff.id }).whereNull('revoked_at');
      expect(live).to.deep.equal([]);
      const audit = await owner('audit_log').where({ subject_id: staff.id, action: 'user.session_reuse_detected' });
      expect(audit).to.have.length(1);
      expect(audit[0]).to.include({ organization_id: org.id, actor_type: 'system' });
    });

    it('lets exactly one of two simultaneous refreshes with the same token win', async () => {
      const { staff } = await createTenant();
      const first = await login(staff.email, DEFAULT_PASSWORD);
      const results = await Promise.all([refresh(first.body.refreshToken), refresh(first.body.refreshToken)]);
      expect(results.map((r) => r.status).sort()).to.deep.equal([200, 401]);
      const tokens = await owner('refresh_tokens').where({ user_id: staff.id });
      // The winner's token was issued, then the loser's attempt ended the session it belonged to.
      expect(tokens).to.have.length(2);
      expect(tokens.every((t) => t.revoked_at !== null)).to.equal(true);
    });

    it('leaves other sessions of the same user alone when one session is ended for reuse', async () => {
      const { staff } = await createTenant();
      const phone = await login(staff.email, DEFAULT_PASSWORD);
      const laptop = await login(staff.email, DEFAULT_PASSWORD);
      await refresh(phone.body.refreshToken);
      await refresh(phone.body.refreshToken);
      expect((await whoAmI(laptop.body.accessToken)).status).to.equal(200);
      expect((await refresh(laptop.body.refreshToken)).status).to.equal(200);
    });

    it('refuses an expired refresh token', async () => {
      const { staff } = await createTenant();
      const first = await login(staff.email, DEFAULT_PASSWORD);
      await owner('refresh_tokens')
        .where({ token_hash: hashRefreshToken(first.body.refreshToken) })
        .update({ expires_at: new Date(Date.now() - 1000) });
      const res = await refresh(first.body.refreshToken);
      expect(res.status).to.equal(401);
      expect(res.body.error.code).to.equal('unauthenticated');
    });

    it('refuses an unknown token', async () => {
      const res = await refresh(`rt_live_${'a'.repeat(43)}`);
      expect(res.status).to.equal(401);
      expect(res.body.error.code).to.equal('unauthenticated');
    });

    it('refuses a token of a user deleted since, and ends that session', async () => {
      const { org } = await createTenant();
      const user = await createUser({ orgId: org.id, role: 'manager' });
      const first = await login(user.email, DEFAULT_PASSWORD);
      await owner('users').where({ id: user.id }).update({ deleted_at: owner.fn.now() });
      expect((await refresh(first.body.refreshToken)).status).to.equal(401);
      expect((await whoAmI(first.body.accessToken)).status).to.equal(401);
    });

    it('answers with the role the user has now', async () => {
      const { staff } = await createTenant();
      const first = await login(staff.email, DEFAULT_PASSWORD);
      await owner('users').where({ id: staff.id }).update({ role: 'manager' });
      const second = await refresh(first.body.refreshToken);
      expect(second.body.user.role).to.equal('manager');
      expect((await deps.accessTokens.verify(second.body.accessToken)).role).to.equal('manager');
    });
  });

  describe('POST /auth/logout', () => {
    it('ends the session: its access token and refresh token are refused afterwards', async () => {
      const { staff } = await createTenant();
      const session = await login(staff.email, DEFAULT_PASSWORD);
      const other = await login(staff.email, DEFAULT_PASSWORD);
      const res = await request(app).post('/api/v1/auth/logout').set(bearer(session.body.accessToken));
      expect(res.status).to.equal(204);
      expect(res.text).to.equal('');

      expect((await whoAmI(session.body.accessToken)).status).to.equal(401);
      expect((await refresh(session.body.refreshToken)).status).to.equal(401);
      const again = await request(app).post('/api/v1/auth/logout').set(bearer(session.body.accessToken));
      expect(again.status).to.equal(401);
      // The user's other session goes on.
      expect((await whoAmI(other.body.accessToken)).status).to.equal(200);
    });

    it('requires a bearer token', async () => {
      const res = await request(app).post('/api/v1/auth/logout');
      expect(res.status).to.equal(401);
      expect(res.body.error.code).to.equal('unauthenticated');
    });
  });

  it('documents the auth routes in /openapi.json', async () => {
    const res = await request(app).get('/openapi.json');
    const paths = res.body.paths;
    expect(paths['/api/v1/auth/login'].post.requestBody.content['application/json'].schema.required).to.have.members([
      'email',
      'password',
    ]);
    expect(paths['/api/v1/auth/login'].post.responses).to.have.keys('200', '400', '401', '429');
    expect(paths['/api/v1/auth/refresh'].post.responses['200'].content['application/json'].schema.required).to.include(
      'refreshToken',
    );
    expect(paths['/api/v1/auth/logout'].post.responses).to.have.property('204');
  });
});
