import { randomUUID } from 'node:crypto';
import { expect } from 'chai';
import { UnrecoverableError, type Job } from 'bullmq';
import request from 'supertest';
import { customerSyncProcessor } from '../../jobs/processors/customer-sync.js';
import { posWriteDispatchProcessor } from '../../jobs/processors/pos-write-dispatch.js';
import { posWriteProcessor } from '../../jobs/processors/pos-write.js';
import { completePosWrite, loadPosWrite } from '../../db/pos/pos-write-service.js';
import { closeQueues, createQueues, type QueuePayloads, type Queues } from '../../jobs/queues.js';
import { runJob } from '../../jobs/run-job.js';
import { startTreezSandbox } from '../../integrations/sandbox/treez-sandbox.js';
import { startLeaflogixSandbox, type LeaflogixSandbox } from '../../integrations/sandbox/leaflogix-sandbox.js';
import { sandboxPeople } from '../../integrations/sandbox/sandbox-kit.js';
import { bearer, createTenant, tokenFor } from '../support/fixtures.js';
import { testContext } from '../support/test-context.js';
import { UNLIMITED } from '../support/pos-test-helpers.js';

// Write-through end to end: staff writes through the API, the dispatcher and the pos-write processor run
// directly (fake Jobs) against the Leaflogix (Dutchie) sandbox over loopback, real PostgreSQL and Redis.

type WritePayload = QueuePayloads['pos-write'];

