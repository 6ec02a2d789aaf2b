import { expect } from 'chai';
import nock from 'nock';
import { COVASOFT_PAGE_SIZE, createCovasoftClient } from '../../integrations/pos/covasoft/covasoft-client.js';
import type { CovaCustomerFull } from '../../integrations/pos/covasoft/covasoft-schemas.js';
import { PosError } from '../../integrations/pos/pos-errors.js';
import { CONTRACT_NOW, CONTRACT_SINCE, runPosContractSuite, type ContractKit } from './pos-contract-suite.js';

// Cova through nock: OAuth2 password grant at the accounts host, OData CustomerFull listing answering a bare
// array, the API gateway's 429 body, and the write path (POST create, [ASSUMPTION] read-then-PUT update).

const API = 'https://api.cova.test';
const AUTH = 'https://accounts.cova.test';
const COMPANY = 14146;
const CUSTOMERS = `/crm/v1/Companies(${COMPANY})/CustomerFull`;
const TOKEN = 'cova-token-1';
const credentials = {
  companyId: COMPANY,
  username: 'integration@store.example',
  password: 'store-password',
  clientId: 'patron',
  clientSecret: 'client-secret',
};

const guid = (i: number) => `6f1c2a38-d083-4421-9330-${String(i).padStart(12, '0')}`;
const record = (i: number): CovaCustomerFull => ({
  Id: guid(i),
  CustomerTypeId: 2,
  CustomerType: 'Person',
  PrimaryName: `First${i}`,
  MiddleName: '',
  FamilyName: `Last${i}`,
  DateOfBirth: `1990-04-0${(i % 9) + 1}T00:00:00`,
  Disabled: false,
  DoNotContact: true,
  Version: 1,
  MergedIntoCustomerId: null,
  LastModifiedDateUtc: `2024-03-01T00:${String(i % 60).padStart(2, '0')}:00.1234567`,
  Addresses: [],
  ContactMethods: [
    {
      ContactMethodCategoryId: 1,
      ContactMethodTypeId: 3,
      Value: `(306) 555-${String(i).padStart(4, '0')}`,
      Default: true,
    },
    { ContactMethodCategoryId: 2, ContactMethodTypeId: 9, Value: `customer${i}@example.com`, Default: false },
  ],
  CustomerExtensions: [],
});

const tokenReply = (token = TOKEN, expiresIn = 43_199) => ({
  access_token: token,
  token_type: 'bearer',
  expires_in: expiresIn,
  refresh_token: 'refresh-1',
});
const mockToken = (token = TOKEN, expiresIn = 43_199) =>
  nock(AUTH)
    .post(
      '/v1/oauth2/token',
      (body) =>
        body.grant_type === 'password' &&
        body.username === credentials.username &&
        body.password === credentials.password &&
        body.client_id === credentials.clientId &&
        body.client_secret === credentials.clientSecret,
    )
    .reply(200, tokenReply(token, expiresIn));
const api = (token = TOKEN) => nock(API, { reqheaders: { authorization: `Bearer ${token}` } });
const anyPage = (records: unknown[]) => api().get(CUSTOMERS).query(true).reply(200, records);
const apimBody = (seconds: number) => ({
  statusCode: 429,
  message: `Rate limit is exceeded. Try again in ${seconds} seconds.`,
});
const firstCustomer = async (kit: ContractKit, page: unknown[]) => {
  mockToken();
  anyPage(page);
  const [customer] = (await kit.start().list(null)).flat();
  kit.expectCustomer(customer);
  return customer;
};
const newCustomer = {
  patronId: '0b5a3c1e-0000-4000-8000-000000000001',
  firstName: 'Ana',
  middleName: null,
  lastName: 'García',
  birthday: '1990-04-02',
  email: 'ana@example.com',
  phone: '+14155550100',
  driversLicense: null,
  medicalCard: null,
  customerType: null,
};

