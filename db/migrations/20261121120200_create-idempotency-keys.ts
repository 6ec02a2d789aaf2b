import type { Knex } from 'knex';

export async function up(knex: Knex): Promise<void> {
  await knex.schema.createTable('idempotency_keys', (t) => {
    t.uuid('organization_id').notNullable().references('organizations.id').onDelete('CASCADE');
    t.text('key').notNullable();
    // sha256 over method, path and body: the same key may only ever replay the same request.
    t.text('request_hash').notNullable();
    t.text('status').notNullable().defaultTo('in_flight');
    t.integer('response_status');
    t.jsonb('response_body');
    t.timestamp('created_at', { useTz: true }).notNullable().defaultTo(knex.fn.now());
    t.timestamp('expires_at', { useTz: true }).notNullable();
    t.primary(['organization_id', 'key']);
    t.index(['expires_at']);
  });
  await knex.raw(
    `alter table idempotency_keys add constraint idempotency_keys_status_check check (status in ('in_flight','completed'))`,
  );
}

export async function down(knex: Knex): Promise<void> {
  await knex.schema.dropTableIfExists('idempotency_keys');
}
