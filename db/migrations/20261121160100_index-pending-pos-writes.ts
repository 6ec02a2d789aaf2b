import type { Knex } from 'knex';
import { createIndexConcurrently } from '../concurrent-index.js';

// CREATE INDEX CONCURRENTLY cannot run inside a transaction.
export const config = { transaction: false };

const INDEX = 'customers_pos_write_pending';

export async function up(knex: Knex): Promise<void> {
  // Pending customers are few at any time: the dispatcher's scan stays small however many customers exist.
  await createIndexConcurrently(knex, INDEX, `on customers (updated_at, id) where pos_sync_status = 'pending'`);
}

export async function down(knex: Knex): Promise<void> {
  await knex.raw(`drop index concurrently if exists ??`, [INDEX]);
}
