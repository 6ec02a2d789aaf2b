import { expect } from 'chai';
import type { Job } from 'bullmq';
import request from 'supertest';
import { customerSyncProcessor } from '../../jobs/processors/customer-sync.js';
import { runJob } from '../../jobs/run-job.js';
import type { QueuePayloads } from '../../jobs/queues.js';
import { startBlazeSandbox } from '../../integrations/sandbox/blaze-sandbox.js';
import { startCovasoftSandbox } from '../../integrations/sandbox/covasoft-sandbox.js';
import { startFlowhubSandbox } from '../../integrations/sandbox/flowhub-sandbox.js';
import { startLeaflogixSandbox } from '../../integrations/sandbox/leaflogix-sandbox.js';
import { sandboxPeople, type SandboxPerson } from '../../integrations/sandbox/sandbox-kit.js';
import { startTreezSandbox } from '../../integrations/sandbox/treez-sandbox.js';
import { bearer, createTenant, tokenFor } from '../support/fixtures.js';
import { testContext } from '../support/test-context.js';
import { UNLIMITED } from '../support/pos-test-helpers.js';

// Every vendor's full and incremental sync through the real processor, against its sandbox over loopback,
// real PostgreSQL and Redis; and POS duplicates listed, never merged, after a sync.

type Payload = QueuePayloads['customer-sync'];

const PEOPLE = 120;

/** One vendor's sandbox as the tests drive it: settings, its ids, one change made at the counter. */
interface VendorRun {
  provider: string;
  url: string;
  /** Where tokens are asked for, when the vendor has a separate auth host (Cova). */
  authUrl?: string;
  credentials: unknown;
  /** The external id of the seeded person at `index`, as the sync stores it. */
  externalIdOf(index: number): string;
  /** Changes the person at `index` at the POS; answers the field and value the customer row should show. */
  change(index: number): { column: string; value: string };
  close(): Promise<void>;
}

interface Vendor {
  provider: string;
  /** Refs and customers after a full sync of PEOPLE people, with why they differ from PEOPLE. */
  expected: { fetched: number; refs: number; customers: number; why: string };
  /** A seeded person the vendor lists as an ordinary, active, unmerged record. */
  changed: number;
  start(people: SandboxPerson[]): Promise<VendorRun>;
}

const changedEmail = (provider: string) => `changed.${provider}@sandbox.example`;

const vendors: Vendor[] = [
  {
    provider: 'treez',
    // Every 50th person is merged at Treez into the one before (indexes 49→48, 99→98): the absorbed profile
    // is listed and becomes one more ref of its survivor's customer.
    expected: { fetched: PEOPLE, refs: PEOPLE, customers: PEOPLE - 2, why: 'two Treez merges' },
    changed: 4,
    async start(people) {
      const sandbox = await startTreezSandbox({ people, production: false, tps: null });
      return {
        provider: 'treez',
        url: sandbox.url,
        credentials: sandbox.credentials,
        externalIdOf: (index) => String(index + 1),
        change: (index) => {
          sandbox.customers.modify(index + 1, { email: changedEmail('treez') }, new Date());
          return { column: 'email', value: changedEmail('treez') };
        },
        close: () => sandbox.close(),
      };
    },
  },
  {
    provider: 'flowhub',
    // Flowhub never answers medId (write-only, documented): its medical customers come without a card and
    // are imported as medical, with a record warning.
    expected: { fetched: PEOPLE, refs: PEOPLE, customers: PEOPLE, why: 'no Flowhub quirk drops a record' },
    changed: 4,
    async start(people) {
      const sandbox = await startFlowhubSandbox({ people, production: false, rateLimitPerSecond: 0 });
      return {
        provider: 'flowhub',
        url: sandbox.url,
        credentials: { ...sandbox.credentials, locationId: sandbox.locationIds[0] },
        externalIdOf: (index) => sandbox.customerIdOf(index),
        change: (index) => {
          sandbox.update(sandbox.customerIdOf(index), { email: changedEmail('flowhub') });
          return { column: 'email', value: changedEmail('flowhub') };
        },
        close: () => sandbox.close(),
      };
    },
  },
  {
    provider: 'leaflogix',
    expected: { fetched: PEOPLE, refs: PEOPLE, customers: PEOPLE, why: 'no Dutchie quirk drops a record' },
    changed: 4,
    async start(people) {
      const sandbox = await startLeaflogixSandbox({ people, production: false, rateLimit: false });
      return {
        provider: 'leaflogix',
        url: sandbox.url,
        credentials: sandbox.credentials,
        externalIdOf: (index) => String(5001 + index),
        change: (index) => {
          sandbox.update(5001 + index, { emailAddress: changedEmail('leaflogix') });
          return { column: 'email', value: changedEmail('leaflogix') };
        },
        close: () => sandbox.close(),
      };
    },
  },
  {
    provider: 'covasoft',
    // Every 50th person is merged at Cova into the one before (49→48, 99→98).
    expected: { fetched: PEOPLE, refs: PEOPLE, customers: PEOPLE - 2, why: 'two Cova merges' },
    changed: 4,
    async start(people) {
      const sandbox = await startCovasoftSandbox({ people, production: false, rateLimit: 0 });
      return {
        provider: 'covasoft',
        url: sandbox.url,
        authUrl: sandbox.url,
        credentials: sandbox.credentials,
        externalIdOf: (index) => sandbox.customerIdOf(index),
        change: (index) => {
          sandbox.update(sandbox.customerIdOf(index), { FamilyName: 'Changedname' });
          return { column: 'last_name', value: 'Changedname' };
        },
        close: () => sandbox.close(),
      };
    },
  },
  {
    provider: 'blaze',
    expected: { fetched: PEOPLE, refs: PEOPLE, customers: PEOPLE, why: 'no Blaze quirk drops a record' },
    changed: 4,
    async start(people) {
      const sandbox = await startBlazeSandbox({ people, production: false, rateLimitPer5Minutes: false });
      return {
        provider: 'blaze',
        url: sandbox.url,
        credentials: sandbox.credentials,
        externalIdOf: (index) => sandbox.memberIds()[index],
        change: (index) => {
          sandbox.update(sandbox.memberIds()[index], { email: changedEmail('blaze') });
          return { column: 'email', value: changedEmail('blaze') };
        },
        close: () => sandbox.close(),
      };
    },
  },
];

