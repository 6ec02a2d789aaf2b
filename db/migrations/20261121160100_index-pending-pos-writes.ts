import type { Knex } from 'knex';

// CREATE INDEX CONCURRENTLY cannot run inside a transaction.
export const config = { transaction: false };

const INDEX = 'customers_pos_write_pending';

export async function up(knex: Knex): Promise<void> {
  // An interrupted CREATE INDEX CONCURRENTLY leaves an INVALID index that IF NOT EXISTS would keep.
  const { rows } = await knex.raw(
    `select 1 from pg_index i join pg_class c on c.oid = i.indexrelid where c.relname = ? and not i.indisvalid`,
    [INDEX],
  );
  if (rows.length > 0) await knex.raw(`drop index concurrently if exists ??`, [INDEX]);
  // Pending customers are few at any time: the dispatcher's scan stays small however many customers exist.
  await knex.raw(
    `create index concurrently if not exists ?? on customers (updated_at, id) where pos_sync_status = 'pending'`,
    [INDEX],
  );
}

export async function down(knex: Knex): Promise<void> {
  await knex.raw(`drop index concurrently if exists ??`, [INDEX]);
}
