// The outbox relay in a process of its own, for the relay-killed test: the real processor on the
// 'outbox-dispatch' queue (REDIS_PREFIX from the parent), real RabbitMQ publisher, small batches, and a
// short lock so a killed process's job is found stalled within seconds. After each batch is confirmed
// by RabbitMQ and before its transaction commits it prints `published-unmarked` and pauses, so the
// parent can kill it exactly where at-least-once delivery is put to the test.
import { Worker } from 'bullmq';
import { setTimeout as sleep } from 'node:timers/promises';
import { config } from '../../config/env.js';
import { createRedis } from '../../config/redis.js';
import { createDb } from '../../db/knex.js';
import { createRabbitMqPublisher, type EventPublisher } from '../../integrations/events/rabbitmq-publisher.js';
import { outboxRelayProcessor } from '../../jobs/processors/outbox-relay.js';
import { createQueues, queuePrefix } from '../../jobs/queues.js';
import { runJob } from '../../jobs/run-job.js';

const pauseMs = Number(process.env.TEST_RELAY_PAUSE_MS ?? 20);
const batchSize = Number(process.env.TEST_RELAY_BATCH ?? 50);

const rabbit = createRabbitMqPublisher({ url: config.events.rabbitmqUrl });
const publisher: EventPublisher = {
  async publish(events) {
    await rabbit.publish(events);
    process.stdout.write('published-unmarked\n');
    await sleep(pauseMs);
  },
  close: () => rabbit.close(),
};

const db = createDb(config.db.url, 4);
const queues = createQueues(createRedis('client'));
const worker = new Worker('outbox-dispatch', runJob(outboxRelayProcessor(db, queues, { publisher, batchSize })), {
  connection: createRedis('worker'),
  prefix: queuePrefix(),
  concurrency: 1,
  lockDuration: 1500,
  stalledInterval: 500,
});
await worker.waitUntilReady();
process.stdout.write('worker-ready\n');
