import axios from 'axios';
import { expect } from 'chai';
import { COVASOFT_PAGE_SIZE, createCovasoftClient } from '../../integrations/pos/covasoft/covasoft-client.js';
import type { PosClientDeps, PosRetryEvent } from '../../integrations/pos/pos-client.js';
import { PosError, type PosErrorCode } from '../../integrations/pos/pos-errors.js';
import { createMemoryTokenCache } from '../../integrations/pos/token-cache.js';
import { startCovasoftSandbox, type CovasoftSandbox } from '../../integrations/sandbox/covasoft-sandbox.js';
import { sandboxPeople } from '../../integrations/sandbox/sandbox-kit.js';
import { listPages } from '../support/pos-test-helpers.js';

// The real Cova adapter against the Cova sandbox over loopback HTTP: OAuth grant, OData paging and filter,
// gateway limits and faults, and the write path.

const PEOPLE = sandboxPeople(1100, 7);
const formatPhone = (d: string) => `(${d.slice(0, 3)}) ${d.slice(3, 6)}-${d.slice(6)}`;

async function expectPosError(work: Promise<unknown>, code: PosErrorCode): Promise<PosError> {
  try {
    await work;
  } catch (err) {
    expect(err).to.be.an.instanceOf(PosError);
    expect((err as PosError).code, (err as Error).message).to.equal(code);
    return err as PosError;
  }
  throw new Error(`expected ${code}, the call succeeded`);
}

