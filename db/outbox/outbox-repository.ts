import type { ServiceContext } from '../context.js';
import type { Trx } from '../knex.js';
import { assertNoPersonalData, type EventData, type OutboxEvent } from './event-envelope.js';
import type { EventType, SubjectType } from './event-types.js';

export interface NewEvent {
  type: EventType;
  subject: { type: SubjectType; id: string };
  data?: EventData;
  /** Defaults to the context's store; `null` for an organisation-wide event. */
  storeId?: string | null;
}

/** An outbox_events row as PostgreSQL returns it (outbox_claim returns the same columns). */
export interface OutboxRow {
  id: string;
  seq: number;
  organization_id: string;
  store_id: string | null;
  type: EventType;
  version: number;
  subject_type: SubjectType;
  subject_id: string;
  data: EventData;
  trace_id: string | null;
  occurred_at: Date;
  published_at: Date | null;
  attempts: number;
}

export function fromRow(row: OutboxRow): OutboxEvent {
  return {
    id: row.id,
    seq: row.seq,
    organizationId: row.organization_id,
    storeId: row.store_id,
    type: row.type,
    version: row.version,
    subject: { type: row.subject_type, id: row.subject_id },
    data: row.data,
    traceId: row.trace_id,
    occurredAt: row.occurred_at,
    publishedAt: row.published_at,
    attempts: row.attempts,
  };
}

/**
 * Writes an event in the caller's transaction (never its own), so the event exists exactly when
 * the change does and the relay cannot publish a change that rolled back.
 */
export async function writeOutboxEvent(trx: Trx, ctx: ServiceContext, event: NewEvent): Promise<OutboxEvent> {
  const data = event.data ?? {};
  assertNoPersonalData(data);
  const [row] = await trx('outbox_events')
    .insert({
      organization_id: ctx.orgId,
      store_id: event.storeId === undefined ? (ctx.storeId ?? null) : event.storeId,
      type: event.type,
      subject_type: event.subject.type,
      subject_id: event.subject.id,
      data: JSON.stringify(data),
      trace_id: ctx.requestId ?? null,
    })
    .returning('*');
  return fromRow(row);
}

/** The tenant's oldest events not yet published, in seq order (the relay claims through outbox_claim instead). */
export async function listUnpublished(trx: Trx, limit: number): Promise<OutboxEvent[]> {
  const rows: OutboxRow[] = await trx('outbox_events').whereNull('published_at').orderBy('seq', 'asc').limit(limit);
  return rows.map(fromRow);
}
