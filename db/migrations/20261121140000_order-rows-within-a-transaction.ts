import type { Knex } from 'knex';

// now() is the transaction's start, so every row one change writes (an audit row and the next, two
// addresses) shared one created_at and their order was arbitrary. clock_timestamp() advances within it.
const COLUMNS: Array<[string, string]> = [
  ['audit_log', 'created_at'],
  ['customer_addresses', 'created_at'],
  ['customer_notes', 'created_at'],
  ['customer_documents', 'created_at'],
  ['customer_tags', 'created_at'],
  ['outbox_events', 'occurred_at'],
];

export async function up(knex: Knex): Promise<void> {
  for (const [table, column] of COLUMNS) {
    await knex.raw(`alter table ${table} alter column ${column} set default clock_timestamp()`);
  }
}

export async function down(knex: Knex): Promise<void> {
  for (const [table, column] of COLUMNS) {
    await knex.raw(`alter table ${table} alter column ${column} set default now()`);
  }
}
