import { readFileSync } from 'node:fs';
import { expect } from 'chai';
import nock from 'nock';
import { createFlowhubClient, flowhubClientFactory } from '../../integrations/pos/flowhub/flowhub-client.js';
import type { FlowhubCustomer } from '../../integrations/pos/flowhub/flowhub-schemas.js';
import type { PosClientDeps } from '../../integrations/pos/pos-client.js';
import type { NewPosCustomer } from '../../integrations/pos/pos-types.js';
import { CONTRACT_OTHER_SINCE, CONTRACT_SINCE, runPosContractSuite } from './pos-contract-suite.js';

const API = 'https://api.flowhub.test';
const PAGE_SIZE = 3;
const credentials = { clientId: 'contract-client', key: 'contract-key' };
const auth = { reqheaders: { clientId: credentials.clientId, key: credentials.key } };

const fixture = (name: string) =>
  JSON.parse(readFileSync(new URL(`../fixtures/flowhub/${name}`, import.meta.url), 'utf8'));
const sample: FlowhubCustomer = fixture('customer.json');
const locations = fixture('clients-locations.json');
const LOCATION_ID: string = locations.data[0].locationId;

const idOf = (i: number) => `5f0c2a9e-8a57-4d6b-9b3e-${String(i).padStart(12, '0')}`;
const customer = (i: number): FlowhubCustomer => ({
  ...sample,
  id: idOf(i),
  name: `First${i} Last${i}`,
  email: `customer${i}@example.com`,
  updatedAt: new Date(Date.UTC(2024, 2, 1, 0, i)).toISOString(),
});

// `updated_after` is the store's (America/Denver) date of the day before `since`, written out by hand so
// the test does not borrow the adapter's arithmetic.
const UPDATED_AFTER = new Map([
  [CONTRACT_SINCE.toISOString(), '2024-03-09'],
  [CONTRACT_OTHER_SINCE.toISOString(), '2024-03-06'],
]);

const listQuery = (pageIndex: number, since: Date | null) => ({
  page: String(pageIndex + 1),
  page_size: String(PAGE_SIZE),
  order_by: 'asc',
  ...(since ? { updated_after: UPDATED_AFTER.get(since.toISOString()) ?? 'unexpected since' } : {}),
});

const createClient = (deps: PosClientDeps, creds: object = credentials) =>
  flowhubClientFactory({ pageSize: PAGE_SIZE })(creds, deps);

const newCustomer: NewPosCustomer = {
  patronId: '6d8f1a52-8a53-4a4b-b0e1-5ab1f8f3c2d0',
  firstName: 'Juan',
  middleName: null,
  lastName: 'de la Cruz',
  birthday: '1979-11-30',
  email: 'juan@example.com',
  phone: '+14155550123',
  driversLicense: null,
  medicalCard: null,
  customerType: 'medical',
};

const mockLocations = (body: nock.Body = locations) => nock(API, auth).get('/v0/clientsLocations').reply(200, body);

