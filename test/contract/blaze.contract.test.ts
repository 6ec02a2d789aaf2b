import { readFileSync } from 'node:fs';
import { expect } from 'chai';
import nock from 'nock';
import { BLAZE_PAGE_SIZE, createBlazeClient } from '../../integrations/pos/blaze/blaze-client.js';
import type { PosClientDeps } from '../../integrations/pos/pos-client.js';
import { PosError } from '../../integrations/pos/pos-errors.js';
import { CONTRACT_NOW, CONTRACT_SINCE, runPosContractSuite } from './pos-contract-suite.js';
import { UNLIMITED } from '../support/pos-test-helpers.js';

// BLAZE: partner key under both header names plus the store key as the raw Authorization, /members paged
// by skip/limit until skip ≥ total, an epoch-ms startDate/endDate window ending now, each record's own
// `modified` checked against since, and a full Member PUT back for updates.

const HOST = 'https://api.partners.blaze.test';
const MEMBERS = '/api/v1/partner/members';
const credentials = { partnerKey: 'contract-partner-key', apiKey: 'contract-store-key' };
const headers = {
  'x-api-key': credentials.partnerKey,
  partner_key: credentials.partnerKey,
  authorization: credentials.apiKey,
};
const fixture = (name: string): unknown =>
  JSON.parse(readFileSync(new URL(`../fixtures/blaze/${name}`, import.meta.url), 'utf8'));

const idOf = (i: number) => `5f3c9a1e2b4d6f8a${(0x10000000 + i).toString(16)}`;
const member = (i: number) => ({
  id: idOf(i),
  companyId: '5e1a0b2c3d4e5f6a7b8c9d0e',
  shopId: '5e1a0b2c3d4e5f6a7b8c9d0f',
  created: Date.UTC(2023, 0, 1),
  modified: Date.UTC(2024, 2, 11, 0, i),
  deleted: false,
  firstName: `First${i}`,
  lastName: `Last${i}`,
  dob: Date.UTC(1990, 3, (i % 28) + 1, 7),
  email: `member${i}@example.com`,
  primaryPhone: `415555${String(1000 + i).padStart(4, '0')}`,
  status: 'Active',
  consumerType: 'AdultUse',
  medical: false,
  identifications: [],
  recommendations: [],
  loyaltyPoints: i,
  tags: ['contract'],
});
const envelope = (values: unknown[], skip: number, total: number, limit = BLAZE_PAGE_SIZE) => ({
  values,
  skip,
  limit,
  total,
});
const members = (query: Record<string, string> | true = true) =>
  nock(HOST, { reqheaders: headers }).get(MEMBERS).query(query);
const fastDeps = (): PosClientDeps => ({
  baseUrl: HOST,
  storeTimezone: 'America/Los_Angeles',
  retry: { retries: 2, minDelayMs: 0, maxDelayMs: 0 },
  rateLimiter: UNLIMITED,
});
const errorBody = (status: number, error: string, message: string) => ({ error, message, status });

