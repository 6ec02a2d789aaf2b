import { expect } from 'chai';
import { createFlowhubClient, flowhubClientFactory } from '../../integrations/pos/flowhub/flowhub-client.js';
import type { PosClient, PosClientDeps, PosRetryEvent } from '../../integrations/pos/pos-client.js';
import type { NewPosCustomer } from '../../integrations/pos/pos-types.js';
import { createRateLimiter } from '../../integrations/pos/rate-limiter.js';
import { startFlowhubSandbox, type FlowhubSandbox } from '../../integrations/sandbox/flowhub-sandbox.js';
import { sandboxPeople } from '../../integrations/sandbox/sandbox-kit.js';
import { contractKit, type ContractVendor } from '../contract/pos-contract-kit.js';
import { UNLIMITED, expectPosError, listPages } from '../support/pos-test-helpers.js';

// The real Flowhub adapter against the Flowhub sandbox over loopback HTTP.

const { expectCustomer } = contractKit({} as ContractVendor);
const people = sandboxPeople(250);

const newCustomer: NewPosCustomer = {
  patronId: '6d8f1a52-8a53-4a4b-b0e1-5ab1f8f3c2d0',
  firstName: 'Juan',
  middleName: null,
  lastName: 'de la Cruz',
  birthday: '1979-11-30',
  email: 'juan@example.com',
  phone: '+14155550123',
  driversLicense: { number: 'D7654321', state: null, expiresOn: '2029-02-28' },
  medicalCard: null,
  customerType: 'medical',
};

