// bench/import: a CSV customer import of a generated file (default 1,000,000 rows in our template, within
// the 50 MB upload limit), end to end, and its floor in the same run. Creates <owner db>_import_bench.
//   floor: the same file COPYed as it is into a holding table (no parsing, checking or normalising in
//          JavaScript), then, batch by batch as the job does, moved into the staging table and written
//          by the job's own upsert SQL (upsertStatements), one transaction per batch, on as many
//          connections at once as the job writes with (IMPORT_WRITERS);
//   end to end (its own process, so its peak RSS is the import's): the file streamed into storage as the
//          upload does, the import recorded, its job run by a real BullMQ Worker with the real processor.
// The customer tables are emptied between the two, so each writes into an empty store.
//   npm run bench:import [-- --rows 1000000]
// The import process runs with the Procfile worker's Node flags; IMPORT_FLAGS adds more
// (IMPORT_FLAGS='--cpu-prof --cpu-prof-dir=prof' profiles it).
import { fork } from 'node:child_process';
import { createReadStream, createWriteStream, mkdtempSync, readFileSync, statSync } from 'node:fs';
import { rm } from 'node:fs/promises';
import { cpus, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { pipeline } from 'node:stream/promises';
import { Readable } from 'node:stream';
import { parseArgs } from 'node:util';
import { from as copyFrom } from 'pg-copy-streams';
import { IMPORT_BATCH_SIZE, IMPORT_WRITERS } from '../jobs/processors/customer-import.js';
import { ASYNC_COMMIT } from '../db/imports/import-service.js';
import { ENSURE_STAGING } from '../db/imports/import-staging.js';
import { upsertStatements } from '../db/imports/import-upsert-repository.js';
import { createDb } from '../db/knex.js';
import { databaseName, dropDatabase, provisionDatabase, withDatabase } from '../db/provision.js';
import { inlineParameters, onConnection, tenantScript } from '../db/tenant.js';
import type { ImportRunInput, ImportRunOutput } from './support/import-run.js';

const { values } = parseArgs({ options: { rows: { type: 'string', default: '1000000' } } });
const ROWS = Number(values.rows);

const BASE_OWNER = process.env.DATABASE_OWNER_URL ?? 'postgres://postgres@127.0.0.1:5432/patron';
const BASE_APP = process.env.DATABASE_URL ?? 'postgres://patron_app:patron_app@127.0.0.1:5432/patron';
const dbName = `${databaseName(BASE_OWNER)}_import_bench`;
const ownerUrl = withDatabase(BASE_OWNER, dbName);
const appUrl = withDatabase(BASE_APP, dbName);

/** The Node flags the Procfile runs the worker with (heap cap, GC), so the import runs as it does there. */
const WORKER_FLAGS = (() => {
  const procfile = readFileSync(new URL('../Procfile', import.meta.url), 'utf8');
  const line = /^worker: node (.*?) ?dist\/jobs\/worker\.js$/m.exec(procfile);
  if (!line) throw new Error('the Procfile has no `worker: node … dist/jobs/worker.js` line');
  return line[1]!.split(' ').filter(Boolean);
})();
const log = (line: string) => console.log(line);
const seconds = (ms: number) => (ms / 1000).toFixed(1);
const int = (n: number) => Math.round(n).toLocaleString('en');
const load = () =>
  loadavg()
    .map((l) => l.toFixed(1))
    .join(' ');

const FIRST = ['Ana', 'Ben', 'Chloé', 'Dev', 'Eva', 'Finn', 'Gia', 'Hugo', 'Ines', 'Jon', 'Kai', 'Lea', 'Max', 'Nia'];
const LAST = ['Kim', 'Lee', 'Ortiz', 'Nakamura', 'Smith', 'Okafor', 'Müller', 'Rossi', 'Khan', 'Dubois', 'Silva'];

/** Our template, short rows so a million fit the upload limit: names, email, a phone in mixed formats, birthday. */
function* generateRows(rows: number): Generator<string> {
  yield 'first_name,last_name,email,phone,birthday\n';
  for (let i = 0; i < rows; i += 1) {
    const first = FIRST[i % FIRST.length]!;
    const last = LAST[(i * 7) % LAST.length]!;
    const digits = String(1_000_000 + i).slice(1);
    const phone =
      i % 10 < 3 ? '' : i % 2 === 0 ? `(503) 5${digits.slice(0, 2)}-${digits.slice(2)}` : `+1503${5}${digits}`;
    const birthday = i % 5 < 3 ? `19${50 + (i % 50)}-0${1 + (i % 9)}-${10 + (i % 18)}` : '';
    yield `${first},${last},c${i}@mail.io,${phone},${birthday}\n`;
  }
}

function runImport(input: ImportRunInput): Promise<ImportRunOutput> {
  const proc = fork(new URL('./support/import-run.ts', import.meta.url).pathname, [JSON.stringify(input)], {
    env: { ...process.env, DATABASE_URL: appUrl, DATABASE_OWNER_URL: ownerUrl, LOG_LEVEL: 'warn' },
    execArgv: [...WORKER_FLAGS, '--import', 'tsx', ...(process.env.IMPORT_FLAGS?.split(' ').filter(Boolean) ?? [])],
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
  });
  return new Promise((resolve, reject) => {
    proc.once('message', (m) => resolve(m as ImportRunOutput));
    proc.once('exit', (code) => reject(new Error(`import-run exited with ${code} before answering`)));
  });
}

async function emptyCustomers(owner: ReturnType<typeof createDb>) {
  await owner.raw(
    `truncate customers, customer_external_refs, customer_tags, customer_addresses, audit_log, outbox_events,
              customer_imports, customer_import_errors cascade`,
  );
  await owner.raw('vacuum analyze customers');
}

/**
 * COPY of the file as it is into a holding table, then the job's upsert SQL per batch (one message each, as
 * the job sends it), on as many connections at once as the job writes with.
 */
async function floor(orgId: string, storeId: string, file: string): Promise<{ copyMs: number; ms: number }> {
  const owner = createDb(ownerUrl, 1); // one session: its temporary staging table is the holding table's model
  const db = createDb(appUrl, IMPORT_WRITERS);
  const scope = {
    orgId,
    storeId,
    importId: '00000000-0000-4000-8000-000000000000',
    actorType: 'system',
    actorId: null,
    traceId: null,
  };
  try {
    const started = performance.now();
    const appRole = decodeURIComponent(new URL(appUrl).username);
    await tenantScript(owner, { orgId }, [
      ENSURE_STAGING,
      'drop table if exists floor_rows',
      'create unlogged table floor_rows (like import_staging including all)',
      `grant select on floor_rows to "${appRole.replace(/"/g, '""')}"`,
    ]);
    await onConnection(owner, async (conn) => {
      const sink = conn.query(
        copyFrom(
          `copy floor_rows (first_name, last_name, email, phone, birthday) from stdin with (format csv, header true)`,
        ),
      );
      await pipeline(createReadStream(file), sink);
    });
    // Each batch reads its rows by row_no: without an index every batch would scan the whole holding
    // table, a cost the job does not have.
    await owner.raw('create index on floor_rows (row_no)');
    await owner.raw('analyze floor_rows');
    const copyMs = performance.now() - started;
    const [{ first, last }] = (await owner.raw('select min(row_no) as first, max(row_no) as last from floor_rows'))
      .rows;
    let next = Number(first);
    const writer = async () => {
      while (next <= Number(last)) {
        const from = next;
        next += IMPORT_BATCH_SIZE;
        await tenantScript(db, { orgId }, [
          ASYNC_COMMIT,
          ENSURE_STAGING,
          inlineParameters('insert into import_staging select * from floor_rows where row_no between $1 and $2', [
            from,
            from + IMPORT_BATCH_SIZE - 1,
          ]),
          ...upsertStatements(scope, 'US'),
        ]);
      }
    };
    await Promise.all(Array.from({ length: IMPORT_WRITERS }, writer));
    await owner.raw('drop table floor_rows');
    return { copyMs, ms: performance.now() - started };
  } finally {
    await db.destroy();
    await owner.destroy();
  }
}

async function main() {
  log(`bench/import: ${int(ROWS)} rows, database ${dbName}, load average ${load()}`);
  await dropDatabase(ownerUrl);
  await provisionDatabase({ ownerUrl, appUrl });
  const owner = createDb(ownerUrl, 2);
  const dir = mkdtempSync(join(tmpdir(), 'patron-import-bench-'));
  try {
    const [org] = (await owner.raw(`insert into organizations (name) values ('Import bench') returning id`)).rows;
    const [store] = (
      await owner.raw(
        `insert into stores (organization_id, name, timezone, country, currency)
         values (?, 'Import bench store', 'America/Los_Angeles', 'US', 'USD') returning id`,
        [org.id],
      )
    ).rows;
    const file = join(dir, 'customers.csv');
    await pipeline(Readable.from(generateRows(ROWS)), createWriteStream(file));
    log(`file: ${int(ROWS)} rows, ${(statSync(file).size / 1024 / 1024).toFixed(1)} MB (upload limit 50 MB)`);

    const floorRun = await floor(org.id, store.id, file);
    const [{ n: floorCustomers }] = (await owner.raw('select count(*)::int as n from customers')).rows;
    log(
      `floor: COPY ${seconds(floorRun.copyMs)} s + upsert SQL → ${seconds(floorRun.ms)} s in all ` +
        `(${int(floorCustomers)} customers)`,
    );
    await emptyCustomers(owner);

    const run = await runImport({ orgId: org.id, storeId: store.id, file, storageDir: join(dir, 'storage') });
    if (run.error) throw new Error(run.error);
    log(`end to end: ${seconds(run.ms)} s (upload into storage ${seconds(run.uploadMs)} s), status ${run.status}`);
    log(`  counts ${JSON.stringify(run.counts)}`);
    log('');
    log(`end-to-end seconds: ${seconds(run.ms)} (goal ≤ 45)`);
    log(`rows/s: ${int(ROWS / (run.ms / 1000))}`);
    log(`peak RSS of the import process: ${run.maxRssMb.toFixed(0)} MB (goal ≤ 300)`);
    log(
      `CPU of the import process: ${seconds(run.cpuMs)} s, ${((run.cpuMs * 1000) / ROWS).toFixed(1)} µs per row ` +
        `(the rest is PostgreSQL's; both share ${cpus().length} CPUs)`,
    );
    log(
      `floor seconds: ${seconds(floorRun.ms)}; end to end / floor: ${(run.ms / floorRun.ms).toFixed(2)}× (goal ≤ 1.5×)`,
    );
    log(`load average at the end: ${load()}`);
  } finally {
    await owner.destroy();
    await rm(dir, { recursive: true, force: true });
  }
}

main().catch((err: unknown) => {
  console.error(err);
  process.exit(1);
});
