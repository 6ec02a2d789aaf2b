// For the knex CLI and tools that expect a knexfile; the app itself migrates through db/provision.ts.
import { config } from './config/env.js';
import { migrationConfig } from './db/provision.js';

export default {
  client: 'pg',
  connection: config.db.ownerUrl,
  migrations: migrationConfig,
};
