import { expect } from 'chai';
import request from 'supertest';
import { config } from '../../config/env.js';
import { createRedis } from '../../config/redis.js';
import { buildApp } from '../../server/app.js';
import { startDisposableRedis } from '../support/disposable-redis.js';
import { testContext } from '../support/test-context.js';

function expectErrorShape(body: any, code: string) {
  expect(body).to.have.all.keys('error');
  expect(body.error).to.have.all.keys('code', 'message', 'details', 'requestId');
  expect(body.error.code).to.equal(code);
  expect(body.error.details).to.be.an('array');
}

describe('HTTP errors', () => {
  const { app } = testContext();

  it('answers malformed JSON with 400 validation_failed, not 500', async () => {
    const res = await request(app)
      .post('/api/v1/auth/login')
      .set('Content-Type', 'application/json')
      .send('{"email": "a@b.c",');
    expect(res.status).to.equal(400);
    expectErrorShape(res.body, 'validation_failed');
    expect(res.body.error.message).to.match(/not valid JSON/);
  });

  it('answers a JSON body over 1 MB with 413 payload_too_large', async () => {
    const big = JSON.stringify({ blob: 'x'.repeat(1024 * 1024 + 10) });
    const res = await request(app).post('/api/v1/auth/login').set('Content-Type', 'application/json').send(big);
    expect(res.status).to.equal(413);
    expectErrorShape(res.body, 'payload_too_large');
  });

  it('answers a non-JSON body with 415 unsupported_media_type', async () => {
    const res = await request(app).post('/api/v1/auth/login').set('Content-Type', 'text/plain').send('email=a');
    expect(res.status).to.equal(415);
    expectErrorShape(res.body, 'unsupported_media_type');
  });

  it('answers a protected route without credentials with 401 in the error shape', async () => {
    const res = await request(app).get('/api/v1/me');
    expect(res.status).to.equal(401);
    expectErrorShape(res.body, 'unauthenticated');
  });

  describe('/readyz while Redis is down', () => {
    let redisServer: Awaited<ReturnType<typeof startDisposableRedis>>;
    before(async () => {
      redisServer = await startDisposableRedis();
    });
    after(async () => redisServer.stop());

    it('answers 200 while its Redis answers and 503 naming redis once it stops', async () => {
      const redis = createRedis('client', redisServer.url);
      redis.on('error', () => undefined);
      const { app: probed } = buildApp({ ...testContext().deps, redis, config });
      try {
        const up = await request(probed).get('/readyz');
        expect(up.status).to.equal(200);
        await redisServer.stop();
        const down = await request(probed).get('/readyz');
        expect(down.status).to.equal(503);
        expect(down.body).to.deep.equal({ status: 'unavailable', checks: { postgres: 'ok', redis: 'down' } });
      } finally {
        redis.disconnect();
      }
    });
  });
});
