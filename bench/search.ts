// bench/search: customer search at a million customers. Creates <owner db>_search_bench, loads
// 1,000,000 generated customers across 20 stores with COPY (reporting how long that took), rebuilds the
// indexes, then runs query sets — names with one typo, name prefixes, phones in mixed formats, emails,
// licences, dates of birth — through Patron's API (a child process, an admin token) and the same SQL
// straight against PostgreSQL, at a fixed concurrency, in the same run. Prints p50/p95/p99 per set,
// the API/SQL ratio and recall (how often the intended customer is on the first page).
//   npm run bench:search [-- --customers 1000000 --stores 20 --concurrency 4 --queries 300 --reuse]
// --reuse keeps an already loaded bench database of the same size instead of loading it again.
import { fork, type ChildProcess } from 'node:child_process';
import http from 'node:http';
import { cpus, loadavg } from 'node:os';
import { parseArgs } from 'node:util';
import knexFactory from 'knex';
import pg from 'pg';
import { hashPassword } from '../db/auth/password.js';
import { runSearch, type SearchParams } from '../db/customers/customer-search.js';
import { SESSION_OPTIONS } from '../db/knex.js';
import { databaseName, dropDatabase, provisionDatabase, withDatabase } from '../db/provision.js';
import { tenantQueriesOn, tenantStatement } from '../db/tenant.js';
import { dropCustomerIndexes, loadCustomers, rebuildIndexes } from './support/search-load.js';
import { atConcurrency, summarise } from './support/search-measure.js';
import { buildQuerySets, IDENTIFIER_SETS, QUERY_SETS, type BenchQuery } from './support/search-queries.js';

const { values } = parseArgs({
  options: {
    customers: { type: 'string', default: '1000000' },
    stores: { type: 'string', default: '20' },
    concurrency: { type: 'string', default: '4' },
    queries: { type: 'string', default: '300' },
    seed: { type: 'string', default: '42' },
    port: { type: 'string', default: '3911' },
    reuse: { type: 'boolean', default: false },
  },
});
const CUSTOMERS = Number(values.customers);
const STORES = Number(values.stores);
const CONCURRENCY = Number(values.concurrency);
const PER_SET = Number(values.queries);
const SEED = Number(values.seed);
const PORT = Number(values.port);

const BASE_OWNER = process.env.DATABASE_OWNER_URL ?? 'postgres://postgres@127.0.0.1:5432/patron';
const BASE_APP = process.env.DATABASE_URL ?? 'postgres://patron_app:patron_app@127.0.0.1:5432/patron';
const dbName = `${databaseName(BASE_OWNER)}_search_bench`;
const ownerUrl = withDatabase(BASE_OWNER, dbName);
const appUrl = withDatabase(BASE_APP, dbName);
const ADMIN_EMAIL = 'search-bench-admin@patron.bench';
const ADMIN_PASSWORD = 'search-bench-password-123';

/** Queries of each set sent through the API before timing starts. */
const API_WARMUP_PER_SET = 50;

const seconds = (ms: number) => `${(ms / 1000).toFixed(1)} s`;
const log = (line: string) => console.log(line);

async function loadedAlready(): Promise<{ orgId: string; storeIds: string[] } | undefined> {
  const client = new pg.Client({ connectionString: ownerUrl });
  try {
    await client.connect();
  } catch {
    return undefined;
  }
  try {
    const stores = await client.query(`select id, organization_id from stores order by name`);
    const count = await client.query(`select count(*)::int as n from customers`);
    if (stores.rows.length !== STORES || count.rows[0].n !== CUSTOMERS) return undefined;
    return { orgId: stores.rows[0].organization_id, storeIds: stores.rows.map((r) => r.id) };
  } catch {
    return undefined;
  } finally {
    await client.end();
  }
}

