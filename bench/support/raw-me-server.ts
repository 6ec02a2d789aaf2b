// The floor for bench/http-overhead: node:http + pg running the same /me query, with nothing else —
// no auth, no tenant transaction, no validation, no logging. It connects as the owner, since a raw
// query of the app role without a tenant set would see no rows.
import { createServer } from 'node:http';
import pg from 'pg';
import { USER_PROFILE_SQL as ME_SQL } from '../../db/users/user-repository.js';

const { OWNER_URL, PORT, USER_ID, ORG_ID } = process.env as Record<string, string>;
const pool = new pg.Pool({ connectionString: OWNER_URL, max: 10 });

createServer(async (req, res) => {
  try {
    const { rows } = await pool.query(ME_SQL, [USER_ID, ORG_ID]);
    const body = JSON.stringify({ type: 'user', user: rows[0], stores: rows[0].stores });
    res.writeHead(200, { 'content-type': 'application/json' }).end(body);
  } catch {
    res.writeHead(500).end();
  }
}).listen(Number(PORT), () => process.send?.('ready'));
