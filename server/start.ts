// The one-command laptop start: checks PostgreSQL and Redis, creates and migrates the database, seeds
// the demo on first run, then serves the API and runs the workers in this one process.
import { config } from '../config/env.js';
import { logger } from '../config/logger.js';
import { checkServices, rabbitmqProblem, ServiceUnavailableError } from '../config/preflight.js';
import { createRedis } from '../config/redis.js';
import { bootstrap } from '../db/bootstrap/seed.js';
import { provisionDatabase } from '../db/provision.js';
import { exitGracefullyOnSignals } from '../jobs/graceful-shutdown.js';
import { createQueue } from '../jobs/queues.js';
import { startWorkers } from '../jobs/workers.js';
import { connectDemoStores, startDemoSandboxes, type DemoSandboxes } from './demo-pos.js';
import { closeDeps, createDeps } from './deps.js';
import { listen } from './listen.js';

async function main(): Promise<void> {
  await checkServices({ postgres: config.db.ownerUrl, redis: config.redis.url });
  const rabbitmq = config.events.rabbitmq ? await rabbitmqProblem(config.events.rabbitmqUrl) : undefined;
  if (rabbitmq) logger.warn(rabbitmq);
  const applied = await provisionDatabase({ ownerUrl: config.db.ownerUrl, appUrl: config.db.url });
  if (applied.length) logger.info('migrations applied', { count: applied.length });

  const deps = createDeps(config);
  const seeded = await bootstrap(deps.db, config.bootstrap);
  if (seeded.demoOrganizationId) logger.info('demo organisation created', { orgId: seeded.demoOrganizationId });
  if (seeded.sysadminCreated) logger.info('platform sysadmin created from configuration');

  // Before the workers: a sync job left from the last run finds its vendor up.
  let sandboxes: DemoSandboxes | undefined;
  if (config.sandbox.vendors) {
    sandboxes = await startDemoSandboxes({ portBase: config.sandbox.portBase, production: config.isProduction });
    logger.info('sandbox POS vendors started', {
      portBase: config.sandbox.portBase,
      vendors: sandboxes.vendors.map((v) => v.provider),
    });
  }

  const workerRedis = createRedis('worker');
  const workers = await startWorkers({ db: deps.db, workerRedis, queueRedis: deps.redis });
  const server = await listen(deps);
  const syncQueue = createQueue('customer-sync', deps.redis);
  if (sandboxes) await connectDemoStores(deps.db, sandboxes, syncQueue);
  console.log(
    `Patron is up: http://localhost:${config.port}  (API /api/v1, docs /docs, jobs /admin/queues, health /readyz)`,
  );

  // HTTP first (no new requests enqueue work), then the workers finish their active jobs, then the pools.
  exitGracefullyOnSignals(async () => {
    await server.close();
    await workers.close();
    await syncQueue.close();
    await sandboxes?.close();
    await workerRedis.quit();
    await closeDeps(deps);
  });
}

main().catch((err) => {
  if (err instanceof ServiceUnavailableError) console.error(`Patron cannot start:\n${err.message}`);
  else console.error('Patron failed to start:', err);
  process.exit(1);
});
