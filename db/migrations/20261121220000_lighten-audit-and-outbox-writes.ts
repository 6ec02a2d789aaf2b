import type { Knex } from 'knex';

/**
 * Every customer change writes one audit row and one outbox row, so a million-row import writes two
 * million of each: their per-row cost is most of what an import spends beyond the customer itself.
 * - The organisation and store foreign keys go: both logs are append-only and written with the ids of
 *   the change they record, in its transaction; nothing deletes organisations or stores, and an audit
 *   trail should outlive what it describes rather than cascade away with it. Four key checks per
 *   customer were ~13 µs of the import's ~110 µs per row.
 * - With them go the indexes that only served their cascades (organisation and store on the outbox,
 *   store on the audit log), and the outbox's full (subject, seq) index: the relay's per-subject guard
 *   reads the partial index of unpublished rows (20261121210100), and nothing reads published history
 *   by subject.
 */
const FOREIGN_KEYS = [
  ['audit_log', 'organization_id', 'organizations'],
  ['audit_log', 'store_id', 'stores'],
  ['outbox_events', 'organization_id', 'organizations'],
  ['outbox_events', 'store_id', 'stores'],
] as const;

const INDEXES = [
  ['outbox_events', 'outbox_events_organization_id_index', '(organization_id)'],
  ['outbox_events', 'outbox_events_store_id_index', '(store_id)'],
  ['outbox_events', 'outbox_events_subject_type_subject_id_seq_index', '(subject_type, subject_id, seq)'],
  ['audit_log', 'audit_log_store_id_index', '(store_id)'],
] as const;

export async function up(knex: Knex): Promise<void> {
  for (const [table, column] of FOREIGN_KEYS) {
    await knex.raw(`alter table ?? drop constraint if exists ??`, [table, `${table}_${column}_foreign`]);
  }
  for (const [, index] of INDEXES) await knex.raw(`drop index if exists ??`, [index]);
}

export async function down(knex: Knex): Promise<void> {
  for (const [table, index, columns] of INDEXES) {
    await knex.raw(`create index if not exists ?? on ?? ${columns}`, [index, table]);
  }
  for (const [table, column, parent] of FOREIGN_KEYS) {
    await knex.raw(`alter table ?? add constraint ?? foreign key (??) references ?? (id) on delete cascade`, [
      table,
      `${table}_${column}_foreign`,
      column,
      parent,
    ]);
  }
}
