import type { Job, Queue } from 'bullmq';
import client from 'prom-client';
import { config } from '../../config/env.js';
import { logger } from '../../config/logger.js';
import { metricsRegistry } from '../../config/metrics.js';
import type { Db } from '../../db/knex.js';
import { prunePublished } from '../../db/outbox/outbox-relay-repository.js';
import { relayOutboxBatch, type RelaySinks } from '../../db/outbox/outbox-relay-service.js';
import { fanOutToWebhooks } from '../../db/webhooks/webhook-fanout.js';
import { createRabbitMqPublisher, type EventPublisher } from '../../integrations/events/rabbitmq-publisher.js';
import { enqueueOptions, type QueuePayloads, type Queues } from '../queues.js';
import { enqueueDueWebhookDeliveries } from './webhook-delivery.js';

/** How often the relay looks at the outbox; each run drains it, so a burst goes out in one run. */
export const OUTBOX_RELAY_EVERY_MS = 1000;
export const OUTBOX_PRUNE_EVERY_MS = 15 * 60 * 1000;
/** Job names on the 'outbox-dispatch' queue: one processor, two schedulers. */
export const OUTBOX_RELAY_JOB = 'outbox-relay';
export const OUTBOX_PRUNE_JOB = 'outbox-prune';

/** Events per relay transaction (bench/events: 1,000 sends about a third more per second than 500). */
export const OUTBOX_RELAY_BATCH = 1000;
// A run hands over after this long so shutdown never waits on a huge backlog; the next tick goes on.
const MAX_RUN_MS = 30_000;
const PRUNE_BATCH = 5000;

const metrics = {
  published: new client.Counter({
    name: 'patron_outbox_events_published_total',
    help: 'Outbox events delivered to every configured sink and marked published',
    registers: [metricsRegistry],
  }),
  failedBatches: new client.Counter({
    name: 'patron_outbox_relay_failed_batches_total',
    help: 'Relay batches rolled back (a sink refused or was down); their events are retried',
    registers: [metricsRegistry],
  }),
  pruned: new client.Counter({
    name: 'patron_outbox_events_pruned_total',
    help: 'Published outbox events deleted after the retention period',
    registers: [metricsRegistry],
  }),
};

/**
 * Upserted by id at boot (one scheduler however many processes register it). A relay run that is
 * still draining when the next tick fires lets another process run alongside: the claim's row locks
 * and per-subject guard keep them from sending one event twice at once or out of order.
 */
export async function registerOutboxRelay(queue: Queue<QueuePayloads['outbox-dispatch']>): Promise<void> {
  await queue.upsertJobScheduler(
    OUTBOX_RELAY_JOB,
    { every: OUTBOX_RELAY_EVERY_MS },
    // One attempt: the next tick, a second later, is the retry (BullMQ's backoff would only pile runs up).
    {
      name: OUTBOX_RELAY_JOB,
      data: {},
      opts: { attempts: 1, removeOnComplete: true, removeOnFail: { count: 100 } },
    },
  );
  await queue.upsertJobScheduler(
    OUTBOX_PRUNE_JOB,
    { every: OUTBOX_PRUNE_EVERY_MS },
    { name: OUTBOX_PRUNE_JOB, data: {} },
  );
}

// One RabbitMQ connection per process, opened at the first publish; closed by RunningWorkers.close().
let processPublisher: EventPublisher | null | undefined;

/** The process's publisher, or null when RabbitMQ is not a sink (EVENTS_RABBITMQ=false). */
function processEventPublisher(): EventPublisher | null {
  if (processPublisher === undefined) {
    processPublisher = config.events.rabbitmq ? createRabbitMqPublisher({ url: config.events.rabbitmqUrl }) : null;
  }
  return processPublisher;
}

export async function closeProcessEventPublisher(): Promise<void> {
  const publisher = processPublisher;
  processPublisher = undefined;
  await publisher?.close();
}

export interface DrainOptions {
  batchSize?: number;
  maxRunMs?: number;
}

export interface DrainResult {
  published: number;
  deliveries: number;
  batches: number;
}

/**
 * Relays batch after batch until the outbox is empty (or the run's time is up), enqueueing each
 * batch's webhook deliveries after its commit. A delivery whose enqueue is lost (Redis down, a crash
 * right after the commit) is still a due row: the webhook sweep finds it.
 */
export async function drainOutbox(
  db: Db,
  queues: Queues,
  sinks: RelaySinks,
  options: DrainOptions = {},
): Promise<DrainResult> {
  const batchSize = options.batchSize ?? OUTBOX_RELAY_BATCH;
  const stopAt = Date.now() + (options.maxRunMs ?? MAX_RUN_MS);
  const result: DrainResult = { published: 0, deliveries: 0, batches: 0 };
  for (;;) {
    let batch;
    try {
      batch = await relayOutboxBatch(db, sinks, batchSize);
    } catch (err) {
      metrics.failedBatches.inc();
      throw err;
    }
    result.batches += 1;
    result.published += batch.published.length;
    metrics.published.inc(batch.published.length);
    if (batch.deliveries.length > 0) {
      // One round trip for the batch's deliveries (a batch of 1,000 events may create thousands).
      await queues['webhook-delivery'].addBulk(
        batch.deliveries.map((data) => ({
          name: 'webhook-delivery',
          data,
          opts: enqueueOptions('webhook-delivery', data),
        })),
      );
    }
    result.deliveries += batch.deliveries.length;
    // A short batch means the outbox is empty, or what is left waits behind another relay's rows.
    if (batch.published.length < batchSize || Date.now() >= stopAt) return result;
  }
}

/** Deletes published events past retention, a batch at a time until none is left. */
export async function pruneOutbox(db: Db, retentionHours = config.events.outboxRetentionHours): Promise<number> {
  let pruned = 0;
  for (;;) {
    const n = await prunePublished(db, retentionHours, PRUNE_BATCH);
    pruned += n;
    metrics.pruned.inc(n);
    if (n < PRUNE_BATCH) return pruned;
  }
}

export interface OutboxRelayOptions extends DrainOptions {
  /** Default: the process's RabbitMQ publisher (null when RabbitMQ is off). */
  publisher?: EventPublisher | null;
}

/**
 * The 'outbox-dispatch' processor. `outbox-relay` runs drain the outbox to RabbitMQ and webhooks;
 * `outbox-prune` runs delete published events older than `config.events.outboxRetentionHours`. A run
 * that fails (RabbitMQ down) leaves its events unpublished with the attempt recorded, and the next
 * tick retries them; nothing is lost and webhooks wait with RabbitMQ.
 */
export function outboxRelayProcessor(db: Db, queues: Queues, options: OutboxRelayOptions = {}) {
  const sinks: RelaySinks = {
    publisher: options.publisher === undefined ? processEventPublisher() : options.publisher,
    fanOut: fanOutToWebhooks,
  };
  return async (job: Job<QueuePayloads['outbox-dispatch']>) => {
    if (job.name === OUTBOX_PRUNE_JOB) {
      const pruned = await pruneOutbox(db);
      if (pruned > 0) logger.info('published outbox events pruned', { pruned });
      return { pruned };
    }
    // Before the drain: deliveries created earlier still get their jobs while RabbitMQ fails the drain.
    const requeued = await enqueueDueWebhookDeliveries(db, queues);
    const result = await drainOutbox(db, queues, sinks, options);
    if (result.published > 0) logger.debug('outbox events relayed', { ...result });
    return { ...result, requeued };
  };
}
