import type { Knex } from 'knex';

const ORG = `nullif(current_setting('app.org_id', true), '')::uuid`;
const TABLES = ['webhooks', 'webhook_deliveries', 'webhook_delivery_attempts'];

export async function up(knex: Knex): Promise<void> {
  await knex.schema.createTable('webhooks', (t) => {
    t.uuid('id').primary().defaultTo(knex.raw('gen_random_uuid()'));
    t.uuid('organization_id').notNullable().references('organizations.id').onDelete('CASCADE');
    // Only events of this store; null: every event of the organisation.
    t.uuid('store_id').references('stores.id').onDelete('CASCADE').index();
    t.text('url').notNullable();
    // EventType values, or '*' alone for every type (those added later too).
    t.specificType('event_types', 'text[]').notNullable();
    // The signing secret, AES-256-GCM (db/crypto/field-encryption.ts): shown once, at creation.
    t.text('secret_ciphertext').notNullable();
    t.text('description');
    t.boolean('active').notNullable().defaultTo(true);
    t.integer('version').notNullable().defaultTo(1);
    t.uuid('created_by');
    t.timestamp('created_at', { useTz: true }).notNullable().defaultTo(knex.raw('clock_timestamp()'));
    t.timestamp('updated_at', { useTz: true }).notNullable().defaultTo(knex.fn.now());
    t.timestamp('deleted_at', { useTz: true });
  });
  await knex.raw(`alter table webhooks add constraint webhooks_event_types_check check (cardinality(event_types) > 0)`);
  // The list's keyset, and the fan-out's "active webhooks of this organisation".
  await knex.raw(`create index webhooks_org_created on webhooks (organization_id, created_at, id)`);

  await knex.schema.createTable('webhook_deliveries', (t) => {
    t.uuid('id').primary().defaultTo(knex.raw('gen_random_uuid()'));
    t.uuid('organization_id').notNullable().references('organizations.id').onDelete('CASCADE').index();
    t.uuid('webhook_id').notNullable().references('webhooks.id').onDelete('CASCADE');
    t.uuid('event_id').notNullable();
    t.text('event_type').notNullable();
    // The envelope exactly as sent (API.md "Events"): ids and changed field names, no personal data.
    t.jsonb('payload').notNullable();
    t.text('status').notNullable().defaultTo('pending');
    t.integer('attempts').notNullable().defaultTo(0);
    t.timestamp('next_attempt_at', { useTz: true }).notNullable().defaultTo(knex.fn.now());
    t.integer('last_status_code');
    t.text('last_error');
    t.timestamp('created_at', { useTz: true }).notNullable().defaultTo(knex.raw('clock_timestamp()'));
    t.timestamp('updated_at', { useTz: true }).notNullable().defaultTo(knex.fn.now());
    t.timestamp('delivered_at', { useTz: true });
  });
  await knex.raw(`alter table webhook_deliveries
    add constraint webhook_deliveries_status_check check (status in ('pending','delivered','failed'))`);
  // One delivery per webhook and event, however often the relay hands the event over (at least once).
  // Its leading column also serves the webhook_id foreign key.
  await knex.raw(`alter table webhook_deliveries
    add constraint webhook_deliveries_webhook_event_unique unique (webhook_id, event_id)`);
  await knex.raw(`create index webhook_deliveries_webhook_created on webhook_deliveries (webhook_id, created_at, id)`);
  // The sweeper's scan for deliveries whose job may have been lost.
  await knex.raw(`create index webhook_deliveries_pending_due on webhook_deliveries (next_attempt_at)
    where status = 'pending'`);

  await knex.schema.createTable('webhook_delivery_attempts', (t) => {
    t.uuid('id').primary().defaultTo(knex.raw('gen_random_uuid()'));
    t.uuid('organization_id').notNullable().references('organizations.id').onDelete('CASCADE').index();
    t.uuid('delivery_id').notNullable().references('webhook_deliveries.id').onDelete('CASCADE');
    t.timestamp('attempted_at', { useTz: true }).notNullable().defaultTo(knex.raw('clock_timestamp()'));
    t.integer('status_code');
    t.text('error');
    t.integer('duration_ms').notNullable();
  });
  await knex.raw(
    `create index webhook_delivery_attempts_delivery on webhook_delivery_attempts (delivery_id, attempted_at, id)`,
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
}
