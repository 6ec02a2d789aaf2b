import type { Knex } from 'knex';

// Document file metadata for the GDPR export, and an index for a customer's notes newest first.
export async function up(knex: Knex): Promise<void> {
  await knex.schema.alterTable('customer_documents', (t) => {
    t.integer('file_size');
    t.uuid('created_by');
  });
  await knex.raw(`create index customer_notes_customer_created on customer_notes (customer_id, created_at, id)`);
  await knex.raw(
    `create index customer_documents_customer_created on customer_documents (customer_id, created_at, id)`,
  );
}

export async function down(knex: Knex): Promise<void> {
  await knex.raw('drop index if exists customer_documents_customer_created');
  await knex.raw('drop index if exists customer_notes_customer_created');
  await knex.schema.alterTable('customer_documents', (t) => {
    t.dropColumn('created_by');
    t.dropColumn('file_size');
  });
}
