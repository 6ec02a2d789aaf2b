import { expect } from 'chai';
import Joi from 'joi';
import nock from 'nock';
import { createPosHttp, validateResponse } from '../../integrations/pos/http.js';
import type { PosClient, PosClientFactory } from '../../integrations/pos/pos-client.js';
import { PosError } from '../../integrations/pos/pos-errors.js';
import type { PosCustomer, PosProvider } from '../../integrations/pos/pos-types.js';
import { credentialKey, getCachedToken, sharedTokenCache } from '../../integrations/pos/token-cache.js';
import { CONTRACT_SINCE, runPosContractSuite } from './pos-contract-suite.js';

// A tiny adapter for a made-up vendor, written the way the real five are, to prove the suite's harness:
// OAuth token reused through the cache, page/pageSize paging ending on a short page, an ISO
// `modifiedSince` filter, "N/A" placeholders and a merged-into pointer.

const EXAMPLE = 'example' as PosProvider; // not a real provider: only this test builds it
const PAGE_SIZE = 3;

const credentialsSchema = Joi.object({ clientId: Joi.string().required(), secret: Joi.string().required() });
const tokenSchema = Joi.object({
  access_token: Joi.string().required(),
  expires_in: Joi.number().integer().required(),
});
const memberSchema = Joi.object({
  id: Joi.number().integer().required(),
  first: Joi.string().allow('', null),
  last: Joi.string().allow('', null),
  dob: Joi.string().allow(null),
  email: Joi.string().allow('', null),
  mergedInto: Joi.number().integer().allow(null),
  modified: Joi.string().isoDate().required(),
});
const pageSchema = Joi.object({ data: Joi.array().items(memberSchema).required() });
type Member = {
  id: number;
  first?: string;
  last?: string;
  dob?: string;
  email?: string;
  mergedInto?: number | null;
  modified: string;
};

const present = (v: string | null | undefined) => (v && v !== 'N/A' ? v : null);

function toPosCustomer(m: Member): PosCustomer {
  return {
    externalId: String(m.id),
    firstName: present(m.first),
    middleName: null,
    lastName: present(m.last),
    birthday: present(m.dob),
    email: present(m.email),
    phone: null,
    driversLicense: null,
    medicalCard: null,
    customerType: null,
    loyaltyPoints: null,
    status: m.mergedInto ? 'merged' : 'active',
    mergedIntoExternalId: m.mergedInto ? String(m.mergedInto) : null,
    lastModifiedAt: new Date(m.modified),
  };
}

const createExampleClient: PosClientFactory = (credentials, deps) => {
  const { value: creds, error } = credentialsSchema.validate(credentials);
  if (error) throw new PosError('pos_misconfigured', 'example credentials are incomplete', { provider: EXAMPLE });
  const now = deps.now ?? (() => new Date());
  const key = credentialKey(EXAMPLE, creds.clientId, creds.secret);
  const tokens = { cache: deps.tokenCache ?? sharedTokenCache, key, now };
  const common = { ...deps, provider: EXAMPLE, limiterKey: key, rateLimit: { perSecond: 10 } };
  const authHttp = createPosHttp({ ...common, baseURL: deps.authUrl ?? 'https://auth.example.com' });
  const http = createPosHttp({
    ...common,
    baseURL: deps.baseUrl ?? 'https://api.example.com',
    authorize: async (config) => {
      const token = await getCachedToken(tokens, async () => {
        const form = new URLSearchParams({
          grant_type: 'client_credentials',
          client_id: creds.clientId,
          client_secret: creds.secret,
        });
        const res = await authHttp.post('/oauth/token', form);
        const body = validateResponse(tokenSchema, res.data, EXAMPLE);
        return { value: body.access_token, expiresAt: new Date(now().getTime() + body.expires_in * 1000) };
      });
      config.headers.set('Authorization', `Bearer ${token}`);
    },
    onAuthRejected: () => tokens.cache.delete(key),
  });

  async function* listCustomersChangedSince(since: Date | null): AsyncIterable<PosCustomer[]> {
    for (let page = 1; ; page++) {
      const params = { page, pageSize: PAGE_SIZE, ...(since ? { modifiedSince: since.toISOString() } : {}) };
      const res = await http.get('/v1/members', { params });
      const members = validateResponse(pageSchema, res.data, EXAMPLE).data as Member[];
      if (members.length > 0) yield members.map(toPosCustomer);
      if (members.length < PAGE_SIZE) return;
    }
  }

  const client: PosClient = {
    provider: EXAMPLE,
    capabilities: { create: false, update: false },
    listCustomersChangedSince,
  };
  return client;
};

