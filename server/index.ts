// The web process alone (Procfile `web`); migrations run in `release`.
import { config } from '../config/env.js';
import { logger } from '../config/logger.js';
import { checkServices, ServiceUnavailableError } from '../config/preflight.js';
import { closeDeps, createDeps } from './deps.js';
import { listen } from './listen.js';

async function main(): Promise<void> {
  await checkServices({ postgres: config.db.ownerUrl, redis: config.redis.url });
  const deps = createDeps(config);
  const server = await listen(deps);
  logger.info('listening', { port: config.port });
  const stop = async () => {
    await server.close();
    await closeDeps(deps);
    process.exit(0);
  };
  process.once('SIGTERM', () => void stop());
  process.once('SIGINT', () => void stop());
}

main().catch((err) => {
  console.error(err instanceof ServiceUnavailableError ? `Patron cannot start:\n${err.message}` : err);
  process.exit(1);
});
