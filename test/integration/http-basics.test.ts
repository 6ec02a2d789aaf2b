import { expect } from 'chai';
import request from 'supertest';
import { testContext } from '../support/test-context.js';

describe('HTTP basics', () => {
  const { app } = testContext();

  it('answers an unknown route with 404 in the error shape and a request id', async () => {
    const res = await request(app).get('/api/v1/nothing-here');
    expect(res.status).to.equal(404);
    expect(res.body.error).to.include({ code: 'not_found' });
    expect(res.body.error.details).to.deep.equal([]);
    expect(res.body.error.requestId).to.equal(res.headers['x-request-id']);
  });

  it('echoes a sane X-Request-Id from the caller', async () => {
    const res = await request(app).get('/healthz').set('X-Request-Id', 'trace-abc.123');
    expect(res.status).to.equal(200);
    expect(res.headers['x-request-id']).to.equal('trace-abc.123');
  });

  it('replaces an X-Request-Id that could inject into logs', async () => {
    const res = await request(app).get('/healthz').set('X-Request-Id', 'bad id\twith tabs');
    expect(res.headers['x-request-id']).to.match(/^[0-9a-f-]{36}$/);
  });

  it('sets security headers through helmet', async () => {
    const res = await request(app).get('/healthz');
    expect(res.headers).to.have.property('x-content-type-options', 'nosniff');
    expect(res.headers).to.not.have.property('x-powered-by');
  });

  it('answers /readyz 200 when PostgreSQL and Redis answer', async () => {
    const res = await request(app).get('/readyz');
    expect(res.status).to.equal(200);
    expect(res.body).to.deep.equal({ status: 'ok', checks: { postgres: 'ok', redis: 'ok' } });
  });
});
