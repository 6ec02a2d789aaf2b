import type { Trx } from '../knex.js';
import type { EventEnvelope } from '../outbox/event-envelope.js';

/**
 * Turns events into webhook deliveries, in the relay's transaction (the tenant already set to `orgId`):
 * one delivery per active webhook of the organisation whose types include the event's (or `*`) and whose
 * store filter, if any, is the event's store. One statement however many events and webhooks, so a
 * relay pushing a large backlog pays one round trip per batch. A delivery is unique per webhook and
 * event, so handing the same event over again (the relay delivers at least once) creates nothing; only
 * the deliveries created now are returned, each to be enqueued as a `webhook-delivery` job after commit.
 */
export async function fanOutToWebhooks(
  trx: Trx,
  orgId: string,
  events: EventEnvelope[],
): Promise<Array<{ orgId: string; deliveryId: string }>> {
  if (events.length === 0) return [];
  const { rows } = await trx.raw<{ rows: Array<{ organization_id: string; id: string }> }>(
    `insert into webhook_deliveries (organization_id, webhook_id, event_id, event_type, payload)
     select w.organization_id, w.id, e.id, e.type, x.envelope
       from jsonb_array_elements(cast(? as jsonb)) with ordinality as x(envelope, n)
      cross join lateral (select (x.envelope->>'id')::uuid as id,
                                 x.envelope->>'type' as type,
                                 (x.envelope->>'organizationId')::uuid as organization_id,
                                 (x.envelope->>'storeId')::uuid as store_id) e
       join webhooks w
         on w.organization_id = cast(? as uuid)
        and w.organization_id = e.organization_id
        and w.active and w.deleted_at is null
        and (e.type = any(w.event_types) or '*' = any(w.event_types))
        and (w.store_id is null or w.store_id = e.store_id)
      order by x.n, w.id
     on conflict (webhook_id, event_id) do nothing
     returning organization_id, id`,
    [JSON.stringify(events), orgId],
  );
  return rows.map((row) => ({ orgId: row.organization_id, deliveryId: row.id }));
}
