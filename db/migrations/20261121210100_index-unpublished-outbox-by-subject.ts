import type { Knex } from 'knex';
import { createIndexConcurrently } from '../concurrent-index.js';

// CREATE INDEX CONCURRENTLY cannot run inside a transaction.
export const config = { transaction: false };

const INDEX = 'outbox_events_unpublished_subject';

export async function up(knex: Knex): Promise<void> {
  // outbox_claim's per-subject guard asks, for every claimed row, whether an earlier unpublished row of
  // its subject exists; only unpublished rows are indexed, so the answer ignores the published history.
  await createIndexConcurrently(
    knex,
    INDEX,
    'on outbox_events (subject_type, subject_id, seq) where published_at is null',
  );
}

export async function down(knex: Knex): Promise<void> {
  await knex.raw(`drop index concurrently if exists ??`, [INDEX]);
}
