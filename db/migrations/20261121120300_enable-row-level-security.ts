import type { Knex } from 'knex';

// The tenant of a transaction comes from set_config('app.org_id', …, true); unset means no rows.
const ORG = `nullif(current_setting('app.org_id', true), '')::uuid`;
const PLATFORM = `coalesce(current_setting('app.platform', true), '') = 'on'`;

const POLICIES: Record<string, string> = {
  organizations: `id = ${ORG} or ${PLATFORM}`,
  stores: `organization_id = ${ORG}`,
  users: `organization_id = ${ORG} or (organization_id is null and ${PLATFORM})`,
  user_store_access: `organization_id = ${ORG}`,
  api_keys: `organization_id = ${ORG}`,
  refresh_tokens: `organization_id = ${ORG} or (organization_id is null and ${PLATFORM})`,
  audit_log: `organization_id = ${ORG}`,
  outbox_events: `organization_id = ${ORG}`,
  idempotency_keys: `organization_id = ${ORG}`,
};

// Authentication must find a user, key or refresh token before it knows the tenant. These functions
// run as the migration owner (who bypasses row-level security) and return only what auth needs.
const AUTH_FUNCTIONS = `
create function auth_user_by_email(p_email text)
returns table (id uuid, organization_id uuid, email text, password_hash text, name text, role text)
language sql stable security definer set search_path = public, pg_temp as $$
  select id, organization_id, email, password_hash, name, role
  from users where email = lower(p_email) and deleted_at is null
$$;

create function auth_api_key_by_prefix(p_prefix text)
returns table (id uuid, organization_id uuid, store_id uuid, role text, key_hash text, revoked_at timestamptz)
language sql stable security definer set search_path = public, pg_temp as $$
  select id, organization_id, store_id, role, key_hash, revoked_at from api_keys where prefix = p_prefix
$$;

create function auth_refresh_token_by_hash(p_hash text)
returns table (id uuid, organization_id uuid, user_id uuid, family_id uuid, expires_at timestamptz,
               used_at timestamptz, revoked_at timestamptz)
language sql stable security definer set search_path = public, pg_temp as $$
  select id, organization_id, user_id, family_id, expires_at, used_at, revoked_at
  from refresh_tokens where token_hash = p_hash
$$;

create function maintenance_purge_expired()
returns table (idempotency_keys bigint, refresh_tokens bigint)
language plpgsql volatile security definer set search_path = public, pg_temp as $$
declare k bigint; r bigint;
begin
  delete from idempotency_keys where expires_at < now();
  get diagnostics k = row_count;
  delete from refresh_tokens where expires_at < now() - interval '1 day';
  get diagnostics r = row_count;
  return query select k, r;
end $$;

revoke all on function auth_user_by_email(text) from public;
revoke all on function auth_api_key_by_prefix(text) from public;
revoke all on function auth_refresh_token_by_hash(text) from public;
revoke all on function maintenance_purge_expired() from public;
`;

export async function up(knex: Knex): Promise<void> {
  for (const [table, predicate] of Object.entries(POLICIES)) {
    await knex.raw(`alter table ${table} enable row level security`);
    await knex.raw(`alter table ${table} force row level security`);
    await knex.raw(`create policy tenant_isolation on ${table} using (${predicate}) with check (${predicate})`);
  }
  await knex.raw(AUTH_FUNCTIONS);
}

export async function down(knex: Knex): Promise<void> {
  await knex.raw(`drop function if exists maintenance_purge_expired()`);
  await knex.raw(`drop function if exists auth_refresh_token_by_hash(text)`);
  await knex.raw(`drop function if exists auth_api_key_by_prefix(text)`);
  await knex.raw(`drop function if exists auth_user_by_email(text)`);
  for (const table of Object.keys(POLICIES)) {
    await knex.raw(`drop policy if exists tenant_isolation on ${table}`);
    await knex.raw(`alter table ${table} no force row level security`);
    await knex.raw(`alter table ${table} disable row level security`);
  }
}
