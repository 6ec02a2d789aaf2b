import knexFactory, { type Knex } from 'knex';
import pg from 'pg';

// Dates without time stay 'YYYY-MM-DD' strings; counts (int8) fit comfortably in a JS number.
pg.types.setTypeParser(pg.types.builtins.DATE, (value) => value);
pg.types.setTypeParser(pg.types.builtins.INT8, (value) => Number.parseInt(value, 10));

export type Db = Knex;
export type Trx = Knex.Transaction;

export function createDb(url: string, poolMax = 10): Db {
  return knexFactory({
    client: 'pg',
    connection: { connectionString: url, application_name: 'patron' },
    pool: { min: 0, max: poolMax },
    acquireConnectionTimeout: 5000,
  });
}
