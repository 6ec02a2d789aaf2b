import pg from 'pg';
import type { Db, Trx } from './knex.js';
import { isUuid } from './ids.js';
import { planMessage, replanAndRetry } from './reused-plans.js';

/**
 * Who a transaction acts for. Row-level security reads these settings; they are set with
 * `is_local = true`, so they end with the transaction and a pooled connection never carries them over.
 */
export type TenantScope = { orgId: string } | { platform: true };

/** The statement that sets the tenant; the org id is inlined only after it matched a strict UUID pattern. */
export function tenantStatement(scope: TenantScope): string {
  if ('platform' in scope) return `SELECT set_config('app.platform', 'on', true)`;
  if (!isUuid(scope.orgId)) throw new Error('tenant organisation id must be a UUID');
  return `SELECT set_config('app.org_id', '${scope.orgId.toLowerCase()}', true)`;
}

export async function withTenant<T>(db: Db, scope: TenantScope, work: (trx: Trx) => Promise<T>): Promise<T> {
  // `beginWith` is read by the client in db/knex.ts; knex copies unknown config keys through.
  const config = { beginWith: tenantStatement(scope) } as Parameters<Db['transaction']>[1];
  return db.transaction(work, config);
}

/**
 * tenantQuery for reads whose parameters are all UUIDs (or null), refused before anything is sent
 * when one is not: the hot, id-only reads (GET /me, the store check) keep the narrowest contract.
 */
export async function tenantRead<T>(
  db: Db,
  scope: TenantScope,
  sql: string,
  params: Array<string | null>,
): Promise<T[]> {
  params.forEach((value, i) => {
    if (value !== null && !isUuid(value)) {
      throw new Error(`tenantRead parameter $${i + 1} must be a UUID`);
    }
  });
  const [rows] = await tenantQueries(db, scope, [{ sql, params, reusePlan: true }]);
  return rows as T[];
}

/** A value tenantQuery may inline: strings, finite numbers, booleans, null, valid Dates, and arrays of these. */
export type InlineValue = string | number | boolean | null | Date | InlineValue[];

function refuse(n: number, why: string): never {
  throw new Error(`tenantQuery parameter $${n} ${why}`);
}

// An element of a PostgreSQL array literal ('{"a","b"}'): the whole literal is then escaped once more.
function arrayElement(value: unknown, n: number): string {
  if (value === null) return 'NULL';
  if (Array.isArray(value)) return `{${value.map((v) => arrayElement(v, n)).join(',')}}`;
  return `"${scalarText(value, n).replace(/[\\"]/g, (c) => `\\${c}`)}"`;
}

function scalarText(value: unknown, n: number): string {
  if (typeof value === 'string') {
    // The simple protocol sends the query as a C string: a NUL would cut it short.
    if (value.includes('\0')) refuse(n, 'contains a NUL character');
    return value;
  }
  if (typeof value === 'number') {
    if (!Number.isFinite(value)) refuse(n, 'is not a finite number');
    return String(value);
  }
  if (typeof value === 'boolean') return value ? 'true' : 'false';
  if (value instanceof Date) {
    if (Number.isNaN(value.getTime())) refuse(n, 'is an invalid date');
    return value.toISOString();
  }
  return refuse(n, `has an unsupported type (${value === undefined ? 'undefined' : typeof value})`);
}

/**
 * pg.escapeLiteral's output (quotes doubled; with a backslash, backslashes doubled and an E'' literal), in two
 * regex passes: its character-by-character loop takes ~40 ms on an import batch's 700 kB of JSON.
 */
export function quoteLiteral(text: string): string {
  const quoted = `'${text.replace(/'/g, "''")}'`;
  return text.includes('\\') ? ` E${quoted.replace(/\\/g, '\\\\')}` : quoted;
}

/** One value as SQL text: a quoted literal (untyped, as a bound parameter is), a number in parentheses, or NULL. */
export function inlineValue(value: unknown, n = 1): string {
  if (value === null) return 'NULL';
  if (typeof value === 'number') return `(${scalarText(value, n)})`; // parentheses: "- -1" must not become a comment
  if (typeof value === 'boolean') return scalarText(value, n);
  if (Array.isArray(value)) return quoteLiteral(arrayElement(value, n));
  return quoteLiteral(scalarText(value, n));
}

/** Replaces `$n` placeholders in one pass (inlined text is never scanned again). */
export function inlineParameters(sql: string, params: readonly unknown[]): string {
  return sql.replace(/\$(\d+)/g, (_, digits: string) => {
    const n = Number(digits);
    if (n < 1 || n > params.length) throw new Error(`tenantQuery has no parameter $${n}`);
    return inlineValue(params[n - 1], n);
  });
}

