import { generateKeyPairSync, sign } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import { expect } from 'chai';
import type { PosClientDeps, PosRetryEvent } from '../../integrations/pos/pos-client.js';
import type { NewPosCustomer } from '../../integrations/pos/pos-types.js';
import { isoWithOffset } from '../../integrations/pos/store-time.js';
import { createMemoryTokenCache } from '../../integrations/pos/token-cache.js';
import { signTreezToken, treezSigningKey } from '../../integrations/pos/treez/treez-auth.js';
import { createTreezClient } from '../../integrations/pos/treez/treez-client.js';
import { sandboxPeople } from '../../integrations/sandbox/sandbox-kit.js';
import { zonedIso } from '../../integrations/sandbox/treez-sandbox-book.js';
import { startTreezSandbox, type TreezSandbox } from '../../integrations/sandbox/treez-sandbox.js';
import { UNLIMITED, expectPosError, listPages } from '../support/pos-test-helpers.js';

// The real Treez adapter against the Treez sandbox over loopback: both auth modes, paging, the
// incremental filter, creates, every fault, and the sandbox's own Treez quirks.

const TIMEZONE = 'America/Los_Angeles';
const pem = generateKeyPairSync('rsa', { modulusLength: 2048 })
  .privateKey.export({ type: 'pkcs8', format: 'pem' })
  .toString();

