import { DelayedError, type Job, type Queue } from 'bullmq';
import { config } from '../../config/env.js';
import { logger } from '../../config/logger.js';
import type { Db } from '../../db/knex.js';
import {
  abandonWebhookDeliveries,
  listDueWebhookDeliveries,
  loadWebhookDelivery,
  recordWebhookAttempt,
  type DeliveryWithSecret,
} from '../../db/webhooks/webhook-delivery-service.js';
import { retryDelayAfter, WEBHOOK_RETRY_DELAYS_MS, wireEnvelope } from '../../db/webhooks/webhook-rules.js';
import { postWebhook, type WebhookAttemptOutcome } from '../../integrations/events/webhook-sender.js';
import { signatureHeader, SIGNATURE_HEADER } from '../../integrations/events/webhook-signature.js';
import {
  checkWebhookUrl,
  resolveWebhookTarget,
  type AddressLookup,
  type WebhookTargetOptions,
} from '../../integrations/events/webhook-url-guard.js';
import { enqueueOptions, type QueuePayloads, type Queues } from '../queues.js';

type DeliveryJob = QueuePayloads['webhook-delivery'];

export interface WebhookDeliveryOptions {
  /** Defaults to config.webhooks.allowPrivateTargets (development only). */
  allowPrivateTargets?: boolean;
  /** Injected in tests (a nock-ed host name answering a public address); defaults to the system resolver. */
  lookup?: AddressLookup;
  /** Waits between attempts (default WEBHOOK_RETRY_DELAYS_MS, 24 h in all); tests pass zeros. */
  retryDelaysMs?: readonly number[];
  /** Per attempt, connection to last byte of the headers. */
  timeoutMs?: number;
}

const DEFAULT_TIMEOUT_MS = 10_000;

async function attempt(
  delivery: DeliveryWithSecret,
  options: WebhookTargetOptions & { timeoutMs: number },
): Promise<WebhookAttemptOutcome> {
  // Checked again at send time: the URL's rules, and where its name points now (DNS rebinding).
  const check = checkWebhookUrl(delivery.url, options);
  if (!check.ok) return { delivered: false, statusCode: null, error: `URL ${check.reason}`, durationMs: 0 };
  const target = await resolveWebhookTarget(check.url, options);
  if (!target.ok) return { delivered: false, statusCode: null, error: target.reason, durationMs: 0 };

  const body = JSON.stringify(wireEnvelope(delivery.payload));
  const timestamp = Math.floor(Date.now() / 1000);
  return postWebhook({
    url: delivery.url,
    body,
    addresses: target.addresses,
    timeoutMs: options.timeoutMs,
    headers: {
      'Content-Type': 'application/json',
      'User-Agent': 'Patron-Webhooks/1',
      'Patron-Event-Id': delivery.eventId,
      'Patron-Event-Type': delivery.eventType,
      'Patron-Delivery-Id': delivery.id,
      'Patron-Timestamp': String(timestamp),
      [SIGNATURE_HEADER]: signatureHeader(delivery.secret, timestamp, body),
    },
  });
}

/** Puts the running job back to sleep until `at`; BullMQ then runs it again (same job id, no attempt used). */
async function sleepUntil(job: Job<DeliveryJob>, token: string | undefined, at: Date): Promise<never> {
  await job.moveToDelayed(at.getTime(), token);
  throw new DelayedError();
}

/**
 * Sends one webhook delivery, one attempt per run. A 2xx marks it delivered. Anything else is recorded
 * as an attempt (status code or what went wrong, never the response body) and the same job sleeps
 * until the next attempt of the retry schedule (BullMQ's moveToDelayed), so one job carries a delivery
 * from its first attempt to its last, 24 h later, and its next_attempt_at in the database says when.
 * A delivery already finished, or whose webhook was deactivated or deleted, is not sent. Logs carry
 * ids and status codes only: never the URL, the body or the secret.
 */