describe('customer sync against each vendor sandbox', () => {
  const { app, deps, owner } = testContext();
  let tenant: Awaited<ReturnType<typeof createTenant>>;
  let admin: Record<string, string>;
  let manager: Record<string, string>;

  const processor = runJob(
    customerSyncProcessor(deps.db, {
      development: true,
      clientDeps: {
        retry: { retries: 1, minDelayMs: 0, maxDelayMs: 0 },
        rateLimiter: UNLIMITED,
      },
    }),
  );
  const fakeJob = (data: Payload) =>
    ({
      id: `test-${data.syncId}`,
      data,
      attemptsMade: 0,
      opts: { attempts: 1 },
      updateProgress: async () => undefined,
    }) as unknown as Job<Payload>;

  const storeId = () => tenant.storeA.id;
  const syncsPath = () => `/api/v1/stores/${storeId()}/customer-syncs`;

  async function configure(run: VendorRun) {
    const res = await request(app)
      .put(`/api/v1/stores/${storeId()}/pos`)
      .set(admin)
      .send({ provider: run.provider, credentials: run.credentials, baseUrl: run.url, authUrl: run.authUrl ?? null });
    expect(res.status, JSON.stringify(res.body)).to.equal(200);
  }

  async function syncNow() {
    const started = await request(app).post(syncsPath()).set(manager);
    expect(started.status, JSON.stringify(started.body)).to.equal(202);
    await processor(fakeJob({ syncId: started.body.id, storeId: storeId(), orgId: tenant.org.id })).catch(
      () => undefined,
    );
    const sync = await request(app).get(`${syncsPath()}/${started.body.id}`).set(manager);
    expect(sync.status).to.equal(200);
    return sync.body;
  }

  const refsOf = async () =>
    owner('customer_external_refs').where({ store_id: storeId() }).select('external_id', 'customer_id', 'provider');
  const customerRows = async () =>
    owner('customers')
      .where({ store_id: storeId() })
      .whereNot({ status: 'merged' })
      .orderBy('id')
      .select('id', 'version', 'updated_at', 'email', 'last_name');

  beforeEach(async () => {
    tenant = await createTenant();
    admin = bearer(await tokenFor(tenant.admin));
    manager = bearer(await tokenFor(tenant.manager));
  });

  for (const vendor of vendors) {
    describe(vendor.provider, () => {
      let run: VendorRun | undefined;
      const start = async (people: SandboxPerson[]) => {
        run = await vendor.start(people);
        await configure(run);
        return run;
      };
      afterEach(async () => {
        await run?.close();
        run = undefined;
      });

      it(`a full sync finishes with one ${vendor.provider} ref per listed record (${vendor.expected.why}); an incremental run after one POS change updates only that customer`, async () =>
        fullAndIncremental(await start(sandboxPeople(PEOPLE)), vendor.expected));

      async function fullAndIncremental(sandbox: VendorRun, expected: Vendor['expected']) {
        const first = await syncNow();
        expect(first.status, JSON.stringify(first.error)).to.equal('finished');
        expect(first.error).to.equal(null);
        expect(first.counts.fetched).to.equal(expected.fetched);
        expect(first.counts.failed, JSON.stringify(first.recordErrors)).to.equal(0);
        expect(first.counts.created).to.equal(expected.customers);

        const refs = await refsOf();
        expect(refs).to.have.length(expected.refs);
        expect(refs.every((r) => r.provider === vendor.provider)).to.equal(true);
        expect(new Set(refs.map((r) => r.external_id)).size, 'one ref per external id').to.equal(refs.length);
        expect(new Set(refs.map((r) => r.customer_id)).size).to.equal(expected.customers);
        const before = await customerRows();
        expect(before).to.have.length(expected.customers);

        const changedExternalId = sandbox.externalIdOf(vendor.changed);
        const changedId = refs.find((r) => r.external_id === changedExternalId)?.customer_id;
        expect(changedId, `a ref for ${changedExternalId}`).to.be.a('string');
        const { column, value } = sandbox.change(vendor.changed);

        const second = await syncNow();
        expect(second.status, JSON.stringify(second.error)).to.equal('finished');
        expect(second.counts).to.include({ created: 0, updated: 1, merged: 0, failed: 0 });
        expect(second.counts.fetched, 'an incremental run, not a full sweep').to.be.lessThan(expected.fetched);

        const after = await customerRows();
        expect(after.map((r) => r.id)).to.deep.equal(before.map((r) => r.id));
        for (const row of after) {
          const old = before.find((b) => b.id === row.id)!;
          if (row.id === changedId) {
            expect(row[column as 'email' | 'last_name']).to.equal(value);
            expect(row.version).to.equal(old.version + 1);
          } else {
            expect(row.version, 'others keep their version').to.equal(old.version);
            expect(row.updated_at.getTime()).to.equal(old.updated_at.getTime());
          }
        }
      }
    });
  }

  describe('POS duplicates', () => {
    it('two different POS records sharing an email and name and birthday are both kept, unmerged, and listed as a pair with evidence', async () => {
      const people = sandboxPeople(20);
      // Two POS records of (seemingly) one person: same name, birthday and email, different POS ids and phones.
      people[11] = {
        ...people[11],
        firstName: people[10].firstName,
        lastName: people[10].lastName,
        birthday: people[10].birthday,
        email: people[10].email,
      };
      const sandbox = await startLeaflogixSandbox({ people, production: false, rateLimit: false });
      try {
        await configure({ ...sandbox, provider: 'leaflogix' } as unknown as VendorRun);
        const sync = await syncNow();
        expect(sync.status, JSON.stringify(sync.error)).to.equal('finished');
        expect(sync.counts).to.include({ fetched: 20, created: 20, merged: 0, failed: 0 });

        const refs = await refsOf();
        const a = refs.find((r) => r.external_id === '5011')!.customer_id;
        const b = refs.find((r) => r.external_id === '5012')!.customer_id;
        expect(a).to.not.equal(b);
        const rows = await owner('customers').whereIn('id', [a, b]).select('id', 'status', 'merged_into_id', 'email');
        expect(rows).to.have.length(2);
        for (const row of rows) {
          expect(row.status).to.equal('active');
          expect(row.merged_into_id).to.equal(null);
          expect(row.email).to.equal(people[10].email);
        }

        const res = await request(app).get(`/api/v1/stores/${storeId()}/customers/duplicates`).set(manager);
        expect(res.status, JSON.stringify(res.body)).to.equal(200);
        const pair = res.body.data.find((p: { customers: { id: string }[] }) =>
          [a, b].every((id) => p.customers.some((c) => c.id === id)),
        );
        expect(pair, 'the pair is listed').to.be.an('object');
        expect(pair.customers).to.have.length(2);
        expect(pair.matchedOn).to.deep.include({ field: 'email', method: 'exact' });
        expect(pair.matchedOn).to.deep.include({ field: 'name', method: 'exact' });
        expect(pair.score).to.be.within(0.9, 1);
      } finally {
        await sandbox.close();
      }
    });
  });
});
