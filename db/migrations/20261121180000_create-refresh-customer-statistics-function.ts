import type { Knex } from 'knex';

// A store's first POS sync fills customers and their refs from nothing within minutes, faster than
// autovacuum re-analyses them. With statistics that still say "empty", PostgreSQL looks refs up by
// (store, provider) alone and filters external ids, scanning the whole store on every page. The app
// role does not own the tables and cannot ANALYZE them; this function, run as the owner, can — and
// does nothing else.
export async function up(knex: Knex): Promise<void> {
  await knex.raw(`
    create function refresh_customer_statistics() returns void
    language plpgsql volatile security definer set search_path = public, pg_temp as $$
    begin
      analyze customer_external_refs;
      analyze customers;
    end $$;
    revoke all on function refresh_customer_statistics() from public;`);
}

export async function down(knex: Knex): Promise<void> {
  await knex.raw('drop function if exists refresh_customer_statistics()');
}
