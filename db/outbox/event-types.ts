/** Every event the service emits (API.md "Events"); a new one is added here first. */
export const EVENT_TYPES = [
  'customer.created',
  'customer.updated',
  'customer.deleted',
  'customer.merged',
  'customer.tagged',
  'customer.note_added',
  'customer.erased',
  'customer.synced',
  'customer.data_fetched',
  'basket.started',
  'order.created',
  'order.paid',
  'order.cancelled',
  'payment.recorded',
  'payment.verified',
  'customer_sync.finished',
  'customer_import.finished',
] as const;

export type EventType = (typeof EVENT_TYPES)[number];

/** What an event is about; consumers order delivery per subject. */
export const SUBJECT_TYPES = ['customer', 'basket', 'order', 'payment', 'customer_sync', 'customer_import'] as const;

export type SubjectType = (typeof SUBJECT_TYPES)[number];

export function isEventType(value: string): value is EventType {
  return (EVENT_TYPES as readonly string[]).includes(value);
}
