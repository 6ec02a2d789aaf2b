import { randomBytes } from 'node:crypto';
import type { EventEnvelope } from '../outbox/event-envelope.js';
import { EVENT_TYPES, type EventType } from '../outbox/event-types.js';

/** What a webhook may subscribe to: event types, or `*` for every type (those added later too). */
export const WEBHOOK_EVENT_TYPES = ['*', ...EVENT_TYPES] as const;
export type WebhookEventType = EventType | '*';

export const DELIVERY_STATUSES = ['pending', 'delivered', 'failed'] as const;
export type DeliveryStatus = (typeof DELIVERY_STATUSES)[number];

const SECOND = 1000;
const MINUTE = 60 * SECOND;
const HOUR = 60 * MINUTE;

/** How long a failing delivery is retried, from its first attempt. */
export const WEBHOOK_RETRY_WINDOW_MS = 24 * HOUR;

// Quick retries for a blip, then hours for an outage; the last wait ends the window at 24 h exactly.
const STEPS = [5 * SECOND, MINUTE, 5 * MINUTE, 30 * MINUTE, HOUR, 2 * HOUR, 4 * HOUR, 8 * HOUR];

/**
 * The wait before each retry: `[i]` follows the (i+1)-th failed attempt. Their sum is the retry window,
 * so a receiver down for a whole day still gets the event if it comes back within 24 h.
 */
export const WEBHOOK_RETRY_DELAYS_MS: readonly number[] = Object.freeze([
  ...STEPS,
  WEBHOOK_RETRY_WINDOW_MS - STEPS.reduce((sum, ms) => sum + ms, 0),
]);

/** The wait after `failedAttempts` failures in a row, or null once the schedule is spent (the delivery fails). */
export function retryDelayAfter(
  failedAttempts: number,
  delays: readonly number[] = WEBHOOK_RETRY_DELAYS_MS,
): number | null {
  if (failedAttempts < 1) return 0;
  return delays[failedAttempts - 1] ?? null;
}

/** `*` covers everything, so it stands alone; otherwise each type once, in the order given. */
export function normaliseEventTypes(types: readonly WebhookEventType[]): WebhookEventType[] {
  return types.includes('*') ? ['*'] : [...new Set(types)];
}

/** A signing secret: 32 random bytes, prefixed so it is recognisable when pasted somewhere it should not be. */
export function generateWebhookSecret(): string {
  return `whsec_${randomBytes(32).toString('base64url')}`;
}

/**
 * The envelope of API.md in its documented key order, from the stored jsonb (which reorders keys).
 * Only these keys leave the service.
 */
export function wireEnvelope(stored: EventEnvelope): EventEnvelope {
  return {
    id: stored.id,
    type: stored.type,
    version: stored.version,
    occurredAt: stored.occurredAt,
    organizationId: stored.organizationId,
    storeId: stored.storeId,
    subject: { type: stored.subject.type, id: stored.subject.id },
    data: stored.data,
    traceId: stored.traceId,
  };
}
