import type { EventPublisher } from '../../integrations/events/rabbitmq-publisher.js';
import type { Db, Trx } from '../knex.js';
import { tenantStatement } from '../tenant.js';
import { toEnvelope, type EventEnvelope } from './event-envelope.js';
import { claimUnpublished, markPublished, recordRelayFailure } from './outbox-relay-repository.js';

/** A webhook delivery created in the relay's transaction, to be enqueued once it commits. */
export interface CreatedDelivery {
  orgId: string;
  deliveryId: string;
}

/** Turns one organisation's events into webhook deliveries, in the given transaction (tenant set). */
export type WebhookFanOut = (trx: Trx, orgId: string, events: EventEnvelope[]) => Promise<CreatedDelivery[]>;

export interface RelaySinks {
  /** RabbitMQ; null when `config.events.rabbitmq` is off. */
  publisher: EventPublisher | null;
  /** Webhooks: fanOutToWebhooks. */
  fanOut: WebhookFanOut;
}

export interface RelayBatch {
  /** Events claimed and delivered to every sink, in the order they went out. */
  published: EventEnvelope[];
  /** Deliveries the webhook fan-out created, for the caller to enqueue after the commit. */
  deliveries: CreatedDelivery[];
}

export class RelayBatchError extends Error {
  constructor(
    message: string,
    readonly eventIds: string[],
    cause: unknown,
  ) {
    super(message, { cause });
    this.name = 'RelayBatchError';
  }
}

function byOrganisation(events: EventEnvelope[]): Map<string, EventEnvelope[]> {
  const groups = new Map<string, EventEnvelope[]>();
  for (const event of events) {
    const group = groups.get(event.organizationId);
    if (group) group.push(event);
    else groups.set(event.organizationId, [event]);
  }
  return groups;
}

/**
 * Delivers one batch of the outbox at least once to every sink, in one transaction: claim the oldest
 * unpublished events (locked, per-subject order kept), publish them to RabbitMQ and wait for the
 * broker's confirms, turn them into webhook deliveries per organisation, mark them published, commit.
 * If anything fails the transaction rolls back — no delivery row, nothing marked — and the events stay
 * for a later batch; a process that dies mid-batch leaves the same state (the broker may already hold
 * some of them: consumers drop duplicates by message id). Webhook deliveries are rows created in the
 * same commit, so they are neither lost nor doubled whatever RabbitMQ does.
 */
export async function relayOutboxBatch(db: Db, sinks: RelaySinks, limit: number): Promise<RelayBatch> {
  let claimed: string[] = [];
  try {
    return await db.transaction(async (trx) => {
      const events = (await claimUnpublished(trx, limit)).map(toEnvelope);
      claimed = events.map((e) => e.id);
      if (events.length === 0) return { published: [], deliveries: [] };
      if (sinks.publisher) await sinks.publisher.publish(events);
      const deliveries: CreatedDelivery[] = [];
      for (const [orgId, group] of byOrganisation(events)) {
        // set_config(…, true) again: each group's inserts run under its own organisation's policy.
        await trx.raw(tenantStatement({ orgId }));
        deliveries.push(...(await sinks.fanOut(trx, orgId, group)));
      }
      await markPublished(trx, claimed);
      return { published: events, deliveries };
    });
  } catch (err) {
    const message = err instanceof Error ? err.message : String(err);
    if (claimed.length > 0) {
      // The claim rolled back; the attempt is counted on its own so an operator sees stuck events.
      await recordRelayFailure(db, claimed, message).catch(() => undefined);
    }
    throw new RelayBatchError(`outbox relay batch failed: ${message}`, claimed, err);
  }
}