describe('flowhub adapter against the Flowhub sandbox', () => {
  let sandbox: FlowhubSandbox;
  let retries: PosRetryEvent[];

  const deps = (overrides: Partial<PosClientDeps> = {}): PosClientDeps => ({
    baseUrl: sandbox.url,
    storeTimezone: sandbox.timeZone,
    development: true,
    retry: { retries: 2, minDelayMs: 0, maxDelayMs: 0 },
    rateLimiter: UNLIMITED,
    onRetry: (event) => retries.push(event),
    ...overrides,
  });
  const client = (overrides: Partial<PosClientDeps> = {}, credentials: unknown = sandbox.credentials) =>
    flowhubClientFactory({ pageSize: 100 })(credentials, deps(overrides));
  const list = (since: Date | null, c: PosClient = client()) => listPages(c, since);
  const listRequests = () => sandbox.requests.filter((r) => r.path === '/v1/customers/');
  const restart = async (options: Partial<Parameters<typeof startFlowhubSandbox>[0]>) => {
    await sandbox.close();
    sandbox = await startFlowhubSandbox({ people, production: false, ...options });
  };

  beforeEach(async () => {
    retries = [];
    sandbox = await startFlowhubSandbox({ people, production: false });
  });
  afterEach(() => sandbox.close());

  describe('listing', () => {
    it('lists all 250 people over three pages of 100, oldest first, in our shape', async () => {
      const pages = await list(null);
      expect(pages.map((p) => p.length)).to.deep.equal([100, 100, 50]);
      const customers = pages.flat();
      expect(customers.map((c) => c.externalId)).to.deep.equal(sandbox.customerIds());
      customers.forEach(expectCustomer);
      customers.forEach((c, i) => {
        expect([c.firstName, c.lastName, c.birthday]).to.deep.equal([
          people[i].firstName,
          people[i].lastName,
          people[i].birthday,
        ]);
        expect(c.customerType).to.equal(people[i].medical ? 'medical' : 'recreational');
        expect(c.status).to.equal('active');
      });
      expect(customers[0].phone, 'phone as Flowhub shows it').to.equal('(415) 200-0000');
      expect(customers[5].email, 'a blank email').to.equal(null);
      expect(
        customers.some((c) => c.loyaltyPoints === null),
        'non-members',
      ).to.equal(true);
      expect(
        customers.some((c) => (c.loyaltyPoints ?? 0) >= 50),
        'members',
      ).to.equal(true);
      expect(listRequests().map((r) => r.query)).to.deep.equal(
        [1, 2, 3].map((page) => ({ page: String(page), page_size: '100', order_by: 'asc' })),
      );
      expect(sandbox.requests).to.have.length(3);
    });

    it('the production client asks 500 a page, the most the sandbox gives', async () => {
      await restart({ people: sandboxPeople(1200) });
      const c = createFlowhubClient(sandbox.credentials, deps());
      expect((await list(null, c)).map((p) => p.length)).to.deep.equal([500, 500, 200]);
    });

    it('a bare-array list envelope lists the same people', async () => {
      await restart({ envelope: 'array' });
      expect((await list(null)).flat().map((c) => c.externalId)).to.deep.equal(sandbox.customerIds());
    });

    it('an incremental listing returns only the customers changed since, the date sent store-local', async () => {
      let clock = new Date('2027-01-15T20:00:00Z');
      await restart({ now: () => clock });
      const since = clock;
      clock = new Date(since.getTime() + 3_600_000);
      const changed = [10, 20, 30].map((i) => sandbox.customerIdOf(i));
      sandbox.update(changed[0], { email: 'changed.10@sandbox.example' });
      sandbox.update(changed[1], { type: 'medCustomer' });
      sandbox.update(changed[2], { name: 'Ana de la Cruz' });

      const customers = (await list(since)).flat();
      expect(customers.map((c) => c.externalId)).to.deep.equal(changed);
      expect(customers[0].email).to.equal('changed.10@sandbox.example');
      expect(customers[1].customerType).to.equal('medical');
      expect(customers[2]).to.include({ firstName: 'Ana', lastName: 'de la Cruz' });
      // 2027-01-14 12:00 in Los Angeles is the day before since: the one-day overlap.
      expect(listRequests()[0].query).to.deep.equal({
        page: '1',
        page_size: '100',
        order_by: 'asc',
        updated_after: '2027-01-14',
      });
    });

    it('the day of overlap finds a change from late the day before; older ones stay out', async () => {
      const since = new Date('2027-01-15T09:00:00Z'); // 01:00 in Los Angeles
      let clock = new Date(since.getTime() - 3 * 86_400_000);
      await restart({ now: () => clock });
      sandbox.update(sandbox.customerIdOf(1), { email: 'old@sandbox.example' });
      clock = new Date(since.getTime() - 5 * 3_600_000); // 20:00 the day before, store time
      sandbox.update(sandbox.customerIdOf(2), { email: 'late@sandbox.example' });
      const customers = (await list(since)).flat();
      expect(customers.map((c) => c.externalId)).to.deep.equal([sandbox.customerIdOf(2)]);
    });

    it('a full ISO timestamp in a filter is answered 404 "must be in format yyyy-mm-dd"', async () => {
      const res = await fetch(`${sandbox.url}/v1/customers/?updated_after=2027-01-15T20:00:00.000Z`, {
        headers: sandbox.credentials,
      });
      expect(res.status).to.equal(404);
      expect(await res.json()).to.deep.include({ message: 'updated_after must be in format yyyy-mm-dd' });
    });
  });

  describe('faults', () => {
    it('a 429 with no headers is retried after a backoff and the listing completes', async () => {
      sandbox.faults.set('rate-limit');
      expect((await list(null)).flat()).to.have.length(250);
      expect(retries.map((r) => [r.code, r.retryAfterMs])).to.deep.equal([['pos_rate_limited', undefined]]);
    });

    it('the production limit of 45 a second paces a long listing: no 45 requests start within one second', async () => {
      // 84 small pages, asked back to back: without a limiter they would start far faster than 59/s.
      // What the client controls is when requests start, so that is what is checked (on a loaded
      // machine the sandbox may see arrivals bunched, which says nothing about the client).
      const limiter = createRateLimiter({ perSecond: 45 });
      const started: number[] = [];
      const recording = {
        acquire: async () => {
          await limiter.acquire();
          started.push(performance.now());
        },
        pauseFor: (ms: number) => limiter.pauseFor(ms),
      };
      const c = flowhubClientFactory({ pageSize: 3 })(sandbox.credentials, deps({ rateLimiter: recording }));
      expect((await list(null, c)).flat()).to.have.length(250);
      expect(listRequests().length).to.be.at.least(84);
      for (let i = 45; i < started.length; i++) expect(started[i] - started[i - 45]).to.be.at.least(990);
    });

    it("without the limiter the vendor's 429s come, and backoff still gets through", async () => {
      await restart({ rateLimitPerSecond: 2 });
      const c = client({ retry: { retries: 4, minDelayMs: 400, maxDelayMs: 2_000 } });
      expect((await list(null, c)).flat()).to.have.length(250);
      expect(retries.map((r) => r.code)).to.include('pos_rate_limited');
    });

    it('a 500 then an answer is retried once', async () => {
      sandbox.faults.set('error-then-ok');
      expect((await list(null)).flat()).to.have.length(250);
      expect(retries.map((r) => r.status)).to.deep.equal([500]);
    });

    it('a slow vendor times out as pos_unavailable after the retries', async () => {
      sandbox.faults.slowMs = 300;
      sandbox.faults.set('slow');
      const err = await expectPosError(list(null, client({ timeoutMs: 100 })), 'pos_unavailable');
      expect(err.message).to.match(/timed out/);
      expect(retries).to.have.length(2);
    });

    it('a malformed page is pos_bad_response, not retried', async () => {
      sandbox.faults.set('malformed');
      await expectPosError(list(null), 'pos_bad_response');
      expect(retries).to.deep.equal([]);
    });

    it('a vendor that is down is pos_unavailable and retryable after the retries', async () => {
      sandbox.faults.set('down');
      const err = await expectPosError(list(null), 'pos_unavailable');
      expect(err.retryable).to.equal(true);
      expect(retries.map((r) => r.attempt)).to.deep.equal([1, 2]);
    });

    it('a wrong key is pos_auth_failed at once', async () => {
      const wrong = { clientId: sandbox.credentials.clientId, key: 'not-the-key' };
      const err = await expectPosError(list(null, client({}, wrong)), 'pos_auth_failed');
      expect(err.retryable).to.equal(false);
      expect(retries).to.deep.equal([]);
    });
  });

  describe('writes', () => {
    it("creates a customer at the client's location; the next listing reads it back", async () => {
      const since = new Date();
      const ref = await client().createCustomer!(newCustomer);
      const stored = sandbox.customer(ref.externalId)!;
      expect(stored).to.include({
        name: 'Juan de la Cruz',
        birthDate: '1979-11-30',
        state: 'CA', // the store's: the licence names no state
        type: 'medCustomer',
        phone: '(415) 555-0123',
        stateId: 'D7654321',
        stateIdExpiration: '2029-02-28',
      });
      const post = sandbox.requests.find((r) => r.method === 'POST')!;
      expect(post).to.deep.equal({ method: 'POST', path: '/v1/customer', query: { store_id: sandbox.locationIds[0] } });

      const listed = (await list(since)).flat();
      expect(listed.map((c) => c.externalId)).to.deep.equal([ref.externalId]);
      expect(listed[0]).to.include({ firstName: 'Juan', middleName: null, lastName: 'de la Cruz' });
    });

    it('a customer without a birthday is refused before anything is sent', async () => {
      await expectPosError(client().createCustomer!({ ...newCustomer, birthday: null }), 'pos_rejected');
      expect(sandbox.requests.filter((r) => r.method === 'POST')).to.deep.equal([]);
    });

    it('a create is not repeated once Flowhub may have received it', async () => {
      const c = client();
      await c.createCustomer!(newCustomer); // the location is known from here on
      sandbox.faults.set('down');
      await expectPosError(c.createCustomer!(newCustomer), 'pos_unavailable');
      expect(sandbox.requests.filter((r) => r.method === 'POST')).to.have.length(2);
      expect(retries).to.deep.equal([]);
    });

    it('an update changes what the patch names and keeps the rest, loyalty included', async () => {
      const id = sandbox.customerIdOf(7);
      const before = sandbox.customer(id)!;
      await client().updateCustomer!({ externalId: id }, { lastName: 'Roe', email: 'new.7@sandbox.example' });
      const after = sandbox.customer(id)!;
      expect(after).to.include({
        name: `${people[7].firstName} Roe`,
        email: 'new.7@sandbox.example',
        phone: before.phone,
        streetAddress1: before.streetAddress1,
        birthDate: before.birthDate,
        type: before.type,
        isLoyal: before.isLoyal,
        loyaltyPoints: before.loyaltyPoints,
      });
      expect(after.updatedAt > before.updatedAt).to.equal(true);
      expect(sandbox.requests.map((r) => `${r.method} ${r.path}`)).to.deep.equal([
        'GET /v0/clientsLocations',
        `GET /v1/customers/${id}`,
        `PUT /v1/customer/${id}`,
      ]);
    });

    it('updating a customer Flowhub does not know is pos_not_found', async () => {
      await expectPosError(
        client().updateCustomer!({ externalId: 'no-such-customer' }, { email: null }),
        'pos_not_found',
      );
    });

    it('a client with several locations writes only with a locationId in its credentials', async () => {
      await restart({ locations: 2 });
      const err = await expectPosError(client().createCustomer!(newCustomer), 'pos_misconfigured');
      expect(err.retryable).to.equal(false);
      const located = client({}, { ...sandbox.credentials, locationId: sandbox.locationIds[1] });
      const ref = await located.createCustomer!(newCustomer);
      expect(sandbox.customer(ref.externalId)).to.include({ name: 'Juan de la Cruz' });
      expect(sandbox.requests.find((r) => r.method === 'POST')!.query).to.deep.equal({
        store_id: sandbox.locationIds[1],
      });
    });
  });
});