async function prepare(): Promise<{ orgId: string; storeIds: string[] }> {
  const existing = values.reuse ? await loadedAlready() : undefined;
  if (existing) {
    log(`reusing ${dbName}: ${CUSTOMERS.toLocaleString('en')} customers in ${STORES} stores`);
    return existing;
  }
  await dropDatabase(ownerUrl);
  await provisionDatabase({ ownerUrl, appUrl });
  const client = new pg.Client({ connectionString: ownerUrl });
  await client.connect();
  try {
    const org = await client.query(`insert into organizations (name) values ('Search bench') returning id`);
    const orgId: string = org.rows[0].id;
    const storeIds: string[] = [];
    for (let n = 1; n <= STORES; n++) {
      const store = await client.query(
        `insert into stores (organization_id, name, timezone, country, currency)
         values ($1, $2, 'America/Los_Angeles', 'US', 'USD') returning id`,
        [orgId, `Store ${String(n).padStart(2, '0')}`],
      );
      storeIds.push(store.rows[0].id);
    }
    await client.query(
      `insert into users (organization_id, email, password_hash, name, role) values ($1, $2, $3, 'Bench admin', 'admin')`,
      [orgId, ADMIN_EMAIL, await hashPassword(ADMIN_PASSWORD)],
    );

    const indexes = await dropCustomerIndexes(client);
    log(`loading ${CUSTOMERS.toLocaleString('en')} customers across ${STORES} stores with COPY…`);
    let started = performance.now();
    const rows = await loadCustomers(client, { seed: SEED, orgId, storeIds, count: CUSTOMERS });
    const loadMs = performance.now() - started;
    log(
      `  COPY: ${rows.toLocaleString('en')} rows in ${seconds(loadMs)} (${Math.round(rows / (loadMs / 1000)).toLocaleString('en')} rows/s, generation and encryption included)`,
    );
    started = performance.now();
    const timings = await rebuildIndexes(client, indexes);
    log(`  indexes: ${indexes.length} built in ${seconds(performance.now() - started)}`);
    for (const t of timings) log(`    ${t.name.padEnd(40)} ${t.seconds.toFixed(1)} s`);
    started = performance.now();
    await client.query('vacuum (analyze) customers');
    log(`  vacuum analyze: ${seconds(performance.now() - started)}`);
    const size = await client.query(`select pg_size_pretty(pg_total_relation_size('customers')) as size`);
    log(`  customers with indexes: ${size.rows[0].size}`);
    return { orgId, storeIds };
  } finally {
    await client.end();
  }
}

function httpGet(agent: http.Agent, port: number, path: string, token: string) {
  return new Promise<{ status: number; text: string }>((resolve, reject) => {
    http
      .get({ host: '127.0.0.1', port, path, agent, headers: { authorization: `Bearer ${token}` } }, (res) => {
        let text = '';
        res.setEncoding('utf8');
        res.on('data', (chunk: string) => (text += chunk));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, text }));
        res.on('error', reject);
      })
      .on('error', reject);
  });
}

function startPatron(): Promise<ChildProcess> {
  return new Promise((resolve, reject) => {
    const child = fork(new URL('./support/patron-server.ts', import.meta.url).pathname, [], {
      env: {
        ...process.env,
        PORT: String(PORT),
        DATABASE_URL: appUrl,
        DATABASE_OWNER_URL: ownerUrl,
        LOG_LEVEL: 'warn',
        NODE_ENV: 'development',
        SEED_DEMO: 'false',
      },
      execArgv: ['--import', 'tsx'],
      stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
    });
    child.once('message', () => resolve(child));
    child.once('exit', (code) => reject(new Error(`Patron exited with ${code}`)));
  });
}

interface Outcome {
  found: boolean;
  statements: number;
}

