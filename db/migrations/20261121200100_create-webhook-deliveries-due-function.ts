import type { Knex } from 'knex';

/**
 * The webhook sweeper runs for no tenant: it must find pending deliveries across every organisation,
 * which row-level security hides from the application role. This function runs as the migration owner
 * and returns ids only (never URLs, payloads or secrets). A delivery is due when its next attempt time
 * has passed; the minute's grace after creation leaves the relay time to enqueue the job itself. Only
 * the app role may call it (db/provision.ts).
 */
const FUNCTION = `
create function webhook_deliveries_due(p_limit integer)
returns table (organization_id uuid, delivery_id uuid)
language sql stable security definer set search_path = public, pg_temp as $$
  select d.organization_id, d.id
    from webhook_deliveries d
   where d.status = 'pending'
     and d.next_attempt_at <= now()
     and d.created_at < now() - interval '1 minute'
   order by d.next_attempt_at, d.id
   limit p_limit
$$;

revoke all on function webhook_deliveries_due(integer) from public;
`;

export async function up(knex: Knex): Promise<void> {
  await knex.raw(FUNCTION);
}

export async function down(knex: Knex): Promise<void> {
  await knex.raw(`drop function if exists webhook_deliveries_due(integer)`);
}
