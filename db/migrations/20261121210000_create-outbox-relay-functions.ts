import type { Knex } from 'knex';

/**
 * The outbox relay runs for no tenant: it claims unpublished events of every organisation, which
 * row-level security hides from the application role (outbox_events has no platform clause, and a
 * platform policy would let any platform-scoped transaction read every tenant's events). These
 * functions run as the migration owner and do exactly the relay's four acts; only the app role may
 * call them (db/provision.ts).
 *
 * outbox_claim locks the oldest unpublished rows (FOR UPDATE SKIP LOCKED, seq order) for the
 * caller's transaction, then returns only those with no earlier unpublished row of the same subject
 * outside the claim. seq is insertion order, not commit order, but writes to one subject are
 * serialised by its row lock, so per subject seq order is commit order. SKIP LOCKED alone would let
 * a second relay take event 2 of a customer while the first still holds event 1 and publish it
 * first; the guard leaves event 2 (locked, unreturned) until event 1 is published. The guard reads
 * the statement's snapshot: an earlier row published by another relay a moment ago still counts as
 * unpublished, which only delays, never reorders.
 */
const FUNCTIONS = `
create function outbox_claim(p_limit integer)
returns table (id uuid, seq bigint, organization_id uuid, store_id uuid, type text, version integer,
               subject_type text, subject_id uuid, data jsonb, trace_id text, occurred_at timestamptz,
               published_at timestamptz, attempts integer)
language sql volatile security definer set search_path = public, pg_temp as $$
  with claimed as materialized (
    select o.id, o.seq, o.organization_id, o.store_id, o.type, o.version, o.subject_type, o.subject_id,
           o.data, o.trace_id, o.occurred_at, o.published_at, o.attempts
      from outbox_events o
     where o.published_at is null
     order by o.seq
     limit p_limit
     for update skip locked
  )
  select c.* from claimed c
   where not exists (
     select 1 from outbox_events e
      where e.subject_type = c.subject_type and e.subject_id = c.subject_id
        and e.published_at is null and e.seq < c.seq
        and not exists (select 1 from claimed k where k.id = e.id))
   order by c.seq
$$;

create function outbox_mark_published(p_ids uuid[])
returns integer
language sql volatile security definer set search_path = public, pg_temp as $$
  with done as (
    update outbox_events set published_at = clock_timestamp(), attempts = attempts + 1, last_error = null
     where id = any(p_ids) and published_at is null
    returning 1)
  select count(*)::integer from done
$$;

create function outbox_record_failure(p_ids uuid[], p_error text)
returns integer
language sql volatile security definer set search_path = public, pg_temp as $$
  with failed as (
    update outbox_events set attempts = attempts + 1, last_error = left(p_error, 1000)
     where id = any(p_ids) and published_at is null
    returning 1)
  select count(*)::integer from failed
$$;

-- Published rows past retention, p_limit at a time (short transactions, no long lock on the table).
-- No index on published_at: a prune is rare and its scan meets the oldest rows first, while an index
-- would cost every publish one more write.
create function outbox_prune_published(p_retention_hours integer, p_limit integer)
returns integer
language sql volatile security definer set search_path = public, pg_temp as $$
  with gone as (
    delete from outbox_events
     where id in (select id from outbox_events
                   where published_at < now() - make_interval(hours => p_retention_hours)
                   limit p_limit)
    returning 1)
  select count(*)::integer from gone
$$;

revoke all on function outbox_claim(integer) from public;
revoke all on function outbox_mark_published(uuid[]) from public;
revoke all on function outbox_record_failure(uuid[], text) from public;
revoke all on function outbox_prune_published(integer, integer) from public;
`;

export async function up(knex: Knex): Promise<void> {
  await knex.raw(FUNCTIONS);
}

export async function down(knex: Knex): Promise<void> {
  await knex.raw(`drop function if exists outbox_prune_published(integer, integer)`);
  await knex.raw(`drop function if exists outbox_record_failure(uuid[], text)`);
  await knex.raw(`drop function if exists outbox_mark_published(uuid[])`);
  await knex.raw(`drop function if exists outbox_claim(integer)`);
}