describe('Treez adapter against the Treez sandbox', () => {
  const people = sandboxPeople(250);
  let sandbox: TreezSandbox;
  let retries: PosRetryEvent[];

  const deps = (overrides: Partial<PosClientDeps> = {}): PosClientDeps => ({
    baseUrl: sandbox.url,
    storeTimezone: TIMEZONE,
    development: true,
    timeoutMs: 2_000,
    retry: { retries: 2, minDelayMs: 10, maxDelayMs: 2_000 },
    tokenCache: createMemoryTokenCache(),
    onRetry: (event) => retries.push(event),
    ...overrides,
  });
  const v3Client = (overrides: Partial<PosClientDeps> = {}) => createTreezClient(sandbox.credentials, deps(overrides));
  const v2Client = (overrides: Partial<PosClientDeps> = {}) =>
    createTreezClient(sandbox.legacyCredentials, deps(overrides));

  before(async () => {
    sandbox = await startTreezSandbox({ people, production: false, privateKey: pem, timeZone: TIMEZONE });
  });
  after(() => sandbox.close());
  beforeEach(() => {
    sandbox.faults.set('none');
    retries = [];
  });

  describe('listing', () => {
    it('lists all 250 customers in pages of 50 with v3 signed tokens, mapped into our shape', async () => {
      const pages = await listPages(v3Client(), null);
      expect(pages.map((p) => p.length)).to.deep.equal([50, 50, 50, 50, 50]);
      const customers = pages.flat();
      expect(new Set(customers.map((c) => c.externalId)).size).to.equal(250);

      const merged = customers.filter((c) => c.status === 'merged');
      expect(merged.map((c) => [c.externalId, c.mergedIntoExternalId])).to.have.deep.members([
        ['50', '49'],
        ['100', '99'],
        ['150', '149'],
        ['200', '199'],
        ['250', '249'],
      ]);
      expect(customers.filter((c) => c.status === 'inactive').map((c) => c.externalId)).to.have.members(['97', '194']);
      expect(customers.filter((c) => c.customerType === 'medical')).to.have.length(
        people.filter((p) => p.medical).length,
      );

      const person = people[0];
      expect(customers.find((c) => c.externalId === '1')).to.deep.equal({
        externalId: '1',
        firstName: person.firstName,
        middleName: null,
        lastName: person.lastName,
        birthday: person.birthday,
        email: person.email,
        phone: person.phone,
        driversLicense: { number: person.driversLicense, state: null, expiresOn: `2027${person.birthday.slice(4)}` },
        medicalCard: person.medical ? { number: person.medicalCard, state: null, expiresOn: '2026-06-30' } : null,
        customerType: person.medical ? 'medical' : 'recreational',
        loyaltyPoints: person.loyaltyPoints,
        status: 'active',
        mergedIntoExternalId: null,
        lastModifiedAt: person.modifiedAt,
      });
    });

    it('an incremental listing returns only the customers changed since, a POS merge included', async () => {
      const since = new Date();
      await sleep(5);
      const at = new Date();
      sandbox.customers.modify(7, { rewardsBalance: 999 }, at);
      sandbox.customers.modify(120, { email: 'changed@sandbox.example' }, at);
      sandbox.customers.merge(31, 30, at);
      const changed = (await listPages(v3Client(), since)).flat();
      expect(changed.map((c) => [c.externalId, c.status, c.mergedIntoExternalId])).to.have.deep.members([
        ['7', 'active', null],
        ['120', 'active', null],
        ['31', 'merged', '30'],
        ['30', 'active', null],
      ]);
      expect(changed.find((c) => c.externalId === '7')?.loyaltyPoints).to.equal(999);
      expect(await listPages(v3Client(), new Date(at.getTime() + 1))).to.deep.equal([]);
    });

    it('with legacy v2 credentials, exchanges one token for several clients, and a new one once Treez revokes it', async () => {
      const tokenCache = createMemoryTokenCache();
      const exchanges = sandbox.stats.tokenExchanges;
      expect((await listPages(v2Client({ tokenCache }), null)).flat()).to.have.length(250);
      expect((await listPages(v2Client({ tokenCache }), null)).flat()).to.have.length(250);
      expect(sandbox.stats.tokenExchanges - exchanges).to.equal(1);

      sandbox.revokeTokens();
      await expectPosError(listPages(v2Client({ tokenCache }), null), 'pos_auth_failed');
      expect((await listPages(v2Client({ tokenCache }), null)).flat()).to.have.length(250);
      expect(sandbox.stats.tokenExchanges - exchanges).to.equal(2);
    });

    it('stays under Treez’s 10 TPS: 1,000 customers in 21 requests, no 429', async () => {
      const big = await startTreezSandbox({ people: sandboxPeople(1000, 7), production: false, privateKey: pem });
      try {
        const client = createTreezClient(big.credentials, deps({ baseUrl: big.url }));
        const started = Date.now();
        expect((await listPages(client, null)).flat()).to.have.length(1000);
        expect(big.stats.requests).to.equal(21);
        expect(big.stats.rateLimited).to.equal(0);
        expect(Date.now() - started).to.be.at.least(1_000);
      } finally {
        await big.close();
      }
    });

    it('without a client-side limiter, the sandbox answers 429 and the client waits Retry-After out', async () => {
      const big = await startTreezSandbox({ people: sandboxPeople(1000, 7), production: false, privateKey: pem });
      try {
        const client = createTreezClient(big.credentials, deps({ baseUrl: big.url, rateLimiter: UNLIMITED }));
        expect((await listPages(client, null)).flat()).to.have.length(1000);
        expect(big.stats.rateLimited).to.be.at.least(1);
        expect(retries.filter((r) => r.code === 'pos_rate_limited').map((r) => r.retryAfterMs)).to.include(1_000);
      } finally {
        await big.close();
      }
    });

    it('a sandbox numbering pages from 1 makes the listing fail loudly rather than skip customers', async () => {
      const oneBased = await startTreezSandbox({ people, production: false, privateKey: pem, firstPage: 1 });
      try {
        const err = await expectPosError(
          listPages(createTreezClient(oneBased.credentials, deps({ baseUrl: oneBased.url })), null),
          'pos_rejected',
        );
        expect(err.details).to.deep.equal([{ type: 'INVALID_PAGE_NUMBER' }]);
      } finally {
        await oneBased.close();
      }
    });
  });

  describe('creating', () => {
    const newCustomer = (overrides: Partial<NewPosCustomer> = {}): NewPosCustomer => ({
      patronId: 'a3f1c2d4-5e6f-4a7b-8c9d-0e1f2a3b4c5d',
      firstName: 'Inès',
      middleName: null,
      lastName: 'Moreau',
      birthday: '1993-04-22',
      email: 'ines.moreau@example.com',
      phone: '+14155559876',
      driversLicense: { number: 'F7654321', state: 'CA', expiresOn: '2031-04-22' },
      medicalCard: null,
      customerType: 'recreational',
      ...overrides,
    });

    it('creates a customer at the POS; it comes back in the next incremental listing under its new id', async () => {
      const since = new Date();
      await sleep(5);
      const ref = await v3Client().createCustomer!(newCustomer());
      const stored = sandbox.customers.get(Number(ref.externalId));
      expect(stored).to.include({ externalId: 'a3f1c2d4-5e6f-4a7b-8c9d-0e1f2a3b4c5d', phone: '4155559876' });
      const changed = (await listPages(v3Client(), since)).flat();
      expect(changed.map((c) => [c.externalId, c.firstName, c.lastName, c.customerType])).to.deep.equal([
        [ref.externalId, 'Inès', 'Moreau', 'recreational'],
      ]);
    });

    it('a duplicate email is refused by Treez: pos_rejected naming the reason, nothing created', async () => {
      const before = sandbox.customers.size;
      const err = await expectPosError(
        v2Client().createCustomer!(newCustomer({ email: people[3].email, phone: null })),
        'pos_rejected',
      );
      expect(err.details).to.deep.equal([{ type: 'CUSTOMER_EMAIL_EXISTS' }]);
      expect(err.message).to.not.include(people[3].email);
      expect(sandbox.customers.size).to.equal(before);
    });

    it('a customer without the birthday Treez requires is refused before any request', async () => {
      const requests = sandbox.stats.requests;
      await expectPosError(v3Client().createCustomer!(newCustomer({ birthday: null })), 'pos_rejected');
      expect(sandbox.stats.requests).to.equal(requests);
    });
  });

  describe('faults', () => {
    it('rate-limit: the 429 is waited out (Retry-After: 1) and the listing completes', async () => {
      sandbox.faults.set('rate-limit');
      expect((await listPages(v3Client(), null)).flat()).to.have.length(sandbox.customers.size);
      expect(retries.map((r) => [r.code, r.retryAfterMs])).to.deep.equal([['pos_rate_limited', 1_000]]);
    });

    it('error-then-ok: one 500 is retried and the listing completes', async () => {
      sandbox.faults.set('error-then-ok');
      expect((await listPages(v3Client(), null)).flat()).to.have.length(sandbox.customers.size);
      expect(retries.map((r) => r.status)).to.deep.equal([500]);
    });

    it('slow: an answer slower than the timeout is pos_unavailable after the retries', async () => {
      sandbox.faults.set('slow');
      sandbox.faults.slowMs = 400;
      try {
        const err = await expectPosError(listPages(v3Client({ timeoutMs: 100 }), null), 'pos_unavailable');
        expect(err.message).to.match(/timed out/);
        expect(retries).to.have.length(2);
      } finally {
        sandbox.faults.slowMs = 3_000;
      }
    });

    it('malformed: pos_bad_response, not retried', async () => {
      sandbox.faults.set('malformed');
      await expectPosError(listPages(v3Client(), null), 'pos_bad_response');
      expect(retries).to.deep.equal([]);
    });

    it('down: pos_unavailable and retryable after the retries, for either auth mode', async () => {
      sandbox.faults.set('down');
      const v3Error = await expectPosError(listPages(v3Client(), null), 'pos_unavailable');
      expect(v3Error.retryable).to.equal(true);
      expect(retries.map((r) => r.status)).to.deep.equal([503, 503]);
      await expectPosError(listPages(v2Client(), null), 'pos_unavailable');
    });
  });

  describe("the sandbox's Treez quirks", () => {
    // Raw calls have no client-side limiter: this sandbox leaves the 10 TPS limit off.
    let raw: TreezSandbox;
    before(async () => {
      raw = await startTreezSandbox({ people, production: false, privateKey: pem, timeZone: TIMEZONE, tps: null });
    });
    after(() => raw.close());
    const prefix = '/dispensary/v3/partnersandbox3';
    const key = treezSigningKey(pem);
    const claimsFor = (url: string) => ({
      aud: url,
      iss: raw.credentials.certificateId,
      oid: raw.credentials.organizationId,
    });
    const call = async (path: string, token?: (url: string) => string) => {
      const url = `${raw.url}${prefix}${path}`;
      const authorization = token ? token(url) : signTreezToken(claimsFor(url), key, new Date());
      const res = await fetch(url, { headers: { authorization } });
      return { status: res.status, body: (await res.json()) as Record<string, unknown> };
    };
    const listPath = (after: string, size = 50) =>
      `/customer/lastUpdated/after/${encodeURIComponent(after)}/page/0/pagesize/${size}`;

    it('answers 400 RESPONSE_LIMIT_EXCEEDS above 50 per page and INVALID_DATE_FORMAT without milliseconds', async () => {
      expect(await call(listPath('2024-01-01T00:00:00.000-08:00', 51))).to.deep.include({
        status: 400,
        body: { resultCode: 'FAIL', resultReason: 'RESPONSE_LIMIT_EXCEEDS', resultDetail: 'Do not exceed 50' },
      });
      const badDate = await call(listPath('2024-01-01T00:00:00-08:00'));
      expect([badDate.status, badDate.body.resultReason]).to.deep.equal([400, 'INVALID_DATE_FORMAT']);
    });

    it('answers 404 CUSTOMER_DOESNT_EXIST for an unknown id, and "N/A" in the fields Treez fills with it', async () => {
      const missing = await call('/customer/999999');
      expect([missing.status, missing.body.resultReason]).to.deep.equal([404, 'CUSTOMER_DOESNT_EXIST']);
      const found = await call('/customer/2');
      expect(found.status).to.equal(200);
      expect(found.body.data).to.include({ notes: 'N/A', caregiver_name_1: 'N/A', customer_id: '2' });
      expect((found.body.data as Record<string, string>).last_visit_date).to.match(
        /^\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2}\.\d{3}$/,
      );
    });

    it('refuses tokens that are not Treez’s: another key, another URL, a replay (401), a TTL other than 30 s (400)', async () => {
      const otherKey = generateKeyPairSync('rsa', { modulusLength: 2048 }).privateKey;
      const path = '/customer/1';
      expect((await call(path, (url) => signTreezToken(claimsFor(url), otherKey, new Date()))).status).to.equal(401);
      expect(
        (await call(path, () => signTreezToken(claimsFor(`${raw.url}/elsewhere`), key, new Date()))).status,
      ).to.equal(401);
      const url = `${raw.url}${prefix}${path}`;
      const once = signTreezToken(claimsFor(url), key, new Date());
      expect((await call(path, () => once)).status).to.equal(200);
      expect((await call(path, () => once)).status).to.equal(401);
      const longLived = (target: string) => {
        const iat = Date.now();
        const payload = Buffer.from(JSON.stringify({ ...claimsFor(target), iat, exp: iat + 60_000 })).toString(
          'base64url',
        );
        return `${payload}.${sign('sha256', Buffer.from(payload), key).toString('base64')}`;
      };
      const ttl = await call(path, longLived);
      expect([ttl.status, ttl.body.resultReason]).to.deep.equal([400, 'INVALID_TOKEN_TTL']);
      expect((await call(path, () => '')).body).to.deep.include({
        resultReason: 'Full authentication is required to access this resource',
      });
    });

    it("writes dates as the store's wall clock and offset, across DST changes and in half-hour zones", () => {
      for (const zone of ['America/Los_Angeles', 'America/St_Johns', 'Australia/Lord_Howe', 'UTC']) {
        const local = zonedIso(zone);
        for (let at = Date.UTC(2024, 2, 9); at < Date.UTC(2024, 3, 8); at += 31 * 60_000 + 123) {
          expect(local(new Date(at)), zone).to.equal(isoWithOffset(new Date(at), zone));
        }
      }
    });

    it('never starts in production', async () => {
      let refused = false;
      await startTreezSandbox({ people: [], production: true }).catch(() => (refused = true));
      expect(refused).to.equal(true);
    });
  });
});
