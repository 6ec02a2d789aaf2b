import type { Knex } from 'knex';

// CREATE INDEX CONCURRENTLY cannot run inside a transaction.
export const config = { transaction: false };

const INDEX = 'outbox_events_unpublished_subject';

export async function up(knex: Knex): Promise<void> {
  // An interrupted CREATE INDEX CONCURRENTLY leaves an INVALID index that IF NOT EXISTS would keep.
  const { rows } = await knex.raw(
    `select 1 from pg_index i join pg_class c on c.oid = i.indexrelid where c.relname = ? and not i.indisvalid`,
    [INDEX],
  );
  if (rows.length > 0) await knex.raw(`drop index concurrently if exists ??`, [INDEX]);
  // outbox_claim's per-subject guard asks, for every claimed row, whether an earlier unpublished row of
  // its subject exists; only unpublished rows are indexed, so the answer ignores the published history.
  await knex.raw(
    `create index concurrently if not exists ?? on outbox_events (subject_type, subject_id, seq) where published_at is null`,
    [INDEX],
  );
}

export async function down(knex: Knex): Promise<void> {
  await knex.raw(`drop index concurrently if exists ??`, [INDEX]);
}