async function main() {
  const runStarted = performance.now();
  const { orgId, storeIds } = await prepare();
  const sets = buildQuerySets(SEED, CUSTOMERS, STORES, PER_SET);

  // The same SQL as the API: built by the service's own code (runSearch), sent over plain pg in a
  // transaction that sets the tenant exactly as the API's does. Only the HTTP stack, authentication,
  // the store check, loading tags/addresses and JSON are missing.
  const builder = knexFactory({ client: 'pg' });
  const pool = new pg.Pool({ connectionString: appUrl, max: CONCURRENCY, options: SESSION_OPTIONS });
  const viaSql = async (query: BenchQuery): Promise<Outcome> => {
    const client = await pool.connect();
    let statements = 0;
    try {
      await client.query(`BEGIN; ${tenantStatement({ orgId })}`);
      const params: SearchParams = { q: query.q, limit: 25 };
      const run = await runSearch(
        builder,
        { orgId, storeId: storeIds[query.storeIndex], country: 'US' },
        params,
        async (statement, hint) => {
          statements++;
          const { sql, bindings } = statement.toSQL().toNative();
          if (!hint?.reusePlan) return (await client.query(sql, bindings as unknown[])).rows;
          // A statement whose plan the API reuses is prepared once per connection here too, the same way.
          const [rows] = await tenantQueriesOn(client, { orgId }, [{ sql, params: bindings, reusePlan: true }]);
          return rows!;
        },
      );
      await client.query('COMMIT');
      return { found: run.rows.some((r) => r.id === query.intendedId), statements };
    } finally {
      client.release();
    }
  };

  const agent = new http.Agent({ keepAlive: true, maxSockets: CONCURRENCY });
  const patron = await startPatron();
  try {
    const login = await fetch(`http://127.0.0.1:${PORT}/api/v1/auth/login`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ email: ADMIN_EMAIL, password: ADMIN_PASSWORD }),
    });
    if (!login.ok) throw new Error(`login failed: ${login.status} ${await login.text()}`);
    const { accessToken } = (await login.json()) as { accessToken: string };
    // node:http with a keep-alive agent, not fetch: the load generator shares the two cores with Patron and
    // PostgreSQL, and undici's fetch spent ~0.8 ms of CPU per request here, which the API's latency then paid.
    const viaApi = async (query: BenchQuery): Promise<Outcome> => {
      const path = `/api/v1/stores/${storeIds[query.storeIndex]}/customers?q=${encodeURIComponent(query.q)}`;
      const { status, text } = await httpGet(agent, PORT, path, accessToken);
      if (status !== 200) throw new Error(`GET customers?q answered ${status}: ${text}`);
      const body = JSON.parse(text) as { data: Array<{ id: string }> };
      return { found: body.data.some((c) => c.id === query.intendedId), statements: 0 };
    };

    // The service's own time (patron_customer_search_duration_seconds) splits API time into the search
    // transaction and everything around it (HTTP, authentication, store check, JSON).
    const serviceSeconds = async () => {
      const text = await (await fetch(`http://127.0.0.1:${PORT}/metrics`)).text();
      const sum = (name: string) =>
        [...text.matchAll(new RegExp(`^patron_customer_search_duration_seconds_${name}\\{[^}]*\\} (\\S+)$`, 'gm'))]
          .map((m) => Number(m[1]))
          .reduce((a, b) => a + b, 0);
      return { sum: sum('sum'), count: sum('count') };
    };

    log(`warming up (every query once through SQL, the first ${API_WARMUP_PER_SET} of each set through the API)…`);
    const all = QUERY_SETS.flatMap((set) => sets.get(set)!);
    await atConcurrency(all, CONCURRENCY, viaSql);
    // Every set's code path and statements (prepared once per pooled connection) are warm before any is
    // timed, not only the first set's.
    const apiWarmup = QUERY_SETS.flatMap((set) => sets.get(set)!.slice(0, API_WARMUP_PER_SET));
    await atConcurrency(apiWarmup, CONCURRENCY, viaApi);

    const load = () =>
      loadavg()
        .map((l) => l.toFixed(1))
        .join(' ');
    log(
      `\n${PER_SET} queries per set at concurrency ${CONCURRENCY} on ${cpus().length} CPUs (load average ${load()}); latency in ms;` +
        ` svc = mean time in the search service; recall = intended customer on the first page (25)`,
    );
    log(
      `${'set'.padEnd(22)} ${'API p50'.padStart(8)} ${'p95'.padStart(7)} ${'p99'.padStart(7)} ${'svc'.padStart(6)} | ${'SQL p50'.padStart(8)} ${'p95'.padStart(7)} ${'p99'.padStart(7)} | ${'API/SQL p95'.padStart(11)} | ${'recall'.padStart(6)} | goals`,
    );
    const fmt = (n: number) => n.toFixed(2).padStart(7);
    for (const set of QUERY_SETS) {
      const queries = sets.get(set)!;
      const before = await serviceSeconds();
      const api = await atConcurrency(queries, CONCURRENCY, viaApi);
      const after = await serviceSeconds();
      const svc = ((after.sum - before.sum) / Math.max(1, after.count - before.count)) * 1000;
      const sql = await atConcurrency(queries, CONCURRENCY, viaSql);
      const a = summarise(api.map((r) => r.ms));
      const s = summarise(sql.map((r) => r.ms));
      const recall = api.filter((r) => r.result.found).length / api.length;
      const wide = sql.filter((r) => r.result.statements > 2).length / sql.length;
      const goal = IDENTIFIER_SETS.has(set) ? 3 : 20;
      const checks = [
        `p95 ≤ ${goal} ms ${a.p95 <= goal ? 'ok' : 'MISSED'}`,
        `≤ 1.5×SQL+2 ${a.p95 <= 1.5 * s.p95 + 2 ? 'ok' : 'MISSED'}`,
        ...(IDENTIFIER_SETS.has(set) ? [] : [`wide tier ${(wide * 100).toFixed(0)}%`]),
      ];
      log(
        `${set.padEnd(22)} ${fmt(a.p50).padStart(8)} ${fmt(a.p95)} ${fmt(a.p99)} ${svc.toFixed(2).padStart(6)} | ${fmt(s.p50).padStart(8)} ${fmt(s.p95)} ${fmt(s.p99)} | ${(a.p95 / s.p95).toFixed(2).padStart(11)} | ${(recall * 100).toFixed(1).padStart(5)}% | ${checks.join(', ')}`,
      );
    }
    log(
      `\nrecall counts the intended customer on the first page (25); a name prefix can match more than a page of customers, so its recall measures ambiguity as much as search.`,
    );
    log(`total run time ${seconds(performance.now() - runStarted)}; load average now ${load()}`);
  } finally {
    patron.kill('SIGTERM');
    agent.destroy();
    await pool.end();
    await builder.destroy();
  }
}

main().then(
  () => process.exit(0),
  (err) => {
    console.error(err);
    process.exit(1);
  },
);
