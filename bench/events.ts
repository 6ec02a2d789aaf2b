// bench/events: outbox relay throughput to RabbitMQ. Creates <owner db>_events_bench, fills the outbox
// with N unpublished events (insert…select) spread over S customers of one organisation, binds a consumer
// queue of its own to `patron.events`, then runs the relay in this process exactly as the worker's
// processor does (drainOutbox: claim a batch, publish with confirms, webhook fan-out, mark published,
// commit — batch after batch) and counts arrivals at the consumer. Prints events/s delivered (from the
// relay's start to the last arrival) and checks that every event arrived and every row is published.
//   npm run bench:events [-- --events 100000 --subjects 10000 --batch 1000]  (batch: the relay's default)
import { connect } from 'amqplib';
import { cpus, loadavg } from 'node:os';
import { parseArgs } from 'node:util';
import pg from 'pg';
import { config } from '../config/env.js';
import { createRedis } from '../config/redis.js';
import { createDb } from '../db/knex.js';
import { databaseName, dropDatabase, provisionDatabase, withDatabase } from '../db/provision.js';
import { fanOutToWebhooks } from '../db/webhooks/webhook-fanout.js';
import { createRabbitMqPublisher, EVENTS_EXCHANGE } from '../integrations/events/rabbitmq-publisher.js';
import { drainOutbox, OUTBOX_RELAY_BATCH } from '../jobs/processors/outbox-relay.js';
import { closeQueues, createQueues } from '../jobs/queues.js';

const { values } = parseArgs({
  options: {
    events: { type: 'string', default: '100000' },
    subjects: { type: 'string', default: '10000' },
    batch: { type: 'string', default: String(OUTBOX_RELAY_BATCH) },
  },
});
const EVENTS = Number(values.events);
const SUBJECTS = Number(values.subjects);
const BATCH = Number(values.batch);

const BASE_OWNER = process.env.DATABASE_OWNER_URL ?? 'postgres://postgres@127.0.0.1:5432/patron';
const BASE_APP = process.env.DATABASE_URL ?? 'postgres://patron_app:patron_app@127.0.0.1:5432/patron';
const dbName = `${databaseName(BASE_OWNER)}_events_bench`;
const ownerUrl = withDatabase(BASE_OWNER, dbName);
const appUrl = withDatabase(BASE_APP, dbName);

const log = (line: string) => console.log(line);
const int = (n: number) => Math.round(n).toLocaleString('en');
const load = () =>
  loadavg()
    .map((l) => l.toFixed(1))
    .join(' ');

/** Counts messages of the bench's organisation on an exclusive queue bound to every routing key. */
async function countArrivals(orgId: string, expected: number) {
  const connection = await connect(config.events.rabbitmqUrl);
  const channel = await connection.createChannel();
  await channel.assertExchange(EVENTS_EXCHANGE, 'topic', { durable: true });
  const { queue } = await channel.assertQueue('', { exclusive: true, autoDelete: true });
  await channel.bindQueue(queue, EVENTS_EXCHANGE, '#');
  const ids = new Set<string>();
  let arrivals = 0;
  let resolveAll: (at: number) => void = () => undefined;
  const all = new Promise<number>((resolve) => (resolveAll = resolve));
  await channel.consume(
    queue,
    (message) => {
      // Other runs on this broker may publish too: only the bench's organisation counts.
      if (!message || message.properties.headers?.organizationId !== orgId) return;
      arrivals += 1;
      ids.add(message.properties.messageId as string);
      if (ids.size === expected) resolveAll(performance.now());
    },
    { noAck: true },
  );
  return {
    all,
    counts: () => ({ arrivals, distinct: ids.size }),
    close: async () => {
      await channel.close().catch(() => undefined);
      await connection.close().catch(() => undefined);
    },
  };
}

