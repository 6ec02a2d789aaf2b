import type { Knex } from 'knex';

// Like every security-definer function here, only the application role may run it (granted in
// db/provision.ts); it is created executable by PUBLIC by default.
const SIGNATURE = 'patron_customer_name_trigram(uuid, text[], text, boolean)';

export async function up(knex: Knex): Promise<void> {
  await knex.raw(`revoke all on function ${SIGNATURE} from public`);
}

export async function down(knex: Knex): Promise<void> {
  await knex.raw(`grant execute on function ${SIGNATURE} to public`);
}