runPosContractSuite({
  name: 'blaze',
  baseUrl: HOST,
  pageSize: BLAZE_PAGE_SIZE,
  endOfList: 'total',
  storeTimezone: 'America/Los_Angeles',
  createClient: (deps) => createBlazeClient(credentials, deps),
  makeRecord: member,
  externalIdOf: idOf,
  listRequest: ({ since, pageIndex }) =>
    members({
      skip: String(pageIndex * BLAZE_PAGE_SIZE),
      limit: String(BLAZE_PAGE_SIZE),
      ...(since ? { startDate: String(since.getTime()), endDate: String(CONTRACT_NOW.getTime()) } : {}),
    }),
  pageBody: ({ records, pageIndex, total }) => envelope(records, pageIndex * BLAZE_PAGE_SIZE, total),
  errorBody: (status) => errorBody(status, `HTTP ${status}`, 'Something went wrong.'),
  malformedPageBody: () => envelope([{ ...member(0), id: 12345 }], 0, 1),
  quirks: [
    {
      name: 'sends the partner key as x-api-key and partner_key, and the store key raw (no Bearer)',
      async run(kit) {
        nock(HOST)
          .get(MEMBERS)
          .query(true)
          .matchHeader('x-api-key', 'contract-partner-key')
          .matchHeader('partner_key', 'contract-partner-key')
          .matchHeader('authorization', 'contract-store-key')
          .reply(200, envelope([], 0, 0));
        expect(await kit.start().list(null)).to.deep.equal([]);
      },
    },
    {
      name: 'the window is startDate = since and endDate = now, in epoch ms',
      async run(kit) {
        members({ skip: '0', limit: '100', startDate: '1710092730250', endDate: '1710244800000' }).reply(
          200,
          envelope([member(1)], 0, 1),
        );
        expect((await kit.start().list(CONTRACT_SINCE)).flat().map((c) => c.externalId)).to.deep.equal([idOf(1)]);
      },
    },
    {
      name: 'records in the window whose own modified is before since are dropped; paging still runs to total',
      async run(kit) {
        const old = { ...member(1), modified: CONTRACT_SINCE.getTime() - 1 };
        const page1 = [old, ...Array.from({ length: BLAZE_PAGE_SIZE - 1 }, () => old)];
        members({
          skip: '0',
          limit: '100',
          startDate: String(CONTRACT_SINCE.getTime()),
          endDate: String(CONTRACT_NOW.getTime()),
        }).reply(200, envelope(page1, 0, BLAZE_PAGE_SIZE + 1));
        members({
          skip: '100',
          limit: '100',
          startDate: String(CONTRACT_SINCE.getTime()),
          endDate: String(CONTRACT_NOW.getTime()),
        }).reply(200, envelope([member(2)], 100, BLAZE_PAGE_SIZE + 1));
        const pages = await kit.start().list(CONTRACT_SINCE);
        expect(pages.map((p) => p.map((c) => c.externalId))).to.deep.equal([[idOf(2)]]);
      },
    },
    {
      name: 'skip advances by the records received when Blaze returns fewer than the limit asked',
      async run(kit) {
        const first = Array.from({ length: 50 }, (_, i) => member(i));
        members({ skip: '0', limit: '100' }).reply(200, envelope(first, 0, 70, 50));
        members({ skip: '50', limit: '100' }).reply(
          200,
          envelope(
            Array.from({ length: 20 }, (_, i) => member(50 + i)),
            50,
            70,
            50,
          ),
        );
        const pages = await kit.start().list(null);
        expect(pages.map((p) => p.length)).to.deep.equal([50, 20]);
      },
    },
    {
      name: 'maps epoch-ms dob, Drivers identification, recommendations, consumerType, Pending and deleted',
      async run(kit) {
        members().reply(200, fixture('members-page.json') as nock.Body);
        const customers = (await kit.start().list(null)).flat();
        customers.forEach(kit.expectCustomer);
        expect(customers.map((c) => [c.birthday, c.customerType, c.status])).to.deep.equal([
          ['1984-03-12', 'medical', 'active'],
          ['1979-07-04', 'recreational', 'active'],
          [null, 'medical', 'inactive'],
        ]);
        expect(customers[0].driversLicense).to.deep.equal({ number: 'D1000000', state: 'CA', expiresOn: '2026-12-31' });
        expect(customers[0].medicalCard).to.deep.equal({ number: 'MMJ500000', state: 'CA', expiresOn: '2027-07-01' });
      },
    },
    {
      name: '400 (e.g. a bad date range) is pos_rejected and 403 pos_auth_failed, neither retried',
      async run(kit) {
        members().reply(400, errorBody(400, 'Bad Request', 'Date range cannot exceed 7 days'));
        const run = kit.start();
        const err = await kit.expectPosError(run.list(CONTRACT_SINCE), 'pos_rejected');
        expect(err.message).not.to.include('Date range');
        members().reply(403, errorBody(403, 'Forbidden', 'Partner lacks ACCEPT_MEMBER permission'));
        await kit.expectPosError(run.list(null), 'pos_auth_failed');
        expect(run.retries).to.deep.equal([]);
      },
    },
    {
      name: 'creates with POST /members and reads the id of the Member answered; a create is never sent twice',
      async run(kit) {
        const newCustomer = {
          patronId: 'patron-1',
          firstName: 'Ana',
          middleName: null,
          lastName: 'Silva',
          birthday: '1990-01-02',
          email: 'ana@example.com',
          phone: '+14155550100',
          driversLicense: null,
          medicalCard: { number: 'MMJ9', state: 'CA', expiresOn: '2027-01-01' },
          customerType: 'medical' as const,
        };
        nock(HOST, { reqheaders: headers })
          .post(
            MEMBERS,
            (body) =>
              body.firstName === 'Ana' &&
              body.dob === Date.UTC(1990, 0, 2, 12) &&
              body.primaryPhone === '4155550100' &&
              body.consumerType === 'MedicinalState' &&
              body.recommendations[0].recommendationNumber === 'MMJ9' &&
              !('middleName' in body),
          )
          .reply(200, { ...member(9), firstName: 'Ana' });
        expect(await kit.start().client.createCustomer!(newCustomer)).to.deep.equal({ externalId: idOf(9) });
        nock(HOST)
          .post(MEMBERS)
          .reply(502, errorBody(502, 'Bad Gateway', ''));
        const run = kit.start();
        await kit.expectPosError(run.client.createCustomer!(newCustomer), 'pos_unavailable');
        expect(run.retries).to.deep.equal([]);
      },
    },
    {
      name: 'updates by fetching the Member and PUTting all of it back with the patch applied',
      async run(kit) {
        const current = { ...member(3), address: { city: 'Oakland' }, notes: [{ message: 'kept' }] };
        nock(HOST, { reqheaders: headers })
          .get(`${MEMBERS}/${idOf(3)}`)
          .reply(200, current);
        nock(HOST, { reqheaders: headers })
          .put(`${MEMBERS}/${idOf(3)}`, { ...current, email: 'new@example.com' })
          .reply(200, { ...current, email: 'new@example.com' });
        await kit.start().client.updateCustomer!({ externalId: idOf(3) }, { email: 'new@example.com' });
      },
    },
    {
      name: 'an update of a member Blaze does not know is pos_not_found, and nothing is PUT',
      async run(kit) {
        nock(HOST)
          .get(`${MEMBERS}/${idOf(4)}`)
          .reply(404, errorBody(404, 'Not Found', 'Member not found'));
        await kit.expectPosError(
          kit.start().client.updateCustomer!({ externalId: idOf(4) }, { email: null }),
          'pos_not_found',
        );
      },
    },
    {
      name: 'credentials of the wrong shape are pos_misconfigured, before any request',
      async run() {
        for (const bad of [{}, { partnerKey: 'p' }, { apiKey: 'k' }, { partnerKey: '', apiKey: 'k' }, 'key']) {
          expect(() => createBlazeClient(bad, fastDeps()))
            .to.throw(PosError)
            .with.property('code', 'pos_misconfigured');
        }
      },
    },
  ],
});
