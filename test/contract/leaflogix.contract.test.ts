import { readFileSync } from 'node:fs';
import { expect } from 'chai';
import nock from 'nock';
import { createLeaflogixClient, LEAFLOGIX_PAGE_SIZE } from '../../integrations/pos/leaflogix/leaflogix-client.js';
import type { PosClientDeps } from '../../integrations/pos/pos-client.js';
import { PosError } from '../../integrations/pos/pos-errors.js';
import { CONTRACT_NOW, CONTRACT_SINCE, runPosContractSuite } from './pos-contract-suite.js';
import { UNLIMITED } from '../support/pos-test-helpers.js';

// Dutchie POS (Leaflogix): Basic auth with the key and a blank password, whoami in PascalCase, bare-array
// pages of 100 ending on a short page, fromLastModifiedDateUTC a minute early, 500 not retried.

const API = 'https://api.pos.dutchie.test';
const API_KEY = 'contract-location-key';
const basic = (key: string) => `Basic ${Buffer.from(`${key}:`).toString('base64')}`;
const fixture = (name: string): unknown =>
  JSON.parse(readFileSync(new URL(`../fixtures/leaflogix/${name}`, import.meta.url), 'utf8'));

/** The filter the adapter must send: ISO UTC to the second, 60 s before `since`. */
const modifiedFrom = (since: Date) => new Date(since.getTime() - 60_000).toISOString().replace(/\.\d+Z$/, 'Z');

const record = (i: number) => ({
  customerId: 7000 + i,
  firstName: `First${i}`,
  lastName: `Last${i}`,
  middleName: '',
  dateOfBirth: `1990-04-${String((i % 28) + 1).padStart(2, '0')}T00:00:00`,
  phone: `415555${String(1000 + i).padStart(4, '0')}`,
  cellPhone: '',
  emailAddress: `customer${i}@example.com`,
  status: 'Active',
  customerType: 'Recreational',
  mmjidNumber: null,
  mmjidExpirationDate: null,
  isLoyaltyMember: false,
  springBigMemberId: 0,
  mergedIntoCustomerId: null,
  lastModifiedDateUTC: new Date(Date.UTC(2024, 2, 11, 0, i)).toISOString().replace('Z', ''),
});

const whoami = (key = API_KEY) =>
  nock(API, { reqheaders: { authorization: basic(key) } })
    .get('/whoami')
    .reply(200, fixture('whoami.json') as nock.Body);
const page = (query: Record<string, string> | true = true, key = API_KEY) =>
  nock(API, { reqheaders: { authorization: basic(key) } })
    .get('/customer/customers-paginated')
    .query(query);
const fastDeps = (overrides: Partial<PosClientDeps> = {}): PosClientDeps => ({
  baseUrl: API,
  storeTimezone: 'America/Denver',
  retry: { retries: 2, minDelayMs: 0, maxDelayMs: 0 },
  now: () => CONTRACT_NOW,
  rateLimiter: UNLIMITED,
  ...overrides,
});

