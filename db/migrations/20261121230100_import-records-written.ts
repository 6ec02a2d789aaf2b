import type { Knex } from 'knex';

/**
 * An import's batches are written two at a time, so they may commit out of file order: a single
 * "rows done" count no longer says which records a resumed job can skip. Each batch now adds the records
 * it wrote to `records_written` (1-based record numbers, a multirange that merges adjacent batches), in
 * its own transaction. Imports under way keep their checkpoint: their first `rows_done` records.
 */
export async function up(knex: Knex): Promise<void> {
  await knex.raw(`alter table customer_imports add column records_written int4multirange not null default '{}'`);
  await knex.raw(
    `update customer_imports set records_written = int4multirange(int4range(1, rows_done + 1)) where rows_done > 0`,
  );
}

export async function down(knex: Knex): Promise<void> {
  await knex.raw(`alter table customer_imports drop column records_written`);
}