async function main() {
  log(
    `bench/events on ${cpus().length} CPUs (load average ${load()}); ${int(EVENTS)} outbox events over ${int(SUBJECTS)} customers, batches of ${BATCH}, database ${dbName}, RabbitMQ ${new URL(config.events.rabbitmqUrl).host}`,
  );
  await dropDatabase(ownerUrl);
  await provisionDatabase({ ownerUrl, appUrl });
  const owner = new pg.Client({ connectionString: ownerUrl });
  await owner.connect();
  const org = await owner.query(`insert into organizations (name) values ('Events bench') returning id`);
  const orgId: string = org.rows[0].id;
  const store = await owner.query(
    `insert into stores (organization_id, name, timezone, country, currency)
     values ($1, 'Events bench store', 'America/Los_Angeles', 'US', 'USD') returning id`,
    [orgId],
  );
  const storeId: string = store.rows[0].id;

  let started = performance.now();
  // Customer i % S gets event i: every customer's events are spread over the whole outbox, as live traffic is.
  await owner.query(
    `with subjects as (select n, gen_random_uuid() as id from generate_series(0, $4::int - 1) n)
     insert into outbox_events (organization_id, store_id, type, subject_type, subject_id, data)
     select $1, $2,
            case when g < $4 then 'customer.created' else 'customer.updated' end,
            'customer', s.id,
            case when g < $4 then '{}'::jsonb else '{"changedFields":["email","tags"]}'::jsonb end
       from generate_series(0, $3::int - 1) g join subjects s on s.n = g % $4
      order by g`,
    [orgId, storeId, EVENTS, SUBJECTS],
  );
  await owner.query('analyze outbox_events');
  log(`outbox filled: ${int(EVENTS)} rows in ${((performance.now() - started) / 1000).toFixed(1)} s`);

  const db = createDb(appUrl, 4);
  const redis = createRedis('client');
  const queues = createQueues(redis, `{patron-events-bench}`);
  const publisher = createRabbitMqPublisher({ url: config.events.rabbitmqUrl });
  const consumer = await countArrivals(orgId, EVENTS);
  try {
    log(`\nrelay (in process: drainOutbox with RabbitMQ and the webhook fan-out; load average ${load()})…`);
    started = performance.now();
    const relayed = await drainOutbox(
      db,
      queues,
      { publisher, fanOut: fanOutToWebhooks },
      { batchSize: BATCH, maxRunMs: Number.POSITIVE_INFINITY },
    );
    const relayMs = performance.now() - started;
    const lastArrival = await Promise.race([
      consumer.all,
      new Promise<never>((_, reject) =>
        setTimeout(() => reject(new Error(`arrivals stopped at ${JSON.stringify(consumer.counts())}`)), 60_000),
      ),
    ]);
    const deliveredMs = lastArrival - started;
    const left = await owner.query(`select count(*)::int as n from outbox_events where published_at is null`);
    const { arrivals, distinct } = consumer.counts();
    log(
      `   relay: ${int(relayed.published)} events marked published in ${relayed.batches} batches, ${(relayMs / 1000).toFixed(2)} s = ${int(relayed.published / (relayMs / 1000))} events/s confirmed and committed`,
    );
    log(
      `   consumer: ${int(arrivals)} messages, ${int(distinct)} distinct event ids; ${left.rows[0].n} rows left unpublished`,
    );
    log(
      `   EVENTS/S DELIVERED TO RABBITMQ: ${int(EVENTS)} events in ${(deliveredMs / 1000).toFixed(2)} s = ${int(EVENTS / (deliveredMs / 1000))} events/s (relay start → last arrival at the consumer)`,
    );
    if (distinct !== EVENTS || left.rows[0].n !== 0) throw new Error('not every event was delivered');
  } finally {
    await consumer.close();
    await publisher.close();
    await queues['webhook-delivery'].obliterate({ force: true }).catch(() => undefined);
    await closeQueues(queues);
    redis.disconnect();
    await db.destroy();
    await owner.end();
  }
  log(`\nload average now ${load()}`);
}

main().then(
  () => process.exit(0),
  (err) => {
    console.error(err);
    process.exit(1);
  },
);