runPosContractSuite({
  name: 'Flowhub',
  baseUrl: API,
  storeTimezone: 'America/Denver',
  pageSize: PAGE_SIZE,
  endOfList: 'short-page',
  createClient: (deps) => createClient(deps),
  makeRecord: customer,
  externalIdOf: idOf,
  listRequest: ({ since, pageIndex }) => nock(API, auth).get('/v1/customers/').query(listQuery(pageIndex, since)),
  pageBody: ({ records }) => ({ data: records }),
  errorBody: (status) => ({ message: status === 429 ? 'Too Many Requests' : `Error ${status}` }),
  malformedPageBody: () => ({ data: [{ ...customer(0), id: 42 }] }),
  quirks: [
    {
      name: 'the list may come as a bare array as well as {data: [...]}',
      async run(kit) {
        nock(API, auth)
          .get('/v1/customers/')
          .query(listQuery(0, null))
          .reply(200, [customer(0), customer(1)]);
        const pages = await kit.start().list(null);
        expect(pages.flat().map((c) => c.externalId)).to.deep.equal([idOf(0), idOf(1)]);
      },
    },
    {
      name: "the window opens the day before since, in the store's calendar, not UTC's",
      async run(kit) {
        // 05:30 UTC on the 10th is still the 9th in Denver: the window opens on the 8th.
        nock(API, auth)
          .get('/v1/customers/')
          .query({ ...listQuery(0, null), updated_after: '2024-03-08' })
          .reply(200, { data: [] });
        expect(await kit.start().list(new Date('2024-03-10T05:30:00Z'))).to.deep.equal([]);
      },
    },
    {
      name: 'a 404 "must be in format yyyy-mm-dd" is our request refused, not a missing record',
      async run(kit) {
        nock(API, auth)
          .get('/v1/customers/')
          .query(listQuery(0, CONTRACT_SINCE))
          .reply(404, { message: 'updated_after must be in format yyyy-mm-dd' });
        const run = kit.start();
        const err = await kit.expectPosError(run.list(CONTRACT_SINCE), 'pos_rejected');
        expect(err).to.include({ retryable: false, status: 404 });
        expect(run.retries).to.deep.equal([]);
      },
    },
    {
      name: 'a 429 with no rate-limit headers is retried after a backoff',
      async run(kit) {
        nock(API, auth).get('/v1/customers/').query(listQuery(0, null)).reply(429, { message: 'Too Many Requests' });
        nock(API, auth)
          .get('/v1/customers/')
          .query(listQuery(0, null))
          .reply(200, { data: [customer(0)] });
        const run = kit.start();
        expect((await run.list(null)).flat()).to.have.length(1);
        expect(run.retries.map((r) => [r.code, r.retryAfterMs])).to.deep.equal([['pos_rate_limited', undefined]]);
      },
    },
    {
      name: 'the single name is split, the phone kept as given, type and loyalty mapped, all active',
      async run(kit) {
        const records = [
          { ...sample, id: idOf(1), name: 'Juan Carlos de la Cruz', type: 'medCustomer', isLoyal: false },
          { ...sample, id: idOf(2), name: 'Cher', email: '', birthDate: '' },
        ];
        nock(API, auth).get('/v1/customers/').query(listQuery(0, null)).reply(200, { data: records });
        const [juan, cher] = (await kit.start().list(null)).flat();
        kit.expectCustomer(juan);
        kit.expectCustomer(cher);
        expect(juan).to.include({
          firstName: 'Juan',
          middleName: 'Carlos',
          lastName: 'de la Cruz',
          phone: '(555) 123-4567',
          customerType: 'medical',
          loyaltyPoints: null,
          status: 'active',
          mergedIntoExternalId: null,
        });
        expect(cher).to.include({ firstName: 'Cher', lastName: null, email: null, birthday: null });
      },
    },
    {
      name: 'a vendor that ignores the page number is stopped, not listed forever',
      async run(kit) {
        const page = { data: [customer(0), customer(1), customer(2)] };
        nock(API, auth).get('/v1/customers/').query(listQuery(0, null)).reply(200, page);
        nock(API, auth).get('/v1/customers/').query(listQuery(1, null)).reply(200, page);
        await kit.expectPosError(kit.start().list(null), 'pos_bad_response');
      },
    },
    {
      name: 'credentials of the wrong shape are pos_misconfigured, before any request',
      async run() {
        for (const wrong of [{ clientId: 'x' }, { clientId: 'x', key: '' }, { apiKey: 'x' }, null]) {
          expect(() => createFlowhubClient(wrong, { storeTimezone: 'America/Denver' }))
            .to.throw()
            .with.property('code', 'pos_misconfigured');
        }
        expect(() => createFlowhubClient(credentials, { storeTimezone: 'Mars/Olympus' }))
          .to.throw()
          .with.property('code', 'pos_misconfigured');
      },
    },
    {
      name: "creates at the client's only location, with the required fields, and never twice",
      async run(kit) {
        mockLocations();
        nock(API, auth)
          .post('/v1/customer', {
            birthDate: '1979-11-30',
            name: 'Juan de la Cruz',
            state: 'CO',
            type: 'medCustomer',
            email: 'juan@example.com',
            phone: '(415) 555-0123',
          })
          .query({ store_id: LOCATION_ID })
          .reply(200, { ...sample, id: idOf(9), name: 'Juan de la Cruz' });
        const run = kit.start();
        expect(await run.client.createCustomer!(newCustomer)).to.deep.equal({ externalId: idOf(9) });

        nock(API, auth).post('/v1/customer').query(true).reply(503, { message: 'Service Unavailable' });
        await kit.expectPosError(run.client.createCustomer!(newCustomer), 'pos_unavailable');
        expect(run.retries, 'a create that may have been sent is not repeated').to.deep.equal([]);
      },
    },
    {
      name: 'a client with several locations writes only where its credentials say',
      async run(kit) {
        const two = { ...locations, data: [...locations.data, { ...locations.data[0], locationId: 'loc-2' }] };
        mockLocations(two);
        const err = await kit.expectPosError(kit.start().client.createCustomer!(newCustomer), 'pos_misconfigured');
        expect(err.message).to.match(/locationId/);

        mockLocations(two);
        nock(API, auth)
          .post('/v1/customer')
          .query({ store_id: 'loc-2' })
          .reply(200, { ...sample, id: idOf(3) });
        const client = createClient(
          { storeTimezone: 'America/Denver', baseUrl: API },
          { ...credentials, locationId: 'loc-2' },
        );
        expect(await client.createCustomer!(newCustomer)).to.deep.equal({ externalId: idOf(3) });
      },
    },
    {
      name: 'an update reads the customer, lays the patch over it and PUTs it back, retrying a 503',
      async run(kit) {
        const id = sample.id;
        mockLocations();
        nock(API, auth).get(`/v1/customers/${id}`).query({ store_id: LOCATION_ID }).reply(200, sample);
        const expected = {
          email: 'jane.new@example.com',
          phone: '(555) 123-4567',
          streetAddress1: '1 Main St',
          streetAddress2: '',
          city: 'Denver',
          zip: '80202',
          consentsToPromotionalEmail: true,
          consentsToPromotionalSMS: false,
          birthDate: '1988-04-12',
          name: 'Jane Q Roe',
          state: 'CO',
          type: 'recCustomer',
        };
        nock(API, auth).put(`/v1/customer/${id}`, expected).query({ store_id: LOCATION_ID }).reply(503, {});
        nock(API, auth).put(`/v1/customer/${id}`, expected).query({ store_id: LOCATION_ID }).reply(200, sample);
        const run = kit.start();
        await run.client.updateCustomer!({ externalId: id }, { lastName: 'Roe', email: 'jane.new@example.com' });
        expect(run.retries.map((r) => r.status)).to.deep.equal([503]);
      },
    },
    {
      name: 'a single customer wrapped in {data} is read like a bare one',
      async run(kit) {
        mockLocations();
        nock(API, auth).get(`/v1/customers/${sample.id}`).query(true).reply(200, { status: 'success', data: sample });
        nock(API, auth)
          .put(`/v1/customer/${sample.id}`, (body) => body.name === 'Jane Q Doe' && body.email === null)
          .query(true)
          .reply(200, { status: 'success', data: sample });
        await kit.start().client.updateCustomer!({ externalId: sample.id }, { email: null });
      },
    },
    {
      name: 'updating a customer Flowhub does not know is pos_not_found',
      async run(kit) {
        mockLocations();
        nock(API, auth)
          .get(`/v1/customers/${idOf(404)}`)
          .query(true)
          .reply(404, { message: 'Customer not found' });
        await kit.expectPosError(
          kit.start().client.updateCustomer!({ externalId: idOf(404) }, { email: null }),
          'pos_not_found',
        );
      },
    },
  ],
});
