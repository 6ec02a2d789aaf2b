import path from 'node:path';
import { fileURLToPath } from 'node:url';
import pg from 'pg';
import { createDb, type Db } from './knex.js';

const here = path.dirname(fileURLToPath(import.meta.url));
const runningTypeScript = import.meta.url.endsWith('.ts');
export const migrationConfig = {
  directory: path.join(here, 'migrations'),
  loadExtensions: [runningTypeScript ? '.ts' : '.js'],
  tableName: 'knex_migrations',
};

const AUTH_FUNCTIONS = [
  'auth_user_by_email(text)',
  'auth_api_key_by_prefix(text)',
  'auth_refresh_token_by_hash(text)',
  'maintenance_purge_expired()',
  'pos_sync_schedules()',
  'pos_write_pending(integer)',
  'refresh_customer_statistics()',
  'patron_customer_name_trigram(uuid, text[], text, boolean)',
  'outbox_claim(integer)',
  'outbox_mark_published(uuid[])',
  'outbox_record_failure(uuid[], text)',
  'outbox_prune_published(integer, integer)',
  'webhook_deliveries_due(integer)',
];

export function withDatabase(url: string, database: string): string {
  const u = new URL(url);
  u.pathname = `/${database}`;
  return u.toString();
}

export function databaseName(url: string): string {
  return decodeURIComponent(new URL(url).pathname.replace(/^\//, ''));
}

/** Creates the database named in `ownerUrl` when it does not exist yet. */
export async function ensureDatabase(ownerUrl: string): Promise<boolean> {
  const name = databaseName(ownerUrl);
  const client = new pg.Client({ connectionString: withDatabase(ownerUrl, 'postgres') });
  await client.connect();
  try {
    const found = await client.query('select 1 from pg_database where datname = $1', [name]);
    if (found.rowCount) return false;
    await client.query(`create database ${pg.escapeIdentifier(name)}`);
    return true;
  } finally {
    await client.end();
  }
}

export async function dropDatabase(ownerUrl: string): Promise<void> {
  const name = databaseName(ownerUrl);
  const client = new pg.Client({ connectionString: withDatabase(ownerUrl, 'postgres') });
  await client.connect();
  try {
    await client.query(`drop database if exists ${pg.escapeIdentifier(name)} with (force)`);
  } finally {
    await client.end();
  }
}

/**
 * The application connects as a role that owns nothing and cannot bypass row-level security;
 * create it if missing and refuse to run if it turns out to be privileged.
 */
export async function ensureAppRole(owner: Db, appUrl: string): Promise<string> {
  const u = new URL(appUrl);
  const role = decodeURIComponent(u.username);
  const password = decodeURIComponent(u.password);
  if (!role) throw new Error('DATABASE_URL must name the application role (user)');
  const found = await owner.raw('select rolsuper, rolbypassrls from pg_roles where rolname = ?', [role]);
  if (found.rows.length === 0) {
    const pw = password ? ` password ${pg.escapeLiteral(password)}` : '';
    await owner.raw(
      `create role ${pg.escapeIdentifier(role)} login nosuperuser nocreatedb nocreaterole nobypassrls${pw}`,
    );
  } else if (found.rows[0].rolsuper || found.rows[0].rolbypassrls) {
    throw new Error(
      `DATABASE_URL role "${role}" is a superuser or bypasses row-level security; use an unprivileged role`,
    );
  }
  return role;
}

export async function grantAppRole(owner: Db, role: string): Promise<void> {
  const r = pg.escapeIdentifier(role);
  const tables = await owner.raw(
    `select tablename from pg_tables where schemaname = 'public' and tablename not like 'knex\\_%'`,
  );
  await owner.raw(`grant usage on schema public to ${r}`);
  for (const { tablename } of tables.rows as Array<{ tablename: string }>) {
    await owner.raw(`grant select, insert, update, delete on ${pg.escapeIdentifier(tablename)} to ${r}`);
  }
  await owner.raw(`grant usage, select on all sequences in schema public to ${r}`);
  for (const fn of AUTH_FUNCTIONS) await owner.raw(`grant execute on function ${fn} to ${r}`);
}

export async function migrateLatest(owner: Db): Promise<string[]> {
  const [, applied] = (await owner.migrate.latest(migrationConfig)) as [number, string[]];
  return applied;
}

/** Database ready for the app: exists, migrated, app role granted. Returns the applied migrations. */
export async function provisionDatabase(urls: { ownerUrl: string; appUrl: string }): Promise<string[]> {
  await ensureDatabase(urls.ownerUrl);
  const owner = createDb(urls.ownerUrl, 2);
  try {
    const role = await ensureAppRole(owner, urls.appUrl);
    const applied = await migrateLatest(owner);
    await grantAppRole(owner, role);
    return applied;
  } finally {
    await owner.destroy();
  }
}
