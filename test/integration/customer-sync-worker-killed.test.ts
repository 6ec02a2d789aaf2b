import { expect } from 'chai';
import type { Queue } from 'bullmq';
import { randomUUID } from 'node:crypto';
import request from 'supertest';
import { createRedis } from '../../config/redis.js';
import { systemActor } from '../../db/context.js';
import { startCustomerSync } from '../../db/syncs/customer-sync-service.js';
import { startLeaflogixSandbox, type LeaflogixSandbox } from '../../integrations/sandbox/leaflogix-sandbox.js';
import { sandboxPeople } from '../../integrations/sandbox/sandbox-kit.js';
import { createQueue, enqueueOptions, type QueuePayloads } from '../../jobs/queues.js';
import { bearer, createTenant, tokenFor } from '../support/fixtures.js';
import { testContext } from '../support/test-context.js';
import { startWorkerChild, until, type WorkerChild } from '../support/worker-child.js';

const PEOPLE = 1000; // 10 pages of 100

describe('customer sync: a worker killed mid-sync', function () {
  this.timeout(60_000);
  const { app, deps, owner } = testContext();
  const prefix = `patron-test-killed-${randomUUID().slice(0, 8)}`;
  const connection = createRedis('client');
  let queue: Queue<QueuePayloads['customer-sync']>;
  let sandbox: LeaflogixSandbox;
  const workers: WorkerChild[] = [];

  before(async () => {
    queue = createQueue('customer-sync', connection, `{${prefix}}`);
    sandbox = await startLeaflogixSandbox({ people: sandboxPeople(PEOPLE), production: false, rateLimit: false });
  });

  after(async () => {
    for (const w of workers) {
      if (w.child.exitCode === null && w.child.signalCode === null) {
        w.child.kill('SIGKILL');
        await w.exited;
      }
    }
    await sandbox.close();
    await queue.obliterate({ force: true });
    await queue.close();
    connection.disconnect();
  });

  it('the job is picked up again by another worker process, finishes, and leaves no duplicate customer', async () => {
    const tenant = await createTenant();
    const storeId = tenant.storeA.id;
    const orgId = tenant.org.id;
    const put = await request(app)
      .put(`/api/v1/stores/${storeId}/pos`)
      .set(bearer(await tokenFor(tenant.admin)))
      .send({ provider: 'leaflogix', credentials: sandbox.credentials, baseUrl: sandbox.url });
    expect(put.status, JSON.stringify(put.body)).to.equal(200);

    sandbox.faults.slowMs = 300;
    sandbox.faults.set('slow');
    const first = await startWorkerChild('test/support/sync-worker-process.ts', { env: { REDIS_PREFIX: prefix } });
    workers.push(first);
    const { sync } = await startCustomerSync(deps.db, { orgId, storeId, actor: systemActor }, async (s) => {
      const data = { syncId: s.id, storeId, orgId };
      await queue.add('customer-sync', data, enqueueOptions('customer-sync', data));
    });

    // Mid-sync: some pages committed, not all.
    const countCustomers = async () => Number((await owner('customers').where({ store_id: storeId }).count())[0].count);
    await until('a committed page', async () => (await countCustomers()) >= 100);
    const job = (await queue.getJob(`customer-sync.${sync.id}`))!;
    expect(await job.getState()).to.equal('active');
    first.child.kill('SIGKILL');
    await first.exited;
    const atKill = await countCustomers();
    expect(atKill, 'killed mid-sync').to.be.within(100, PEOPLE - 1);
    expect((await owner('customer_syncs').where({ id: sync.id }).first()).status).to.equal('in_progress');

    sandbox.faults.set('none');
    const second = await startWorkerChild('test/support/sync-worker-process.ts', { env: { REDIS_PREFIX: prefix } });
    workers.push(second);
    const ended = await until('the sync to end', async () => {
      const row = await owner('customer_syncs').where({ id: sync.id }).first();
      return row.status === 'finished' || row.status === 'failed' ? row : undefined;
    });
    expect(ended.status, JSON.stringify(ended.error)).to.equal('finished');
    await until('the job to complete', async () => (await job.getState()) === 'completed');

    expect(await countCustomers()).to.equal(PEOPLE);
    const perExternalId = await owner('customer_external_refs')
      .where({ store_id: storeId })
      .groupBy('external_id')
      .select('external_id')
      .count('* as n');
    expect(perExternalId).to.have.length(PEOPLE);
    expect(perExternalId.filter((r) => Number(r.n) !== 1)).to.deep.equal([]);
    const refsPerCustomer = await owner('customer_external_refs')
      .where({ store_id: storeId })
      .countDistinct('customer_id as n');
    expect(Number(refsPerCustomer[0].n)).to.equal(PEOPLE);
    const settings = await owner('pos_settings').where({ store_id: storeId }).first();
    expect(settings.sync_watermark).to.be.instanceOf(Date);
  });
});