export function webhookDeliveryProcessor(db: Db, options: WebhookDeliveryOptions = {}) {
  const settings = {
    allowPrivateTargets: options.allowPrivateTargets ?? config.webhooks.allowPrivateTargets,
    timeoutMs: options.timeoutMs ?? DEFAULT_TIMEOUT_MS,
    lookup: options.lookup,
  };
  const delays = options.retryDelaysMs ?? WEBHOOK_RETRY_DELAYS_MS;

  return async (job: Job<DeliveryJob>, token?: string) => {
    const { orgId, deliveryId } = job.data;
    const delivery = await loadWebhookDelivery(db, orgId, deliveryId);
    if (!delivery) return { deliveryId, skipped: 'not found' };
    if (delivery.status !== 'pending') return { deliveryId, skipped: delivery.status };
    if (!delivery.webhookActive || delivery.webhookDeleted) {
      const reason = delivery.webhookDeleted ? 'webhook was deleted' : 'webhook was deactivated';
      await abandonWebhookDeliveries(db, orgId, delivery.webhookId, reason);
      return { deliveryId, skipped: reason };
    }
    // Enqueued again before its time (the sweeper, a second relay hand-over): wait for the schedule.
    if (delivery.nextAttemptAt.getTime() > Date.now()) return sleepUntil(job, token, delivery.nextAttemptAt);

    const attemptedAt = new Date();
    const outcome = await attempt(delivery, settings);
    const wait = outcome.delivered ? null : retryDelayAfter(delivery.attempts + 1, delays);
    const nextAttemptAt = wait === null ? null : new Date(Date.now() + wait);
    const status = await recordWebhookAttempt(db, orgId, deliveryId, { ...outcome, attemptedAt, nextAttemptAt });
    const meta = {
      deliveryId,
      webhookId: delivery.webhookId,
      eventType: delivery.eventType,
      attempt: delivery.attempts + 1,
      statusCode: outcome.statusCode,
    };
    if (status === 'delivered') logger.info('webhook delivered', meta);
    else if (status === 'failed') logger.warn('webhook delivery failed for good', { ...meta, error: outcome.error });
    else if (status === 'pending') logger.info('webhook attempt failed; retrying', { ...meta, error: outcome.error });
    if (status === 'pending' && nextAttemptAt) return sleepUntil(job, token, nextAttemptAt);
    return { deliveryId, status: status ?? 'not pending', statusCode: outcome.statusCode };
  };
}

const ACTIVE_STATES = new Set(['waiting', 'delayed', 'active', 'prioritized', 'waiting-children']);

/** A job that failed (its own retries spent: the database away, a bug) comes back after this, not at once. */
export const FAILED_JOB_REQUEUE_DELAY_MS = 60_000;

/**
 * Enqueues a delivery's job unless one is already on its way. The job id is the delivery's, and BullMQ
 * keeps finished jobs a while under that id (a re-add would be a no-op), so a finished one — a retried
 * delivery, or a job that failed while the database was away — is removed first; after a failed job the
 * new one waits FAILED_JOB_REQUEUE_DELAY_MS, so a delivery that keeps failing the job is not spun every
 * tick. Answers whether a job was added.
 */
export async function requeueWebhookDelivery(queue: Queue<DeliveryJob>, data: DeliveryJob): Promise<boolean> {
  const id = enqueueOptions('webhook-delivery', data).jobId!;
  const state = await queue.getJobState(id);
  if (ACTIVE_STATES.has(state)) return false;
  if (state === 'completed' || state === 'failed') await queue.remove(id);
  const delay = state === 'failed' ? FAILED_JOB_REQUEUE_DELAY_MS : 0;
  await queue.add('webhook-delivery' as never, data as never, enqueueOptions('webhook-delivery', data, { delay }));
  return true;
}

/** Deliveries looked at per call; a larger backlog is taken on the next calls, most overdue first. */
const SWEEP_BATCH = 500;
const SWEEP_PARALLEL = 50;

/**
 * Re-enqueues pending deliveries whose job may have been lost: the relay died between its commit and its
 * enqueue, Redis lost data, or the job failed while the database was away. Only deliveries due now and
 * older than a minute are considered (the relay enqueues fresh ones itself), across organisations through
 * the security-definer `webhook_deliveries_due`. Deliveries whose job is still queued are left alone, so
 * it is safe to call on every relay tick. Answers how many jobs it added.
 */
export async function enqueueDueWebhookDeliveries(db: Db, queues: Queues): Promise<number> {
  const due = await listDueWebhookDeliveries(db, SWEEP_BATCH);
  let enqueued = 0;
  for (let i = 0; i < due.length; i += SWEEP_PARALLEL) {
    const added = await Promise.all(
      due.slice(i, i + SWEEP_PARALLEL).map((d) => requeueWebhookDelivery(queues['webhook-delivery'], d)),
    );
    enqueued += added.filter(Boolean).length;
  }
  if (enqueued > 0) logger.warn('webhook deliveries re-enqueued (their job was missing)', { count: enqueued });
  return enqueued;
}
