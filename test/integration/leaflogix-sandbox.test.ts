import { expect } from 'chai';
import { createLeaflogixClient } from '../../integrations/pos/leaflogix/leaflogix-client.js';
import type { PosClientDeps, PosRetryEvent } from '../../integrations/pos/pos-client.js';
import { startLeaflogixSandbox, type LeaflogixSandbox } from '../../integrations/sandbox/leaflogix-sandbox.js';
import { sandboxPeople } from '../../integrations/sandbox/sandbox-kit.js';
import { contractKit, type ContractVendor } from '../contract/pos-contract-kit.js';
import { UNLIMITED, expectPosError, listPages } from '../support/pos-test-helpers.js';

// The real Leaflogix adapter against the Dutchie sandbox over loopback HTTP.

const { expectCustomer } = contractKit({} as ContractVendor);

describe('leaflogix adapter against the Dutchie sandbox', () => {
  let sandbox: LeaflogixSandbox;
  let retries: PosRetryEvent[];

  const client = (overrides: Partial<PosClientDeps> = {}, credentials: unknown = sandbox.credentials) =>
    createLeaflogixClient(credentials, {
      baseUrl: sandbox.url,
      storeTimezone: 'America/Los_Angeles',
      development: true,
      retry: { retries: 2, minDelayMs: 0, maxDelayMs: 0 },
      rateLimiter: UNLIMITED,
      onRetry: (event) => retries.push(event),
      ...overrides,
    });
  const list = (since: Date | null, c = client()) => listPages(c, since);
  const listRequests = () => sandbox.requests.filter((r) => r.path === '/customer/customers-paginated');

  beforeEach(async () => {
    retries = [];
    sandbox = await startLeaflogixSandbox({ people: sandboxPeople(250), production: false });
  });
  afterEach(() => sandbox.close());

  it('lists all 250 people over three pages of 100, in our shape, with the placeholders cleaned', async () => {
    const pages = await list(null);
    expect(pages.map((p) => p.length)).to.deep.equal([100, 100, 50]);
    const customers = pages.flat();
    expect(customers.map((c) => c.externalId)).to.deep.equal(sandbox.customerIds().map(String));
    customers.forEach(expectCustomer);
    expect(customers[3].externalId, 'a record that spells customerID').to.equal('5004');
    expect(customers[5].email, '"N/A" email').to.equal(null);
    expect(customers[6].birthday, 'year-1900 birthday').to.equal(null);
    expect(customers[2].phone, 'cell phone when phone is empty').to.equal(sandboxPeople(3)[2].phone);
    expect(customers[8].status).to.equal('inactive');
    expect(customers.filter((c) => c.customerType === 'medical').length).to.be.greaterThan(30);
    expect(customers.some((c) => (c.loyaltyPoints ?? 0) > 0)).to.equal(true);
    expect(sandbox.requests.map((r) => r.path)).to.deep.equal([
      '/whoami',
      '/customer/customers-paginated',
      '/reporting/loyalty-snapshot',
      '/customer/customers-paginated',
      '/customer/customers-paginated',
    ]);
  });

  it('an incremental listing returns only the customers changed since, merges included', async () => {
    const since = new Date();
    sandbox.update(5010, { emailAddress: 'changed.5010@sandbox.example' });
    sandbox.update(5020, { customerType: 'Medical' });
    sandbox.merge(5030, 5031);
    const customers = (await list(since)).flat();
    expect(customers.map((c) => c.externalId)).to.deep.equal(['5010', '5020', '5030']);
    expect(customers[0].email).to.equal('changed.5010@sandbox.example');
    expect(customers[1].customerType).to.equal('medical');
    expect(customers[2]).to.include({ status: 'merged', mergedIntoExternalId: '5031' });
    const expected = new Date(since.getTime() - 60_000).toISOString().replace(/\.\d{3}Z$/, 'Z');
    expect(listRequests()[0].query).to.deep.equal({
      PageNumber: '1',
      PageSize: '100',
      fromLastModifiedDateUTC: expected,
    });
  });

  it("the minute of overlap finds a change that reached Dutchie's API late", async () => {
    await sandbox.close();
    let clock = new Date('2026-11-20T10:00:00Z');
    sandbox = await startLeaflogixSandbox({
      people: sandboxPeople(20),
      production: false,
      lagMs: 45_000,
      now: () => clock,
    });
    sandbox.update(5005, { lastName: 'Late' });
    clock = new Date(clock.getTime() + 30_000); // a sync starts 30 s later: the change is not visible yet
    const runStart = clock;
    expect((await list(new Date('2026-11-20T09:00:00Z'))).flat()).to.deep.equal([]);
    clock = new Date(clock.getTime() + 60_000);
    const next = (await list(runStart)).flat();
    expect(next.map((c) => [c.externalId, c.lastName])).to.deep.equal([['5005', 'Late']]);
  });

  it('every location key of the company lists the same people; whoami tells the locations apart', async () => {
    const main = client();
    const harbor = client({}, sandbox.otherLocationCredentials);
    const [a, b] = [(await list(null, main)).flat(), (await list(null, harbor)).flat()];
    expect(b.map((c) => c.externalId)).to.deep.equal(a.map((c) => c.externalId));
    const [whoMain, whoHarbor] = [await main.identify(), await harbor.identify()];
    expect(whoMain.companyId).to.equal(whoHarbor.companyId);
    expect(whoMain.locationId).not.to.equal(whoHarbor.locationId);
  });

  it('a wrong key is pos_auth_failed at once (Dutchie answers an empty 401)', async () => {
    const err = await expectPosError(list(null, client({}, { apiKey: 'not-a-sandbox-key' })), 'pos_auth_failed');
    expect(err.retryable).to.equal(false);
    expect(retries).to.deep.equal([]);
    expect(listRequests()).to.deep.equal([]);
  });

  describe('faults', () => {
    it('rate-limit: a 429 {Message, TraceId} is waited out and the listing finishes', async () => {
      sandbox.faults.set('rate-limit');
      expect((await list(null)).flat()).to.have.length(250);
      expect(retries.map((r) => [r.code, r.retryAfterMs])).to.deep.equal([['pos_rate_limited', 1000]]);
    });

    it('error-then-ok: a 500 fails the listing at once, unretried as Dutchie asks; the next listing works', async () => {
      sandbox.faults.set('error-then-ok');
      const err = await expectPosError(list(null), 'pos_unavailable');
      expect(err).to.include({ status: 500, retryable: false });
      expect(retries).to.deep.equal([]);
      expect((await list(null)).flat()).to.have.length(250);
    });

    it('slow: answers slower than the timeout are pos_unavailable after the retries', async () => {
      sandbox.faults.set('slow');
      sandbox.faults.slowMs = 300;
      const err = await expectPosError(list(null, client({ timeoutMs: 100 })), 'pos_unavailable');
      expect(err.message).to.match(/timed out/);
      expect(retries).to.have.length(2);
      sandbox.faults.slowMs = 20;
      expect((await list(null)).flat()).to.have.length(250);
    });

    it('malformed: a body that breaks the shape is pos_bad_response, not retried', async () => {
      sandbox.faults.set('malformed');
      await expectPosError(list(null), 'pos_bad_response');
      expect(retries).to.deep.equal([]);
    });

    it('down: 503s are retried, then pos_unavailable and retryable', async () => {
      sandbox.faults.set('down');
      const err = await expectPosError(list(null), 'pos_unavailable');
      expect(err).to.include({ status: 503, retryable: true });
      expect(retries.map((r) => r.status)).to.deep.equal([503, 503]);
    });
  });

  it('the sandbox enforces 120 requests per minute per key and endpoint, in Dutchie words', async () => {
    const auth = { authorization: `Basic ${Buffer.from(`${sandbox.credentials.apiKey}:`).toString('base64')}` };
    const url = `${sandbox.url}/customer/customers-paginated?PageNumber=9&PageSize=100`;
    for (let i = 0; i < 120; i++) expect((await fetch(url, { headers: auth })).status).to.equal(200);
    const res = await fetch(url, { headers: auth });
    expect(res.status).to.equal(429);
    expect(Number(res.headers.get('retry-after'))).to.be.within(1, 60);
    expect(await res.json()).to.have.property('Message', 'Too many requests - only 120 per minute allowed');
    expect((await fetch(`${sandbox.url}/whoami`, { headers: auth })).status, 'another endpoint').to.equal(200);
  });

  it('the sandbox refuses a page size over 100 and a password that is not blank', async () => {
    const auth = (password: string) => ({
      authorization: `Basic ${Buffer.from(`${sandbox.credentials.apiKey}:${password}`).toString('base64')}`,
    });
    const big = await fetch(`${sandbox.url}/customer/customers-paginated?PageNumber=1&PageSize=1000`, {
      headers: auth(''),
    });
    expect(big.status).to.equal(400);
    const wrong = await fetch(`${sandbox.url}/whoami`, { headers: auth('secret') });
    expect([wrong.status, await wrong.text()]).to.deep.equal([401, '']);
  });

  it('creates a customer with a save, and the next listing has it', async () => {
    const since = new Date();
    const ref = await client().createCustomer!({
      patronId: '0b7f1f39-8a51-4d0e-9a53-3f2a1c2b9d10',
      firstName: 'Ana',
      middleName: null,
      lastName: 'Silva',
      birthday: '1990-01-02',
      email: 'ana.silva@example.com',
      phone: '+14155550123',
      driversLicense: null,
      medicalCard: { number: 'MMJ777', state: 'CA', expiresOn: '2027-05-01' },
      customerType: 'medical',
    });
    expect(ref).to.deep.equal({ externalId: '5251' });
    expect(sandbox.customer(5251)).to.include({
      phone: '4155550123',
      externalCustomerId: '0b7f1f39-8a51-4d0e-9a53-3f2a1c2b9d10',
    });
    const [created] = (await list(since)).flat();
    expect(created).to.deep.include({
      externalId: '5251',
      firstName: 'Ana',
      birthday: '1990-01-02',
      customerType: 'medical',
      medicalCard: { number: 'MMJ777', state: null, expiresOn: '2027-05-01' },
    });
  });

  it('updates sparsely: only the patched fields change at the POS', async () => {
    const before = sandbox.customer(5012)!;
    await client().updateCustomer!({ externalId: '5012' }, { email: 'new.5012@example.com' });
    const after = sandbox.customer(5012)!;
    expect(after.emailAddress).to.equal('new.5012@example.com');
    expect({ ...after, emailAddress: before.emailAddress, lastModifiedDateUTC: null }).to.deep.equal({
      ...before,
      lastModifiedDateUTC: null,
    });
    await expectPosError(client().updateCustomer!({ externalId: '999999' }, { email: null }), 'pos_not_found');
  });
});