runPosContractSuite({
  name: 'leaflogix',
  baseUrl: API,
  pageSize: LEAFLOGIX_PAGE_SIZE,
  endOfList: 'short-page',
  createClient: (deps) => createLeaflogixClient({ apiKey: API_KEY }, deps),
  makeRecord: record,
  externalIdOf: (i) => String(7000 + i),
  mockAuth: () => whoami(),
  listRequest: ({ since, pageIndex }) =>
    nock(API, { reqheaders: { authorization: basic(API_KEY) } })
      .get('/customer/customers-paginated')
      .query({
        PageNumber: String(pageIndex + 1),
        PageSize: String(LEAFLOGIX_PAGE_SIZE),
        ...(since ? { fromLastModifiedDateUTC: modifiedFrom(since) } : {}),
      }),
  pageBody: ({ records }) => records as nock.Body,
  errorBody: (status) =>
    status === 429 ? (fixture('rate-limited.json') as nock.Body) : status === 401 ? '' : { Message: 'Error' },
  nonRetryableStatuses: [500],
  malformedPageBody: () => [{ ...record(0), customerId: 'not-a-number' }],
  quirks: [
    {
      name: 'authenticates with Basic: the key as username and a blank password',
      async run(kit) {
        nock(API)
          .get('/whoami')
          .matchHeader('authorization', `Basic ${Buffer.from('contract-location-key:').toString('base64')}`)
          .reply(200, fixture('whoami.json') as nock.Body);
        page().reply(200, []);
        expect(await kit.start().list(null)).to.deep.equal([]);
      },
    },
    {
      name: 'whoami answers in PascalCase, and the client says which location and company the key is',
      async run(kit) {
        whoami();
        const client = kit.start().client as ReturnType<typeof createLeaflogixClient>;
        expect(await client.identify()).to.deep.equal({
          locationId: 1201,
          locationName: 'Sandbox Dispensary - Main St',
          companyId: 77,
          companyName: 'Sandbox Cannabis Co',
        });
        nock(API).get('/whoami').reply(200, { locationId: 1201, companyId: 77 });
        await kit.expectPosError(client.identify(), 'pos_bad_response');
      },
    },
    {
      name: 'a revoked key fails on whoami with an empty 401, before any page is asked for',
      async run(kit) {
        nock(API).get('/whoami').reply(401, '');
        const run = kit.start();
        const err = await kit.expectPosError(run.list(null), 'pos_auth_failed');
        expect(err.retryable).to.equal(false);
        expect(run.retries).to.deep.equal([]);
      },
    },
    {
      name: 'asks for changes from 60 s before since, as ISO UTC to the second',
      async run(kit) {
        whoami();
        page({ PageNumber: '1', PageSize: '100', fromLastModifiedDateUTC: '2024-03-10T17:44:30Z' }).reply(200, [
          record(1),
        ]);
        const pages = await kit.start().list(CONTRACT_SINCE);
        expect(pages.flat().map((c) => c.externalId)).to.deep.equal(['7001']);
      },
    },
    {
      name: 'reads customerId and customerID, "N/A" and year-1900 dates as null, status text and merges',
      async run(kit) {
        whoami();
        page().reply(200, fixture('customers-page.json') as nock.Body);
        nock(API)
          .get('/reporting/loyalty-snapshot')
          .reply(200, fixture('loyalty-snapshot.json') as nock.Body);
        const customers = (await kit.start().list(null)).flat();
        customers.forEach(kit.expectCustomer);
        expect(customers.map((c) => [c.externalId, c.status, c.mergedIntoExternalId])).to.deep.equal([
          ['5001', 'active', null],
          ['5002', 'inactive', null],
          ['5003', 'merged', '5001'],
        ]);
        expect(customers[1]).to.include({ email: null, birthday: null, medicalCard: null, phone: '4152000001' });
        expect(customers.map((c) => c.customerType)).to.deep.equal(['medical', 'recreational', 'recreational']);
      },
    },
    {
      name: 'loyalty balances come from one loyalty snapshot per listing, fetched only when a member shows up',
      async run(kit) {
        whoami();
        const full = Array.from({ length: LEAFLOGIX_PAGE_SIZE }, (_, i) => record(i));
        page({ PageNumber: '1', PageSize: '100' }).reply(200, full);
        page({ PageNumber: '2', PageSize: '100' }).reply(200, [
          { ...record(100), isLoyaltyMember: true },
          { ...record(101), isLoyaltyMember: true },
        ]);
        nock(API)
          .get('/reporting/loyalty-snapshot')
          .once()
          .reply(200, [{ customerId: 7100, loyaltyBalance: 42 }]);
        const pages = await kit.start().list(null);
        expect(pages[0].every((c) => c.loyaltyPoints === null)).to.equal(true);
        expect(pages[1].map((c) => c.loyaltyPoints)).to.deep.equal([42, null]);
      },
    },
    {
      name: 'a key without the reporting scope (403 on the snapshot) still lists, with loyalty unknown',
      async run(kit) {
        whoami();
        page().reply(200, [{ ...record(1), isLoyaltyMember: true }]);
        nock(API).get('/reporting/loyalty-snapshot').reply(403, '');
        const [customer] = (await kit.start().list(null)).flat();
        expect(customer).to.include({ externalId: '7001', loyaltyPoints: null });
      },
    },
    {
      name: 'the list is company-wide: two location keys get the same people, and both are passed on as they are',
      async run(kit) {
        const people = [record(1), record(2)];
        for (const key of [API_KEY, 'contract-other-location-key']) {
          whoami(key);
          page(true, key).reply(200, people);
        }
        const first = (await kit.start().list(null)).flat();
        const other = createLeaflogixClient({ apiKey: 'contract-other-location-key' }, fastDeps());
        const second: string[] = [];
        for await (const p of other.listCustomersChangedSince(null)) second.push(...p.map((c) => c.externalId));
        expect(second).to.deep.equal(first.map((c) => c.externalId));
      },
    },
    {
      name: '429 keeps the TraceId of its {Message, TraceId} body and honours Retry-After',
      async run(kit) {
        whoami();
        page().reply(429, fixture('rate-limited.json') as nock.Body, { 'Retry-After': '30' });
        const run = kit.start({ retry: { retries: 0, minDelayMs: 0, maxDelayMs: 0 } });
        const err = await kit.expectPosError(run.list(null), 'pos_rate_limited');
        expect(err).to.include({ retryAfterMs: 30_000, vendorRequestId: '0HN7SANDBOX:00000001', status: 429 });
        expect(err.message).not.to.include('Too many');
      },
    },
    {
      name: '502 is retried (only 500 is not)',
      async run(kit) {
        whoami();
        page().reply(502, '');
        page().reply(200, [record(1)]);
        const run = kit.start();
        expect((await run.list(null)).flat()).to.have.length(1);
        expect(run.retries.map((r) => r.status)).to.deep.equal([502]);
      },
    },
    {
      name: 'creates with a save without customerId, carrying the Patron id, and is never sent twice',
      async run(kit) {
        const client = kit.start().client;
        nock(API, { reqheaders: { authorization: basic(API_KEY) } })
          .post(
            '/customer/customer',
            (body) =>
              body.customerId === undefined &&
              body.firstName === 'Ana' &&
              body.phone === '4155550100' &&
              body.externalCustomerId === 'patron-1' &&
              !('emailAddress' in body),
          )
          .reply(200, { customerId: 9001, firstName: 'Ana' });
        const newCustomer = {
          patronId: 'patron-1',
          firstName: 'Ana',
          middleName: null,
          lastName: 'Silva',
          birthday: '1990-01-02',
          email: null,
          phone: '+14155550100',
          driversLicense: null,
          medicalCard: null,
          customerType: 'recreational' as const,
        };
        expect(await client.createCustomer!(newCustomer)).to.deep.equal({ externalId: '9001' });
        nock(API).post('/customer/customer').reply(503, '');
        const run = kit.start();
        await kit.expectPosError(run.client.createCustomer!(newCustomer), 'pos_unavailable');
        expect(run.retries, 'a create that may have been received is not repeated').to.deep.equal([]);
      },
    },
    {
      name: 'updates with a sparse save naming customerId, retried like a read',
      async run(kit) {
        nock(API).post('/customer/customer').reply(503, '');
        nock(API)
          .post('/customer/customer', {
            customerId: 9001,
            emailAddress: 'new@example.com',
            mmjidNumber: null,
            mmjidExpirationDate: null,
          })
          .reply(200, { customerId: 9001 });
        const run = kit.start();
        await run.client.updateCustomer!({ externalId: '9001' }, { email: 'new@example.com', medicalCard: null });
        expect(run.retries.map((r) => r.status)).to.deep.equal([503]);
        await kit.expectPosError(run.client.updateCustomer!({ externalId: 'abc' }, { email: null }), 'pos_not_found');
      },
    },
    {
      name: 'credentials of the wrong shape are pos_misconfigured, before any request',
      async run() {
        for (const credentials of [{}, { apiKey: '' }, { key: API_KEY }, null]) {
          expect(() => createLeaflogixClient(credentials, fastDeps()))
            .to.throw(PosError)
            .with.property('code', 'pos_misconfigured');
        }
      },
    },
  ],
});