const API = 'https://api.example.test';
const AUTH = 'https://auth.example.test';
const credentials = { clientId: 'contract-client', secret: 'contract-secret' };

const member = (i: number): Member => ({
  id: 1000 + i,
  first: `First${i}`,
  last: `Last${i}`,
  dob: '1990-04-0' + ((i % 9) + 1),
  email: `member${i}@example.com`,
  mergedInto: null,
  modified: new Date(Date.UTC(2024, 2, 1, 0, i)).toISOString(),
});

runPosContractSuite({
  name: 'example vendor',
  baseUrl: API,
  authUrl: AUTH,
  pageSize: PAGE_SIZE,
  endOfList: 'short-page',
  createClient: (deps) => createExampleClient(credentials, deps),
  makeRecord: member,
  externalIdOf: (i) => String(1000 + i),
  mockAuth: () =>
    nock(AUTH)
      .post(
        '/oauth/token',
        (body) => body.client_id === credentials.clientId && body.grant_type === 'client_credentials',
      )
      .reply(200, { access_token: 'tok-1', expires_in: 43_199 }),
  listRequest: ({ since, pageIndex }) =>
    nock(API, { reqheaders: { authorization: 'Bearer tok-1' } })
      .get('/v1/members')
      .query({
        page: String(pageIndex + 1),
        pageSize: String(PAGE_SIZE),
        ...(since ? { modifiedSince: since.toISOString() } : {}),
      }),
  pageBody: ({ records }) => ({ data: records }),
  errorBody: (status) => ({ error: `status ${status}` }),
  malformedPageBody: () => ({ data: [{ ...member(0), id: 'not-a-number' }] }),
  quirks: [
    {
      name: '"N/A" placeholders become null',
      async run(kit) {
        nock(AUTH)
          .post('/oauth/token')
          .reply(200, { access_token: 'tok-1', expires_in: 60 * 60 });
        nock(API)
          .get('/v1/members')
          .query(true)
          .reply(200, { data: [{ ...member(1), dob: 'N/A', email: 'N/A' }] });
        const [customer] = (await kit.start().list(null)).flat();
        kit.expectCustomer(customer);
        expect(customer).to.include({ birthday: null, email: null });
      },
    },
    {
      name: 'a record merged at the POS points at its survivor',
      async run(kit) {
        nock(AUTH)
          .post('/oauth/token')
          .reply(200, { access_token: 'tok-1', expires_in: 60 * 60 });
        nock(API)
          .get('/v1/members')
          .query(true)
          .reply(200, { data: [{ ...member(2), mergedInto: 1001 }] });
        const [customer] = (await kit.start().list(CONTRACT_SINCE)).flat();
        kit.expectCustomer(customer);
        expect(customer).to.include({ status: 'merged', mergedIntoExternalId: '1001' });
      },
    },
    {
      name: 'the token is fetched once and reused by the next client',
      async run(kit) {
        nock(AUTH)
          .post('/oauth/token')
          .once()
          .reply(200, { access_token: 'tok-1', expires_in: 60 * 60 });
        nock(API).get('/v1/members').query(true).times(2).reply(200, { data: [] });
        const first = kit.start();
        await first.list(null);
        await kit.start({ tokenCache: first.tokenCache }).list(null);
        expect(first.tokenCache.size()).to.equal(1);
      },
    },
    {
      name: 'credentials of the wrong shape are pos_misconfigured, before any request',
      async run(kit) {
        expect(() => createExampleClient({ clientId: 'x' }, { storeTimezone: 'UTC' }))
          .to.throw(PosError)
          .with.property('code', 'pos_misconfigured');
        await Promise.resolve(kit);
      },
    },
  ],
});
