import type { Db, Trx } from '../knex.js';
import type { EventEnvelope } from '../outbox/event-envelope.js';
import type { EventType } from '../outbox/event-types.js';
import { cursorTimestamp, decodeCursor, toPage, type Page } from '../pagination.js';
import type { DeliveryStatus } from './webhook-rules.js';

/** One try at sending a delivery: the receiver's status code or what went wrong, never its body. */
export interface DeliveryAttempt {
  attemptedAt: Date;
  statusCode: number | null;
  error: string | null;
  durationMs: number;
}

/** A delivery as the API shows it, with every attempt oldest first. */
export interface WebhookDelivery {
  id: string;
  webhookId: string;
  eventId: string;
  eventType: EventType;
  status: DeliveryStatus;
  /** When the next attempt is due; null once delivered or failed. */
  nextAttemptAt: Date | null;
  lastStatusCode: number | null;
  lastError: string | null;
  createdAt: Date;
  deliveredAt: Date | null;
  attempts: DeliveryAttempt[];
}

type DeliveryRow = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any

const ATTEMPTS = `coalesce((select json_agg(json_build_object(
      'attemptedAt', a.attempted_at, 'statusCode', a.status_code, 'error', a.error, 'durationMs', a.duration_ms)
      order by a.attempted_at, a.id)
    from webhook_delivery_attempts a
   where a.delivery_id = d.id and a.organization_id = d.organization_id), '[]'::json) as attempt_log`;

const toDelivery = (row: DeliveryRow): WebhookDelivery => ({
  id: row.id,
  webhookId: row.webhook_id,
  eventId: row.event_id,
  eventType: row.event_type,
  status: row.status,
  nextAttemptAt: row.status === 'pending' ? row.next_attempt_at : null,
  lastStatusCode: row.last_status_code,
  lastError: row.last_error,
  createdAt: row.created_at,
  deliveredAt: row.delivered_at,
  attempts: (row.attempt_log as Array<Omit<DeliveryAttempt, 'attemptedAt'> & { attemptedAt: string }>).map((a) => ({
    ...a,
    attemptedAt: new Date(a.attemptedAt),
  })),
});

const DELIVERY_COLUMNS = [
  'd.id',
  'd.webhook_id',
  'd.event_id',
  'd.event_type',
  'd.status',
  'd.next_attempt_at',
  'd.last_status_code',
  'd.last_error',
  'd.created_at',
  'd.delivered_at',
];

/** A webhook's deliveries, newest first. */
export async function listDeliveries(
  trx: Trx,
  orgId: string,
  webhookId: string,
  filter: { limit: number; cursor?: string; status?: DeliveryStatus },
): Promise<Page<WebhookDelivery>> {
  const query = trx('webhook_deliveries as d')
    .select(...DELIVERY_COLUMNS, trx.raw(ATTEMPTS), trx.raw(cursorTimestamp('d.created_at')))
    .where({ 'd.organization_id': orgId, 'd.webhook_id': webhookId })
    .orderBy([
      { column: 'd.created_at', order: 'desc' },
      { column: 'd.id', order: 'desc' },
    ])
    .limit(filter.limit + 1);
  if (filter.status) query.where('d.status', filter.status);
  if (filter.cursor) {
    const [at, id] = decodeCursor(filter.cursor);
    query.whereRaw('(d.created_at, d.id) < (?::timestamptz, ?::uuid)', [at, id]);
  }
  const rows: DeliveryRow[] = await query;
  const { data, nextCursor } = toPage(rows, filter.limit, (r) => [r.cursor_at, r.id]);
  return { data: data.map(toDelivery), nextCursor };
}

export async function findDelivery(
  trx: Trx,
  orgId: string,
  webhookId: string,
  deliveryId: string,
  options: { forUpdate?: boolean } = {},
): Promise<WebhookDelivery | undefined> {
  const query = trx('webhook_deliveries as d')
    .select(...DELIVERY_COLUMNS, trx.raw(ATTEMPTS))
    .where({ 'd.organization_id': orgId, 'd.webhook_id': webhookId, 'd.id': deliveryId })
    .first();
  if (options.forUpdate) query.forUpdate();
  const row: DeliveryRow | undefined = await query;
  return row ? toDelivery(row) : undefined;
}

/** Gives a finished delivery a new run: pending, due now, the retry schedule from its start. Answers when it is due. */
export async function restartDelivery(trx: Trx, orgId: string, deliveryId: string): Promise<Date> {
  const [row] = await trx('webhook_deliveries')
    .where({ organization_id: orgId, id: deliveryId })
    .update({ status: 'pending', attempts: 0, next_attempt_at: trx.fn.now(), updated_at: trx.fn.now() })
    .returning('next_attempt_at');
  return row.next_attempt_at;
}

