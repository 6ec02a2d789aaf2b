import { expect } from 'chai';
import { Queue, QueueEvents, Worker } from 'bullmq';
import { randomUUID } from 'node:crypto';
import { AppError } from '../../config/errors.js';
import { createRedis } from '../../config/redis.js';
import {
  closeQueues,
  createQueues,
  defaultJobOptions,
  enqueue,
  jobId,
  QUEUE_NAMES,
  queuePrefix,
  type Queues,
} from '../../jobs/queues.js';
import { isPermanent, runJob } from '../../jobs/run-job.js';

describe('job queues', () => {
  const connection = createRedis('client');
  let prefix: string;
  let queues: Queues;

  beforeEach(() => {
    // A prefix per test: nothing another test's worker runs can see these jobs.
    prefix = `{patron-test-queues-${randomUUID().slice(0, 8)}}`;
    queues = createQueues(connection, prefix);
  });

  afterEach(async () => {
    await Promise.all(QUEUE_NAMES.map((name) => queues[name].obliterate({ force: true })));
    await closeQueues(queues);
  });

  after(() => connection.disconnect());

  it('registers the queues of the POS, import and event work under a hash-tagged prefix', () => {
    expect(QUEUE_NAMES).to.deep.equal([
      'maintenance',
      'customer-sync',
      'pos-write',
      'customer-import',
      'outbox-dispatch',
      'webhook-delivery',
      'pos-write-dispatch',
    ]);
    expect(queuePrefix()).to.match(/^\{[^{}]+\}$/);
    const q = createQueues(connection);
    try {
      for (const name of QUEUE_NAMES) expect(q[name].opts.prefix).to.equal(queuePrefix());
      expect(q['customer-sync'].defaultJobOptions).to.deep.include({ attempts: 5 });
    } finally {
      void closeQueues(q);
    }
  });

  it('retries with exponential backoff and jitter and keeps a bounded number of finished jobs', () => {
    expect(defaultJobOptions.backoff).to.deep.include({ type: 'exponential' });
    expect((defaultJobOptions.backoff as { jitter: number }).jitter).to.be.within(0.01, 1);
    expect(defaultJobOptions.removeOnComplete).to.have.property('count').that.is.a('number');
    expect(defaultJobOptions.removeOnFail).to.have.property('count').that.is.a('number');
  });

  it('names a sync job after its sync row, so enqueuing the same sync twice leaves one job', async () => {
    const data = { syncId: randomUUID(), storeId: randomUUID(), orgId: randomUUID() };
    const first = await enqueue(queues, 'customer-sync', data);
    const again = await enqueue(queues, 'customer-sync', data);
    expect(first.id).to.equal(`customer-sync.${data.syncId}`);
    expect(first.id).not.to.include(':');
    expect(again.id).to.equal(first.id);
    expect(await queues['customer-sync'].getJobCountByTypes('waiting')).to.equal(1);
    expect(first.data).to.deep.equal(data);
  });

  it('keeps one waiting sync per store however many triggers arrive', async () => {
    const storeId = randomUUID();
    const orgId = randomUUID();
    const first = await enqueue(queues, 'customer-sync', { syncId: randomUUID(), storeId, orgId });
    await enqueue(queues, 'customer-sync', { syncId: randomUUID(), storeId, orgId });
    await enqueue(queues, 'customer-sync', { syncId: randomUUID(), storeId: randomUUID(), orgId });
    const waiting = await queues['customer-sync'].getWaiting();
    expect(waiting.map((j) => j.data.storeId).sort()).to.have.length(2);
    expect(waiting.filter((j) => j.data.storeId === storeId).map((j) => j.id)).to.deep.equal([first.id]);
  });

  it('collapses POS writes of one customer into one pending job', async () => {
    const base = { orgId: randomUUID(), storeId: randomUUID(), customerId: randomUUID() };
    await enqueue(queues, 'pos-write', { ...base, operation: 'create' });
    await enqueue(queues, 'pos-write', { ...base, operation: 'update' });
    await enqueue(queues, 'pos-write', { ...base, customerId: randomUUID(), operation: 'update' });
    expect(await queues['pos-write'].getJobCountByTypes('waiting')).to.equal(2);
  });

  it('type-checks every payload against its queue', async () => {
    // @ts-expect-error a sync payload needs syncId, storeId and orgId
    await enqueue(queues, 'customer-sync', { storeId: randomUUID() }).catch(() => undefined);
    const bad = { orgId: 'o', storeId: 's', customerId: 'c', operation: 'delete' } as const;
    // @ts-expect-error operation is create or update
    void (() => enqueue(queues, 'pos-write', bad));
    // @ts-expect-error payloads carry ids only
    void (() => enqueue(queues, 'outbox-dispatch', { email: 'someone@example.test' }));
    expect(QUEUE_NAMES).to.include('outbox-dispatch');
  });

  it('refuses job id parts with ":" (BullMQ separates its keys with it) or empty ones', () => {
    expect(jobId('customer-sync', 'abc')).to.equal('customer-sync.abc');
    expect(() => jobId('customer-sync', 'a:b')).to.throw(/':'/);
    expect(() => jobId('customer-sync', '')).to.throw(/empty/);
  });
});

describe('runJob', () => {
  const connection = createRedis('worker');
  after(() => connection.disconnect());

  async function runOnce(fail: (attempt: number) => unknown) {
    const prefix = `{patron-test-runjob-${randomUUID().slice(0, 8)}}`;
    const name = 'pos-write';
    const queue = new Queue(name, { connection, prefix });
    const events = new QueueEvents(name, { connection: createRedis('worker'), prefix });
    let calls = 0;
    const worker = new Worker(
      name,
      runJob(async () => {
        calls += 1;
        throw fail(calls);
      }),
      { connection: createRedis('worker'), prefix },
    );
    try {
      await events.waitUntilReady();
      const job = await queue.add('write', {}, { attempts: 3, backoff: { type: 'fixed', delay: 10 } });
      const error = await job.waitUntilFinished(events, 10_000).then(
        () => undefined,
        (err: Error) => err,
      );
      const failed = (await queue.getJob(job.id!))!;
      return { calls, error, failed, state: await failed.getState() };
    } finally {
      await worker.close();
      await events.close();
      await queue.obliterate({ force: true });
      await queue.close();
    }
  }

  it('fails a job at once on an error marked not retryable (AppError, POS refusals)', async () => {
    const { calls, failed, state } = await runOnce(() => new AppError('pos_not_configured', 'store has no POS'));
    expect(calls).to.equal(1);
    expect(state).to.equal('failed');
    expect(failed.attemptsMade).to.equal(1);
    expect(failed.failedReason).to.equal('pos_not_configured: store has no POS');
  });

  it('retries errors marked retryable and errors without the mark', async () => {
    const retryable = await runOnce(() => new AppError('pos_unavailable', 'POS down', { retryable: true }));
    expect(retryable.calls).to.equal(3);
    expect(retryable.state).to.equal('failed');
    const plain = await runOnce(() => Object.assign(new Error('connect ECONNREFUSED'), { code: 'ECONNREFUSED' }));
    expect(plain.calls).to.equal(3);
    expect(plain.failed.failedReason).to.equal('connect ECONNREFUSED');
  });

  it('treats a PosError-like object with retryable false as permanent', () => {
    expect(isPermanent({ name: 'PosError', retryable: false })).to.equal(true);
    expect(isPermanent({ name: 'PosError', retryable: true })).to.equal(false);
    expect(isPermanent(new Error('socket hang up'))).to.equal(false);
    expect(isPermanent(null)).to.equal(false);
  });
});
