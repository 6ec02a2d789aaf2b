import { randomUUID } from 'node:crypto';
import { expect } from 'chai';
import express from 'express';
import Joi from 'joi';
import request from 'supertest';
import { notFound } from '../../config/errors.js';
import { recordAudit } from '../../db/audit/audit-repository.js';
import { withTenant } from '../../db/tenant.js';
import { ctx } from '../../server/http/locals.js';
import { mountRoutes } from '../../server/http/mount-routes.js';
import type { RouteDef } from '../../server/http/route.js';
import { errorHandler, unknownRoute } from '../../server/middleware/error-handler.js';
import { requestContext } from '../../server/middleware/request-context.js';
import { bearer, createTenant, tokenFor } from '../support/fixtures.js';
import { testContext } from '../support/test-context.js';

const ECHO_ACTION = 'test.echo';

describe('Idempotency-Key on POST', () => {
  const { deps, owner } = testContext();

  // Knobs the test route reads, set by a test and reset after each one.
  let gate: Promise<void> | undefined;
  let failNext = false;

  const echoHandler: RouteDef['handler'] = async (_req, res) => {
    const context = ctx(res);
    const body = res.locals.valid.body as { label: string; answer?: 'created' | 'not_found' };
    if (gate) await gate;
    if (failNext) {
      failNext = false;
      throw new Error('the handler broke');
    }
    const id = randomUUID();
    await withTenant(deps.db, { orgId: context.orgId }, (trx) =>
      recordAudit(trx, context, { action: ECHO_ACTION, subjectType: 'test', subjectId: id }),
    );
    if (body.answer === 'not_found') throw notFound('thing');
    res.status(201).json({ id, label: body.label, query: res.locals.valid.query });
  };

  const schema = {
    params: Joi.object({ storeId: Joi.string().uuid().required() }),
    query: Joi.object({ flag: Joi.boolean() }),
    body: Joi.object({
      label: Joi.string().required(),
      nested: Joi.object({ x: Joi.number(), y: Joi.number() }),
      answer: Joi.string().valid('created', 'not_found'),
    }),
  };
  const echoRoute = (path: string, requireIdempotencyKey = false): RouteDef => ({
    method: 'post',
    path,
    policy: 'apiKeys.create',
    summary: 'test echo',
    tag: 'test',
    schema,
    responses: { 201: { description: 'echoed' } },
    requireIdempotencyKey,
    handler: echoHandler,
  });

  const app = express();
  app.use(requestContext);
  app.use(express.json());
  mountRoutes(
    app,
    [echoRoute('/api/v1/stores/:storeId/test-echo'), echoRoute('/api/v1/stores/:storeId/test-echo-required', true)],
    deps,
  );
  app.use(unknownRoute);
  app.use(errorHandler(deps.logger));

  let tenant: Awaited<ReturnType<typeof createTenant>>;
  let token: string;
  let echoPath: string;

  beforeEach(async () => {
    tenant = await createTenant();
    token = await tokenFor(tenant.admin);
    echoPath = `/api/v1/stores/${tenant.storeA.id}/test-echo`;
  });

  afterEach(() => {
    gate = undefined;
    failNext = false;
  });

  const post = (path: string, body: object, key?: string, auth = token) => {
    const req = request(app).post(path).set(bearer(auth)).send(body);
    return key === undefined ? req : req.set('Idempotency-Key', key);
  };

  async function sideEffects(orgId = tenant.org.id): Promise<number> {
    const [{ count }] = await owner('audit_log').where({ organization_id: orgId, action: ECHO_ACTION }).count();
    return Number(count);
  }

  const storedKey = (key: string, orgId = tenant.org.id) =>
    owner('idempotency_keys').where({ organization_id: orgId, key }).first();

  it('replays the first answer to the same request and acts only once', async () => {
    const key = randomUUID();
    const first = await post(echoPath, { label: 'a' }, key);
    expect(first.status).to.equal(201);
    expect(first.headers).to.not.have.property('idempotent-replayed');

    const second = await post(echoPath, { label: 'a' }, key);
    expect(second.status).to.equal(201);
    expect(second.body).to.deep.equal(first.body);
    expect(second.headers).to.have.property('idempotent-replayed', 'true');
    expect(await sideEffects()).to.equal(1);

    const row = await storedKey(key);
    expect(row).to.include({ status: 'completed', response_status: 201 });
    const lifetime = row.expires_at.getTime() - row.created_at.getTime();
    expect(lifetime).to.equal(24 * 60 * 60 * 1000);
  });

  it('keeps the stored answer encrypted: its text is nowhere in the row, and the replay still carries it', async () => {
    const key = randomUUID();
    const secret = `whsec_${randomUUID().replace(/-/g, '')}`;
    const first = await post(echoPath, { label: secret }, key).expect(201);
    const row = await storedKey(key);
    expect(JSON.stringify(row)).to.not.contain(secret);
    expect(row.response_sealed).to.match(/^v1\./);
    expect(row.response_subjects).to.deep.equal([first.body.id]);
    const replayed = await post(echoPath, { label: secret }, key).expect(201);
    expect(replayed.body).to.deep.equal(first.body);
  });

  it('executes every request that carries no key', async () => {
    await post(echoPath, { label: 'a' }).expect(201);
    await post(echoPath, { label: 'a' }).expect(201);
    expect(await sideEffects()).to.equal(2);
  });

  it('answers 422 when the same key comes with another body', async () => {
    const key = randomUUID();
    await post(echoPath, { label: 'a' }, key).expect(201);
    const res = await post(echoPath, { label: 'b' }, key);
    expect(res.status).to.equal(422);
    expect(res.body.error.code).to.equal('idempotency_mismatch');
    expect(await sideEffects()).to.equal(1);
  });

  it('answers 422 when the same key comes on another path', async () => {
    const key = randomUUID();
    await post(echoPath, { label: 'a' }, key).expect(201);
    const res = await post(`/api/v1/stores/${tenant.storeB.id}/test-echo`, { label: 'a' }, key);
    expect(res.status).to.equal(422);
    expect(res.body.error.code).to.equal('idempotency_mismatch');
  });

  it('answers 422 when the same key comes with another query', async () => {
    const key = randomUUID();
    await post(`${echoPath}?flag=true`, { label: 'a' }, key).expect(201);
    const res = await post(`${echoPath}?flag=false`, { label: 'a' }, key);
    expect(res.status).to.equal(422);
  });

  it('treats bodies that differ only in key order as the same request', async () => {
    const key = randomUUID();
    const first = await post(echoPath, { label: 'a', nested: { x: 1, y: 2 } }, key).expect(201);
    const second = await post(echoPath, { nested: { y: 2, x: 1 }, label: 'a' }, key);
    expect(second.status).to.equal(201);
    expect(second.body).to.deep.equal(first.body);
    expect(second.headers).to.have.property('idempotent-replayed', 'true');
    expect(await sideEffects()).to.equal(1);
  });

  it('answers 409 to a duplicate that arrives while the first is still running, and acts once', async () => {
    let release!: () => void;
    gate = new Promise((resolve) => (release = resolve));
    const key = randomUUID();
    const a = post(echoPath, { label: 'a' }, key).then((r) => r);
    const b = post(echoPath, { label: 'a' }, key).then((r) => r);

    // The loser answers at once; the winner waits on the gate.
    const loser = await Promise.race([a, b]);
    expect(loser.status).to.equal(409);
    expect(loser.body.error.code).to.equal('conflict');
    expect(loser.body.error.message).to.equal('a request with this Idempotency-Key is still in progress');
    expect((await storedKey(key)).status).to.equal('in_flight');

    release();
    const statuses = (await Promise.all([a, b])).map((r) => r.status).sort();
    expect(statuses).to.deep.equal([201, 409]);
    expect(await sideEffects()).to.equal(1);
  });

  it('frees the key when the handler fails with a 500, so a retry executes', async () => {
    const key = randomUUID();
    failNext = true;
    const failed = await post(echoPath, { label: 'a' }, key);
    expect(failed.status).to.equal(500);
    expect(await storedKey(key)).to.equal(undefined);

    const retried = await post(echoPath, { label: 'a' }, key);
    expect(retried.status).to.equal(201);
    expect(retried.headers).to.not.have.property('idempotent-replayed');
    expect(await sideEffects()).to.equal(1);
  });

  it('stores and replays a 4xx answer from the handler', async () => {
    const key = randomUUID();
    const first = await post(echoPath, { label: 'a', answer: 'not_found' }, key);
    expect(first.status).to.equal(404);
    const second = await post(echoPath, { label: 'a', answer: 'not_found' }, key);
    expect(second.status).to.equal(404);
    expect(second.body).to.deep.equal(first.body);
    expect(second.headers).to.have.property('idempotent-replayed', 'true');
    expect(await sideEffects()).to.equal(1);
  });

  it('executes again once the key has expired, even with another body', async () => {
    const key = randomUUID();
    const first = await post(echoPath, { label: 'a' }, key).expect(201);
    await owner('idempotency_keys')
      .where({ organization_id: tenant.org.id, key })
      .update({ expires_at: owner.raw(`now() - interval '1 second'`) });

    const again = await post(echoPath, { label: 'b' }, key);
    expect(again.status).to.equal(201);
    expect(again.body.id).to.not.equal(first.body.id);
    expect(again.headers).to.not.have.property('idempotent-replayed');
    expect(await sideEffects()).to.equal(2);

    const replayed = await post(echoPath, { label: 'b' }, key);
    expect(replayed.body).to.deep.equal(again.body);
  });

  it('scopes keys to the organisation: the same key executes in each', async () => {
    const other = await createTenant();
    const otherToken = await tokenFor(other.admin);
    const key = randomUUID();

    const mine = await post(echoPath, { label: 'a' }, key);
    const theirs = await post(`/api/v1/stores/${other.storeA.id}/test-echo`, { label: 'a' }, key, otherToken);
    expect(mine.status).to.equal(201);
    expect(theirs.status).to.equal(201);
    expect(theirs.headers).to.not.have.property('idempotent-replayed');
    expect(await sideEffects()).to.equal(1);
    expect(await sideEffects(other.org.id)).to.equal(1);
  });

  it('answers 400 naming the header when a route requires a key and none is sent', async () => {
    const res = await post(`/api/v1/stores/${tenant.storeA.id}/test-echo-required`, { label: 'a' });
    expect(res.status).to.equal(400);
    expect(res.body.error.code).to.equal('validation_failed');
    expect(res.body.error.details).to.deep.equal([{ path: 'Idempotency-Key', message: 'is required' }]);
    expect(await sideEffects()).to.equal(0);

    await post(`/api/v1/stores/${tenant.storeA.id}/test-echo-required`, { label: 'a' }, randomUUID()).expect(201);
  });

  it('answers 400 to a key longer than 255 characters', async () => {
    const res = await post(echoPath, { label: 'a' }, 'k'.repeat(256));
    expect(res.status).to.equal(400);
    expect(res.body.error.details[0].path).to.equal('Idempotency-Key');
    expect(await sideEffects()).to.equal(0);
  });

  it('does not store a request that fails validation, so the key stays free', async () => {
    const key = randomUUID();
    const invalid = await post(echoPath, { label: 42 }, key);
    expect(invalid.status).to.equal(400);
    expect(await storedKey(key)).to.equal(undefined);

    await post(echoPath, { label: 'a' }, key).expect(201);
  });
});
