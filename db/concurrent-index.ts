import type { Knex } from 'knex';

/**
 * CREATE INDEX CONCURRENTLY for a migration run without a transaction; `definition` is what follows the
 * name ("on table (columns) [where …]"). An interrupted build leaves an INVALID index that IF NOT EXISTS
 * would keep, so such a leftover is dropped first.
 */
export async function createIndexConcurrently(knex: Knex, name: string, definition: string): Promise<void> {
  const { rows } = await knex.raw(
    `select 1 from pg_index i join pg_class c on c.oid = i.indexrelid where c.relname = ? and not i.indisvalid`,
    [name],
  );
  if (rows.length > 0) await knex.raw(`drop index concurrently if exists ??`, [name]);
  await knex.raw(`create index concurrently if not exists ?? ${definition}`, [name]);
}
