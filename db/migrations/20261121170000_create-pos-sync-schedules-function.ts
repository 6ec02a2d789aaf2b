import type { Knex } from 'knex';

/**
 * Every worker registers each store's customer-sync scheduler at boot, for no tenant: it must read the
 * schedules of every organisation, which row-level security hides from the application role. This
 * function runs as the migration owner and returns the schedule and zone only — never credentials or
 * URLs. Only the app role may call it (db/provision.ts).
 */
const FUNCTION = `
create function pos_sync_schedules()
returns table (organization_id uuid, store_id uuid, sync_schedule text, timezone text)
language sql stable security definer set search_path = public, pg_temp as $$
  select p.organization_id, p.store_id, p.sync_schedule, s.timezone
    from pos_settings p join stores s on s.id = p.store_id and s.organization_id = p.organization_id
   order by p.store_id
$$;

revoke all on function pos_sync_schedules() from public;
`;

export async function up(knex: Knex): Promise<void> {
  await knex.raw(FUNCTION);
}

export async function down(knex: Knex): Promise<void> {
  await knex.raw(`drop function if exists pos_sync_schedules()`);
}
