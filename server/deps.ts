import { config as defaultConfig, type Config } from '../config/env.js';
import { logger } from '../config/logger.js';
import { createRedis } from '../config/redis.js';
import { createDb } from '../db/knex.js';
import type { AppDeps } from './app-deps.js';
import { createAccessTokens } from './auth/access-tokens.js';
import { createSessionRevocations } from './auth/session-revocations.js';

export function createDeps(config: Readonly<Config> = defaultConfig): AppDeps {
  const redis = createRedis('client', config.redis.url);
  // A subscribed connection cannot run commands, so the revocation feed gets its own. The feed, not
  // ioredis, resubscribes after a reconnect, so it can reload what it missed before trusting itself again.
  const subscriber = redis.duplicate({ autoResubscribe: false, connectionName: 'patron-revocations' });
  return {
    config,
    db: createDb(config.db.url, config.db.poolMax),
    redis,
    logger,
    accessTokens: createAccessTokens(config.auth),
    sessions: createSessionRevocations({
      redis,
      subscriber,
      accessTokenTtlSeconds: config.auth.accessTokenTtlSeconds,
      logger,
    }),
  };
}

export async function closeDeps(deps: AppDeps): Promise<void> {
  await Promise.allSettled([deps.db.destroy(), deps.sessions.close(), deps.redis.quit()]);
}
