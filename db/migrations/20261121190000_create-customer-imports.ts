import type { Knex } from 'knex';

const ORG = `nullif(current_setting('app.org_id', true), '')::uuid`;
const TABLES = ['customer_imports', 'customer_import_errors'];

export async function up(knex: Knex): Promise<void> {
  await knex.schema.createTable('customer_imports', (t) => {
    t.uuid('id').primary().defaultTo(knex.raw('gen_random_uuid()'));
    t.uuid('organization_id').notNullable().references('organizations.id').onDelete('CASCADE').index();
    t.uuid('store_id').notNullable().references('stores.id').onDelete('CASCADE');
    t.text('status').notNullable().defaultTo('queued');
    t.text('format').notNullable();
    t.text('file_key').notNullable();
    t.bigInteger('file_bytes').notNullable();
    // Data records fully written: a resumed job skips this many and goes on from the next.
    t.integer('rows_done').notNullable().defaultTo(0);
    t.integer('created_count').notNullable().defaultTo(0);
    t.integer('updated_count').notNullable().defaultTo(0);
    t.integer('unchanged_count').notNullable().defaultTo(0);
    t.integer('failed_count').notNullable().defaultTo(0);
    t.integer('progress').notNullable().defaultTo(0);
    t.text('error_code');
    t.text('error_message');
    t.text('created_by_type').notNullable();
    t.uuid('created_by_id');
    t.timestamp('created_at', { useTz: true }).notNullable().defaultTo(knex.fn.now());
    t.timestamp('started_at', { useTz: true });
    t.timestamp('finished_at', { useTz: true });
  });
  await knex.raw(`alter table customer_imports
    add constraint customer_imports_status_check check (status in ('queued','processing','finished','failed')),
    add constraint customer_imports_format_check check (format in ('patron','shopify','square','dutchie'))`);
  await knex.raw(`create index customer_imports_store_created on customer_imports (store_id, created_at, id)`);

  // Row errors name the line, the file's column and what is wrong: never the cell's value.
  await knex.schema.createTable('customer_import_errors', (t) => {
    t.bigIncrements('id');
    t.uuid('organization_id').notNullable().references('organizations.id').onDelete('CASCADE').index();
    t.uuid('import_id').notNullable().references('customer_imports.id').onDelete('CASCADE');
    t.integer('row').notNullable();
    t.text('column');
    t.text('message').notNullable();
    t.text('severity').notNullable().defaultTo('error');
    t.index(['import_id', 'row', 'id']);
  });
  await knex.raw(`alter table customer_import_errors
    add constraint customer_import_errors_severity_check check (severity in ('error','warning'))`);

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
