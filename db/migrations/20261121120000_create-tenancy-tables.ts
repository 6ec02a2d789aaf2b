import type { Knex } from 'knex';

export async function up(knex: Knex): Promise<void> {
  await knex.schema.createTable('organizations', (t) => {
    t.uuid('id').primary().defaultTo(knex.raw('gen_random_uuid()'));
    t.text('name').notNullable();
    t.timestamp('created_at', { useTz: true }).notNullable().defaultTo(knex.fn.now());
    t.timestamp('updated_at', { useTz: true }).notNullable().defaultTo(knex.fn.now());
  });

  await knex.schema.createTable('stores', (t) => {
    t.uuid('id').primary().defaultTo(knex.raw('gen_random_uuid()'));
    t.uuid('organization_id').notNullable().references('organizations.id').onDelete('CASCADE').index();
    t.text('name').notNullable();
    t.text('timezone').notNullable();
    t.text('country').notNullable();
    t.text('currency').notNullable();
    t.text('external_account_id');
    t.integer('version').notNullable().defaultTo(1);
    t.timestamp('created_at', { useTz: true }).notNullable().defaultTo(knex.fn.now());
    t.timestamp('updated_at', { useTz: true }).notNullable().defaultTo(knex.fn.now());
  });

  await knex.schema.createTable('users', (t) => {
    t.uuid('id').primary().defaultTo(knex.raw('gen_random_uuid()'));
    // Null only for platform sysadmins, who belong to no organisation.
    t.uuid('organization_id').references('organizations.id').onDelete('CASCADE').index();
    t.text('email').notNullable();
    t.text('password_hash').notNullable();
    t.text('name').notNullable();
    t.text('role').notNullable();
    t.integer('version').notNullable().defaultTo(1);
    t.timestamp('last_login_at', { useTz: true });
    t.timestamp('deleted_at', { useTz: true });
    t.timestamp('created_at', { useTz: true }).notNullable().defaultTo(knex.fn.now());
    t.timestamp('updated_at', { useTz: true }).notNullable().defaultTo(knex.fn.now());
  });
  await knex.raw(
    `alter table users add constraint users_role_check check (role in ('staff','manager','admin','sysadmin'))`,
  );
  await knex.raw(
    `alter table users add constraint users_org_matches_role check ((role = 'sysadmin') = (organization_id is null))`,
  );
  await knex.raw(`create unique index users_email_unique on users (email) where deleted_at is null`);

  await knex.schema.createTable('user_store_access', (t) => {
    t.uuid('organization_id').notNullable().references('organizations.id').onDelete('CASCADE').index();
    t.uuid('user_id').notNullable().references('users.id').onDelete('CASCADE');
    t.uuid('store_id').notNullable().references('stores.id').onDelete('CASCADE').index();
    t.timestamp('created_at', { useTz: true }).notNullable().defaultTo(knex.fn.now());
    t.primary(['user_id', 'store_id']);
  });

  await knex.schema.createTable('api_keys', (t) => {
    t.uuid('id').primary().defaultTo(knex.raw('gen_random_uuid()'));
    t.uuid('organization_id').notNullable().references('organizations.id').onDelete('CASCADE').index();
    t.uuid('store_id').notNullable().references('stores.id').onDelete('CASCADE').index();
    t.text('name').notNullable();
    t.text('prefix').notNullable().unique();
    t.text('key_hash').notNullable();
    t.text('role').notNullable();
    t.uuid('created_by').references('users.id').onDelete('SET NULL').index();
    t.timestamp('last_used_at', { useTz: true });
    t.timestamp('revoked_at', { useTz: true });
    t.timestamp('created_at', { useTz: true }).notNullable().defaultTo(knex.fn.now());
  });
  await knex.raw(`alter table api_keys add constraint api_keys_role_check check (role in ('staff','manager'))`);

  await knex.schema.createTable('refresh_tokens', (t) => {
    t.uuid('id').primary().defaultTo(knex.raw('gen_random_uuid()'));
    t.uuid('organization_id').references('organizations.id').onDelete('CASCADE').index();
    t.uuid('user_id').notNullable().references('users.id').onDelete('CASCADE').index();
    // A session: every token produced by rotating one login shares its family id.
    t.uuid('family_id').notNullable().index();
    t.text('token_hash').notNullable().unique();
    t.uuid('replaced_by').references('refresh_tokens.id').onDelete('SET NULL').index();
    t.timestamp('expires_at', { useTz: true }).notNullable();
    t.timestamp('used_at', { useTz: true });
    t.timestamp('revoked_at', { useTz: true });
    t.timestamp('created_at', { useTz: true }).notNullable().defaultTo(knex.fn.now());
  });
}

export async function down(knex: Knex): Promise<void> {
  for (const table of ['refresh_tokens', 'api_keys', 'user_store_access', 'users', 'stores', 'organizations']) {
    await knex.schema.dropTableIfExists(table);
  }
}
