// bench/http-overhead: GET /api/v1/me through Patron's full stack (JWT auth, session check in Redis,
// policy, tenant transaction with set_config, the query, JSON) against a raw node:http + pg handler
// running the same query, in the same run. Prints req/s of both and the ratio (goal: Patron ≥ 50% of raw).
//   npm run bench:http [-- --duration 10 --connections 32]
import autocannon from 'autocannon';
import { fork, type ChildProcess } from 'node:child_process';
import { parseArgs } from 'node:util';
import { createDb } from '../db/knex.js';
import { hashPassword } from '../db/auth/password.js';
import { databaseName, provisionDatabase, withDatabase } from '../db/provision.js';

const { values } = parseArgs({
  options: { duration: { type: 'string', default: '10' }, connections: { type: 'string', default: '32' } },
});
const duration = Number(values.duration);
const connections = Number(values.connections);

const BASE_OWNER = process.env.DATABASE_OWNER_URL ?? 'postgres://postgres@127.0.0.1:5432/patron';
const BASE_APP = process.env.DATABASE_URL ?? 'postgres://patron_app:patron_app@127.0.0.1:5432/patron';
const db = `${databaseName(BASE_OWNER)}_bench`;
const ownerUrl = withDatabase(BASE_OWNER, db);
const appUrl = withDatabase(BASE_APP, db);

function start(script: string, env: Record<string, string>): Promise<ChildProcess> {
  return new Promise((resolve, reject) => {
    const child = fork(new URL(script, import.meta.url).pathname, [], {
      env: { ...process.env, ...env },
      execArgv: ['--import', 'tsx'],
      stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
    });
    child.once('message', () => resolve(child));
    child.once('exit', (code) => reject(new Error(`${script} exited with ${code}`)));
  });
}

async function load(url: string, headers: Record<string, string>, seconds: number) {
  return autocannon({ url, headers, connections, duration: seconds, pipelining: 1 });
}

async function main() {
  await provisionDatabase({ ownerUrl, appUrl });
  const owner = createDb(ownerUrl, 2);
  const [org] = await owner('organizations').insert({ name: 'Bench org' }).returning('id');
  const stores = await owner('stores')
    .insert(
      [1, 2, 3].map((n) => ({
        organization_id: org.id,
        name: `Bench store ${n}`,
        timezone: 'UTC',
        country: 'US',
        currency: 'USD',
      })),
    )
    .returning('id');
  const email = `bench-${Date.now()}@patron.bench`;
  const password = 'bench-password-123';
  const [user] = await owner('users')
    .insert({
      organization_id: org.id,
      email,
      password_hash: await hashPassword(password),
      name: 'Bench manager',
      role: 'manager',
    })
    .returning('id');
  await owner('user_store_access').insert(
    stores.slice(0, 2).map((s) => ({ organization_id: org.id, user_id: user.id, store_id: s.id })),
  );
  await owner.destroy();

  const patron = await start('./support/patron-server.ts', {
    PORT: '3901',
    DATABASE_URL: appUrl,
    DATABASE_OWNER_URL: ownerUrl,
    LOG_LEVEL: 'warn',
    NODE_ENV: 'development',
    LOGIN_IP_FAILURE_LIMIT: '100000',
  });
  const raw = await start('./support/raw-me-server.ts', {
    PORT: '3902',
    OWNER_URL: ownerUrl,
    USER_ID: user.id,
    ORG_ID: org.id,
  });
  try {
    const login = await fetch('http://127.0.0.1:3901/api/v1/auth/login', {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ email, password }),
    });
    if (!login.ok) throw new Error(`login failed: ${login.status} ${await login.text()}`);
    const { accessToken } = (await login.json()) as { accessToken: string };
    const auth = { authorization: `Bearer ${accessToken}` };
    const check = await fetch('http://127.0.0.1:3901/api/v1/me', { headers: auth });
    if (!check.ok) throw new Error(`/me failed: ${check.status}`);

    console.log(`warming up (3 s each), then ${duration} s each at ${connections} connections…`);
    await load('http://127.0.0.1:3901/api/v1/me', auth, 3);
    await load('http://127.0.0.1:3902/', {}, 3);
    const p = await load('http://127.0.0.1:3901/api/v1/me', auth, duration);
    const r = await load('http://127.0.0.1:3902/', {}, duration);
    if (p.non2xx || p.errors) throw new Error(`Patron answered ${p.non2xx} non-2xx and ${p.errors} errors`);

    const row = (name: string, x: autocannon.Result) =>
      `${name.padEnd(22)} ${x.requests.average.toFixed(0).padStart(8)} req/s   p50 ${x.latency.p50} ms   p99 ${x.latency.p99} ms   (${x.requests.total} requests)`;
    console.log(row('Patron GET /api/v1/me', p));
    console.log(row('raw node:http + pg', r));
    console.log(`ratio Patron/raw: ${((p.requests.average / r.requests.average) * 100).toFixed(1)}% (goal ≥ 50%)`);
  } finally {
    patron.kill('SIGTERM');
    raw.kill('SIGTERM');
  }
}

main().then(
  () => process.exit(0),
  (err) => {
    console.error(err);
    process.exit(1);
  },
);