describe('Cova adapter against the Cova sandbox', () => {
  let sandbox: CovasoftSandbox;
  let retries: PosRetryEvent[];
  let tokenCache: ReturnType<typeof createMemoryTokenCache>;

  const client = (overrides: Partial<PosClientDeps> = {}, credentials: object = sandbox.credentials) =>
    createCovasoftClient(credentials, {
      baseUrl: sandbox.url,
      authUrl: sandbox.url,
      development: true,
      storeTimezone: 'America/Vancouver',
      timeoutMs: 5_000,
      retry: { retries: 2, minDelayMs: 0, maxDelayMs: 5_000 },
      tokenCache,
      onRetry: (event) => retries.push(event),
      ...overrides,
    });
  const list = (since: Date | null, overrides: Partial<PosClientDeps> = {}) => listPages(client(overrides), since);
  const listRequests = () => sandbox.requests.filter((r) => r.method === 'GET' && r.path.endsWith('/CustomerFull'));
  // A whole second after the seed: the filter is sent in whole seconds (rounded down), so a since inside the
  // last seeded record's second would rightly list it again.
  const afterSeed = () =>
    new Date(Math.ceil((Math.max(...PEOPLE.map((p) => p.modifiedAt.getTime())) + 1) / 1000) * 1000);

  beforeEach(async () => {
    sandbox = await startCovasoftSandbox({ people: PEOPLE, production: false });
    retries = [];
    tokenCache = createMemoryTokenCache();
  });
  afterEach(() => sandbox.close());

  it('lists all 1,100 customers in pages of 500, mapped from CustomerFull with one token grant', async () => {
    const pages = await list(null);
    expect(pages.map((p) => p.length)).to.deep.equal([500, 500, 100]);
    expect(listRequests().map((r) => [r.query.$skip, r.query.$top, r.query.$filter])).to.deep.equal([
      ['0', String(COVASOFT_PAGE_SIZE), undefined],
      ['500', String(COVASOFT_PAGE_SIZE), undefined],
      ['1000', String(COVASOFT_PAGE_SIZE), undefined],
    ]);
    expect(sandbox.tokenGrants()).to.equal(1);

    const byId = new Map(pages.flat().map((c) => [c.externalId, c]));
    expect([...byId.keys()].sort()).to.deep.equal(sandbox.customerIds());
    for (const person of PEOPLE) {
      const customer = byId.get(sandbox.customerIdOf(person.index))!;
      const record = sandbox.customer(customer.externalId)!;
      expect(customer).to.deep.include({
        firstName: person.firstName,
        middleName: null,
        lastName: person.lastName,
        // Every 5th also has a work phone listed first and every 9th a fax: the default mobile wins.
        phone: formatPhone(person.phone),
        email: person.index % 7 === 3 ? null : person.email,
        birthday: person.index % 23 === 22 ? null : person.birthday,
        driversLicense: null,
        medicalCard: null,
        customerType: null,
        status: record.MergedIntoCustomerId ? 'merged' : record.Disabled ? 'inactive' : 'active',
        mergedIntoExternalId: record.MergedIntoCustomerId,
      });
      expect(customer.lastModifiedAt?.getTime()).to.equal(person.modifiedAt.getTime());
    }
    const merged = pages.flat().filter((c) => c.status === 'merged');
    expect(merged).to.have.length(22);
    expect(merged[0].mergedIntoExternalId).to.be.oneOf(PEOPLE.map((p) => sandbox.customerIdOf(p.index)));
    expect(pages.flat().filter((c) => c.status === 'inactive').length).to.be.greaterThan(0);
  });

  it('a second client reuses the cached token: no second grant', async () => {
    await list(null);
    await list(afterSeed());
    expect(sandbox.tokenGrants()).to.equal(1);
  });

  it('an incremental listing sends the OData filter and returns only the customers changed since', async () => {
    const since = afterSeed();
    const [renamed, loser, survivor] = [5, 17, 18].map((i) => sandbox.customerIdOf(i));
    sandbox.update(renamed, { PrimaryName: 'Renamed' });
    sandbox.merge(loser, survivor);
    const changed = (await list(since)).flat();
    expect(changed.map((c) => c.externalId).sort()).to.deep.equal([renamed, loser, survivor].sort());
    expect(changed.find((c) => c.externalId === renamed)!.firstName).to.equal('Renamed');
    expect(changed.find((c) => c.externalId === loser)).to.include({
      status: 'merged',
      mergedIntoExternalId: survivor,
    });
    expect(listRequests().map((r) => r.query.$filter)).to.deep.equal([
      `LastModifiedDateUtc ge datetime'${since.toISOString().slice(0, 19)}Z'`,
    ]);
  });

  it('the filter is whole seconds: a since inside a change’s second lists that change again (the caller dedupes)', async () => {
    const last = PEOPLE[PEOPLE.length - 1];
    const since = new Date(Math.floor(last.modifiedAt.getTime() / 1000) * 1000 + 999);
    const listed = (await list(since)).flat().map((c) => c.externalId);
    expect(listed).to.include(sandbox.customerIdOf(last.index));
  });

  it('a vendor capping $top below our page size refuses loudly (400 → pos_rejected), never a silent short list', async () => {
    await sandbox.close();
    sandbox = await startCovasoftSandbox({ people: PEOPLE, production: false, maxTop: 100 });
    await expectPosError(list(null), 'pos_rejected');
  });

  it('a customer created through the adapter is listed, and an update changes it in place', async () => {
    const since = afterSeed();
    const writer = client();
    const ref = await writer.createCustomer!({
      patronId: '0b5a3c1e-0000-4000-8000-000000000001',
      firstName: 'Ana',
      middleName: null,
      lastName: 'García',
      birthday: '1990-04-02',
      email: 'ana@example.com',
      phone: '+14155550100',
      driversLicense: null,
      medicalCard: null,
      customerType: 'recreational',
    });
    expect(sandbox.customer(ref.externalId)).to.include({ PrimaryName: 'Ana', CustomerTypeId: 2, Version: 1 });

    await writer.updateCustomer!(ref, { email: 'ana.garcia@example.com', lastName: 'García López' });
    const record = sandbox.customer(ref.externalId)!;
    expect(record).to.include({ FamilyName: 'García López', Version: 2, DateOfBirth: '1990-04-02' });
    expect(record.ContactMethods.map((m) => m.Value)).to.deep.equal(['+14155550100', 'ana.garcia@example.com']);

    const [listed] = (await list(since)).flat();
    expect(listed).to.include({
      externalId: ref.externalId,
      firstName: 'Ana',
      lastName: 'García López',
      email: 'ana.garcia@example.com',
      phone: '+14155550100',
      birthday: '1990-04-02',
      status: 'active',
    });
    const puts = sandbox.requests.filter((r) => r.method === 'PUT').length;
    await writer.updateCustomer!(ref, { email: 'ana.garcia@example.com' });
    expect(sandbox.requests.filter((r) => r.method === 'PUT').length, 'no PUT for a patch already held').to.equal(puts);
  });

  describe('faults', () => {
    it("a 429 in the gateway's words is retried after its Retry-After second", async () => {
      sandbox.faults.set('rate-limit');
      const started = Date.now();
      expect((await list(null)).flat()).to.have.length(1100);
      expect(Date.now() - started).to.be.at.least(950);
      expect(retries.map((r) => [r.code, r.status, r.retryAfterMs])).to.deep.equal([['pos_rate_limited', 429, 1000]]);
    });

    it('past the per-minute window the gateway refuses with the seconds left; the adapter hands that back', async () => {
      await sandbox.close();
      sandbox = await startCovasoftSandbox({ people: PEOPLE, production: false, rateLimit: 2 });
      const err = await expectPosError(
        list(null, { retry: { retries: 2, minDelayMs: 0, maxRetryAfterMs: 1_000 } }),
        'pos_rate_limited',
      );
      expect(err.retryable).to.equal(true);
      expect(err.retryAfterMs).to.be.within(50_000, 60_000);

      // Plain axios, not fetch: nock (loaded by the contract tests in a full run) patches the global fetch.
      const form = new URLSearchParams({
        grant_type: 'password',
        username: sandbox.credentials.username,
        password: sandbox.credentials.password,
        client_id: sandbox.credentials.clientId,
        client_secret: sandbox.credentials.clientSecret,
      });
      const { data: token } = await axios.post(`${sandbox.url}/v1/oauth2/token`, form);
      const res = await axios.get(
        `${sandbox.url}/crm/v1/Companies(${sandbox.credentials.companyId})/CustomerFull?$top=1`,
        {
          headers: { Authorization: `Bearer ${token.access_token}` },
          validateStatus: () => true,
        },
      );
      expect(res.status).to.equal(429);
      expect(res.headers['cova-apim-ratelimit-limit']).to.equal('2');
      expect(res.headers['cova-apim-ratelimit-remaining']).to.equal('0');
      expect(res.headers['retry-after']).to.match(/^\d+$/);
      expect(res.data.message).to.match(/^Rate limit is exceeded\. Try again in \d+ seconds\.$/);
    });

    it('a 500 then normal answers: the page is asked again and the listing completes', async () => {
      sandbox.faults.set('error-then-ok');
      expect((await list(null)).flat()).to.have.length(1100);
      expect(retries.map((r) => r.status)).to.deep.equal([500]);
    });

    it('a sandbox slower than the timeout is pos_unavailable after the retries', async () => {
      sandbox.faults.slowMs = 300;
      sandbox.faults.set('slow');
      const err = await expectPosError(
        list(null, { timeoutMs: 100, retry: { retries: 1, minDelayMs: 0 } }),
        'pos_unavailable',
      );
      expect(err.message).to.match(/timed out/);
    });

    it('a changed envelope is pos_bad_response, not retried', async () => {
      sandbox.faults.set('malformed');
      await expectPosError(list(null), 'pos_bad_response');
      expect(retries).to.deep.equal([]);
    });

    it('a sandbox that stays down is pos_unavailable, retryable, after the retries', async () => {
      sandbox.faults.set('down');
      const err = await expectPosError(list(null), 'pos_unavailable');
      expect(err.retryable).to.equal(true);
      expect(retries.map((r) => r.status)).to.deep.equal([503, 503]);
    });
  });

  describe('auth', () => {
    it('a revoked token is pos_auth_failed and dropped; the next run gets a new grant and lists', async () => {
      await list(afterSeed());
      sandbox.revokeTokens();
      await expectPosError(list(null), 'pos_auth_failed');
      expect(retries).to.deep.equal([]);
      expect((await list(null)).flat()).to.have.length(1100);
      expect(sandbox.tokenGrants()).to.equal(2);
    });

    it('a wrong password is pos_auth_failed at the token endpoint; no customer is asked for', async () => {
      const wrong = { ...sandbox.credentials, password: 'not-it' };
      const run = client({}, wrong).listCustomersChangedSince(null)[Symbol.asyncIterator]();
      const err = await expectPosError(run.next(), 'pos_auth_failed');
      expect(err.message).not.to.include('not-it');
      expect(listRequests()).to.deep.equal([]);
    });
  });

  it('refuses to start in production', async () => {
    let failed = false;
    await startCovasoftSandbox({ people: [], production: true }).catch(() => (failed = true));
    expect(failed).to.equal(true);
  });
});
