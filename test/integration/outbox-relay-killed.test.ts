import { expect } from 'chai';
import { randomUUID } from 'node:crypto';
import type { Queue } from 'bullmq';
import { createRedis } from '../../config/redis.js';
import { config } from '../../config/env.js';
import { fanOutToWebhooks } from '../../db/webhooks/webhook-fanout.js';
import { createRabbitMqPublisher } from '../../integrations/events/rabbitmq-publisher.js';
import {
  drainOutbox,
  OUTBOX_PRUNE_JOB,
  OUTBOX_RELAY_JOB,
  registerOutboxRelay,
} from '../../jobs/processors/outbox-relay.js';
import { closeQueues, createQueue, createQueues, type QueuePayloads } from '../../jobs/queues.js';
import { createOrg, createStore } from '../support/fixtures.js';
import { consumeEvents, type EventConsumer } from '../support/rabbitmq-consumer.js';
import { testContext } from '../support/test-context.js';
import { startWorkerChild, until, type WorkerChild } from '../support/worker-child.js';

const CUSTOMERS = 100;
const PER_CUSTOMER = 30;
const TOTAL = CUSTOMERS * PER_CUSTOMER;
const KILLS = 4;

interface RelayChild extends WorkerChild {
  /** How many batches it has published to RabbitMQ and not yet committed as published. */
  unmarked: () => number;
}

async function startRelay(prefix: string): Promise<RelayChild> {
  let unmarked = 0;
  const relay = await startWorkerChild('test/support/outbox-relay-process.ts', {
    env: { REDIS_PREFIX: prefix },
    onStdout: (text) => {
      unmarked += text.split('published-unmarked').length - 1;
      return text.replaceAll('published-unmarked\n', '');
    },
  });
  return { ...relay, unmarked: () => unmarked };
}

const FAST = { timeoutMs: 30_000, everyMs: 10 };

describe('outbox relay: the relay process killed repeatedly while publishing', function () {
  this.timeout(120_000);
  const { deps, owner } = testContext();
  const prefix = `patron-test-relay-killed-${randomUUID().slice(0, 8)}`;
  const connection = createRedis('client');
  let queue: Queue<QueuePayloads['outbox-dispatch']>;
  let consumer: EventConsumer;
  const relays: RelayChild[] = [];

  before(async () => {
    queue = createQueue('outbox-dispatch', connection, `{${prefix}}`);
    consumer = await consumeEvents();
    // Earlier tests leave events unpublished; relayed here at full speed, the relay process (small,
    // paused batches) starts on this test's events at once.
    const queues = createQueues(connection, `{${prefix}}`);
    const publisher = createRabbitMqPublisher({ url: config.events.rabbitmqUrl });
    try {
      await drainOutbox(deps.db, queues, { publisher, fanOut: fanOutToWebhooks }, { maxRunMs: 60_000 });
    } finally {
      await publisher.close();
      await closeQueues(queues);
    }
  });

  after(async () => {
    for (const r of relays) {
      if (r.child.exitCode === null && r.child.signalCode === null) {
        r.child.kill('SIGKILL');
        await r.exited;
      }
    }
    await queue.removeJobScheduler(OUTBOX_RELAY_JOB);
    await queue.removeJobScheduler(OUTBOX_PRUNE_JOB);
    await queue.obliterate({ force: true });
    await queue.close();
    // The relay process made producers for every queue under this prefix; nothing else uses it.
    const keys = await connection.keys(`{${prefix}}:*`);
    if (keys.length > 0) await connection.del(...keys);
    connection.disconnect();
    await consumer.close();
  });

  it('loses no event, and every customer’s events first arrive in the order they were written', async () => {
    const org = await createOrg();
    const store = await createStore(org.id);
    const customers = Array.from({ length: CUSTOMERS }, () => randomUUID());
    // Interleaved: each customer's events are spread over the whole outbox, in seq order.
    const rows = [];
    for (let i = 0; i < PER_CUSTOMER; i += 1) {
      for (const customerId of customers) {
        rows.push({
          organization_id: org.id,
          store_id: store.id,
          type: i === 0 ? 'customer.created' : 'customer.updated',
          subject_type: 'customer',
          subject_id: customerId,
          data: JSON.stringify(i === 0 ? {} : { changedFields: ['notes'] }),
        });
      }
    }
    await owner.batchInsert('outbox_events', rows, 1000);
    const written = await owner('outbox_events')
      .where({ organization_id: org.id })
      .orderBy('seq')
      .select('id', 'subject_id');
    expect(written).to.have.lengthOf(TOTAL);

    await registerOutboxRelay(queue);
    const mine = () => consumer.of(org.id);
    for (let kill = 1; kill <= KILLS; kill += 1) {
      const relay = await startRelay(prefix);
      relays.push(relay);
      const threshold = Math.floor((TOTAL * kill) / (KILLS + 2));
      await until(`${threshold} events before kill ${kill}`, () => mine().length >= threshold, FAST);
      // Killed between RabbitMQ's confirms and the commit that marks the batch published.
      const seen = relay.unmarked();
      await until(`a batch confirmed and not yet committed (kill ${kill})`, () => relay.unmarked() > seen, FAST);
      relay.child.kill('SIGKILL');
      await relay.exited;
    }
    const last = await startRelay(prefix);
    relays.push(last);

    const published = async () =>
      Number(
        (await owner('outbox_events').where({ organization_id: org.id }).whereNotNull('published_at').count())[0].count,
      );
    await until('every event published', async () => (await published()) === TOTAL, { ...FAST, timeoutMs: 60_000 });
    const ids = new Set(written.map((r) => r.id));
    await until('every event received', () => new Set(mine().map((m) => m.body.id)).size === TOTAL, FAST);

    const received = mine();
    expect(received.every((m) => ids.has(m.body.id))).to.equal(true);
    // The batches killed after their confirms went out again: at least once, not exactly once.
    expect(received.length, 'events received twice').to.be.above(TOTAL);
    const first = new Map<string, string[]>();
    const seen = new Set<string>();
    for (const m of received) {
      if (seen.has(m.body.id)) continue;
      seen.add(m.body.id);
      first.set(m.body.subject.id, [...(first.get(m.body.subject.id) ?? []), m.body.id]);
    }
    for (const customerId of customers) {
      const order = written.filter((r) => r.subject_id === customerId).map((r) => r.id);
      expect(first.get(customerId), `first arrivals of customer ${customerId}`).to.deep.equal(order);
    }
  });
});
