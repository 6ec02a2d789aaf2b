import { randomUUID } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import type { Job } from 'bullmq';
import { expect } from 'chai';
import { config } from '../../config/env.js';
import { createRedis } from '../../config/redis.js';
import { systemActor, type ServiceContext } from '../../db/context.js';
import { createDb } from '../../db/knex.js';
import { toEnvelope } from '../../db/outbox/event-envelope.js';
import type { EventType } from '../../db/outbox/event-types.js';
import { fromRow, writeOutboxEvent } from '../../db/outbox/outbox-repository.js';
import { RelayBatchError, type RelaySinks } from '../../db/outbox/outbox-relay-service.js';
import { withTenant } from '../../db/tenant.js';
import { fanOutToWebhooks } from '../../db/webhooks/webhook-fanout.js';
import { createRabbitMqPublisher, type EventPublisher } from '../../integrations/events/rabbitmq-publisher.js';
import {
  drainOutbox,
  OUTBOX_PRUNE_JOB,
  OUTBOX_RELAY_EVERY_MS,
  OUTBOX_RELAY_JOB,
  outboxRelayProcessor,
  pruneOutbox,
  registerOutboxRelay,
} from '../../jobs/processors/outbox-relay.js';
import { closeQueues, createQueues, type QueuePayloads, type Queues } from '../../jobs/queues.js';
import { createOrg, createStore } from '../support/fixtures.js';
import { consumeEvents, type EventConsumer, type ReceivedEvent } from '../support/rabbitmq-consumer.js';
import { testContext } from '../support/test-context.js';

