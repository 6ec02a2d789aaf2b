import type { Knex } from 'knex';

const ORG = `nullif(current_setting('app.org_id', true), '')::uuid`;
const TABLES = [
  'customers',
  'customer_external_refs',
  'customer_addresses',
  'customer_tags',
  'customer_notes',
  'customer_documents',
];

export async function up(knex: Knex): Promise<void> {
  await knex.raw('create extension if not exists pg_trgm');
  await knex.raw('create extension if not exists unaccent');
  // unaccent() is only STABLE (its dictionary could change), so it cannot feed a generated column or an
  // index. Naming the dictionary explicitly makes this wrapper safe to declare IMMUTABLE, the usual idiom.
  await knex.raw(`
    create function patron_fold(value text) returns text
    language sql immutable parallel safe strict as $$
      select lower(public.unaccent('public.unaccent'::regdictionary, value))
    $$`);

  await knex.schema.createTable('customers', (t) => {
    t.uuid('id').primary().defaultTo(knex.raw('gen_random_uuid()'));
    t.uuid('organization_id').notNullable().references('organizations.id').onDelete('CASCADE').index();
    t.uuid('store_id').notNullable().references('stores.id').onDelete('CASCADE');
    t.text('first_name');
    t.text('middle_name');
    t.text('last_name');
    t.date('birthday');
    t.text('email');
    t.text('phone');
    t.text('gender');
    t.text('customer_type').notNullable().defaultTo('recreational');
    // Identity numbers: AES-256-GCM ciphertext (with its key id inside), an HMAC blind index for exact
    // lookups, and the last four characters for masked display.
    t.text('drivers_license_ciphertext');
    t.text('drivers_license_bidx');
    t.text('drivers_license_last4');
    t.text('drivers_license_state');
    t.date('drivers_license_expires_on');
    t.text('medical_card_ciphertext');
    t.text('medical_card_bidx');
    t.text('medical_card_last4');
    t.text('medical_card_state');
    t.date('medical_card_expires_on');
    t.text('status').notNullable().defaultTo('active');
    t.uuid('merged_into_id').references('customers.id').onDelete('SET NULL').index();
    t.jsonb('consents').notNullable().defaultTo('{}');
    t.integer('loyalty_points').notNullable().defaultTo(0);
    t.text('avatar_key');
    t.text('avatar_content_type');
    t.text('pos_sync_status').notNullable().defaultTo('none');
    t.timestamp('pos_updated_at', { useTz: true });
    t.integer('version').notNullable().defaultTo(1);
    t.timestamp('created_at', { useTz: true }).notNullable().defaultTo(knex.fn.now());
    t.timestamp('updated_at', { useTz: true }).notNullable().defaultTo(knex.fn.now());
    t.timestamp('deleted_at', { useTz: true });
    t.timestamp('erased_at', { useTz: true });
  });
  await knex.raw(`
    alter table customers
      add column first_name_folded text generated always as (patron_fold(first_name)) stored,
      add column last_name_folded text generated always as (patron_fold(last_name)) stored,
      add column full_name_folded text generated always as (patron_fold(coalesce(first_name, '') || ' ' || coalesce(last_name, ''))) stored,
      add column phone_last4 text generated always as (right(phone, 4)) stored,
      add constraint customers_status_check check (status in ('active','inactive','merged','deleted','erased')),
      add constraint customers_type_check check (customer_type in ('recreational','medical')),
      add constraint customers_gender_check check (gender is null or gender in ('female','male','other','undisclosed')),
      add constraint customers_pos_sync_check check (pos_sync_status in ('none','pending','synced','failed')),
      add constraint customers_merged_has_target check ((status = 'merged') = (merged_into_id is not null))`);
  await knex.raw(`create index customers_store_created on customers (store_id, created_at, id)`);
  await knex.raw(`create index customers_store_updated on customers (store_id, updated_at, id)`);
  await knex.raw(`create index customers_store_email on customers (store_id, email) where email is not null`);
  await knex.raw(`create index customers_store_phone on customers (store_id, phone) where phone is not null`);
  await knex.raw(
    `create index customers_store_phone_last4 on customers (store_id, phone_last4) where phone is not null`,
  );
  await knex.raw(
    `create index customers_store_dl on customers (store_id, drivers_license_bidx) where drivers_license_bidx is not null`,
  );
  await knex.raw(
    `create index customers_store_mc on customers (store_id, medical_card_bidx) where medical_card_bidx is not null`,
  );
  await knex.raw(`create index customers_store_birthday on customers (store_id, birthday) where birthday is not null`);

  await knex.schema.createTable('customer_external_refs', (t) => {
    t.uuid('id').primary().defaultTo(knex.raw('gen_random_uuid()'));
    t.uuid('organization_id').notNullable().references('organizations.id').onDelete('CASCADE').index();
    t.uuid('store_id').notNullable().references('stores.id').onDelete('CASCADE');
    t.uuid('customer_id').notNullable().references('customers.id').onDelete('CASCADE').index();
    t.text('provider').notNullable();
    t.text('external_id').notNullable();
    t.timestamp('created_at', { useTz: true }).notNullable().defaultTo(knex.fn.now());
    t.unique(['store_id', 'provider', 'external_id']);
  });

  await knex.schema.createTable('customer_addresses', (t) => {
    t.uuid('id').primary().defaultTo(knex.raw('gen_random_uuid()'));
    t.uuid('organization_id').notNullable().references('organizations.id').onDelete('CASCADE').index();
    t.uuid('store_id').notNullable().references('stores.id').onDelete('CASCADE').index();
    t.uuid('customer_id').notNullable().references('customers.id').onDelete('CASCADE').index();
    t.text('type').notNullable();
    t.text('line1').notNullable();
    t.text('line2');
    t.text('city').notNullable();
    t.text('region');
    t.text('postal_code');
    t.text('country').notNullable();
    t.boolean('is_default').notNullable().defaultTo(false);
    t.integer('version').notNullable().defaultTo(1);
    t.timestamp('created_at', { useTz: true }).notNullable().defaultTo(knex.fn.now());
    t.timestamp('updated_at', { useTz: true }).notNullable().defaultTo(knex.fn.now());
  });
  await knex.raw(
    `alter table customer_addresses add constraint customer_addresses_type_check check (type in ('shipping','billing'))`,
  );
  await knex.raw(
    `create unique index customer_addresses_one_default on customer_addresses (customer_id, type) where is_default`,
  );

  await knex.schema.createTable('customer_tags', (t) => {
    t.uuid('id').primary().defaultTo(knex.raw('gen_random_uuid()'));
    t.uuid('organization_id').notNullable().references('organizations.id').onDelete('CASCADE').index();
    t.uuid('store_id').notNullable().references('stores.id').onDelete('CASCADE');
    t.uuid('customer_id').notNullable().references('customers.id').onDelete('CASCADE');
    t.text('label').notNullable();
    t.uuid('created_by');
    t.timestamp('created_at', { useTz: true }).notNullable().defaultTo(knex.fn.now());
  });
  await knex.raw(`create unique index customer_tags_unique_label on customer_tags (customer_id, lower(label))`);
  await knex.raw(`create index customer_tags_store_label on customer_tags (store_id, lower(label))`);

  await knex.schema.createTable('customer_notes', (t) => {
    t.uuid('id').primary().defaultTo(knex.raw('gen_random_uuid()'));
    t.uuid('organization_id').notNullable().references('organizations.id').onDelete('CASCADE').index();
    t.uuid('store_id').notNullable().references('stores.id').onDelete('CASCADE').index();
    t.uuid('customer_id').notNullable().references('customers.id').onDelete('CASCADE').index();
    t.text('content').notNullable();
    t.uuid('author_id');
    t.timestamp('created_at', { useTz: true }).notNullable().defaultTo(knex.fn.now());
  });
  await knex.raw(
    `alter table customer_notes add constraint customer_notes_length check (char_length(content) between 1 and 500)`,
  );

  await knex.schema.createTable('customer_documents', (t) => {
    t.uuid('id').primary().defaultTo(knex.raw('gen_random_uuid()'));
    t.uuid('organization_id').notNullable().references('organizations.id').onDelete('CASCADE').index();
    t.uuid('store_id').notNullable().references('stores.id').onDelete('CASCADE');
    t.uuid('customer_id').notNullable().references('customers.id').onDelete('CASCADE').index();
    t.text('type').notNullable();
    t.text('number_ciphertext');
    t.text('number_bidx');
    t.text('number_last4');
    t.text('issuing_region');
    t.date('expires_on');
    t.text('file_key');
    t.text('file_content_type');
    t.timestamp('created_at', { useTz: true }).notNullable().defaultTo(knex.fn.now());
  });
  await knex.raw(
    `create index customer_documents_store_bidx on customer_documents (store_id, number_bidx) where number_bidx is not null`,
  );

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
  await knex.raw('drop function if exists patron_fold(text)');
}