/** A statement with `$n` placeholders (as knex's toNative() writes them) and its values. */
export interface QueryStatement {
  sql: string;
  params: readonly unknown[];
  /** Plan once per connection and reuse the plan (db/reused-plans.ts): for hot reads by ids and identifiers. */
  reusePlan?: boolean;
}

/**
 * tenantRead for any read: one round trip for statements with `$n` placeholders whose values are inlined
 * as escaped literals. The tenant's set_config and the statements travel as one simple-protocol message,
 * one implicit transaction, so the setting and any transaction-local settings among the statements end
 * with it. Straight to a pooled pg connection: knex would read a `?` inside an inlined literal as a
 * placeholder. Only for reads built from trusted SQL text; values are never spliced in unescaped. Answers
 * each statement's rows, in order; a text holding more than one statement is refused. A read whose
 * prepared plan is gone or outdated is sent once more, planned afresh.
 */
export async function tenantQueries(
  db: Db,
  scope: TenantScope,
  statements: readonly QueryStatement[],
): Promise<Array<Record<string, unknown>[]>> {
  return onConnection(db, (conn) => tenantQueriesOn(conn, scope, statements));
}

/** tenantQueries on a connection the caller holds (bench/search's direct-SQL path runs reads the same way). */
export async function tenantQueriesOn(
  conn: pg.ClientBase,
  scope: TenantScope,
  statements: readonly QueryStatement[],
): Promise<Array<Record<string, unknown>[]>> {
  const texts = statements.map((s) =>
    s.reusePlan
      ? { sql: s.sql, values: s.params.map((v, i) => inlineValue(v, i + 1)) }
      : inlineParameters(s.sql, s.params),
  );
  try {
    return await readInOneMessage(conn, scope, texts);
  } catch (error) {
    if (!replanAndRetry(error)) throw error;
    return readInOneMessage(conn, scope, texts);
  }
}

/** A simple-protocol message of one or more statements: one result per statement. */
async function queryMessage(conn: pg.ClientBase, text: string): Promise<pg.QueryResult[]> {
  const answered = (await conn.query(text)) as unknown as pg.QueryResult[] | pg.QueryResult;
  return Array.isArray(answered) ? answered : [answered];
}

async function readInOneMessage(
  conn: pg.ClientBase,
  scope: TenantScope,
  texts: ReadonlyArray<string | { sql: string; values: string[] }>,
): Promise<Array<Record<string, unknown>[]>> {
  const plans = planMessage(conn);
  const parts = [tenantStatement(scope), ...plans.prelude];
  const answers: number[] = [];
  for (const text of texts) {
    parts.push(...(typeof text === 'string' ? [text] : plans.run(text.sql, text.values)));
    answers.push(parts.length - 1);
  }
  let results: pg.QueryResult[];
  try {
    results = await queryMessage(conn, parts.join(';\n'));
  } catch (error) {
    plans.failed();
    throw error;
  }
  if (results.length !== parts.length) {
    plans.failed();
    throw new Error('tenantQueries takes exactly one statement per entry');
  }
  plans.succeeded();
  return answers.map((i) => results[i]!.rows);
}

/** tenantQueries for one statement: its rows. */
export async function tenantQuery<T>(
  db: Db,
  scope: TenantScope,
  sql: string,
  params: readonly unknown[],
): Promise<T[]> {
  const [rows] = await tenantQueries(db, scope, [{ sql, params }]);
  return rows as T[];
}

/**
 * Several trusted statements (values already inlined by inlineParameters) sent as one simple-protocol
 * message after the tenant's set_config: PostgreSQL runs them as one implicit transaction (all commit, or
 * none does) in a single round trip. For batch writes whose client would otherwise wait on each reply.
 */
export async function tenantScript(
  db: Db,
  scope: TenantScope,
  statements: readonly string[],
): Promise<pg.QueryResult[]> {
  const text = [tenantStatement(scope), ...statements].join(';\n');
  return onConnection(db, async (conn) => (await queryMessage(conn, text)).slice(1));
}

/** A pooled connection of knex's, straight: for messages knex would mangle (see tenantQueries), or COPY. */
export async function onConnection<T>(db: Db, work: (conn: pg.ClientBase) => Promise<T>): Promise<T> {
  const client = db.client as {
    acquireConnection(): Promise<pg.ClientBase>;
    releaseConnection(conn: pg.ClientBase): Promise<unknown>;
  };
  const conn = await client.acquireConnection();
  try {
    return await work(conn);
  } finally {
    await client.releaseConnection(conn);
  }
}
