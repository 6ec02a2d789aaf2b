import type { Db, Trx } from '../knex.js';
import type { OutboxEvent } from './event-envelope.js';
import { fromRow, type OutboxRow } from './outbox-repository.js';

// The relay works across organisations, so each act goes through a security-definer function
// (migration 20261121210000): the app role still never reads another tenant's rows directly.

/**
 * Locks and returns up to `limit` unpublished events, oldest first, for the caller's transaction. Rows
 * another relay holds are skipped, and so is any event whose subject has an earlier unpublished event
 * this claim did not get: per-subject order holds however many relays run.
 */
export async function claimUnpublished(trx: Trx, limit: number): Promise<OutboxEvent[]> {
  const { rows } = await trx.raw<{ rows: OutboxRow[] }>('select * from outbox_claim(?)', [limit]);
  return rows.map(fromRow);
}

/** Marks claimed events published (attempts + 1), in the claim's transaction. */
export async function markPublished(trx: Trx, ids: string[]): Promise<number> {
  const { rows } = await trx.raw<{ rows: Array<{ n: number }> }>('select outbox_mark_published(?::uuid[]) as n', [ids]);
  return rows[0].n;
}

/** Counts a failed attempt on events still unpublished, in a transaction of its own (the claim rolled back). */
export async function recordRelayFailure(db: Db, ids: string[], error: string): Promise<number> {
  const { rows } = await db.raw<{ rows: Array<{ n: number }> }>('select outbox_record_failure(?::uuid[], ?) as n', [
    ids,
    error,
  ]);
  return rows[0].n;
}

/** Deletes up to `limit` events published more than `retentionHours` ago; returns how many went. */
export async function prunePublished(db: Db, retentionHours: number, limit: number): Promise<number> {
  const { rows } = await db.raw<{ rows: Array<{ n: number }> }>('select outbox_prune_published(?, ?) as n', [
    retentionHours,
    limit,
  ]);
  return rows[0].n;
}