describe('POS write-through', () => {
  const { app, deps, owner } = testContext();
  let tenant: Awaited<ReturnType<typeof createTenant>>;
  let admin: Record<string, string>;
  let manager: Record<string, string>;
  let staff: Record<string, string>;
  let sandbox: LeaflogixSandbox;
  let queues: Queues;

  const clientDeps = {
    retry: { retries: 0, minDelayMs: 0, maxDelayMs: 0 },
    rateLimiter: UNLIMITED,
  };
  const writer = runJob(posWriteProcessor(deps.db, { development: true, clientDeps }));
  const fakeJob = <T>(data: T, attempt = { made: 0, of: 5 }) =>
    ({
      id: `test-${randomUUID()}`,
      data,
      attemptsMade: attempt.made,
      opts: { attempts: attempt.of },
      updateProgress: async () => undefined,
    }) as unknown as Job<T>;

  const storeId = () => tenant.storeA.id;
  const customersPath = (store = storeId()) => `/api/v1/stores/${store}/customers`;
  const rowOf = (id: string) => owner('customers').where({ id }).first();
  const refOf = async (id: string) =>
    (await owner('customer_external_refs').where({ customer_id: id, provider: 'leaflogix' }).first())?.external_id;

  async function configure(credentials: unknown = sandbox.credentials) {
    const res = await request(app)
      .put(`/api/v1/stores/${storeId()}/pos`)
      .set(admin)
      .send({ provider: 'leaflogix', credentials, baseUrl: sandbox.url });
    expect(res.status, JSON.stringify(res.body)).to.equal(200);
  }

  async function createCustomer(fields: Record<string, unknown> = {}, store = storeId(), caller = staff) {
    const res = await request(app)
      .post(customersPath(store))
      .set(caller)
      .send({
        firstName: 'Ada',
        lastName: 'Lovelace',
        email: `ada.${randomUUID().slice(0, 6)}@example.test`,
        ...fields,
      });
    expect(res.status, JSON.stringify(res.body)).to.equal(201);
    return res.body;
  }

  /** Runs the dispatcher; answers the pos-write payloads it queued for this test's organisation. */
  async function dispatch(): Promise<WritePayload[]> {
    await posWriteDispatchProcessor(deps.db, queues)();
    const jobs = await queues['pos-write'].getJobs(['waiting', 'prioritized', 'delayed']);
    await queues['pos-write'].obliterate({ force: true });
    return jobs.map((j) => j.data).filter((d) => d.orgId === tenant.org.id);
  }

  const write = (customerId: string, attempt?: { made: number; of: number }) =>
    writer(fakeJob({ orgId: tenant.org.id, storeId: storeId(), customerId, operation: 'create' }, attempt)).then(
      (result) => ({ result, err: undefined as unknown }),
      (err: unknown) => ({ result: undefined, err }),
    );

  beforeEach(async () => {
    tenant = await createTenant();
    admin = bearer(await tokenFor(tenant.admin));
    manager = bearer(await tokenFor(tenant.manager));
    staff = bearer(await tokenFor(tenant.staff));
    queues = createQueues(deps.redis, `{test-${randomUUID().slice(0, 8)}}`);
    sandbox = await startLeaflogixSandbox({ people: sandboxPeople(3), production: false, rateLimit: false });
    await configure();
  });
  afterEach(async () => {
    await sandbox.close();
    await Promise.all(Object.values(queues).map((q) => q.obliterate({ force: true }).catch(() => undefined)));
    await closeQueues(queues);
  });

  it('a customer created by staff is pending, dispatched as a create, then synced with its POS id and held by the POS', async () => {
    const created = await createCustomer({ email: 'ada.create@example.test' });
    expect(created.posSyncStatus).to.equal('pending');
    expect((await rowOf(created.id)).pos_sync_status).to.equal('pending');

    const queued = await dispatch();
    expect(queued).to.deep.equal([
      { orgId: tenant.org.id, storeId: storeId(), customerId: created.id, operation: 'create' },
    ]);
    expect(JSON.stringify(queued)).to.not.match(/Ada|Lovelace|example\.test/);

    const { err } = await write(created.id);
    expect(err).to.equal(undefined);
    const ref = await refOf(created.id);
    expect(ref).to.be.a('string');
    const atPos = sandbox.customer(Number(ref));
    expect(atPos?.firstName).to.equal('Ada');
    expect(atPos?.lastName).to.equal('Lovelace');
    expect(atPos?.emailAddress).to.equal('ada.create@example.test');

    const got = await request(app).get(`${customersPath()}/${created.id}`).set(staff);
    expect(got.body.posSyncStatus).to.equal('synced');
    expect(got.body.externalRefs).to.deep.equal([{ provider: 'leaflogix', externalId: ref }]);
    expect(await dispatch(), 'nothing pending any more').to.deep.equal([]);
  });

  it('an edit of a synced customer is pending again and its update reaches the POS, without a second POS customer', async () => {
    const created = await createCustomer();
    await write(created.id);
    const ref = await refOf(created.id);
    const countAtPos = sandbox.customerIds().length;

    const patched = await request(app)
      .patch(`${customersPath()}/${created.id}`)
      .set(staff)
      .send({ email: 'ada.edited@example.test' });
    expect(patched.status).to.equal(200);
    expect(patched.body.posSyncStatus).to.equal('pending');
    const queued = await dispatch();
    expect(queued.map((q) => [q.customerId, q.operation])).to.deep.equal([[created.id, 'update']]);

    const { err } = await write(created.id);
    expect(err).to.equal(undefined);
    expect(sandbox.customer(Number(ref))?.emailAddress).to.equal('ada.edited@example.test');
    expect(sandbox.customerIds()).to.have.length(countAtPos);
    expect((await rowOf(created.id)).pos_sync_status).to.equal('synced');
  });

  it('an edit made while the POS call runs keeps the customer pending, and the next write sends it by the new POS id', async () => {
    const created = await createCustomer();
    const inFlight = await loadPosWrite(deps.db, tenant.org.id, storeId(), created.id);
    expect(inFlight?.operation).to.equal('create');
    const patched = await request(app).patch(`${customersPath()}/${created.id}`).set(staff).send({ lastName: 'King' });
    expect(patched.status).to.equal(200);
    expect(await completePosWrite(deps.db, inFlight!, { externalId: '987654' })).to.equal('pending');
    expect((await rowOf(created.id)).pos_sync_status).to.equal('pending');
    expect(await refOf(created.id)).to.equal('987654');
    const queued = await dispatch();
    expect(queued.map((q) => [q.customerId, q.operation])).to.deep.equal([[created.id, 'update']]);
  });

  it('an edit of a field the POS does not hold (gender) leaves the customer synced', async () => {
    const created = await createCustomer();
    await write(created.id);
    const patched = await request(app).patch(`${customersPath()}/${created.id}`).set(staff).send({ gender: 'female' });
    expect(patched.status).to.equal(200);
    expect(patched.body.posSyncStatus).to.equal('synced');
  });

  it('with the POS down, creating still succeeds, the write fails retryably and stays pending, and succeeds once the POS is back', async () => {
    sandbox.faults.set('down');
    const created = await createCustomer();
    expect(created.posSyncStatus).to.equal('pending');

    const first = await write(created.id, { made: 0, of: 5 });
    expect(first.err).to.be.instanceOf(Error);
    expect(first.err).to.not.be.instanceOf(UnrecoverableError);
    expect((first.err as { code?: string }).code).to.equal('pos_unavailable');
    expect((await rowOf(created.id)).pos_sync_status).to.equal('pending');
    expect(await refOf(created.id)).to.equal(undefined);
    expect(
      (await dispatch()).map((q) => q.customerId),
      'still dispatched',
    ).to.deep.equal([created.id]);

    sandbox.faults.set('none');
    const retried = await write(created.id, { made: 1, of: 5 });
    expect(retried.err).to.equal(undefined);
    expect((await rowOf(created.id)).pos_sync_status).to.equal('synced');
    expect(sandbox.customer(Number(await refOf(created.id)))?.firstName).to.equal('Ada');
  });

  it('when the last attempt fails the customer is failed, and a manager retry makes it pending and then synced', async () => {
    sandbox.faults.set('down');
    const created = await createCustomer();
    const last = await write(created.id, { made: 4, of: 5 });
    expect(last.err).to.be.instanceOf(Error);
    expect((await rowOf(created.id)).pos_sync_status).to.equal('failed');
    expect(await dispatch(), 'a failed customer is not retried by itself').to.deep.equal([]);

    sandbox.faults.set('none');
    const path = `${customersPath()}/${created.id}/pos-sync`;
    expect((await request(app).post(path).set(staff)).status, 'staff may not').to.equal(403);
    const retry = await request(app).post(path).set(manager);
    expect(retry.status, JSON.stringify(retry.body)).to.equal(202);
    expect(retry.body.id).to.equal(created.id);
    expect(retry.body.posSyncStatus).to.equal('pending');
    const audit = await owner('audit_log').where({ subject_id: created.id, action: 'customer.pos_sync_retried' });
    expect(audit).to.have.length(1);

    expect((await dispatch()).map((q) => q.customerId)).to.deep.equal([created.id]);
    expect((await write(created.id)).err).to.equal(undefined);
    expect((await rowOf(created.id)).pos_sync_status).to.equal('synced');
  });

  it('a permanent refusal (credentials the POS rejects) fails the write at once, unrecoverable', async () => {
    await configure({ apiKey: 'not-the-right-key-0000000000000000' });
    const created = await createCustomer();
    const { err } = await write(created.id, { made: 0, of: 5 });
    expect(err).to.be.instanceOf(UnrecoverableError);
    expect((err as Error).message).to.match(/pos_auth_failed/);
    expect((await rowOf(created.id)).pos_sync_status).to.equal('failed');
  });

  it('a store without POS settings keeps customers at none and dispatches nothing; the retry route answers 409', async () => {
    const created = await createCustomer({}, tenant.storeB.id, admin);
    expect(created.posSyncStatus).to.equal('none');
    expect((await rowOf(created.id)).pos_sync_status).to.equal('none');
    expect(await dispatch()).to.deep.equal([]);
    const adminRetry = await request(app)
      .post(`${customersPath(tenant.storeB.id)}/${created.id}/pos-sync`)
      .set(admin);
    expect(adminRetry.status).to.equal(409);
    expect(adminRetry.body.error.code).to.equal('pos_not_configured');
  });

  it('follows the adapter: Treez takes creates but not updates, so a customer it already knows is not written', async () => {
    const treez = await startTreezSandbox({ people: sandboxPeople(1), production: false });
    try {
      const put = await request(app)
        .put(`/api/v1/stores/${storeId()}/pos`)
        .set(admin)
        .send({ provider: 'treez', credentials: treez.credentials, baseUrl: treez.url });
      expect(put.status, JSON.stringify(put.body)).to.equal(200);
      expect((await createCustomer()).posSyncStatus, 'a create').to.equal('pending');
      const known = await request(app)
        .post(`${customersPath()}/upsert`)
        .set(manager)
        .send({ firstName: 'Grace', lastName: 'Hopper', externalRef: { provider: 'treez', externalId: 'T-1' } });
      expect(known.status, JSON.stringify(known.body)).to.equal(201);
      expect(known.body.posSyncStatus, 'an update Treez cannot take').to.equal('none');
    } finally {
      await treez.close();
    }
  });

  it("a POS sync's own writes do not make customers pending (no echo back to the POS)", async () => {
    const created = await createCustomer();
    await write(created.id);
    const ref = Number(await refOf(created.id));
    sandbox.update(ref, { emailAddress: 'changed.at.pos@example.test' });

    const started = await request(app).post(`/api/v1/stores/${storeId()}/customer-syncs`).set(manager);
    expect(started.status, JSON.stringify(started.body)).to.equal(202);
    const sync = runJob(customerSyncProcessor(deps.db, { development: true, clientDeps }));
    await sync(fakeJob({ syncId: started.body.id, storeId: storeId(), orgId: tenant.org.id }));

    const row = await rowOf(created.id);
    expect(row.email).to.equal('changed.at.pos@example.test');
    expect(row.pos_sync_status).to.equal('synced');
    const pulled = await owner('customers').where({ store_id: storeId() }).select('pos_sync_status');
    expect(pulled.length).to.be.greaterThan(1);
    expect(pulled.every((r) => r.pos_sync_status === 'synced')).to.equal(true);
    expect(await dispatch()).to.deep.equal([]);
  });
});
