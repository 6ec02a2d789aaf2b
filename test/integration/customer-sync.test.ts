import { expect } from 'chai';
import type { Job } from 'bullmq';
import request from 'supertest';
import { customerSyncProcessor } from '../../jobs/processors/customer-sync.js';
import { runJob } from '../../jobs/run-job.js';
import { createQueue, jobId, type QueuePayloads } from '../../jobs/queues.js';
import { startBlazeSandbox, type BlazeSandbox } from '../../integrations/sandbox/blaze-sandbox.js';
import { startLeaflogixSandbox, type LeaflogixSandbox } from '../../integrations/sandbox/leaflogix-sandbox.js';
import { sandboxPeople } from '../../integrations/sandbox/sandbox-kit.js';
import { bearer, createTenant, tokenFor } from '../support/fixtures.js';
import { testContext } from '../support/test-context.js';
import { UNLIMITED } from '../support/pos-test-helpers.js';

// The sync end to end: settings and runs through the API, the processor run directly (a fake Job) against
// the real sandbox vendors over loopback, real PostgreSQL and Redis.

type Payload = QueuePayloads['customer-sync'];

describe('customer sync against sandbox vendors', () => {
  const { app, deps, owner } = testContext();
  let tenant: Awaited<ReturnType<typeof createTenant>>;
  let admin: Record<string, string>;
  let manager: Record<string, string>;
  const progress: unknown[] = [];
  const queue = createQueue('customer-sync', deps.redis);

  const processor = runJob(
    customerSyncProcessor(deps.db, {
      development: true,
      clientDeps: {
        retry: { retries: 1, minDelayMs: 0, maxDelayMs: 0 },
        rateLimiter: UNLIMITED,
      },
    }),
  );
  const fakeJob = (data: Payload, attempt = { made: 0, of: 1 }) =>
    ({
      id: `test-${data.syncId}`,
      data,
      attemptsMade: attempt.made,
      opts: { attempts: attempt.of },
      updateProgress: async (p: unknown) => {
        progress.push(p);
      },
    }) as unknown as Job<Payload>;

  const storeId = () => tenant.storeA.id;
  const syncsPath = () => `/api/v1/stores/${storeId()}/customer-syncs`;

  async function configure(provider: string, url: string, credentials: unknown) {
    const res = await request(app)
      .put(`/api/v1/stores/${storeId()}/pos`)
      .set(admin)
      .send({ provider, credentials, baseUrl: url });
    expect(res.status, JSON.stringify(res.body)).to.equal(200);
  }

  /** POST a sync as a manager, run its job to the end, and answer the sync as the API shows it. */
  async function syncNow(attempt?: { made: number; of: number }) {
    const started = await request(app).post(syncsPath()).set(manager);
    expect(started.status, JSON.stringify(started.body)).to.equal(202);
    const data = { syncId: started.body.id, storeId: storeId(), orgId: tenant.org.id };
    const outcome = await processor(fakeJob(data, attempt)).then(
      () => undefined,
      (err: unknown) => err,
    );
    const sync = await request(app).get(`${syncsPath()}/${started.body.id}`).set(manager);
    expect(sync.status).to.equal(200);
    return { sync: sync.body, outcome };
  }

  const refsOf = async () =>
    owner('customer_external_refs').where({ store_id: storeId() }).select('external_id', 'customer_id', 'provider');
  const customerRows = async () =>
    owner('customers')
      .where({ store_id: storeId() })
      .orderBy('id')
      .select('id', 'version', 'updated_at', 'status', 'email', 'phone');

  beforeEach(async () => {
    tenant = await createTenant();
    admin = bearer(await tokenFor(tenant.admin));
    manager = bearer(await tokenFor(tenant.manager));
    progress.length = 0;
  });

  describe('leaflogix (Dutchie)', () => {
    let sandbox: LeaflogixSandbox;
    beforeEach(async () => {
      sandbox = await startLeaflogixSandbox({ people: sandboxPeople(120), production: false, rateLimit: false });
      await configure('leaflogix', sandbox.url, sandbox.credentials);
    });
    afterEach(() => sandbox.close());

    it('a full sync creates one customer per POS record, each with its external ref, and finishes', async () => {
      const { sync } = await syncNow();
      expect(sync.status).to.equal('finished');
      expect(sync.trigger).to.equal('manual');
      expect(sync.error).to.equal(null);
      expect(sync.counts).to.deep.equal({ fetched: 120, created: 120, updated: 0, unchanged: 0, merged: 0, failed: 0 });
      expect(sync.startedAt).to.be.a('string');
      expect(sync.finishedAt).to.be.a('string');

      const refs = await refsOf();
      expect(refs.map((r) => r.external_id).sort()).to.deep.equal(sandbox.customerIds().map(String).sort());
      expect(new Set(refs.map((r) => r.customer_id)).size).to.equal(120);
      expect(refs.every((r) => r.provider === 'leaflogix')).to.equal(true);
      const rows = await customerRows();
      expect(rows).to.have.length(120);
      expect(rows.filter((r) => r.status === 'inactive').length, 'Dutchie "Inactive" → inactive').to.be.greaterThan(0);
      expect(rows.every((r) => r.phone === null || r.phone.startsWith('+1'))).to.equal(true);

      const settings = await owner('pos_settings').where({ store_id: storeId() }).first();
      const newest = Math.max(...sandboxPeople(120).map((p) => p.modifiedAt.getTime()));
      expect(settings.sync_watermark.getTime()).to.equal(newest);
      expect(progress, 'a percentage per page (total unknown: an estimate), then 100').to.deep.equal([20, 33, 100]);

      const events = await owner('outbox_events').where({ store_id: storeId() }).orderBy('seq');
      const synced = events.filter((e) => e.type === 'customer.synced');
      expect(synced).to.have.length(2);
      expect(synced[0].data.counts.created).to.equal(100);
      const finished = events.filter((e) => e.type === 'customer_sync.finished');
      expect(finished).to.have.length(1);
      expect(finished[0].data.status).to.equal('finished');
      expect(JSON.stringify(events.map((e) => e.data))).to.not.match(/@sandbox\.example|\+1415/);
      expect(await owner('audit_log').where({ store_id: storeId(), action: 'customer.created' })).to.have.length(120);
    });

    it('an incremental run fetches only what changed, updates only that, and writes nothing when nothing changed', async () => {
      await syncNow();
      const before = await customerRows();
      const refs = await refsOf();
      const changedId = refs.find((r) => r.external_id === '5010')!.customer_id;

      sandbox.update(5010, { emailAddress: 'changed.5010@sandbox.example' });
      const second = (await syncNow()).sync;
      expect(second.status).to.equal('finished');
      expect(second.counts.created).to.equal(0);
      expect(second.counts.updated).to.equal(1);
      expect(second.counts.fetched, 'only the changed record and the overlap').to.be.lessThan(5);
      const lists = sandbox.requests.filter((r) => r.path === '/customer/customers-paginated');
      expect(lists[lists.length - 1].query).to.have.property('fromLastModifiedDateUTC');

      const after = await customerRows();
      for (const row of after) {
        const old = before.find((b) => b.id === row.id)!;
        if (row.id === changedId) {
          expect(row.email).to.equal('changed.5010@sandbox.example');
          expect(row.version).to.equal(old.version + 1);
        } else {
          expect(row.version, 'unchanged rows are not rewritten').to.equal(old.version);
          expect(row.updated_at.getTime()).to.equal(old.updated_at.getTime());
        }
      }

      const third = (await syncNow()).sync;
      expect(third.counts.updated + third.counts.created).to.equal(0);
      expect(third.counts.unchanged).to.equal(third.counts.fetched);
      const final = await customerRows();
      expect(final.map((r) => [r.id, r.version, r.updated_at.getTime()])).to.deep.equal(
        after.map((r) => [r.id, r.version, r.updated_at.getTime()]),
      );
    });

    it('a POS merge merges the local customers; a deactivation makes the customer inactive', async () => {
      await syncNow();
      sandbox.merge(5030, 5031);
      sandbox.update(5040, { status: 'Inactive' });
      const { sync } = await syncNow();
      expect(sync.counts.merged).to.equal(1);
      const refs = await refsOf();
      const loser = await owner('customers')
        .where({ id: refs.find((r) => r.external_id === '5030')!.customer_id })
        .first();
      const survivorId = refs.find((r) => r.external_id === '5031')!.customer_id;
      // The loser's ref moved to the survivor with the merge.
      expect(loser.id).to.equal(survivorId);
      const merged = await owner('customers').where({ store_id: storeId(), status: 'merged' });
      expect(merged).to.have.length(1);
      expect(merged[0].merged_into_id).to.equal(survivorId);
      const inactive = await owner('customers')
        .where({ id: refs.find((r) => r.external_id === '5040')!.customer_id })
        .first();
      expect(inactive.status).to.equal('inactive');
    });

    it('a POS record merged before we knew it becomes one more ref of its survivor, wherever the survivor is listed', async () => {
      sandbox.merge(5010, 5020); // the survivor on the same page
      sandbox.merge(5011, 5111); // the survivor on the next page: attached when the run ends
      sandbox.merge(5012, 5013);
      const { sync } = await syncNow();
      expect(sync.status).to.equal('finished');
      expect(sync.counts).to.include({ fetched: 120, created: 117, merged: 0, failed: 0 });
      const refs = new Map((await refsOf()).map((r) => [r.external_id, r.customer_id]));
      expect(refs.size).to.equal(120);
      expect(refs.get('5010')).to.equal(refs.get('5020'));
      expect(refs.get('5011')).to.equal(refs.get('5111'));
      expect(refs.get('5012')).to.equal(refs.get('5013'));
      expect(await customerRows()).to.have.length(117);
      const again = await syncNow();
      expect(again.sync.counts).to.include({ created: 0, updated: 0, merged: 0 });
      expect(await refsOf()).to.have.length(120);
    });

    it('a record with an invalid phone is listed in recordErrors and imported without it; the rest imported', async () => {
      sandbox.update(5003, { phone: '12', cellPhone: '' });
      const { sync } = await syncNow();
      expect(sync.status).to.equal('finished');
      expect(sync.counts.created).to.equal(120);
      expect(sync.recordErrors).to.deep.equal([
        { externalId: '5003', message: 'phone is not a valid phone number for US' },
      ]);
      const ref = (await refsOf()).find((r) => r.external_id === '5003')!;
      const row = await owner('customers').where({ id: ref.customer_id }).first();
      expect(row.phone).to.equal(null);
      expect(row.first_name).to.be.a('string');
    });

    it('a record that cannot be taken (no name) fails alone: counted, listed, the rest imported', async () => {
      sandbox.update(5004, { firstName: '', lastName: 'N/A' });
      const { sync } = await syncNow();
      expect(sync.status).to.equal('finished');
      expect(sync.counts.failed).to.equal(1);
      expect(sync.counts.created).to.equal(119);
      expect(sync.recordErrors).to.deep.equal([{ externalId: '5004', message: 'name is missing' }]);
      expect((await refsOf()).map((r) => r.external_id)).to.not.include('5004');
    });

    it('a page the database refuses rolls back whole: earlier pages stay, none of its records is written', async () => {
      // A constraint only this test's record breaks: the second page's insert fails inside its transaction.
      await owner.raw(
        `alter table customers add constraint test_sync_rollback check (email is distinct from 'rollback.me@sandbox.example') not valid`,
      );
      try {
        sandbox.update(5110, { emailAddress: 'rollback.me@sandbox.example' });
        const { sync } = await syncNow();
        expect(sync.status).to.equal('failed');
        expect(sync.error).to.deep.equal({ code: 'internal', message: 'the sync stopped on an internal error' });
        expect(sync.counts.created, 'the first page committed').to.equal(100);
        const ids = (await refsOf()).map((r) => Number(r.external_id));
        expect(ids).to.have.length(100);
        expect(ids, 'the refused record, on the second page').to.not.include(5110);
        expect(await customerRows()).to.have.length(100);
        const settings = await owner('pos_settings').where({ store_id: storeId() }).first();
        expect(settings.sync_watermark, 'a failed run does not move the watermark').to.equal(null);
      } finally {
        await owner.raw('alter table customers drop constraint test_sync_rollback');
      }
    });

    it('a vendor that is down fails the run with its error, emits customer_sync.finished failed, and keeps the watermark', async () => {
      sandbox.faults.set('down');
      const { sync, outcome } = await syncNow();
      expect(outcome).to.be.an('error');
      expect(sync.status).to.equal('failed');
      expect(sync.error.code).to.equal('pos_unavailable');
      expect(sync.error.message).to.be.a('string');
      const events = await owner('outbox_events').where({ store_id: storeId(), type: 'customer_sync.finished' });
      expect(events).to.have.length(1);
      expect(events[0].data).to.include({ status: 'failed', errorCode: 'pos_unavailable' });
      expect(await customerRows()).to.have.length(0);
      const settings = await owner('pos_settings').where({ store_id: storeId() }).first();
      expect(settings.sync_watermark).to.equal(null);
    });

    it('a retryable failure before the last attempt leaves the run in progress for the retry, which finishes it', async () => {
      sandbox.faults.set('down');
      const { sync, outcome } = await syncNow({ made: 0, of: 5 });
      expect(outcome).to.be.an('error');
      expect(sync.status).to.equal('in_progress');
      expect(sync.error).to.equal(null);

      sandbox.faults.set('none');
      const again = await request(app).post(syncsPath()).set(manager);
      expect(again.status, 'the running sync is answered').to.equal(200);
      expect(again.body.id).to.equal(sync.id);
      await processor(fakeJob({ syncId: sync.id, storeId: storeId(), orgId: tenant.org.id }, { made: 1, of: 5 }));
      const done = await request(app).get(`${syncsPath()}/${sync.id}`).set(manager);
      expect(done.body.status).to.equal('finished');
      expect(done.body.counts.created).to.equal(120);
    });

    it('bad credentials fail the run at once (permanent), not retried', async () => {
      await configure('leaflogix', sandbox.url, { apiKey: 'not-a-real-key' });
      const { sync, outcome } = await syncNow({ made: 0, of: 5 });
      expect((outcome as Error).name).to.equal('UnrecoverableError');
      expect(sync.status).to.equal('failed');
      expect(sync.error.code).to.equal('pos_auth_failed');
      expect(JSON.stringify(sync)).to.not.include('not-a-real-key');
    });
  });

  describe('blaze', () => {
    let sandbox: BlazeSandbox;
    beforeEach(async () => {
      sandbox = await startBlazeSandbox({ people: sandboxPeople(60), production: false, rateLimitPer5Minutes: false });
      await configure('blaze', sandbox.url, sandbox.credentials);
    });
    afterEach(() => sandbox.close());

    it('a full sync creates every member with its ref; a re-sync writes no row', async () => {
      const first = (await syncNow()).sync;
      expect(first.status, JSON.stringify(first.error)).to.equal('finished');
      expect(first.counts.fetched).to.equal(60);
      expect(first.counts.created + first.counts.failed + first.counts.merged).to.be.at.most(60);
      const refs = await refsOf();
      expect(refs.length).to.equal(first.counts.created);
      expect(refs.every((r) => sandbox.memberIds().includes(r.external_id))).to.equal(true);
      const before = await customerRows();

      const second = (await syncNow()).sync;
      expect(second.status).to.equal('finished');
      expect(second.counts.created + second.counts.updated).to.equal(0);
      const after = await customerRows();
      expect(after.map((r) => [r.id, r.version])).to.deep.equal(before.map((r) => [r.id, r.version]));
    });
  });

  describe('scheduled runs', () => {
    let sandbox: LeaflogixSandbox;
    beforeEach(async () => {
      sandbox = await startLeaflogixSandbox({ people: sandboxPeople(10), production: false, rateLimit: false });
      await configure('leaflogix', sandbox.url, sandbox.credentials);
    });
    afterEach(() => sandbox.close());

    it('a job fired by the store scheduler opens a run with trigger schedule and finishes it', async () => {
      await processor(fakeJob({ syncId: 'scheduled', storeId: storeId(), orgId: tenant.org.id }));
      const list = await request(app).get(syncsPath()).set(manager);
      expect(list.body.data).to.have.length(1);
      expect(list.body.data[0]).to.include({ trigger: 'schedule', status: 'finished' });
      expect(list.body.data[0].counts.created).to.equal(10);
      const pos = await request(app).get(`/api/v1/stores/${storeId()}/pos`).set(admin);
      expect(pos.body.lastSync.id).to.equal(list.body.data[0].id);
    });
  });

  describe('starting syncs', () => {
    it('answers 409 pos_not_configured for a store without POS settings', async () => {
      const res = await request(app).post(syncsPath()).set(manager);
      expect(res.status).to.equal(409);
      expect(res.body.error.code).to.equal('pos_not_configured');
    });

    it('two concurrent starts make one run: one 202, one 200 with the same sync', async () => {
      await configure('leaflogix', 'http://127.0.0.1:9', { apiKey: 'k' });
      const [a, b] = await Promise.all([
        request(app).post(syncsPath()).set(manager),
        request(app).post(syncsPath()).set(manager),
      ]);
      expect([a.status, b.status].sort()).to.deep.equal([200, 202]);
      expect(a.body.id).to.equal(b.body.id);
      expect(a.body.status).to.equal('pending');
      expect(await owner('customer_syncs').where({ store_id: storeId() })).to.have.length(1);
      const job = await queue.getJob(jobId('customer-sync', a.body.id));
      expect(job?.data).to.deep.equal({ syncId: a.body.id, storeId: storeId(), orgId: tenant.org.id });
      await job?.remove();
    });

    it('lists runs oldest first, page by page', async () => {
      await configure('leaflogix', 'http://127.0.0.1:9', { apiKey: 'k' });
      for (let i = 0; i < 3; i++) {
        await owner('customer_syncs').insert({
          organization_id: tenant.org.id,
          store_id: storeId(),
          provider: 'leaflogix',
          trigger: 'schedule',
          status: 'finished',
        });
      }
      const first = await request(app).get(syncsPath()).query({ limit: 2 }).set(manager);
      expect(first.status).to.equal(200);
      expect(first.body.data).to.have.length(2);
      const second = await request(app)
        .get(syncsPath())
        .query({ limit: 2, cursor: first.body.nextCursor })
        .set(manager);
      expect(second.body.data).to.have.length(1);
      expect(second.body.nextCursor).to.equal(null);
      const other = await createTenant();
      const foreign = await request(app)
        .get(`${syncsPath()}/${first.body.data[0].id}`.replace(storeId(), other.storeA.id))
        .set(manager);
      expect(foreign.status).to.equal(404);
    });
  });
});
