import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { inspect } from 'node:util';
import { expect } from 'chai';
import Joi from 'joi';
import nock from 'nock';
import type { PosRetryEvent } from '../../integrations/pos/pos-client.js';
import { PosError } from '../../integrations/pos/pos-errors.js';
import { createPosHttp, parseRetryAfter, validateResponse, type PosHttpOptions } from '../../integrations/pos/http.js';
import type { RateLimiter } from '../../integrations/pos/rate-limiter.js';
import { expectPosError } from '../support/pos-test-helpers.js';

const BASE = 'https://pos.example.test';
const SECRET = 'sekrit-store-key-123';
const NOW = new Date('2024-03-12T12:00:00.000Z');

function harness(overrides: Partial<PosHttpOptions> = {}) {
  const retries: PosRetryEvent[] = [];
  const counts = { acquired: 0, authorized: 0, authRejected: 0 };
  const rateLimiter: RateLimiter = { acquire: async () => void counts.acquired++, pauseFor: () => undefined };
  const http = createPosHttp({
    provider: 'treez',
    baseURL: BASE,
    limiterKey: 'unused',
    rateLimit: { perSecond: 10 },
    rateLimiter,
    headers: { Authorization: SECRET },
    retry: { retries: 2, minDelayMs: 0, maxDelayMs: 0 },
    now: () => NOW,
    onRetry: (e) => retries.push(e),
    authorize: () => void counts.authorized++,
    onAuthRejected: () => void counts.authRejected++,
    ...overrides,
  });
  return { http, retries, counts };
}

