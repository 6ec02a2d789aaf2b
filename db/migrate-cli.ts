// npm run db:migrate | db:rollback — runs as the owner role (DATABASE_OWNER_URL).
import { config } from '../config/env.js';
import { createDb } from './knex.js';
import { migrationConfig, provisionDatabase } from './provision.js';

const command = process.argv[2];
if (command === 'latest') {
  const applied = await provisionDatabase({ ownerUrl: config.db.ownerUrl, appUrl: config.db.url });
  console.log(
    applied.length ? `Applied ${applied.length} migration(s):\n  ${applied.join('\n  ')}` : 'Already up to date',
  );
} else if (command === 'rollback') {
  const owner = createDb(config.db.ownerUrl, 1);
  const [, undone] = (await owner.migrate.rollback(migrationConfig)) as [number, string[]];
  console.log(undone.length ? `Rolled back:\n  ${undone.join('\n  ')}` : 'Nothing to roll back');
  await owner.destroy();
} else {
  console.error('usage: migrate-cli latest|rollback');
  process.exit(2);
}
