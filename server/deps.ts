import { config as defaultConfig, type Config } from '../config/env.js';
import { logger } from '../config/logger.js';
import { createRedis } from '../config/redis.js';
import { createDb } from '../db/knex.js';
import type { AppDeps } from './app-deps.js';
import { createAccessTokens } from './auth/access-tokens.js';
import { createSessionRevocations } from './auth/session-revocations.js';

export function createDeps(config: Readonly<Config> = defaultConfig): AppDeps {
  const redis = createRedis('client', config.redis.url);
  return {
    config,
    db: createDb(config.db.url, config.db.poolMax),
    redis,
    logger,
    accessTokens: createAccessTokens(config.auth),
    sessions: createSessionRevocations(redis, config.auth.accessTokenTtlSeconds),
  };
}

export async function closeDeps(deps: AppDeps): Promise<void> {
  await Promise.allSettled([deps.db.destroy(), deps.redis.quit()]);
}
