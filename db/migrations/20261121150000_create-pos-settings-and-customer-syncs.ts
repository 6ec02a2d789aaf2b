import type { Knex } from 'knex';

const ORG = `nullif(current_setting('app.org_id', true), '')::uuid`;
const TABLES = ['pos_settings', 'customer_syncs'];

export async function up(knex: Knex): Promise<void> {
  await knex.schema.createTable('pos_settings', (t) => {
    t.uuid('store_id').primary().references('stores.id').onDelete('CASCADE');
    t.uuid('organization_id').notNullable().references('organizations.id').onDelete('CASCADE').index();
    t.text('provider').notNullable();
    // The credentials' JSON, AES-256-GCM (db/crypto/field-encryption.ts): write-only through the API.
    t.text('credentials_ciphertext').notNullable();
    t.text('base_url');
    t.text('auth_url');
    t.text('sync_schedule').notNullable().defaultTo('0 3 * * *');
    // The largest lastModifiedAt a finished run saw; the next run lists changes from here (less an overlap).
    t.timestamp('sync_watermark', { useTz: true });
    t.integer('version').notNullable().defaultTo(1);
    t.timestamp('created_at', { useTz: true }).notNullable().defaultTo(knex.fn.now());
    t.timestamp('updated_at', { useTz: true }).notNullable().defaultTo(knex.fn.now());
  });
  await knex.raw(`alter table pos_settings add constraint pos_settings_provider_check
    check (provider in ('treez','flowhub','leaflogix','covasoft','blaze'))`);

  await knex.schema.createTable('customer_syncs', (t) => {
    t.uuid('id').primary().defaultTo(knex.raw('gen_random_uuid()'));
    t.uuid('organization_id').notNullable().references('organizations.id').onDelete('CASCADE').index();
    t.uuid('store_id').notNullable().references('stores.id').onDelete('CASCADE');
    t.text('provider').notNullable();
    t.text('trigger').notNullable();
    t.text('status').notNullable().defaultTo('pending');
    t.jsonb('counts')
      .notNullable()
      .defaultTo(knex.raw(`'{"fetched":0,"created":0,"updated":0,"unchanged":0,"merged":0,"failed":0}'::jsonb`));
    t.timestamp('started_at', { useTz: true });
    t.timestamp('finished_at', { useTz: true });
    t.jsonb('error');
    t.jsonb('record_errors').notNullable().defaultTo(knex.raw(`'[]'::jsonb`));
    t.timestamp('created_at', { useTz: true }).notNullable().defaultTo(knex.raw('clock_timestamp()'));
    t.timestamp('updated_at', { useTz: true }).notNullable().defaultTo(knex.fn.now());
  });
  await knex.raw(`alter table customer_syncs
    add constraint customer_syncs_trigger_check check (trigger in ('manual','schedule')),
    add constraint customer_syncs_status_check check (status in ('pending','in_progress','finished','failed'))`);
  // One run per store at a time: a second start finds this one instead of inserting.
  await knex.raw(`create unique index customer_syncs_one_running on customer_syncs (store_id)
    where status in ('pending','in_progress')`);
  await knex.raw(`create index customer_syncs_store_created on customer_syncs (store_id, created_at, id)`);

  for (const table of TABLES) {
    await knex.raw(`alter table ${table} enable row level security`);
    await knex.raw(`alter table ${table} force row level security`);
    await knex.raw(
      `create policy tenant_isolation on ${table} using (organization_id = ${ORG}) with check (organization_id = ${ORG})`,
    );
  }
}

export async function down(knex: Knex): Promise<void> {
  for (const table of [...TABLES].reverse()) await knex.schema.dropTableIfExists(table);
}
