import { createRequire } from 'node:module';
import knexFactory, { type Knex } from 'knex';
import pg from 'pg';
import { config } from '../config/env.js';

// Dates without time stay 'YYYY-MM-DD' strings; counts (int8) fit comfortably in a JS number.
pg.types.setTypeParser(pg.types.builtins.DATE, (value) => value);
pg.types.setTypeParser(pg.types.builtins.INT8, (value) => Number.parseInt(value, 10));

export type Db = Knex;
export type Trx = Knex.Transaction;

// knex takes a custom client class; these are its own PostgreSQL client and transaction.
const require = createRequire(import.meta.url);
const KnexPgClient = require('knex/lib/dialects/postgres/index.js');
const KnexPgTransaction = require('knex/lib/dialects/postgres/execution/pg-transaction.js');

/**
 * Every request runs in a tenant transaction, so its start is on the hot path. When the transaction
 * config carries `beginWith` (built by db/tenant.ts from a validated UUID, never from raw input),
 * BEGIN and the tenant's set_config travel as one simple-protocol query: one round trip, not two.
 */
class TenantAwareTransaction extends KnexPgTransaction {
  declare query: (conn: unknown, sql: string) => Promise<unknown>;
  private readonly beginWith: string | undefined;

  constructor(client: unknown, container: unknown, config?: { beginWith?: string }, outerTx?: unknown) {
    super(client, container, config, outerTx);
    this.beginWith = config?.beginWith;
  }

  begin(conn: unknown) {
    return this.beginWith ? this.query(conn, `BEGIN; ${this.beginWith}`) : super.begin(conn);
  }
}

class PatronPgClient extends KnexPgClient {
  transaction(container: unknown, config?: { beginWith?: string }, outerTx?: unknown) {
    return new TenantAwareTransaction(this, container, config, outerTx);
  }
}

/**
 * Settings of every Patron session, sent in the connection's startup packet (after any PGOPTIONS).
 * jit=off: PostgreSQL compiles a statement with LLVM when its estimated cost passes jit_above_cost, and
 * estimates grow with a store. Patron's statements are short, so compiling is all cost: at a million
 * customers an import batch's match statement (a lookup per row, estimated as if each could scan the
 * store) spent ~70 ms of its 75 ms compiling, every batch.
 */
export const SESSION_OPTIONS = [config.db.sessionOptions, '-c jit=off'].filter(Boolean).join(' ');

export function createDb(url: string, poolMax = 10): Db {
  return knexFactory({
    client: PatronPgClient as unknown as typeof Knex.Client,
    connection: { connectionString: url, application_name: 'patron', options: SESSION_OPTIONS },
    pool: { min: 0, max: poolMax },
    acquireConnectionTimeout: 5000,
  });
}
