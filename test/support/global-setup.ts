import { config } from '../../config/env.js';
import { checkServices } from '../../config/preflight.js';
import { dropDatabase, provisionDatabase } from '../../db/provision.js';
import { closeTestContext } from './test-context.js';

/** Each run starts from an empty database built by the real migrations. */
export async function mochaGlobalSetup(): Promise<void> {
  await checkServices({ postgres: config.db.ownerUrl, redis: config.redis.url });
  await dropDatabase(config.db.ownerUrl);
  await provisionDatabase({ ownerUrl: config.db.ownerUrl, appUrl: config.db.url });
}

export async function mochaGlobalTeardown(): Promise<void> {
  await closeTestContext();
}
