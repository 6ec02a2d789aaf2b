import type { Knex } from 'knex';

export async function up(knex: Knex): Promise<void> {
  await knex.schema.createTable('audit_log', (t) => {
    t.uuid('id').primary().defaultTo(knex.raw('gen_random_uuid()'));
    t.uuid('organization_id').notNullable().references('organizations.id').onDelete('CASCADE');
    t.uuid('store_id').references('stores.id').onDelete('CASCADE').index();
    t.text('actor_type').notNullable();
    t.uuid('actor_id');
    t.text('action').notNullable();
    t.text('subject_type').notNullable();
    t.uuid('subject_id').notNullable();
    // Field names only: an audit row never holds the personal values that changed.
    t.specificType('changed_fields', 'text[]').notNullable().defaultTo('{}');
    t.text('request_id');
    t.timestamp('created_at', { useTz: true }).notNullable().defaultTo(knex.fn.now());
    t.index(['organization_id', 'subject_type', 'subject_id', 'created_at']);
  });

  await knex.schema.createTable('outbox_events', (t) => {
    t.uuid('id').primary().defaultTo(knex.raw('gen_random_uuid()'));
    // Commit order for the relay; per-subject order follows from it.
    t.bigIncrements('seq', { primaryKey: false }).unique();
    t.uuid('organization_id').notNullable().references('organizations.id').onDelete('CASCADE').index();
    t.uuid('store_id').references('stores.id').onDelete('CASCADE').index();
    t.text('type').notNullable();
    t.integer('version').notNullable().defaultTo(1);
    t.text('subject_type').notNullable();
    t.uuid('subject_id').notNullable();
    t.jsonb('data').notNullable().defaultTo('{}');
    t.text('trace_id');
    t.timestamp('occurred_at', { useTz: true }).notNullable().defaultTo(knex.fn.now());
    t.timestamp('published_at', { useTz: true });
    t.integer('attempts').notNullable().defaultTo(0);
    t.text('last_error');
    t.index(['subject_type', 'subject_id', 'seq']);
  });
  await knex.raw(`create index outbox_events_unpublished on outbox_events (seq) where published_at is null`);
}

export async function down(knex: Knex): Promise<void> {
  await knex.schema.dropTableIfExists('outbox_events');
  await knex.schema.dropTableIfExists('audit_log');
}