describe('POS http', () => {
  before(() => {
    nock.disableNetConnect();
    nock.enableNetConnect((host) => host.startsWith('127.0.0.1') || host.startsWith('localhost'));
  });
  afterEach(() => {
    const pending = nock.pendingMocks();
    nock.cleanAll();
    expect(pending, 'every mocked answer is used').to.deep.equal([]);
  });
  after(() => nock.enableNetConnect());

  describe('error translation', () => {
    it('401 becomes pos_auth_failed, is not retried and tells the adapter to drop its token', async () => {
      nock(BASE).get('/customers').reply(401, { resultCode: 'FAIL' });
      const { http, retries, counts } = harness();
      const err = await expectPosError(http.get('/customers'), 'pos_auth_failed');
      expect(err).to.include({ retryable: false, status: 401, provider: 'treez' });
      expect(retries).to.have.length(0);
      expect(counts.authRejected).to.equal(1);
    });

    it('a 401 after a retried 503 tells the adapter once; a failing hook does not hide the 401', async () => {
      nock(BASE).get('/customers').reply(503).get('/customers').reply(401);
      let told = 0;
      const { http } = harness({
        onAuthRejected: () => {
          told++;
          throw new Error('cache down');
        },
      });
      await expectPosError(http.get('/customers'), 'pos_auth_failed');
      expect(told).to.equal(1);
    });

    it('403 (a missing scope) is pos_auth_failed too', async () => {
      nock(BASE).get('/customers').reply(403);
      await expectPosError(harness().http.get('/customers'), 'pos_auth_failed');
    });

    it('the error that leaves carries no request, headers or credentials', async () => {
      nock(BASE).get('/customers').reply(401);
      const err = await expectPosError(harness().http.get('/customers'), 'pos_auth_failed');
      expect(err).not.to.have.property('config');
      expect(err).not.to.have.property('request');
      expect(err.cause).to.equal(undefined);
      expect(inspect(err, { depth: 20, showHidden: true })).not.to.include(SECRET);
      expect(JSON.stringify(err)).not.to.include(SECRET);
    });

    it('404 is pos_not_found, 422 pos_rejected, neither retried', async () => {
      nock(BASE).get('/customers/9').reply(404).post('/customers').reply(422, { message: 'phone taken' });
      const { http, retries } = harness();
      await expectPosError(http.get('/customers/9'), 'pos_not_found');
      const rejected = await expectPosError(http.post('/customers', {}), 'pos_rejected');
      expect(rejected.message).not.to.include('phone');
      expect(retries).to.have.length(0);
    });

    it("a vendor's own translation comes first", async () => {
      nock(BASE).get('/customers').reply(404, { message: 'must be in format yyyy-mm-dd' });
      const { http } = harness({
        translateError: (res) =>
          res.status === 404 && /format/.test(String(res.data?.message))
            ? new PosError('pos_rejected', 'bad date filter', { provider: 'flowhub', status: 404 })
            : undefined,
      });
      await expectPosError(http.get('/customers'), 'pos_rejected');
    });

    it('keeps the vendor request id for support', async () => {
      nock(BASE).get('/customers').reply(422, {}, { 'X-Request-Id': 'req-42' });
      const err = await expectPosError(harness().http.get('/customers'), 'pos_rejected');
      expect(err.vendorRequestId).to.equal('req-42');
    });
  });

  describe('retries', () => {
    it('500 then 200 succeeds, with credentials and the limiter applied to each attempt', async () => {
      nock(BASE)
        .get('/customers')
        .reply(500)
        .get('/customers')
        .reply(200, [{ id: 1 }]);
      const { http, retries, counts } = harness();
      const res = await http.get('/customers');
      expect(res.data).to.deep.equal([{ id: 1 }]);
      expect(retries.map((r) => [r.attempt, r.code, r.status])).to.deep.equal([[1, 'pos_unavailable', 500]]);
      expect(counts).to.include({ acquired: 2, authorized: 2 });
    });

    it('gives up after the configured retries with pos_unavailable', async () => {
      nock(BASE).get('/customers').times(3).reply(503);
      const { http, retries } = harness();
      const err = await expectPosError(http.get('/customers'), 'pos_unavailable');
      expect(err).to.include({ retryable: true, status: 503 });
      expect(retries.map((r) => r.attempt)).to.deep.equal([1, 2]);
    });

    it('a status the vendor says not to retry fails at once, not retryable (Dutchie 500)', async () => {
      nock(BASE).get('/customers').reply(500).get('/customers').reply(502).get('/customers').reply(200, []);
      const { http, retries } = harness({ isRetryableStatus: (s) => s !== 500 });
      const err = await expectPosError(http.get('/customers'), 'pos_unavailable');
      expect(err.retryable).to.equal(false);
      expect(retries).to.have.length(0);
      await http.get('/customers');
      expect(retries.map((r) => r.status)).to.deep.equal([502]);
    });

    it('429 waits Retry-After (reported, capped to 0 in tests) and succeeds', async () => {
      nock(BASE).get('/customers').reply(429, {}, { 'Retry-After': '2' }).get('/customers').reply(200, []);
      const { http, retries } = harness();
      await http.get('/customers');
      expect(retries).to.deep.equal([
        { provider: 'treez', attempt: 1, code: 'pos_rate_limited', status: 429, retryAfterMs: 2000, delayMs: 0 },
      ]);
    });

    it('waits the longer of backoff and Retry-After, within maxDelayMs', async () => {
      nock(BASE).get('/customers').reply(429, {}, { 'Retry-After': '0.02' }).get('/customers').reply(200, []);
      const { http, retries } = harness({ retry: { retries: 1, minDelayMs: 1, maxDelayMs: 50 } });
      await http.get('/customers');
      expect(retries[0].delayMs).to.equal(20);
    });

    it('a Retry-After beyond maxRetryAfterMs is left to the job queue: pos_rate_limited with the wait', async () => {
      nock(BASE).get('/customers').reply(429, {}, { 'Retry-After': 'Tue, 12 Mar 2024 12:10:00 GMT' });
      const { http, retries } = harness({
        retry: { retries: 2, minDelayMs: 0, maxDelayMs: 0, maxRetryAfterMs: 60_000 },
      });
      const err = await expectPosError(http.get('/customers'), 'pos_rate_limited');
      expect(err).to.include({ retryable: true, retryAfterMs: 600_000 });
      expect(retries).to.have.length(0);
    });

    it('a timeout is pos_unavailable after the retries', async () => {
      nock(BASE).get('/customers').times(2).delay(300).reply(200, []);
      const { http, retries } = harness({ timeoutMs: 30, retry: { retries: 1, minDelayMs: 0, maxDelayMs: 0 } });
      const err = await expectPosError(http.get('/customers'), 'pos_unavailable');
      expect(err.message).to.include('timed out');
      expect(retries).to.have.length(1);
    });

    it('a dropped connection is retried', async () => {
      nock(BASE).get('/customers').replyWithError(connectionReset()).get('/customers').reply(200, []);
      const { http, retries } = harness();
      await http.get('/customers');
      expect(retries.map((r) => r.code)).to.deep.equal(['pos_unavailable']);
    });

    it('a create is not repeated after a 5xx or a reset (it may have been done), but is after a 429', async () => {
      nock(BASE)
        .post('/customers')
        .reply(500)
        .post('/customers')
        .replyWithError(connectionReset())
        .post('/customers')
        .reply(429)
        .post('/customers')
        .reply(201, { id: 7 });
      const { http, retries } = harness();
      await expectPosError(http.post('/customers', {}), 'pos_unavailable');
      await expectPosError(http.post('/customers', {}), 'pos_unavailable');
      expect((await http.post('/customers', {})).status).to.equal(201);
      expect(retries.map((r) => r.code)).to.deep.equal(['pos_rate_limited']);
    });

    it('a POST marked posRetrySafe (a search) is retried like a GET', async () => {
      nock(BASE).post('/search').reply(503).post('/search').reply(200, []);
      const { http, retries } = harness();
      await http.post('/search', {}, { posRetrySafe: true });
      expect(retries).to.have.length(1);
    });

    it('a refused connection is retried even for a create: nothing was sent', async () => {
      const closed = await freePort();
      const { http, retries } = harness({ baseURL: `http://127.0.0.1:${closed}`, development: true });
      const err = await expectPosError(http.post('/customers', {}), 'pos_unavailable');
      expect(err.message).to.include('ECONNREFUSED');
      expect(retries).to.have.length(2);
    });
  });

  describe('addresses outside development', () => {
    it('refuses a literal private address before sending anything', async () => {
      const { http, counts } = harness({ baseURL: 'https://10.0.0.8' });
      await expectPosError(http.get('/customers'), 'pos_misconfigured');
      expect(counts.authorized).to.equal(0);
    });

    it('refuses plain http', async () => {
      await expectPosError(harness({ baseURL: 'http://pos.example.test' }).http.get('/x'), 'pos_misconfigured');
    });

    it('refuses a name that resolves to loopback at connect time', async () => {
      const port = await freePort();
      await expectPosError(harness({ baseURL: `https://localhost:${port}` }).http.get('/x'), 'pos_misconfigured');
    });

    it('in development reaches a sandbox vendor on loopback', async () => {
      const server = createServer((_req, res) => res.setHeader('content-type', 'application/json').end('[]'));
      await new Promise<void>((done) => server.listen(0, '127.0.0.1', done));
      try {
        const { port } = server.address() as AddressInfo;
        const res = await harness({ baseURL: `http://localhost:${port}`, development: true }).http.get('/x');
        expect(res.data).to.deep.equal([]);
      } finally {
        await closeServer(server);
      }
    });
  });

  describe('Retry-After', () => {
    it('reads delta-seconds', () => {
      expect(parseRetryAfter('120', NOW)).to.equal(120_000);
      expect(parseRetryAfter(' 1.5 ', NOW)).to.equal(1_500);
      expect(parseRetryAfter(0, NOW)).to.equal(0);
    });

    it('reads an HTTP-date against the injected clock; a past date means now', () => {
      expect(parseRetryAfter('Tue, 12 Mar 2024 12:00:30 GMT', NOW)).to.equal(30_000);
      expect(parseRetryAfter('Tue, 12 Mar 2024 11:00:00 GMT', NOW)).to.equal(0);
    });

    it('ignores what it cannot read', () => {
      expect(parseRetryAfter(undefined, NOW)).to.equal(undefined);
      expect(parseRetryAfter('soon', NOW)).to.equal(undefined);
      expect(parseRetryAfter('-5', NOW)).to.equal(undefined);
    });
  });

  describe('validateResponse', () => {
    const page = Joi.object({
      data: Joi.array()
        .items(Joi.object({ id: Joi.string().required() }))
        .required(),
    });

    it('returns the payload, unknown fields included', () => {
      const body = { data: [{ id: 'a', extra: 1 }], more: true };
      expect(validateResponse(page, body, 'treez')).to.deep.equal(body);
    });

    it('fails pos_bad_response naming paths and kinds, never values', () => {
      let err: unknown;
      try {
        validateResponse(page, { data: [{ id: 'a' }, { id: { email: 'jane@example.com' } }] }, 'treez');
      } catch (e) {
        err = e;
      }
      expect(err).to.be.an.instanceOf(PosError);
      const e = err as PosError;
      expect(e).to.include({ code: 'pos_bad_response', retryable: false, provider: 'treez' });
      expect(e.details).to.deep.equal([{ path: 'data.1.id', type: 'string.base' }]);
      expect(e.message).to.include('data.1.id');
      expect(inspect(e, { depth: 20 })).not.to.include('jane');
    });

    it('an HTML error page in place of JSON is pos_bad_response', () => {
      expect(() => validateResponse(page, '<html>Bad gateway</html>', 'treez'))
        .to.throw(PosError)
        .with.property('code', 'pos_bad_response');
    });
  });
});

// An Error, not a plain object: nock 15.0.0 crashes on replyWithError({code}) (nock/nock#2829).
const connectionReset = () => Object.assign(new Error('socket hang up'), { code: 'ECONNRESET' });

async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((done) => server.listen(0, '127.0.0.1', done));
  const { port } = server.address() as AddressInfo;
  await closeServer(server);
  return port;
}

function closeServer(server: Server): Promise<void> {
  return new Promise((done) => server.close(() => done()));
}
