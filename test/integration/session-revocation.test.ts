import { randomUUID } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import { expect } from 'chai';
import type { Express } from 'express';
import { Redis } from 'ioredis';
import request from 'supertest';
import { config } from '../../config/env.js';
import { redisKey } from '../../config/redis.js';
import { buildApp } from '../../server/app.js';
import type { AppDeps } from '../../server/app-deps.js';
import { createSessionRevocations, type SessionRevocations } from '../../server/auth/session-revocations.js';
import { closeDeps, createDeps } from '../../server/deps.js';
import { bearer, createTenant, tokenFor, type UserFixture } from '../support/fixtures.js';
import { testContext } from '../support/test-context.js';

async function eventually(condition: () => boolean | Promise<boolean>, what: string, timeoutMs = 5000) {
  const deadline = Date.now() + timeoutMs;
  while (!(await condition())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting until ${what}`);
    await sleep(20);
  }
}

const subscribed = (sessions: SessionRevocations) =>
  eventually(() => sessions.subscribed, 'the revocation feed is subscribed');

const me = (app: Express, token: string) => request(app).get('/api/v1/me').set(bearer(token));

/** A session of a fresh staff member: its id and an access token for it. */
async function session(): Promise<{ user: UserFixture; sessionId: string; token: string }> {
  const { staff } = await createTenant();
  const sessionId = randomUUID();
  return { user: staff, sessionId, token: await tokenFor(staff, sessionId) };
}

describe('session revocation across processes', () => {
  const opened: AppDeps[] = [];
  const disposables: Array<() => Promise<unknown>> = [];

  /** A second "process": its own deps (own PostgreSQL pool and Redis connections) and its own app. */
  function instance(): { deps: AppDeps; app: Express } {
    const deps = createDeps(config);
    opened.push(deps);
    return { deps, app: buildApp(deps).app };
  }

  after(async () => {
    await Promise.all([...opened.map((deps) => closeDeps(deps)), ...disposables.map((dispose) => dispose())]);
  });

  it('refuses on a second instance a session the first one revoked, without restarting it', async () => {
    const first = instance();
    const second = instance();
    await Promise.all([subscribed(first.deps.sessions), subscribed(second.deps.sessions)]);
    const { sessionId, token } = await session();
    expect((await me(second.app, token)).status).to.equal(200);

    await first.deps.sessions.revoke([sessionId]);
    // The revoking process sees it before revoke() even returns.
    expect((await me(first.app, token)).status).to.equal(401);

    // While subscribed, the second instance answers from memory: only the published message can refuse this.
    await eventually(async () => (await me(second.app, token)).status === 401, 'the second instance refuses');
    expect(second.deps.sessions.subscribed).to.equal(true);
    const refused = await me(second.app, token);
    expect(refused.body.error).to.include({ code: 'unauthenticated', message: 'session has ended; sign in again' });
  });

  it('honours revocations made before the process started', async () => {
    const earlier = await session();
    await testContext().deps.sessions.revoke([earlier.sessionId]);
    const untouched = await session();

    const late = instance();
    await subscribed(late.deps.sessions);
    // Drop the key: a refusal now can only come from what the start-up SCAN loaded into memory.
    await testContext().deps.redis.del(redisKey('revoked-session', earlier.sessionId));
    expect(await late.deps.sessions.isRevoked(earlier.sessionId)).to.equal(true);
    expect((await me(late.app, earlier.token)).status).to.equal(401);
    expect((await me(late.app, untouched.token)).status).to.equal(200);
  });

  it('asks Redis on every request while its subscriber cannot connect, refusing revoked sessions', async () => {
    const shared = testContext().deps;
    // Nothing listens on port 1: this subscriber never becomes healthy.
    const deadSubscriber = new Redis('redis://127.0.0.1:1', { autoResubscribe: false, retryStrategy: () => 200 });
    deadSubscriber.on('error', () => undefined);
    const sessions = createSessionRevocations({
      redis: shared.redis,
      subscriber: deadSubscriber,
      accessTokenTtlSeconds: config.auth.accessTokenTtlSeconds,
      logger: shared.logger,
    });
    disposables.push(() => sessions.close());
    const app = buildApp({ ...shared, sessions }).app;
    const revoked = await session();
    const alive = await session();
    expect((await me(app, revoked.token)).status).to.equal(200);

    // Revoked elsewhere: the message is published, but this instance cannot receive it.
    await shared.sessions.revoke([revoked.sessionId]);
    expect(sessions.subscribed).to.equal(false);
    expect((await me(app, revoked.token)).status).to.equal(401);
    expect((await me(app, alive.token)).status).to.equal(200);
  });

  it('falls back to Redis while its subscription is down and reloads what it missed on reconnecting', async () => {
    const shared = testContext().deps;
    const subscriber = new Redis(config.redis.url, { autoResubscribe: false });
    subscriber.on('error', () => undefined);
    const sessions = createSessionRevocations({
      redis: shared.redis,
      subscriber,
      accessTokenTtlSeconds: config.auth.accessTokenTtlSeconds,
      logger: shared.logger,
    });
    disposables.push(() => sessions.close());
    const app = buildApp({ ...shared, sessions }).app;
    await subscribed(sessions);
    const missed = await session();
    expect((await me(app, missed.token)).status).to.equal(200);

    subscriber.disconnect(); // stays down until connect() below
    await eventually(() => !sessions.subscribed, 'the feed knows it is down');
    // Another process ends the session while this one is deaf to the channel.
    await shared.sessions.revoke([missed.sessionId]);
    expect((await me(app, missed.token)).status).to.equal(401);

    await subscriber.connect();
    await subscribed(sessions);
    // With the key gone, only the reload on reconnecting can still know the session ended.
    await shared.redis.del(redisKey('revoked-session', missed.sessionId));
    expect((await me(app, missed.token)).status).to.equal(401);
  });

  it('quits its subscriber connection on close', async () => {
    const shared = testContext().deps;
    const subscriber = new Redis(config.redis.url, { autoResubscribe: false });
    const sessions = createSessionRevocations({
      redis: shared.redis,
      subscriber,
      accessTokenTtlSeconds: config.auth.accessTokenTtlSeconds,
      logger: shared.logger,
    });
    await subscribed(sessions);
    await sessions.close();
    expect(sessions.subscribed).to.equal(false);
    await eventually(() => subscriber.status === 'end', 'the subscriber connection has ended');
  });

  it('closeDeps ends the revocation feed with the rest', async () => {
    const { deps } = instance();
    await subscribed(deps.sessions);
    await closeDeps(deps);
    expect(deps.sessions.subscribed).to.equal(false);
  });
});
