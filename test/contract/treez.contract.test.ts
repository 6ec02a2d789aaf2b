import { createPublicKey, generateKeyPairSync, verify } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { expect } from 'chai';
import nock from 'nock';
import type { PosClientDeps } from '../../integrations/pos/pos-client.js';
import { PosError } from '../../integrations/pos/pos-errors.js';
import { isoWithOffset } from '../../integrations/pos/store-time.js';
import { createMemoryTokenCache, type PosToken } from '../../integrations/pos/token-cache.js';
import type { TreezTokenClaims } from '../../integrations/pos/treez/treez-auth.js';
import { TREEZ_EPOCH, TREEZ_PAGE_SIZE, createTreezClient } from '../../integrations/pos/treez/treez-client.js';
import {
  CONTRACT_NOW,
  CONTRACT_SINCE,
  runPosContractSuite,
  type ContractQuirk,
  type ContractVendor,
} from './pos-contract-suite.js';

// Treez runs the suite twice: v3 self-signed RSA tokens (checked here with the public key of a key pair
// made for the test) and the legacy v2 token exchange (token reused through the cache).

const API = 'https://treez.contract.test';
const AUTH = 'https://treez-auth.contract.test';
const DISPENSARY = 'partnersandbox3';
const TIMEZONE = 'America/Denver';
const { privateKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
const publicKey = createPublicKey(privateKey);
const v3Credentials = {
  dispensary: DISPENSARY,
  certificateId: 'cert-contract-1',
  organizationId: '0f7c2a4e-5b1d-4e8a-9c3f-2d6b8a1e4f70',
  privateKey: privateKey.export({ type: 'pkcs8', format: 'pem' }).toString(),
};
const v2Credentials = { dispensary: DISPENSARY, clientId: 'partner-contract', apiKey: 'location-key-contract' };
const V2_TOKEN = 'tok-v2-contract';

const fixture = (name: string): Record<string, unknown> =>
  JSON.parse(readFileSync(new URL(`../fixtures/treez/${name}.json`, import.meta.url), 'utf8'));

/** The v3 token's claims if its signature holds and its timing is Treez's, else undefined. */
function readV3Token(token: string | undefined): TreezTokenClaims | undefined {
  const [payload, signature, extra] = (token ?? '').split('.');
  if (!payload || !signature || extra !== undefined) return undefined;
  if (!verify('sha256', Buffer.from(payload), publicKey, Buffer.from(signature, 'base64'))) return undefined;
  const claims = JSON.parse(Buffer.from(payload, 'base64url').toString('utf8')) as TreezTokenClaims;
  return claims.exp - claims.iat === 30_000 ? claims : undefined;
}

const v3TokenFor = (path: string) => (value: string) => {
  const claims = readV3Token(value);
  return (
    claims?.aud === `${API}${path}` &&
    claims.iss === v3Credentials.certificateId &&
    claims.oid === v3Credentials.organizationId &&
    claims.iat === CONTRACT_NOW.getTime() &&
    typeof claims.jti === 'string'
  );
};

const after = (since: Date | null, timeZone = TIMEZONE) =>
  encodeURIComponent(isoWithOffset(since ?? TREEZ_EPOCH, timeZone));
const listPath = (since: Date | null, page: number, timeZone = TIMEZONE) =>
  `/customer/lastUpdated/after/${after(since, timeZone)}/page/${page}/pagesize/${TREEZ_PAGE_SIZE}`;

const record = (i: number) => ({
  ...fixture('customer-placeholders'),
  customer_id: String(1000 + i),
  first_name: `FIRST${i}`,
  last_name: `LAST${i}`,
  email: `customer${i}@mail.example`,
  state_medical_id: i % 2 ? `MMJ${i}` : 'N/A',
  permit_expiration: i % 2 ? '2025-01-31 00:00:00.000' : 'N/A',
  patient_type: i % 2 ? 'MEDICAL_MMID' : 'ADULT',
  last_update: isoWithOffset(new Date(Date.UTC(2024, 2, 11, 0, i)), TIMEZONE),
});
const page = (records: unknown[]) => ({ resultCode: 'SUCCESS', resultReason: null, resultDetail: null, data: records });
const fail = (resultReason: string, resultDetail: string | null = null) => ({
  resultCode: 'FAIL',
  resultReason,
  resultDetail,
});

interface Mode {
  name: string;
  prefix: string;
  deps?: Partial<PosClientDeps>;
  createClient(deps: PosClientDeps): ReturnType<typeof createTreezClient>;
  mockAuth?(): void;
  /** A scope on the API host that checks this mode's credentials on `path` (prefix included). */
  api(path: string): nock.Scope;
}

const v3: Mode = {
  name: 'treez (v3 signed tokens)',
  prefix: `/dispensary/v3/${DISPENSARY}`,
  createClient: (deps) => createTreezClient(v3Credentials, deps),
  api: (path) => nock(API, { reqheaders: { authorization: v3TokenFor(path) } }),
};

const v2: Mode = {
  name: 'treez (v2 token exchange)',
  prefix: `/v2.0/dispensary/${DISPENSARY}`,
  createClient: (deps) => createTreezClient(v2Credentials, deps),
  mockAuth: () =>
    nock(AUTH)
      .post(
        `/v2.0/dispensary/${DISPENSARY}/config/api/gettokens`,
        (body) => body.client_id === v2Credentials.clientId && body.apikey === v2Credentials.apiKey,
      )
      .reply(200, {
        resultCode: 'SUCCESS',
        access_token: V2_TOKEN,
        expires_at: new Date(CONTRACT_NOW.getTime() + 2 * 3_600_000).toISOString(),
      }),
  api: () => nock(API, { reqheaders: { authorization: V2_TOKEN, client_id: v2Credentials.clientId } }),
};

function commonQuirks(mode: Mode): ContractQuirk[] {
  const auth = () => mode.mockAuth?.();
  const get = (path: string) => mode.api(mode.prefix + path).get(mode.prefix + path);
  const firstPage = (since: Date | null = null) => get(listPath(since, 0));
  const post = (path: string) => mode.api(mode.prefix + path).post(mode.prefix + path);
  const newCustomer = {
    patronId: '5b8c3f0e-9a51-4d0a-8e6b-2f1c7d9e3a44',
    firstName: 'Ana',
    middleName: null,
    lastName: 'García',
    birthday: '1990-02-03',
    email: 'ana@example.com',
    phone: '+14155550123',
    driversLicense: { number: 'D1234567', state: 'CA', expiresOn: '2030-02-03' },
    medicalCard: { number: 'MMJ42', state: 'CA', expiresOn: '2026-12-31' },
    customerType: 'medical' as const,
  };
  return [
    {
      name: '"N/A" placeholders and empty strings become null',
      async run(kit) {
        auth();
        firstPage().reply(200, page([fixture('customer-placeholders')]));
        const [customer] = (await kit.start().list(null)).flat();
        kit.expectCustomer(customer);
        expect(customer).to.include({ email: null, medicalCard: null, middleName: null, customerType: 'recreational' });
      },
    },
    {
      name: 'a profile merged away points at its survivor; the survivor (MERGED) stays active; DEACTIVATED is inactive',
      async run(kit) {
        auth();
        const deactivated = { ...record(7), status: 'DEACTIVATED' };
        firstPage(CONTRACT_SINCE).reply(
          200,
          page([fixture('customer-merged-away'), fixture('customer-merge-survivor'), deactivated]),
        );
        const customers = (await kit.start().list(CONTRACT_SINCE)).flat();
        customers.forEach(kit.expectCustomer);
        expect(customers.map((c) => [c.externalId, c.status, c.mergedIntoExternalId])).to.deep.equal([
          ['339', 'merged', '340'],
          ['340', 'active', null],
          ['1007', 'inactive', null],
        ]);
      },
    },
    {
      name: "the filter is the store's wall clock with its offset, URL-encoded (Los Angeles, the day DST began)",
      async run(kit) {
        auth();
        const path = `/customer/lastUpdated/after/2024-03-10T10%3A45%3A30.250-07%3A00/page/0/pagesize/50`;
        get(path).reply(200, page([record(1)]));
        const pages = await kit.start({ storeTimezone: 'America/Los_Angeles' }).list(CONTRACT_SINCE);
        expect(pages.flat().map((c) => c.externalId)).to.deep.equal(['1001']);
      },
    },
    {
      name: '[ASSUMPTION] a 404 NOT_FOUND envelope on a list means nothing changed; a bare 404 still fails',
      async run(kit) {
        auth();
        firstPage(CONTRACT_SINCE).reply(404, fail('NOT_FOUND', 'Nothing was found'));
        expect(await kit.start().list(CONTRACT_SINCE)).to.deep.equal([]);
        auth();
        firstPage(CONTRACT_SINCE).reply(404, '<html>Not Found</html>', { 'Content-Type': 'text/html' });
        await kit.expectPosError(kit.start().list(CONTRACT_SINCE), 'pos_not_found');
      },
    },
    {
      name: 'RESPONSE_LIMIT_EXCEEDS and INVALID_DATE_FORMAT are pos_rejected with the reason, not retried',
      async run(kit) {
        for (const [reason, detail] of [
          ['RESPONSE_LIMIT_EXCEEDS', 'Do not exceed 50'],
          ['INVALID_DATE_FORMAT', "date_time must match yyyy-MM-dd'T'HH:mm:ss.SSSXXX"],
        ]) {
          auth();
          firstPage().reply(400, fail(reason, detail));
          const run = kit.start();
          const err = await kit.expectPosError(run.list(null), 'pos_rejected');
          expect(err.details).to.deep.equal([{ type: reason }]);
          expect(err.message).to.not.include(detail);
          expect(run.retries).to.deep.equal([]);
        }
      },
    },
    {
      name: 'FAIL inside a 200 is pos_rejected, not a page',
      async run(kit) {
        auth();
        firstPage().reply(200, fail('INTERNAL_ERROR', 'something'));
        const err = await kit.expectPosError(kit.start().list(null), 'pos_rejected');
        expect(err.details).to.deep.equal([{ type: 'INTERNAL_ERROR' }]);
      },
    },
    {
      name: 'a vendor answering the same page again is pos_bad_response, not an endless listing',
      async run(kit) {
        auth();
        const full = Array.from({ length: TREEZ_PAGE_SIZE }, (_, i) => record(i));
        firstPage().reply(200, page(full));
        get(listPath(null, 1)).reply(200, page(full));
        await kit.expectPosError(kit.start().list(null), 'pos_bad_response');
      },
    },
    {
      name: 'creates with POST detailcustomer (MEDICAL_MMID, 10-digit phone, our id as external_id) and returns the id',
      async run(kit) {
        auth();
        let sent: unknown;
        // nock 15.0.0 hangs on function replies: the body is captured by the body matcher instead.
        const path = mode.prefix + '/customer/detailcustomer';
        mode
          .api(path)
          .matchHeader('content-type', /application\/json/)
          .post(path, (body) => ((sent = body), true))
          .reply(200, { resultCode: 'SUCCESS', resultReason: null, resultDetail: null, data: record(77) });
        const { client } = kit.start();
        expect(client.capabilities).to.deep.equal({ create: true, update: false });
        expect(await client.createCustomer!(newCustomer)).to.deep.equal({ externalId: '1077' });
        expect(sent).to.deep.equal({
          first_name: 'Ana',
          last_name: 'García',
          birthday: '1990-02-03',
          patient_type: 'MEDICAL_MMID',
          email: 'ana@example.com',
          phone: '4155550123',
          drivers_license: 'D1234567',
          state_medical_id: 'MMJ42',
          permit_expiration: '2026-12-31',
          external_id: newCustomer.patronId,
        });
      },
    },
    {
      name: 'a create answered 500 is not sent again (Treez has no idempotency key)',
      async run(kit) {
        auth();
        post('/customer/detailcustomer').once().reply(500, fail('INTERNAL_SERVER_ERROR'));
        const run = kit.start();
        await kit.expectPosError(run.client.createCustomer!(newCustomer), 'pos_unavailable');
        expect(run.retries).to.deep.equal([]);
      },
    },
    {
      name: 'a create Treez refuses (400 CUSTOMER_FIRST_NAME_BLANK) is pos_rejected naming the reason',
      async run(kit) {
        auth();
        post('/customer/detailcustomer').reply(
          400,
          fail('CUSTOMER_FIRST_NAME_BLANK', 'Field first_name cannot be blank'),
        );
        const err = await kit.expectPosError(kit.start().client.createCustomer!(newCustomer), 'pos_rejected');
        expect(err.details).to.deep.equal([{ type: 'CUSTOMER_FIRST_NAME_BLANK' }]);
      },
    },
    {
      name: 'credentials of the wrong shape are pos_misconfigured, before any request',
      async run() {
        for (const bad of [
          { ...v2Credentials, dispensary: '../other' },
          { ...v2Credentials, ...v3Credentials },
          { certificateId: 'c', organizationId: 'o', privateKey: v3Credentials.privateKey },
          { ...v3Credentials, privateKey: '-----BEGIN PRIVATE KEY-----\nnot a key\n-----END PRIVATE KEY-----' },
        ]) {
          expect(() => createTreezClient(bad, { storeTimezone: TIMEZONE }))
            .to.throw(PosError)
            .with.property('code', 'pos_misconfigured');
        }
      },
    },
  ];
}

const v3Quirks: ContractQuirk[] = [
  {
    name: 'each attempt is signed anew (a retry never reuses a token): aud is the exact URL, exp = iat + 30 000 ms',
    async run(kit) {
      const path = v3.prefix + listPath(null, 0);
      const seen: string[] = [];
      const capture = (value: string) => (seen.push(value), true);
      nock(API, { reqheaders: { authorization: capture } })
        .get(path)
        .reply(500, fail('INTERNAL_SERVER_ERROR'));
      nock(API, { reqheaders: { authorization: capture } })
        .get(path)
        .reply(200, page([record(1)]));
      await kit.start().list(null);
      expect(seen).to.have.length(2);
      expect(seen[0]).to.not.equal(seen[1]);
      for (const token of seen) {
        expect(v3TokenFor(path)(token), 'signature and claims').to.equal(true);
        expect(token).to.not.match(/^Bearer /);
      }
    },
  },
];

const v2Quirks: ContractQuirk[] = [
  {
    name: 'the token is exchanged once and reused by the next client (a Treez certification rule)',
    async run(kit) {
      v2.mockAuth!();
      const path = v2.prefix + listPath(null, 0);
      v2.api(path).get(path).times(2).reply(200, page([]));
      const first = kit.start();
      await first.list(null);
      await kit.start({ tokenCache: first.tokenCache }).list(null);
      expect(first.tokenCache.size()).to.equal(1);
    },
  },
  {
    name: 'expires_at in epoch seconds sets the cached expiry',
    async run(kit) {
      const expiresAt = Math.floor(CONTRACT_NOW.getTime() / 1000) + 7200;
      nock(AUTH)
        .post(`/v2.0/dispensary/${DISPENSARY}/config/api/gettokens`)
        .reply(200, { resultCode: 'SUCCESS', access_token: V2_TOKEN, expires_at: expiresAt });
      const path = v2.prefix + listPath(null, 0);
      v2.api(path).get(path).reply(200, page([]));
      const stored: PosToken[] = [];
      const memory = createMemoryTokenCache();
      await kit
        .start({ tokenCache: { ...memory, set: async (k, t) => (stored.push(t), memory.set(k, t)) } })
        .list(null);
      expect(stored.map((t) => t.expiresAt.getTime())).to.deep.equal([expiresAt * 1000]);
    },
  },
  {
    name: 'a token exchange refused (401, or FAIL in a 200) is pos_auth_failed and lists nothing',
    async run(kit) {
      const tokenPath = `/v2.0/dispensary/${DISPENSARY}/config/api/gettokens`;
      nock(AUTH).post(tokenPath).reply(401, fail('Full authentication is required to access this resource'));
      await kit.expectPosError(kit.start().list(null), 'pos_auth_failed');
      nock(AUTH).post(tokenPath).reply(200, fail('INVALID_API_KEY'));
      const run = kit.start();
      await kit.expectPosError(run.list(null), 'pos_auth_failed');
      expect(run.tokenCache.size()).to.equal(0);
    },
  },
];

function treezVendor(mode: Mode, quirks: ContractQuirk[]): ContractVendor {
  return {
    name: mode.name,
    baseUrl: API,
    authUrl: AUTH,
    storeTimezone: TIMEZONE,
    pageSize: TREEZ_PAGE_SIZE,
    endOfList: 'short-page',
    createClient: mode.createClient,
    makeRecord: record,
    externalIdOf: (i) => String(1000 + i),
    mockAuth: mode.mockAuth,
    listRequest: ({ since, pageIndex }) => {
      const path = mode.prefix + listPath(since, pageIndex);
      return mode.api(path).get(path);
    },
    pageBody: ({ records }) => page(records),
    errorBody: (status) =>
      status === 401
        ? fail('Full authentication is required to access this resource')
        : fail(status === 429 ? 'TOO_MANY_REQUESTS' : 'INTERNAL_SERVER_ERROR'),
    malformedPageBody: () => page([{ ...record(0), customer_id: { id: 1 } }]),
    quirks: [...commonQuirks(mode), ...quirks],
  };
}

runPosContractSuite(treezVendor(v3, v3Quirks));
runPosContractSuite(treezVendor(v2, v2Quirks));
