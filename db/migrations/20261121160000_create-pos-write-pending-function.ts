import type { Knex } from 'knex';

/**
 * The POS write-through dispatcher runs for no tenant: it must find pending customers across every
 * organisation, which row-level security hides from the application role. This function runs as the
 * migration owner and returns ids (and whether the POS knows the customer yet) only. It locks what it returns (FOR UPDATE SKIP LOCKED) for the
 * caller's transaction, so a customer being edited right now is left for the next tick and two
 * dispatchers never return the same row at once. Only the app role may call it (db/provision.ts).
 */
const FUNCTION = `
create function pos_write_pending(p_limit integer)
returns table (organization_id uuid, store_id uuid, customer_id uuid, operation text)
language sql volatile security definer set search_path = public, pg_temp as $$
  select c.organization_id, c.store_id, c.id,
         case when exists (select 1 from customer_external_refs r
                             join pos_settings p on p.store_id = r.store_id and p.provider = r.provider
                            where r.customer_id = c.id) then 'update' else 'create' end
    from customers c
   where c.pos_sync_status = 'pending'
   order by c.updated_at, c.id
   limit p_limit
   for update skip locked
$$;

revoke all on function pos_write_pending(integer) from public;
`;

export async function up(knex: Knex): Promise<void> {
  await knex.raw(FUNCTION);
}

export async function down(knex: Knex): Promise<void> {
  await knex.raw(`drop function if exists pos_write_pending(integer)`);
}
