import type { Knex } from 'knex';

/**
 * A customer row carried fourteen indexes and three key checks; a million-row import pays each of them a
 * million times. Three of those did no work a read needs:
 * - the organisation index only served the cascade of an organisation's deletion: every read of customers
 *   names its store, and the store indexes lead with store_id;
 * - merged_into_id was indexed for every row, though only merged rows have one: a partial index answers
 *   "who was merged into X" the same way and is not written by other rows;
 * - the organisation and store were two key checks, which together still let a customer sit in a store of
 *   another organisation. One composite key to stores (organisation, id) checks both at once, and that too.
 */
export async function up(knex: Knex): Promise<void> {
  await knex.raw(`drop index if exists customers_organization_id_index`);
  await knex.raw(`create index customers_merged_into on customers (merged_into_id) where merged_into_id is not null`);
  await knex.raw(`drop index if exists customers_merged_into_id_index`);

  await knex.raw(`alter table stores add constraint stores_organization_id_id_unique unique (organization_id, id)`);
  await knex.raw(`
    alter table customers add constraint customers_store_of_organization
      foreign key (organization_id, store_id) references stores (organization_id, id) on delete cascade not valid`);
  await knex.raw(`alter table customers validate constraint customers_store_of_organization`);
  await knex.raw(`alter table customers drop constraint customers_organization_id_foreign`);
  await knex.raw(`alter table customers drop constraint customers_store_id_foreign`);
}

export async function down(knex: Knex): Promise<void> {
  await knex.raw(`
    alter table customers add constraint customers_store_id_foreign
      foreign key (store_id) references stores (id) on delete cascade`);
  await knex.raw(`
    alter table customers add constraint customers_organization_id_foreign
      foreign key (organization_id) references organizations (id) on delete cascade`);
  await knex.raw(`alter table customers drop constraint customers_store_of_organization`);
  await knex.raw(`alter table stores drop constraint stores_organization_id_id_unique`);
  await knex.raw(`create index customers_merged_into_id_index on customers (merged_into_id)`);
  await knex.raw(`drop index customers_merged_into`);
  await knex.raw(`create index customers_organization_id_index on customers (organization_id)`);
}
