import type { Knex } from 'knex';
import { createIndexConcurrently } from '../concurrent-index.js';

// CREATE INDEX CONCURRENTLY cannot run inside a transaction; knex runs this file without one.
// Each statement is idempotent, so a migration interrupted half way can simply run again.
export const config = { transaction: false };

/**
 * Search indexes, every one led by store_id: a search never leaves its store.
 * - first and last name, folded, as btree text_pattern_ops (LIKE 'x%' needs pattern ops under any
 *   collation but C), each carrying the other name, the organisation, status and id: a name search's
 *   candidates ("every first or last name starting with a word of the query") and their scoring come
 *   from index-only scans, with no heap read per candidate. They also serve the firstName/lastName
 *   filters. Measured at 50k customers a store (bench/search), the heap reads of trigram candidates for
 *   a common name cost several times the whole index-only search.
 * - trigram GIN over the folded full name, with store_id in the same index (btree_gin): the wide tier,
 *   for typos in every word (through patron_customer_name_trigram, below). A GiST (store_id, name
 *   gist_trgm_ops) index was measured too: for a common name its scan walks most of the store's subtree
 *   and was not faster than GIN's.
 * Identifier lookups (email, phone, last 4, blind indexes, birthday) use the btree indexes of the
 * customers migration. fuzzystrmatch provides levenshtein() for ranking.
 */
export const SEARCH_INDEXES: Array<{ name: string; definition: string }> = [
  {
    name: 'customers_search_first_name',
    definition: `on customers (store_id, first_name_folded text_pattern_ops)
                  include (last_name_folded, organization_id, status, id)`,
  },
  {
    name: 'customers_search_last_name',
    definition: `on customers (store_id, last_name_folded text_pattern_ops)
                  include (first_name_folded, organization_id, status, id)`,
  },
  {
    name: 'customers_search_full_name_trgm',
    definition: 'on customers using gin (store_id, full_name_folded gin_trgm_ops)',
  },
];

/**
 * pg_trgm's operators are not leakproof, and under row-level security PostgreSQL will not use an index
 * for a non-leakproof condition (it must not run before the policy has hidden other tenants' rows), so
 * the application role's `%` would scan the whole store. This function runs the trigram match as the
 * migration owner, who bypasses row-level security, and applies the policy itself: the tenant comes from
 * app.org_id exactly as the policy reads it, so it never returns a row the caller could not select. It
 * returns ids and folded names only. The thresholds are the caller's (pg_trgm.*_threshold).
 */
const TRIGRAM_FUNCTION = `
create or replace function patron_customer_name_trigram(p_store_id uuid, p_statuses text[], p_query text, p_single_word boolean)
returns table (id uuid, first_name_folded text, last_name_folded text)
language plpgsql stable security definer rows 200 set search_path = public, pg_temp as $$
begin
  if p_single_word then
    return query
      select c.id, c.first_name_folded, c.last_name_folded from customers c
       where c.organization_id = nullif(current_setting('app.org_id', true), '')::uuid
         and c.store_id = p_store_id and c.status = any(p_statuses)
         and (c.full_name_folded % patron_fold(p_query) or c.full_name_folded %> patron_fold(p_query));
  else
    return query
      select c.id, c.first_name_folded, c.last_name_folded from customers c
       where c.organization_id = nullif(current_setting('app.org_id', true), '')::uuid
         and c.store_id = p_store_id and c.status = any(p_statuses)
         and c.full_name_folded % patron_fold(p_query);
  end if;
end $$`;

export async function up(knex: Knex): Promise<void> {
  await knex.raw('create extension if not exists btree_gin');
  await knex.raw('create extension if not exists fuzzystrmatch');
  for (const index of SEARCH_INDEXES) await createIndexConcurrently(knex, index.name, index.definition);
  await knex.raw(TRIGRAM_FUNCTION);
}

export async function down(knex: Knex): Promise<void> {
  await knex.raw('drop function if exists patron_customer_name_trigram(uuid, text[], text, boolean)');
  for (const index of SEARCH_INDEXES) await knex.raw(`drop index concurrently if exists ??`, [index.name]);
  // The extensions stay: dropping them would break any other object that came to depend on them.
}
