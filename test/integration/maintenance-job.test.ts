import { expect } from 'chai';
import { Queue, QueueEvents, Worker } from 'bullmq';
import { randomUUID } from 'node:crypto';
import { createRedis } from '../../config/redis.js';
import { maintenanceProcessor } from '../../jobs/processors/maintenance.js';
import { queuePrefix } from '../../jobs/queues.js';
import { registerSchedules } from '../../jobs/schedules.js';
import { createOrg } from '../support/fixtures.js';
import { testContext } from '../support/test-context.js';

describe('maintenance job', () => {
  it('purges expired idempotency keys and refresh tokens of every organisation, keeping live ones', async () => {
    const { owner, deps } = testContext();
    const [orgA, orgB] = [await createOrg(), await createOrg()];
    const past = new Date(Date.now() - 60_000);
    const future = new Date(Date.now() + 3_600_000);
    await owner('idempotency_keys').insert([
      { organization_id: orgA.id, key: 'old', request_hash: 'h', expires_at: past },
      { organization_id: orgB.id, key: 'old', request_hash: 'h', expires_at: past },
      { organization_id: orgA.id, key: 'live', request_hash: 'h', expires_at: future },
    ]);

    const queueName = `maintenance-${randomUUID().slice(0, 8)}`;
    const connection = createRedis('worker');
    const queue = new Queue(queueName, { connection, prefix: queuePrefix() });
    const events = new QueueEvents(queueName, { connection: createRedis('worker'), prefix: queuePrefix() });
    const worker = new Worker(queueName, maintenanceProcessor(deps.db), {
      connection: createRedis('worker'),
      prefix: queuePrefix(),
    });
    try {
      await events.waitUntilReady();
      const job = await queue.add('purge-expired', { task: 'purge-expired' });
      const result = await job.waitUntilFinished(events, 10_000);
      expect(result.idempotencyKeys).to.be.at.least(2);
      const left = await owner('idempotency_keys').whereIn('organization_id', [orgA.id, orgB.id]).pluck('key');
      expect(left).to.deep.equal(['live']);
    } finally {
      await worker.close();
      await events.close();
      await queue.obliterate({ force: true });
      await queue.close();
      connection.disconnect();
    }
  });

  it('registers its schedule idempotently: two processes booting leave one scheduler', async () => {
    const { deps } = testContext();
    const prefix = `{patron-test-maintenance-${randomUUID().slice(0, 8)}}`;
    const queue = new Queue('maintenance', { connection: createRedis('worker'), prefix });
    const syncs = new Queue('customer-sync', { connection: createRedis('worker'), prefix });
    try {
      await registerSchedules({ maintenance: queue, 'customer-sync': syncs } as never, deps.db);
      await registerSchedules({ maintenance: queue, 'customer-sync': syncs } as never, deps.db);
      const schedulers = await queue.getJobSchedulers();
      expect(schedulers.map((s) => s.key)).to.deep.equal(['purge-expired']);
      expect(schedulers[0].every).to.equal(3_600_000);
    } finally {
      await queue.obliterate({ force: true });
      await syncs.obliterate({ force: true });
      await Promise.all([queue.close(), syncs.close()]);
    }
  });
});
