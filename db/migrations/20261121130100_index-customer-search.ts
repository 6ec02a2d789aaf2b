import type { Knex } from 'knex';

// CREATE INDEX CONCURRENTLY cannot run inside a transaction; knex runs this file without one.
// Each statement is idempotent, so a migration interrupted half way can simply run again.
export const config = { transaction: false };

/**
 * Search indexes, every one led by store_id: a search never leaves its store, and at 50k customers per
 * store the store column must narrow the scan inside the index, not after it.
 * - trigram GIN over the folded full name (btree_gin puts the uuid store_id in the same GIN index):
 *   typo-tolerant and swapped-order name search (`%`, `<%`);
 * - btree text_pattern_ops over the folded first, last and full names: prefix search ("mar" → María)
 *   and the firstName/lastName filters (LIKE 'x%' needs pattern ops under any collation but C).
 * Identifier lookups (email, phone, last 4, blind indexes, birthday) already have btree indexes from
 * the customers migration. fuzzystrmatch provides levenshtein() for ranking candidates.
 */
export const SEARCH_INDEXES: Array<{ name: string; definition: string }> = [
  {
    name: 'customers_search_full_name_trgm',
    definition: 'on customers using gin (store_id, full_name_folded gin_trgm_ops)',
  },
  {
    name: 'customers_search_first_name_prefix',
    definition: 'on customers (store_id, first_name_folded text_pattern_ops)',
  },
  {
    name: 'customers_search_last_name_prefix',
    definition: 'on customers (store_id, last_name_folded text_pattern_ops)',
  },
  {
    name: 'customers_search_full_name_prefix',
    definition: 'on customers (store_id, full_name_folded text_pattern_ops)',
  },
];

async function dropIfInvalid(knex: Knex, name: string): Promise<void> {
  // An interrupted CREATE INDEX CONCURRENTLY leaves an INVALID index that IF NOT EXISTS would keep.
  const { rows } = await knex.raw(
    `select 1 from pg_index i join pg_class c on c.oid = i.indexrelid
      where c.relname = ? and not i.indisvalid`,
    [name],
  );
  if (rows.length > 0) await knex.raw(`drop index concurrently if exists ??`, [name]);
}

export async function up(knex: Knex): Promise<void> {
  await knex.raw('create extension if not exists btree_gin');
  await knex.raw('create extension if not exists fuzzystrmatch');
  for (const index of SEARCH_INDEXES) {
    await dropIfInvalid(knex, index.name);
    await knex.raw(`create index concurrently if not exists ?? ${index.definition}`, [index.name]);
  }
}

export async function down(knex: Knex): Promise<void> {
  for (const index of SEARCH_INDEXES) await knex.raw(`drop index concurrently if exists ??`, [index.name]);
  // The extensions stay: dropping them would break any other object that came to depend on them.
}
