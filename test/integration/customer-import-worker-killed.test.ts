import { expect } from 'chai';
import type { Queue } from 'bullmq';
import { randomUUID } from 'node:crypto';
import request from 'supertest';
import { createRedis } from '../../config/redis.js';
import { createQueue, enqueueOptions, jobId, type QueuePayloads } from '../../jobs/queues.js';
import { bulkImportFile } from '../support/bulk-import-file.js';
import { bearer, createTenant, tokenFor } from '../support/fixtures.js';
import { testContext } from '../support/test-context.js';
import { startWorkerChild, until, type WorkerChild } from '../support/worker-child.js';

// A worker process SIGKILLed in the middle of a 40,000-row import: BullMQ's stalled-job check hands the job
// to a second worker process, which skips the records committed batches wrote. Every row is counted once,
// every person is one customer, every row error and audit row is written once, though two batches at a
// time are written and may commit out of file order.

const ROWS = 40_000;
const SLOW = { timeoutMs: 60_000, everyMs: 25 };

describe('customer import: a worker killed mid-import', function () {
  this.timeout(150_000);
  const { app, deps, owner } = testContext();
  const prefix = `patron-test-import-killed-${randomUUID().slice(0, 8)}`;
  const connection = createRedis('client');
  const appQueue = createQueue('customer-import', deps.redis);
  let queue: Queue<QueuePayloads['customer-import']>;
  const workers: WorkerChild[] = [];

  before(() => {
    queue = createQueue('customer-import', connection, `{${prefix}}`);
  });

  after(async () => {
    for (const w of workers) {
      if (w.child.exitCode === null && w.child.signalCode === null) {
        w.child.kill('SIGKILL');
        await w.exited;
      }
    }
    await queue.obliterate({ force: true });
    await queue.close();
    await appQueue.close();
    connection.disconnect();
  });

  it('another worker process resumes the job after the last committed batch and writes nothing twice', async () => {
    const tenant = await createTenant();
    const storeId = tenant.storeA.id;
    const orgId = tenant.org.id;
    const manager = bearer(await tokenFor(tenant.manager));
    const file = bulkImportFile(ROWS);

    const first = await startWorkerChild('test/support/import-worker-process.ts', { env: { REDIS_PREFIX: prefix } });
    workers.push(first);
    const started = await request(app)
      .post(`/api/v1/stores/${storeId}/customer-imports`)
      .set(manager)
      .attach('file', Buffer.from(file.csv), { filename: 'bulk.csv', contentType: 'text/csv' });
    expect(started.status, JSON.stringify(started.body)).to.equal(202);
    const importId: string = started.body.id;
    // The upload queues the job under the app's prefix; it moves to this test's queue, where only the
    // worker processes of this test look.
    await (await appQueue.getJob(jobId('customer-import', importId)))?.remove();
    const data = { importId, storeId, orgId };
    const job = await queue.add('customer-import', data, enqueueOptions('customer-import', data));

    const record = () => owner('customer_imports').where({ id: importId }).first();
    await until('a committed batch', async () => (await record()).rows_done > 0, SLOW);
    first.child.kill('SIGKILL');
    await first.exited;
    const atKill = await record();
    expect(atKill.status, 'killed mid-import').to.equal('processing');
    expect(atKill.rows_done, 'killed mid-import').to.be.within(1, ROWS - 1);
    expect(await job.getState()).to.equal('active'); // held by the dead worker until its lock runs out

    const second = await startWorkerChild('test/support/import-worker-process.ts', { env: { REDIS_PREFIX: prefix } });
    workers.push(second);
    const ended = await until(
      'the import to end',
      async () => {
        const row = await record();
        return row.status === 'finished' || row.status === 'failed' ? row : undefined;
      },
      SLOW,
    );
    expect(ended.error_code, ended.error_message).to.equal(null);
    expect(ended.status).to.equal('finished');
    await until('the job to complete', async () => (await job.getState()) === 'completed', SLOW);

    const done = await request(app).get(`/api/v1/stores/${storeId}/customer-imports/${importId}`).set(manager);
    expect(done.body.counts).to.deep.equal(file.counts);
    const { created, updated, unchanged, failed } = done.body.counts;
    expect(created + updated + unchanged + failed).to.equal(ROWS);

    const customers = owner('customers').where({ store_id: storeId });
    expect(Number((await customers.clone().count())[0]!.count)).to.equal(file.emails.length);
    const duplicated = await customers.clone().groupBy('email').havingRaw('count(*) > 1').select('email');
    expect(duplicated).to.deep.equal([]);
    expect(new Set(await customers.clone().pluck('email'))).to.deep.equal(new Set(file.emails));

    // The batch in flight at the kill was rolled back and written again once: no error, audit row or
    // event twice.
    const errors = await owner('customer_import_errors').where({ import_id: importId }).orderBy('row');
    expect(errors.map((e) => ({ row: e.row, column: e.column }))).to.deep.equal(file.errors);
    const audit = await owner('audit_log')
      .where({ store_id: storeId, subject_type: 'customer' })
      .groupBy('action')
      .select('action')
      .count('* as n');
    expect(Object.fromEntries(audit.map((a) => [a.action, Number(a.n)]))).to.deep.equal({
      'customer.created': file.counts.created,
      'customer.updated': file.counts.updated,
    });
    const createdEvents = await owner('outbox_events').where({ store_id: storeId, type: 'customer.created' }).count();
    expect(Number(createdEvents[0]!.count)).to.equal(file.counts.created);
  });
});
