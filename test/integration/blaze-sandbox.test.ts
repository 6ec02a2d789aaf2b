import { expect } from 'chai';
import { createBlazeClient } from '../../integrations/pos/blaze/blaze-client.js';
import type { PosClientDeps, PosRetryEvent } from '../../integrations/pos/pos-client.js';
import {
  blazeMemberOf,
  startBlazeSandbox,
  type BlazeSandbox,
  type BlazeSandboxOptions,
} from '../../integrations/sandbox/blaze-sandbox.js';
import { sandboxPeople } from '../../integrations/sandbox/sandbox-kit.js';
import { contractKit, type ContractVendor } from '../contract/pos-contract-kit.js';
import { UNLIMITED, expectPosError, listPages } from '../support/pos-test-helpers.js';

// The real Blaze adapter against the Blaze sandbox over loopback HTTP.

const { expectCustomer } = contractKit({} as ContractVendor);
const people = sandboxPeople(250);

describe('blaze adapter against the Blaze sandbox', () => {
  let sandbox: BlazeSandbox;
  let retries: PosRetryEvent[];

  const start = async (options: Partial<BlazeSandboxOptions> = {}) => {
    await sandbox?.close();
    sandbox = await startBlazeSandbox({ people, production: false, ...options });
  };
  const client = (overrides: Partial<PosClientDeps> = {}, credentials: unknown = sandbox.credentials) =>
    createBlazeClient(credentials, {
      baseUrl: sandbox.url,
      storeTimezone: 'America/Los_Angeles',
      development: true,
      retry: { retries: 2, minDelayMs: 0, maxDelayMs: 0 },
      rateLimiter: UNLIMITED,
      onRetry: (event) => retries.push(event),
      ...overrides,
    });
  const list = (since: Date | null, c = client()) => listPages(c, since);
  const raw = (path: string, headers: Record<string, string>) =>
    fetch(`${sandbox.url}/api/v1/partner${path}`, { headers });
  const memberRequests = () => sandbox.requests.filter((r) => r.path === '/api/v1/partner/members');
  const idOf = (index: number) => blazeMemberOf(people[index]).id;

  beforeEach(async () => {
    retries = [];
    await start();
  });
  after(() => sandbox.close());

  it('lists all 250 members over pages of 100 until skip reaches total, in our shape', async () => {
    const pages = await list(null);
    expect(pages.map((p) => p.length)).to.deep.equal([100, 100, 50]);
    const customers = pages.flat();
    expect(customers.map((c) => c.externalId)).to.deep.equal(sandbox.memberIds());
    customers.forEach(expectCustomer);
    expect(memberRequests().map((r) => r.query)).to.deep.equal([
      { skip: '0', limit: '100' },
      { skip: '100', limit: '100' },
      { skip: '200', limit: '100' },
    ]);
    expect(customers[0].birthday, 'dob at Pacific midnight reads as the day').to.equal(people[0].birthday);
    expect(customers[0].driversLicense?.number, 'the Drivers identification, not the passport').to.equal(
      people[0].driversLicense,
    );
    expect(customers[1].phone, 'cpn when primaryPhone is empty').to.equal(people[1].phone);
    expect(customers[7].status, 'Pending').to.equal('active');
    expect(customers[11].status, 'Inactive').to.equal('inactive');
    expect(customers[13].status, 'deleted').to.equal('inactive');
    const medical = customers.filter((c) => c.customerType === 'medical');
    expect(medical.length).to.equal(people.filter((p) => p.medical).length);
    expect(medical.every((c) => c.medicalCard !== null)).to.equal(true);
    expect(customers.map((c) => c.loyaltyPoints)).to.deep.equal(people.map((p) => p.loyaltyPoints));
  });

  it('an incremental listing returns only the members changed since', async () => {
    const since = new Date();
    for (const index of [10, 20, 30]) sandbox.update(idOf(index), { email: `changed.${index}@sandbox.example` });
    const customers = (await list(since)).flat();
    expect(customers.map((c) => c.externalId)).to.deep.equal([idOf(10), idOf(20), idOf(30)]);
    expect(customers[0].email).to.equal('changed.10@sandbox.example');
    const [request] = memberRequests();
    expect(Number(request.query.startDate)).to.equal(since.getTime());
    expect(Number(request.query.endDate)).to.be.within(since.getTime() + 1, Date.now());
  });

  it('members the window returns but that were not modified since are dropped', async () => {
    const since = new Date(people[100].modifiedAt.getTime() + 1);
    const auth = { 'x-api-key': sandbox.credentials.partnerKey, authorization: sandbox.credentials.apiKey };
    const window = await raw(`/members?skip=0&limit=500&startDate=${since.getTime()}&endDate=${Date.now()}`, auth);
    const ids = ((await window.json()) as { values: Array<{ id: string }> }).values.map((m) => m.id);
    expect(ids, "the sandbox's window starts at the day's start").to.include(idOf(100));
    const customers = (await list(since)).flat();
    expect(customers.map((c) => c.externalId)).to.deep.equal(people.slice(101).map((p) => idOf(p.index)));
  });

  it('when the window filters on join date, an old member who changed is seen only by a full sweep', async () => {
    await start({ windowField: 'created' });
    const since = new Date();
    sandbox.update(idOf(42), { lastName: 'Changed' });
    expect((await list(since)).flat()).to.deep.equal([]);
    const swept = (await list(null)).flat().find((c) => c.externalId === idOf(42));
    expect(swept?.lastName).to.equal('Changed');
  });

  it('skip follows the records received when the sandbox serves fewer than the limit asked', async () => {
    await start({ maxLimit: 40 });
    const pages = await list(null);
    expect(pages.map((p) => p.length)).to.deep.equal([40, 40, 40, 40, 40, 40, 10]);
    expect(memberRequests().map((r) => r.query.skip)).to.deep.equal(['0', '40', '80', '120', '160', '200', '240']);
  });

  it('accepts the partner key under either header name; a wrong store key is pos_auth_failed, unretried', async () => {
    const { partnerKey, apiKey } = sandbox.credentials;
    expect((await raw('/members?limit=1', { 'x-api-key': partnerKey, authorization: apiKey })).status).to.equal(200);
    expect((await raw('/members?limit=1', { partner_key: partnerKey, authorization: apiKey })).status).to.equal(200);
    const none = await raw('/members?limit=1', { authorization: apiKey });
    expect([none.status, await none.json()]).to.deep.equal([
      401,
      { error: 'Unauthorized', message: 'Invalid partner key or developer key.', status: 401 },
    ]);
    await expectPosError(list(null, client({}, { partnerKey, apiKey: 'wrong-store-key' })), 'pos_auth_failed');
    expect(retries).to.deep.equal([]);
  });

  it('the sandbox counts calls per partner key and answers 429 past the limit', async () => {
    await start({ rateLimitPer5Minutes: 3 });
    const auth = { 'x-api-key': sandbox.credentials.partnerKey, authorization: sandbox.credentials.apiKey };
    for (let i = 0; i < 3; i++) expect((await raw('/members?limit=1', auth)).status).to.equal(200);
    const res = await raw('/members?limit=1', auth);
    expect(res.status).to.equal(429);
    expect(Number(res.headers.get('retry-after'))).to.be.within(1, 300);
    expect(await res.json()).to.include({ error: 'Too Many Requests', status: 429 });
  });

  describe('faults', () => {
    it('rate-limit: a 429 with Retry-After is waited out and the listing finishes', async () => {
      sandbox.faults.set('rate-limit');
      expect((await list(null)).flat()).to.have.length(250);
      expect(retries.map((r) => [r.code, r.retryAfterMs])).to.deep.equal([['pos_rate_limited', 1000]]);
    });

    it('error-then-ok: a 500 is retried and the listing finishes', async () => {
      sandbox.faults.set('error-then-ok');
      expect((await list(null)).flat()).to.have.length(250);
      expect(retries.map((r) => r.status)).to.deep.equal([500]);
    });

    it('slow: answers slower than the timeout are pos_unavailable after the retries', async () => {
      sandbox.faults.set('slow');
      sandbox.faults.slowMs = 300;
      const err = await expectPosError(list(null, client({ timeoutMs: 100 })), 'pos_unavailable');
      expect(err.message).to.match(/timed out/);
      expect(retries).to.have.length(2);
    });

    it('malformed: a page that breaks the shape is pos_bad_response, not retried', async () => {
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

  it('creates a member with POST /members, and the next listing has it', async () => {
    const since = new Date();
    const ref = await client().createCustomer!({
      patronId: '0b7f1f39-8a51-4d0e-9a53-3f2a1c2b9d10',
      firstName: 'Ana',
      middleName: null,
      lastName: 'Silva',
      birthday: '1990-01-02',
      email: 'ana.silva@example.com',
      phone: '+14155550123',
      driversLicense: { number: 'D7777777', state: 'CA', expiresOn: '2029-02-28' },
      medicalCard: null,
      customerType: 'recreational',
    });
    expect(sandbox.member(ref.externalId)).to.include({ primaryPhone: '4155550123', consumerType: 'AdultUse' });
    const [created] = (await list(since)).flat();
    expect(created).to.deep.include({
      externalId: ref.externalId,
      birthday: '1990-01-02',
      driversLicense: { number: 'D7777777', state: 'CA', expiresOn: '2029-02-28' },
      customerType: 'recreational',
      status: 'active',
    });
  });

  it('updates by putting the whole member back: the patched fields change, the rest survives', async () => {
    const id = idOf(12);
    const before = sandbox.member(id)!;
    await client().updateCustomer!({ externalId: id }, { email: 'new.12@example.com', customerType: 'medical' });
    const after = sandbox.member(id)!;
    expect(after).to.include({ email: 'new.12@example.com', consumerType: 'MedicinalState', medical: true });
    const { email: _e, consumerType: _c, medical: _m, modified: _mod, ...rest } = after;
    const { email: _e2, consumerType: _c2, medical: _m2, modified: _mod2, ...restBefore } = before;
    expect(rest).to.deep.equal(restBefore);
    expect(after.modified).to.be.greaterThan(before.modified);
    expect(sandbox.requests.slice(-2).map((r) => r.method)).to.deep.equal(['GET', 'PUT']);
  });

  it('a partner key without ACCEPT_MEMBER cannot write: pos_auth_failed, not retried', async () => {
    const readOnly = client({}, sandbox.readOnlyCredentials);
    expect((await list(null, readOnly)).flat()).to.have.length(250);
    await expectPosError(readOnly.updateCustomer!({ externalId: idOf(1) }, { email: null }), 'pos_auth_failed');
    expect(retries).to.deep.equal([]);
    await expectPosError(
      client().updateCustomer!({ externalId: 'ffffffffffffffffffffffff' }, { email: null }),
      'pos_not_found',
    );
  });
});