describe('outbox relay to RabbitMQ and webhooks', function () {
  this.timeout(60_000);
  const { deps, owner } = testContext();
  // The relays get a pool of their own: the burst's writers must not starve them, nor they the writers.
  const relayDb = createDb(config.db.url, 4);
  const redis = createRedis('client');
  const prefix = `{patron-test-relay-${randomUUID().slice(0, 8)}}`;
  let queues: Queues;
  let consumer: EventConsumer;
  const publishers: EventPublisher[] = [];
  let context: ServiceContext;

  const publisher = () => {
    const p = createRabbitMqPublisher({ url: config.events.rabbitmqUrl });
    publishers.push(p);
    return p;
  };
  const sinks = (p: EventPublisher | null = publisher()): RelaySinks => ({ publisher: p, fanOut: fanOutToWebhooks });

  const write = (subjectId: string, type: EventType = 'customer.updated', ctx = context) =>
    withTenant(deps.db, { orgId: ctx.orgId }, (trx) =>
      writeOutboxEvent(trx, ctx, {
        type,
        subject: { type: 'customer', id: subjectId },
        data: type === 'customer.updated' ? { changedFields: ['email'] } : {},
      }),
    );

  const rowOf = async (id: string) => owner('outbox_events').where({ id }).first();
  const withId = (id: string) => (m: ReceivedEvent) => m.properties.messageId === id;

  before(async () => {
    queues = createQueues(redis, prefix);
    consumer = await consumeEvents();
  });

  beforeEach(async () => {
    const org = await createOrg();
    const store = await createStore(org.id);
    context = { orgId: org.id, storeId: store.id, actor: systemActor, requestId: `req-${randomUUID()}` };
  });

  after(async () => {
    await consumer.close();
    for (const p of publishers) await p.close();
    await Promise.all(Object.values(queues).map((q) => q.obliterate({ force: true })));
    await closeQueues(queues);
    redis.disconnect();
    await relayDb.destroy();
  });

  it('delivers a committed event to patron.events as the envelope of API.md and marks it published', async () => {
    const customerId = randomUUID();
    const written = await write(customerId);

    await drainOutbox(relayDb, queues, sinks());
    await consumer.until('the event', (r) => r.some(withId(written.id)));

    const [message] = consumer.received.filter(withId(written.id));
    expect(message.routingKey).to.equal('customer.updated');
    expect(message.body).to.deep.equal(toEnvelope(written));
    expect(message.body.data).to.deep.equal({ changedFields: ['email'] });
    expect(message.properties).to.include({
      messageId: written.id,
      type: 'customer.updated',
      contentType: 'application/json',
      deliveryMode: 2,
      appId: 'patron',
    });
    expect(message.properties.timestamp).to.equal(Math.floor(written.occurredAt.getTime() / 1000));
    expect(message.properties.headers).to.deep.equal({
      organizationId: context.orgId,
      storeId: context.storeId,
      subjectType: 'customer',
      subjectId: customerId,
    });
    const row = await rowOf(written.id);
    expect(row.published_at).to.be.instanceOf(Date);
    expect(row.attempts).to.equal(1);
    expect(row.last_error).to.equal(null);
  });

  it('never delivers an event written in a transaction that rolled back', async () => {
    const customerId = randomUUID();
    let rolledBackId: string | undefined;
    const failed = await withTenant(deps.db, { orgId: context.orgId }, async (trx) => {
      const event = await writeOutboxEvent(trx, context, {
        type: 'customer.created',
        subject: { type: 'customer', id: customerId },
      });
      rolledBackId = event.id;
      throw new Error('the change failed after its event was written');
    }).catch((err: Error) => err.message);
    expect(failed).to.equal('the change failed after its event was written');
    // Written after the rolled-back one, about the same customer: had the first survived, it would go out first.
    const committed = await write(customerId);

    await drainOutbox(relayDb, queues, sinks());
    await consumer.until('the committed event', (r) => r.some(withId(committed.id)));

    const aboutCustomer = consumer.of(context.orgId).filter((m) => m.body.subject.id === customerId);
    expect(aboutCustomer.map((m) => m.properties.messageId)).to.deep.equal([committed.id]);
    expect(consumer.received.some(withId(rolledBackId!))).to.equal(false);
    expect(await owner('outbox_events').where({ subject_id: customerId })).to.have.lengthOf(1);
  });

  it('a burst from concurrent writers reaches RabbitMQ whole and in per-customer order, with two relays at once, one slow', async () => {
    const CUSTOMERS = 40;
    const PER_CUSTOMER = 25;
    const customers = Array.from({ length: CUSTOMERS }, () => randomUUID());
    const types: EventType[] = ['customer.updated', 'customer.tagged', 'customer.note_added'];

    let writing = true;
    // Each customer's events commit one after another (as its row lock would order them); customers interleave.
    const writers = Promise.all(
      customers.map(async (customerId, c) => {
        for (let i = 0; i < PER_CUSTOMER; i += 1) await write(customerId, types[(c + i) % types.length]);
      }),
    ).finally(() => (writing = false));
    // Two relays, each with its own RabbitMQ connection, as two worker processes would be; small batches
    // so they keep claiming beside each other while the writers go on.
    const relay = async (p: EventPublisher) => {
      for (;;) {
        const stillWriting = writing;
        const { published } = await drainOutbox(relayDb, queues, sinks(p), { batchSize: 20 });
        if (!stillWriting && published === 0) return;
      }
    };
    // One of them slow to publish, as a relay on a busy host is: the other claims the rows behind its batch.
    const slow = publisher();
    const slowPublisher: EventPublisher = {
      publish: async (events) => {
        await sleep(30);
        await slow.publish(events);
      },
      close: () => slow.close(),
    };
    await Promise.all([writers, relay(slowPublisher), relay(publisher())]);
    // A relay may stop while the other still holds the last rows; one more pass empties the outbox.
    await drainOutbox(relayDb, queues, sinks());

    const total = CUSTOMERS * PER_CUSTOMER;
    await consumer.until('the whole burst', () => consumer.of(context.orgId).length >= total);
    const rows = await owner('outbox_events').where({ organization_id: context.orgId }).orderBy('seq');
    expect(rows).to.have.lengthOf(total);
    expect(rows.filter((r) => r.published_at === null)).to.deep.equal([]);

    const received = consumer.of(context.orgId);
    // No batch failed, so no event went out twice.
    expect(received).to.have.lengthOf(total);
    expect(new Set(received.map((m) => m.properties.messageId)).size).to.equal(total);
    for (const customerId of customers) {
      const committedOrder = rows.filter((r) => r.subject_id === customerId).map((r) => r.id);
      const arrivalOrder = received.filter((m) => m.body.subject.id === customerId).map((m) => m.body.id);
      expect(arrivalOrder, `order of customer ${customerId}`).to.deep.equal(committedOrder);
    }
    for (const m of received) expect(m.routingKey).to.equal(m.body.type);
  });

  it('while RabbitMQ is down the events stay unpublished with the attempt recorded, then go out with their webhook deliveries', async () => {
    const [webhook] = await owner('webhooks')
      .insert({
        organization_id: context.orgId,
        url: 'https://hooks.example.test/patron',
        event_types: ['*'],
        secret_ciphertext: 'not used by the relay',
      })
      .returning('id');
    const customerId = randomUUID();
    const written = await write(customerId, 'customer.created');
    const down = createRabbitMqPublisher({ url: 'amqp://guest:guest@127.0.0.1:1', connectTimeoutMs: 1000 });
    publishers.push(down);

    const failure = await drainOutbox(relayDb, queues, sinks(down)).catch((err: unknown) => err);
    expect(failure).to.be.instanceOf(RelayBatchError);
    expect((failure as RelayBatchError).eventIds).to.include(written.id);
    let row = await rowOf(written.id);
    expect(row.published_at).to.equal(null);
    expect(row.attempts).to.equal(1);
    expect(row.last_error).to.match(/RabbitMQ/);
    expect(await owner('webhook_deliveries').where({ event_id: written.id })).to.have.lengthOf(0);

    await drainOutbox(relayDb, queues, sinks());
    await consumer.until('the event', (r) => r.some(withId(written.id)));
    row = await rowOf(written.id);
    expect(row.published_at).to.be.instanceOf(Date);
    expect(row.attempts).to.equal(2);
    expect(row.last_error).to.equal(null);
    const deliveries = await owner('webhook_deliveries').where({ event_id: written.id });
    expect(deliveries).to.have.lengthOf(1);
    expect(deliveries[0]).to.include({ webhook_id: webhook.id, organization_id: context.orgId, status: 'pending' });
    expect(deliveries[0].payload).to.deep.equal(toEnvelope(fromRow(row)));
    const job = await queues['webhook-delivery'].getJob(`webhook-delivery.${deliveries[0].id}`);
    expect(job?.data).to.deep.equal({ orgId: context.orgId, deliveryId: deliveries[0].id });

    // Nothing is left to relay: another run sends nothing and creates no second delivery.
    const again = await drainOutbox(relayDb, queues, sinks());
    expect(await owner('webhook_deliveries').where({ event_id: written.id })).to.have.lengthOf(1);
    expect(again.deliveries).to.equal(0);
  });

  it('with RabbitMQ switched off, events still reach the webhooks and are marked published', async () => {
    await owner('webhooks').insert({
      organization_id: context.orgId,
      url: 'https://hooks.example.test/patron',
      event_types: ['customer.deleted'],
      secret_ciphertext: 'not used by the relay',
    });
    const wanted = await write(randomUUID(), 'customer.deleted');
    const other = await write(randomUUID(), 'customer.created');

    await drainOutbox(relayDb, queues, sinks(null));

    expect((await rowOf(wanted.id)).published_at).to.be.instanceOf(Date);
    expect((await rowOf(other.id)).published_at).to.be.instanceOf(Date);
    expect(await owner('webhook_deliveries').where({ event_id: wanted.id })).to.have.lengthOf(1);
    expect(await owner('webhook_deliveries').where({ event_id: other.id })).to.have.lengthOf(0);
  });

  it('a relay tick re-enqueues a webhook delivery whose job was lost, even while RabbitMQ is down', async () => {
    const [webhook] = await owner('webhooks')
      .insert({
        organization_id: context.orgId,
        url: 'https://hooks.example.test/patron',
        event_types: ['*'],
        secret_ciphertext: 'not used by the relay',
      })
      .returning('id');
    const event = await write(randomUUID(), 'customer.created');
    // Committed two minutes ago by a relay that died before enqueueing its job.
    const [delivery] = await owner('webhook_deliveries')
      .insert({
        organization_id: context.orgId,
        webhook_id: webhook.id,
        event_id: randomUUID(),
        event_type: 'customer.created',
        payload: {},
        created_at: owner.raw(`now() - interval '2 minutes'`),
        next_attempt_at: owner.raw(`now() - interval '2 minutes'`),
      })
      .returning('id');
    const down = createRabbitMqPublisher({ url: 'amqp://guest:guest@127.0.0.1:1', connectTimeoutMs: 1000 });
    publishers.push(down);
    const tick = outboxRelayProcessor(relayDb, queues, { publisher: down });

    const failure = await tick({ name: OUTBOX_RELAY_JOB } as Job<QueuePayloads['outbox-dispatch']>).catch((e) => e);

    expect(failure).to.be.instanceOf(RelayBatchError);
    const job = await queues['webhook-delivery'].getJob(`webhook-delivery.${delivery.id}`);
    expect(job?.data).to.deep.equal({ orgId: context.orgId, deliveryId: delivery.id });
    expect((await rowOf(event.id)).published_at).to.equal(null);
  });

  it('prunes published events past the retention period and keeps the rest', async () => {
    const hoursAgo = (h: number) => owner.raw(`now() - make_interval(hours => ?)`, [h]);
    const insert = (publishedAt: unknown, occurredAt: unknown = hoursAgo(300)) =>
      owner('outbox_events')
        .insert({
          organization_id: context.orgId,
          type: 'customer.updated',
          subject_type: 'customer',
          subject_id: randomUUID(),
          occurred_at: occurredAt,
          published_at: publishedAt,
        })
        .returning('id')
        .then(([r]) => r.id as string);
    const old = await insert(hoursAgo(200));
    const recent = await insert(hoursAgo(2));
    const unpublished = await insert(null);

    const pruned = await pruneOutbox(relayDb, 168);

    expect(pruned).to.be.at.least(1);
    const left = await owner('outbox_events').whereIn('id', [old, recent, unpublished]).pluck('id');
    expect(left.sort()).to.deep.equal([recent, unpublished].sort());
  });

  it('registers the relay (every second) and the prune as job schedulers on outbox-dispatch', async () => {
    await registerOutboxRelay(queues['outbox-dispatch']);
    await registerOutboxRelay(queues['outbox-dispatch']);
    const schedulers = await queues['outbox-dispatch'].getJobSchedulers();
    expect(schedulers.map((s) => s.key).sort()).to.deep.equal([OUTBOX_PRUNE_JOB, OUTBOX_RELAY_JOB]);
    expect(schedulers.find((s) => s.key === OUTBOX_RELAY_JOB)?.every).to.equal(OUTBOX_RELAY_EVERY_MS);
  });
});
