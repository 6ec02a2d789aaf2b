import type { Knex } from 'knex';

/**
 * A stored idempotent answer is replayed for 24 h, and it can hold what must not sit in plaintext: the
 * personal data of a created customer, the one-time secret of a new webhook or API key. Answers are now
 * kept encrypted in `response_sealed` (db/crypto/field-encryption, so keys rotate as for PII), with the
 * record ids they name in `response_subjects`, which erasure uses to drop them. `response_body` remains
 * only for answers stored before this change, which expire within a day.
 */
export async function up(knex: Knex): Promise<void> {
  await knex.schema.alterTable('idempotency_keys', (t) => {
    t.text('response_sealed');
    t.specificType('response_subjects', 'uuid[]');
  });
}

export async function down(knex: Knex): Promise<void> {
  await knex.schema.alterTable('idempotency_keys', (t) => {
    t.dropColumn('response_subjects');
    t.dropColumn('response_sealed');
  });
}
