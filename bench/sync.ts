// bench/sync: POS customer sync and queue throughput. Creates <owner db>_sync_bench, starts a Cova
// sandbox (its own process, N seeded customers, rate limit off, no added latency; Cova because it pages
// 500 records per call and serves every record whole — Flowhub also pages 500 but lists no medical card
// numbers, so a quarter of its records are refused; --vendor flowhub runs it anyway), saves the
// bench store's POS settings through putPosSettings, then runs syncs exactly as the worker does (a
// customer_syncs row from startCustomerSync, its job on a real BullMQ queue, runJob(customerSyncProcessor)
// in a Worker, a child process) with an unlimited client rate limiter:
//   fetch only (the adapter listing the sandbox, no database) → the vendor side's own ceiling;
//   full sync → customers/s; an immediate incremental re-sync and a forced full re-sync (watermark
//   cleared) → customers rows physically rewritten (xmin), version/updated_at moved, audit rows added;
// then small-job queue throughput: N no-op jobs added with addBulk, one Worker at a concurrency.
//   npm run bench:sync [-- --customers 100000 --jobs 50000 --concurrency 100 --vendor covasoft --profile]
// --profile runs the full sync under --cpu-prof and prints where its CPU time went.
import { fork } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { cpus, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import pg from 'pg';
import { systemActor } from '../db/context.js';
import { createDb } from '../db/knex.js';
import { putPosSettings } from '../db/pos/pos-settings-service.js';
import { databaseName, dropDatabase, provisionDatabase, withDatabase } from '../db/provision.js';
import { summariseProfile } from './support/sync-profile.js';
import type { SyncRunInput, SyncRunOutput } from './support/sync-run.js';
import type { BenchVendor } from './support/sync-sandbox.js';

const { values } = parseArgs({
  options: {
    customers: { type: 'string', default: '100000' },
    jobs: { type: 'string', default: '50000' },
    concurrency: { type: 'string', default: '100' },
    profile: { type: 'boolean', default: false },
    vendor: { type: 'string', default: 'covasoft' },
    'skip-queue': { type: 'boolean', default: false },
  },
});
const CUSTOMERS = Number(values.customers);
const JOBS = Number(values.jobs);
const CONCURRENCY = Number(values.concurrency);

const BASE_OWNER = process.env.DATABASE_OWNER_URL ?? 'postgres://postgres@127.0.0.1:5432/patron';
const BASE_APP = process.env.DATABASE_URL ?? 'postgres://patron_app:patron_app@127.0.0.1:5432/patron';
const dbName = `${databaseName(BASE_OWNER)}_sync_bench`;
const ownerUrl = withDatabase(BASE_OWNER, dbName);
const appUrl = withDatabase(BASE_APP, dbName);
const CHILD_ENV = {
  ...process.env,
  DATABASE_URL: appUrl,
  DATABASE_OWNER_URL: ownerUrl,
  NODE_ENV: 'development',
  LOG_LEVEL: 'warn',
  SEED_DEMO: 'false',
};

const log = (line: string) => console.log(line);
const load = () =>
  loadavg()
    .map((l) => l.toFixed(1))
    .join(' ');
const int = (n: number) => Math.round(n).toLocaleString('en');
const rate = (count: number, ms: number) => int(count / (ms / 1000));

/** Runs a support script as a child and answers its first IPC message. */
function child<T>(script: string, args: string[], env: NodeJS.ProcessEnv, execArgv: string[] = []) {
  const proc = fork(new URL(script, import.meta.url).pathname, args, {
    env,
    execArgv: [...execArgv, '--import', 'tsx'],
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
  });
  const message = new Promise<T>((resolve, reject) => {
    proc.once('message', (m) => resolve(m as T));
    proc.once('exit', (code) => reject(new Error(`${script} exited with ${code} before answering`)));
  });
  return { proc, message };
}

async function runSync(input: SyncRunInput, execArgv: string[] = []): Promise<SyncRunOutput> {
  const run = child<SyncRunOutput>('./support/sync-run.ts', [JSON.stringify(input)], CHILD_ENV, execArgv);
  const out = await run.message;
  await new Promise((resolve) => (run.proc.exitCode === null ? run.proc.once('exit', resolve) : resolve(null)));
  if (out.error) throw new Error(`sync failed: ${out.error}`);
  return out;
}

/** Customers of the store before a run: id, physical row version (xmin), version, updated_at. */
async function snapshot(owner: pg.Client, storeId: string) {
  await owner.query('drop table if exists sync_bench_before');
  await owner.query(
    `create unlogged table sync_bench_before as
       select id, xmin::text as x, version, updated_at from customers where store_id = $1`,
    [storeId],
  );
  const audit = await owner.query(`select count(*)::int as n from audit_log where subject_type = 'customer'`);
  return { audit: audit.rows[0].n as number };
}

async function writesSince(owner: pg.Client, storeId: string, before: { audit: number }) {
  const diff = await owner.query(
    `select count(*) filter (where b.id is null)::int as inserted,
            count(*) filter (where b.id is not null and c.xmin::text <> b.x)::int as rewritten,
            count(*) filter (where b.id is not null and (c.version <> b.version or c.updated_at <> b.updated_at))::int as versioned
       from customers c left join sync_bench_before b using (id)
      where c.store_id = $1`,
    [storeId],
  );
  const audit = await owner.query(`select count(*)::int as n from audit_log where subject_type = 'customer'`);
  await owner.query('drop table sync_bench_before');
  return { ...diff.rows[0], audit: audit.rows[0].n - before.audit } as {
    inserted: number;
    rewritten: number;
    versioned: number;
    audit: number;
  };
}

const countsText = (c: Record<string, number> | undefined) =>
  c
    ? Object.entries(c)
        .map(([k, v]) => `${k} ${int(v)}`)
        .join(', ')
    : '-';

async function main() {
  const runStarted = performance.now();
  log(
    `bench/sync on ${cpus().length} CPUs (load average ${load()}); ${int(CUSTOMERS)} sandbox customers, database ${dbName}`,
  );
  await dropDatabase(ownerUrl);
  await provisionDatabase({ ownerUrl, appUrl });
  const owner = new pg.Client({ connectionString: ownerUrl });
  await owner.connect();
  const org = await owner.query(`insert into organizations (name) values ('Sync bench') returning id`);
  const orgId: string = org.rows[0].id;
  const store = await owner.query(
    `insert into stores (organization_id, name, timezone, country, currency)
     values ($1, 'Sync bench store', 'America/Los_Angeles', 'US', 'USD') returning id`,
    [orgId],
  );
  const storeId: string = store.rows[0].id;

  const vendor = child<BenchVendor>('./support/sync-sandbox.ts', [], {
    ...CHILD_ENV,
    SYNC_BENCH_CUSTOMERS: String(CUSTOMERS),
    SYNC_BENCH_VENDOR: values.vendor,
  });
  const sandbox = await vendor.message;
  const vendorCpu = () =>
    new Promise<number>((resolve) => {
      vendor.proc.once('message', (m) => resolve((m as { cpuMs: number }).cpuMs));
      vendor.proc.send('cpu');
    });
  const db = createDb(appUrl, 2);
  try {
    await putPosSettings(
      db,
      { orgId, storeId, actor: systemActor },
      { provider: sandbox.provider, credentials: sandbox.credentials, baseUrl: sandbox.url, authUrl: sandbox.authUrl },
      { development: true, scheduler: async () => undefined },
    );
    const input = { ...sandbox, orgId, storeId };

    log(`\nvendor: ${sandbox.provider} sandbox (500 per page, rate limit off, no latency) at ${sandbox.url}`);
    let cpu = await vendorCpu();
    const fetched = await runSync({ ...input, mode: 'fetch' });
    const fetchCpu = (await vendorCpu()) - cpu;
    log(
      `fetch only (adapter → sandbox, no database): ${int(fetched.counts!.fetched)} records, ${fetched.pages} pages in ${(fetched.ms / 1000).toFixed(1)} s = ${rate(fetched.counts!.fetched, fetched.ms)} records/s; the sandbox process used ${(fetchCpu / 1000).toFixed(1)} s CPU`,
    );

    const profileDir = values.profile ? mkdtempSync(join(tmpdir(), 'patron-sync-prof-')) : undefined;
    log(`\n1. full sync (load average ${load()})${profileDir ? ' under --cpu-prof' : ''}…`);
    cpu = await vendorCpu();
    const full = await runSync(
      { ...input, mode: 'sync' },
      profileDir ? ['--cpu-prof', '--cpu-prof-dir', profileDir] : [],
    );
    const fullCpu = (await vendorCpu()) - cpu;
    const customers = await owner.query(`select count(*)::int as n from customers where store_id = $1`, [storeId]);
    log(`   counts: ${countsText(full.counts)}; customers rows now ${int(customers.rows[0].n)}; ${full.pages} pages`);
    log(
      `   FULL SYNC: ${int(full.counts!.fetched)} customers in ${(full.ms / 1000).toFixed(1)} s (processor ${(full.processorMs! / 1000).toFixed(1)} s) = ${rate(full.counts!.fetched, full.ms)} customers/s (goal ≥ 5,000: ${full.counts!.fetched / (full.ms / 1000) >= 5000 ? 'ok' : 'MISSED'})`,
    );
    log(
      `   the sandbox process used ${(fullCpu / 1000).toFixed(1)} s CPU during it; database time per statement (knex send → answer):`,
    );
    for (const st of full.statements ?? [])
      log(`     ${(st.ms / 1000).toFixed(1).padStart(6)} s ${String(st.calls).padStart(6)}×  ${st.sql}`);

    log(`\n2a. immediate incremental re-sync (from the watermark)…`);
    let before = await snapshot(owner, storeId);
    const incremental = await runSync({ ...input, mode: 'sync' });
    let writes = await writesSince(owner, storeId, before);
    log(`   counts: ${countsText(incremental.counts)} in ${(incremental.ms / 1000).toFixed(1)} s`);
    log(
      `   ROWS WRITTEN (incremental): ${writes.versioned} customers with version/updated_at changed, ${writes.rewritten} rewritten at all (xmin), ${writes.inserted} inserted, ${writes.audit} customer audit rows (goal 0: ${writes.rewritten + writes.inserted === 0 ? 'ok' : 'MISSED'})`,
    );

    log(`\n2b. forced full re-sync (watermark cleared: all ${int(CUSTOMERS)} listed and compared)…`);
    await owner.query(`update pos_settings set sync_watermark = null where store_id = $1`, [storeId]);
    before = await snapshot(owner, storeId);
    const resync = await runSync({ ...input, mode: 'sync' });
    writes = await writesSince(owner, storeId, before);
    log(
      `   counts: ${countsText(resync.counts)} in ${(resync.ms / 1000).toFixed(1)} s = ${rate(resync.counts!.fetched, resync.ms)} customers/s`,
    );
    log(
      `   ROWS WRITTEN (forced full): ${writes.versioned} customers with version/updated_at changed, ${writes.rewritten} rewritten at all (xmin), ${writes.inserted} inserted, ${writes.audit} customer audit rows (goal 0: ${writes.rewritten + writes.inserted === 0 ? 'ok' : 'MISSED'})`,
    );

    if (profileDir) {
      const summary = summariseProfile(profileDir, new URL('..', import.meta.url).pathname);
      if (summary) {
        log(
          `\nCPU profile of the full sync's process (${summary.file}; ${(summary.totalMs / 1000).toFixed(1)} s sampled):`,
        );
        log(`  self time by file/package:`);
        for (const f of summary.files)
          log(`    ${((f.ms / summary.totalMs) * 100).toFixed(1).padStart(5)}%  ${f.name}`);
        log(`  self time by function:`);
        for (const f of summary.functions)
          log(`    ${((f.ms / summary.totalMs) * 100).toFixed(1).padStart(5)}%  ${f.name}`);
      }
    }
  } finally {
    vendor.proc.kill('SIGTERM');
    await db.destroy();
    await owner.end();
  }

  if (!values['skip-queue']) {
    log(
      `\n3. queue: ${int(JOBS)} no-op jobs, addBulk in 1,000s, one Worker at concurrency ${CONCURRENCY} (load average ${load()})…`,
    );
    const q = await child<{ addMs: number; drainMs: number; completed: number; failed: number }>(
      './support/sync-queue.ts',
      [],
      { ...CHILD_ENV, SYNC_BENCH_JOBS: String(JOBS), SYNC_BENCH_CONCURRENCY: String(CONCURRENCY) },
    ).message;
    log(`   addBulk: ${int(JOBS)} jobs in ${(q.addMs / 1000).toFixed(1)} s = ${rate(JOBS, q.addMs)} jobs/s added`);
    log(
      `   QUEUE: ${int(q.completed)} completed, ${q.failed} failed in ${(q.drainMs / 1000).toFixed(1)} s = ${rate(q.completed, q.drainMs)} jobs/s per worker (goal ≥ 5,000: ${q.completed / (q.drainMs / 1000) >= 5000 ? 'ok' : 'MISSED'})`,
    );
  }
  log(`\ntotal run time ${((performance.now() - runStarted) / 1000).toFixed(1)} s; load average now ${load()}`);
}

main().then(
  () => process.exit(0),
  (err) => {
    console.error(err);
    process.exit(1);
  },
);