/** Pending deliveries of a webhook that was deactivated or deleted stop here: set-based, one statement. */
export async function failPendingDeliveries(
  trx: Trx,
  orgId: string,
  webhookId: string,
  reason: string,
): Promise<number> {
  return trx('webhook_deliveries')
    .where({ organization_id: orgId, webhook_id: webhookId, status: 'pending' })
    .update({ status: 'failed', last_error: reason, updated_at: trx.fn.now() });
}

// --- For the delivery job ---

/** What the delivery job needs: the delivery, its webhook's target and encrypted secret. */
export interface DeliveryToSend {
  id: string;
  organizationId: string;
  webhookId: string;
  eventId: string;
  eventType: EventType;
  payload: EventEnvelope;
  status: DeliveryStatus;
  /** Attempts since the delivery was (re)started: the position in the retry schedule. */
  attempts: number;
  nextAttemptAt: Date;
  url: string;
  secretCiphertext: string;
  webhookActive: boolean;
  webhookDeleted: boolean;
}

export async function findDeliveryToSend(
  trx: Trx,
  orgId: string,
  deliveryId: string,
): Promise<DeliveryToSend | undefined> {
  const row = await trx('webhook_deliveries as d')
    .join('webhooks as w', function joinWebhook() {
      this.on('w.id', 'd.webhook_id').andOn('w.organization_id', 'd.organization_id');
    })
    .where({ 'd.organization_id': orgId, 'd.id': deliveryId })
    .first(
      'd.id',
      'd.organization_id',
      'd.webhook_id',
      'd.event_id',
      'd.event_type',
      'd.payload',
      'd.status',
      'd.attempts',
      'd.next_attempt_at',
      'w.url',
      'w.secret_ciphertext',
      'w.active',
      'w.deleted_at',
    );
  if (!row) return undefined;
  return {
    id: row.id,
    organizationId: row.organization_id,
    webhookId: row.webhook_id,
    eventId: row.event_id,
    eventType: row.event_type,
    payload: row.payload,
    status: row.status,
    attempts: row.attempts,
    nextAttemptAt: row.next_attempt_at,
    url: row.url,
    secretCiphertext: row.secret_ciphertext,
    webhookActive: row.active,
    webhookDeleted: row.deleted_at !== null,
  };
}

export interface AttemptRecord {
  /** When the request started. */
  attemptedAt: Date;
  statusCode: number | null;
  error: string | null;
  durationMs: number;
  delivered: boolean;
  /** When to try again; null: no retry left (or delivered). */
  nextAttemptAt: Date | null;
}

/**
 * Records one attempt and moves the delivery on, in one statement: delivered, pending with its next
 * attempt time, or failed. Only a pending delivery moves (a finished one is left as it is); answers the
 * resulting status, or undefined when the delivery was not pending.
 */
export async function recordAttempt(
  trx: Trx,
  orgId: string,
  deliveryId: string,
  attempt: AttemptRecord,
): Promise<DeliveryStatus | undefined> {
  const status: DeliveryStatus = attempt.delivered ? 'delivered' : attempt.nextAttemptAt ? 'pending' : 'failed';
  const [row] = await trx('webhook_deliveries')
    .where({ organization_id: orgId, id: deliveryId, status: 'pending' })
    .update({
      status,
      attempts: trx.raw('attempts + 1'),
      next_attempt_at: attempt.nextAttemptAt ?? trx.raw('next_attempt_at'),
      last_status_code: attempt.statusCode,
      last_error: attempt.error,
      delivered_at: attempt.delivered ? trx.fn.now() : null,
      updated_at: trx.fn.now(),
    })
    .returning('status');
  if (!row) return undefined;
  await trx('webhook_delivery_attempts').insert({
    organization_id: orgId,
    delivery_id: deliveryId,
    attempted_at: attempt.attemptedAt,
    status_code: attempt.statusCode,
    error: attempt.error,
    duration_ms: attempt.durationMs,
  });
  return row.status;
}

/** Pending deliveries due now across organisations, ids only (security-definer function, no tenant). */
export async function listDueDeliveries(db: Db, limit: number): Promise<Array<{ orgId: string; deliveryId: string }>> {
  const { rows } = await db.raw<{ rows: Array<{ organization_id: string; delivery_id: string }> }>(
    'select organization_id, delivery_id from webhook_deliveries_due(?)',
    [limit],
  );
  return rows.map((row) => ({ orgId: row.organization_id, deliveryId: row.delivery_id }));
}
