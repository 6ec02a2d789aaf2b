import type { Redis } from 'ioredis';
import type { Config } from '../config/env.js';
import type { Logger } from '../config/logger.js';
import type { Db } from '../db/knex.js';
import type { AccessTokens } from './auth/access-tokens.js';
import type { SessionRevocations } from './auth/session-revocations.js';

/** Everything the HTTP app needs from outside; tests build their own. */
export interface AppDeps {
  config: Readonly<Config>;
  db: Db;
  redis: Redis;
  logger: Logger;
  accessTokens: AccessTokens;
  sessions: SessionRevocations;
}
