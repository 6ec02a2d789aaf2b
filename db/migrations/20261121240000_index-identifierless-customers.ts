import type { Knex } from 'knex';
import { createIndexConcurrently } from '../concurrent-index.js';

// CREATE INDEX CONCURRENTLY cannot run inside a transaction; knex runs this file without one.
export const config = { transaction: false };

/**
 * An import row with no identifier (no external id, licence, card, email or phone) matches a customer
 * who has none either, by folded names and birthday. No index served that lookup, so at a million
 * customers in a store each such row read every customer with the same first name. This partial index
 * holds only customers without identifiers, so other rows never write it.
 */
export async function up(knex: Knex): Promise<void> {
  await createIndexConcurrently(
    knex,
    'customers_identifierless_names',
    `on customers (store_id, last_name_folded, first_name_folded)
     where email is null and phone is null and drivers_license_bidx is null and medical_card_bidx is null`,
  );
}

export async function down(knex: Knex): Promise<void> {
  await knex.raw(`drop index concurrently if exists customers_identifierless_names`);
}