runPosContractSuite({
  name: 'covasoft',
  baseUrl: API,
  authUrl: AUTH,
  pageSize: COVASOFT_PAGE_SIZE,
  endOfList: 'short-page',
  createClient: (deps) => createCovasoftClient(credentials, deps),
  makeRecord: record,
  externalIdOf: guid,
  mockAuth: () => void mockToken(),
  listRequest: ({ since, pageIndex }) =>
    api()
      .get(CUSTOMERS)
      .query({
        ...(since ? { $filter: `LastModifiedDateUtc ge datetime'${since.toISOString().slice(0, 19)}Z'` } : {}),
        $skip: String(pageIndex * COVASOFT_PAGE_SIZE),
        $top: String(COVASOFT_PAGE_SIZE),
      }),
  pageBody: ({ records }) => records as nock.Body,
  errorBody: (status) =>
    status === 429
      ? apimBody(60)
      : status === 401
        ? { Message: 'Authorization has been denied for this request.' }
        : { Message: 'An error has occurred.' },
  malformedPageBody: () => [{ ...record(0), Id: 12345 }],
  quirks: [
    {
      name: 'phone and email come only from ContactMethods: the Default phone over a work line and a fax',
      async run(kit) {
        const customer = await firstCustomer(kit, [
          {
            ...record(1),
            ContactMethods: [
              { ContactMethodCategoryId: 1, ContactMethodTypeId: 7, Value: '(306) 555-0007', Default: false },
              { ContactMethodCategoryId: 1, ContactMethodTypeId: 2, Value: '(306) 555-0002', Default: false },
              { ContactMethodCategoryId: 3, ContactMethodTypeId: 14, Value: '@handle', Default: false },
              { ContactMethodCategoryId: 1, ContactMethodTypeId: 3, Value: '(306) 555-0003', Default: true },
              { ContactMethodCategoryId: 2, ContactMethodTypeId: 10, Value: 'work@example.com', Default: false },
            ],
          },
        ]);
        expect(customer).to.include({ phone: '(306) 555-0003', email: 'work@example.com' });
      },
    },
    {
      name: 'MergedIntoCustomerId makes a merged record pointing at its survivor; Disabled alone is inactive',
      async run(kit) {
        mockToken();
        anyPage([
          { ...record(2), Disabled: true, MergedIntoCustomerId: guid(1).toUpperCase() },
          { ...record(3), Disabled: true, MergedIntoCustomerId: '00000000-0000-0000-0000-000000000000' },
        ]);
        const [merged, disabled] = (await kit.start().list(null)).flat();
        [merged, disabled].forEach(kit.expectCustomer);
        expect(merged).to.include({ status: 'merged', mergedIntoExternalId: guid(1) });
        expect(disabled).to.include({ status: 'inactive', mergedIntoExternalId: null });
      },
    },
    {
      name: 'zone-less LastModifiedDateUtc is UTC; datetime birthdays are dates; blanks and year 1 are null',
      async run(kit) {
        const customer = await firstCustomer(kit, [
          {
            ...record(4),
            MiddleName: '   ',
            DateOfBirth: '0001-01-01T00:00:00',
            LastModifiedDateUtc: '2024-03-11T23:59:59.9999999',
            ContactMethods: [],
          },
        ]);
        expect(customer).to.include({ middleName: null, birthday: null, phone: null, email: null });
        expect(customer.lastModifiedAt?.toISOString()).to.equal('2024-03-11T23:59:59.999Z');
        expect(customer).to.include({
          driversLicense: null,
          medicalCard: null,
          customerType: null,
          loyaltyPoints: null,
        });
      },
    },
    {
      name: 'the token is fetched once and reused by the next client until shortly before it expires',
      async run(kit) {
        mockToken(TOKEN, 43_199);
        api().get(CUSTOMERS).query(true).times(2).reply(200, []);
        const first = kit.start();
        await first.list(null);
        await kit.start({ tokenCache: first.tokenCache }).list(CONTRACT_SINCE);
        // Two minutes before expiry is inside the refresh margin: a new grant, not the old token.
        const later = new Date(CONTRACT_NOW.getTime() + (43_199 - 120) * 1000);
        mockToken('cova-token-2');
        api('cova-token-2').get(CUSTOMERS).query(true).reply(200, []);
        await kit.start({ tokenCache: first.tokenCache, now: () => later }).list(null);
        expect(first.tokenCache.size()).to.equal(1);
      },
    },
    {
      name: "the token endpoint's invalid_grant is pos_auth_failed, not retried, and nothing is listed",
      async run(kit) {
        nock(AUTH)
          .post('/v1/oauth2/token')
          .reply(400, { error: 'invalid_grant', error_description: 'The user name or password is incorrect.' });
        const run = kit.start();
        const err = await kit.expectPosError(run.list(null), 'pos_auth_failed');
        expect(err.retryable).to.equal(false);
        expect(err.message).not.to.include(credentials.username);
        expect(run.retries).to.deep.equal([]);
      },
    },
    {
      name: 'a token exchange answered 503 is retried (asking twice for a token is harmless)',
      async run(kit) {
        nock(AUTH).post('/v1/oauth2/token').reply(503);
        mockToken();
        anyPage([record(5)]);
        const run = kit.start();
        expect((await run.list(null)).flat()).to.have.length(1);
        expect(run.retries.map((r) => r.status)).to.deep.equal([503]);
      },
    },
    {
      name: "a 429 with the gateway's JSON body and no Retry-After waits the seconds it names",
      async run(kit) {
        mockToken();
        api().get(CUSTOMERS).query(true).reply(429, apimBody(7), { 'COVA-APIM-RateLimit-Remaining': '0' });
        anyPage([record(6)]);
        const run = kit.start();
        expect((await run.list(null)).flat()).to.have.length(1);
        expect(run.retries.map((r) => [r.code, r.retryAfterMs])).to.deep.equal([['pos_rate_limited', 7000]]);
      },
    },
    {
      name: 'without overrides it calls the documented hosts: accounts.iqmetrix.net and api.covasoft.net',
      async run(kit) {
        nock('https://accounts.iqmetrix.net').post('/v1/oauth2/token').reply(200, tokenReply());
        nock('https://api.covasoft.net', { reqheaders: { authorization: `Bearer ${TOKEN}` } })
          .get(CUSTOMERS)
          .query({ $skip: '0', $top: String(COVASOFT_PAGE_SIZE) })
          .reply(200, [record(7)]);
        const pages = await kit.start({ baseUrl: undefined, authUrl: undefined }).list(null);
        expect(pages.flat().map((c) => c.externalId)).to.deep.equal([guid(7)]);
      },
    },
    {
      name: 'a gateway that ignores $skip is pos_bad_response, not an endless loop',
      async run(kit) {
        const page = Array.from({ length: COVASOFT_PAGE_SIZE }, (_, i) => record(i));
        mockToken();
        api().get(CUSTOMERS).query(true).times(2).reply(200, page);
        await kit.expectPosError(kit.start().list(null), 'pos_bad_response');
      },
    },
    {
      name: 'createCustomer POSTs a CustomerFull and returns its Id; a 500 after sending is not repeated',
      async run(kit) {
        mockToken();
        api()
          .post(CUSTOMERS, (body) => body.PrimaryName === 'Ana' && body.ContactMethods.length === 2)
          .reply(201, { ...record(8), Id: guid(8).toUpperCase() });
        const first = kit.start();
        expect(await first.client.createCustomer!(newCustomer)).to.deep.equal({ externalId: guid(8) });
        api().post(CUSTOMERS).reply(500, { Message: 'An error has occurred.' });
        const run = kit.start({ tokenCache: first.tokenCache });
        await kit.expectPosError(run.client.createCustomer!(newCustomer), 'pos_unavailable');
        expect(run.retries).to.deep.equal([]);
      },
    },
    {
      name: 'updateCustomer reads the record and PUTs it back whole with its Version and the patch applied',
      async run(kit) {
        const current = { ...record(9), Version: 4, Notes: 'kept' };
        mockToken();
        api()
          .get(`${CUSTOMERS}(${guid(9)})`)
          .reply(200, current);
        api()
          .put(`${CUSTOMERS}(${guid(9)})`, (body) => {
            const emails = body.ContactMethods.filter(
              (m: { ContactMethodCategoryId: number }) => m.ContactMethodCategoryId === 2,
            );
            return (
              body.Version === 4 &&
              body.Notes === 'kept' &&
              body.FamilyName === 'Smyth' &&
              body.PrimaryName === 'First9' &&
              emails.length === 1 &&
              emails[0].Value === 'new@example.com'
            );
          })
          .reply(200, { ...current, Version: 5 });
        await kit.start().client.updateCustomer!(
          { externalId: guid(9) },
          { lastName: 'Smyth', email: 'new@example.com' },
        );
      },
    },
    {
      name: 'updateCustomer: a 409 re-reads and applies the patch again; a record already patched needs no PUT',
      async run(kit) {
        const path = `${CUSTOMERS}(${guid(10)})`;
        mockToken();
        api()
          .get(path)
          .reply(200, { ...record(10), Version: 1 });
        api().put(path).reply(409, { Message: 'Version conflict' });
        api()
          .get(path)
          .reply(200, { ...record(10), Version: 2, PrimaryName: 'Changed elsewhere' });
        api()
          .put(
            path,
            (body) => body.Version === 2 && body.FamilyName === 'New' && body.PrimaryName === 'Changed elsewhere',
          )
          .reply(200, {});
        const run = kit.start();
        await run.client.updateCustomer!({ externalId: guid(10) }, { lastName: 'New' });
        api()
          .get(path)
          .reply(200, { ...record(10), FamilyName: 'New' });
        await run.client.updateCustomer!({ externalId: guid(10) }, { lastName: 'New' });
      },
    },
    {
      name: 'updateCustomer on an unknown id is pos_not_found; a non-GUID id never reaches the vendor',
      async run(kit) {
        mockToken();
        api()
          .get(`${CUSTOMERS}(${guid(11)})`)
          .reply(404, { Message: 'Not Found' });
        const { client } = kit.start();
        await kit.expectPosError(client.updateCustomer!({ externalId: guid(11) }, { firstName: 'X' }), 'pos_not_found');
        await kit.expectPosError(
          client.updateCustomer!({ externalId: '../Companies(1)' }, { firstName: 'X' }),
          'pos_not_found',
        );
      },
    },
    {
      name: 'credentials of the wrong shape are pos_misconfigured, before any request',
      async run() {
        expect(() => createCovasoftClient({ ...credentials, clientSecret: undefined }, { storeTimezone: 'UTC' }))
          .to.throw(PosError)
          .with.property('code', 'pos_misconfigured');
      },
    },
  ],
});
