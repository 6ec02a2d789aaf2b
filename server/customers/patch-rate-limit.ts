import type { RequestHandler } from 'express';
import { rateLimit, type RateLimitInfo } from 'express-rate-limit';
import type { RedisReply } from 'rate-limit-redis';
import { AppError } from '../../config/errors.js';
import { redisKey } from '../../config/redis.js';
import type { AppDeps } from '../app-deps.js';
import { RecoveringRedisStore } from '../auth/rate-limits.js';

/** Customer PATCHes a caller may send per window: a person at a counter never gets near it; a runaway script does. */
export interface PatchRateLimit {
  limit: number;
  windowSeconds: number;
  /** Separates limiters (tests build their own with small limits). */
  name: string;
}

export const CUSTOMER_PATCH_RATE_LIMIT: PatchRateLimit = { limit: 60, windowSeconds: 60, name: 'customer-patch' };

const INFO = 'customerPatchRateLimit';

/**
 * Counts every customer PATCH per principal (a user, or an API key) in Redis, so the limit holds across
 * instances; over the limit → 429 rate_limited with Retry-After. Runs after authorisation.
 */
export function customerPatchRateLimit(
  deps: AppDeps,
  spec: PatchRateLimit = CUSTOMER_PATCH_RATE_LIMIT,
): RequestHandler {
  return rateLimit({
    windowMs: spec.windowSeconds * 1000,
    limit: spec.limit,
    keyGenerator: (_req, res) => {
      const p = res.locals.principal;
      if (!p) throw new AppError('internal', 'the PATCH rate limit runs after authentication');
      return p.kind === 'user' ? `user:${p.userId}` : `key:${p.keyId}`;
    },
    requestPropertyName: INFO,
    standardHeaders: false,
    legacyHeaders: false,
    logger: deps.logger,
    // Anti-flood, not security: with Redis down, edits go on rather than fail.
    passOnStoreError: true,
    store: new RecoveringRedisStore({
      prefix: redisKey('rl', spec.name, ''),
      sendCommand: (command: string, ...args: string[]) => deps.redis.call(command, ...args) as Promise<RedisReply>,
    }),
    handler: (req, _res, next) => {
      const info = (req as unknown as Record<string, RateLimitInfo | undefined>)[INFO];
      const seconds = info?.resetTime ? Math.ceil((info.resetTime.getTime() - Date.now()) / 1000) : spec.windowSeconds;
      next(
        new AppError('rate_limited', 'too many customer updates; slow down and try again shortly', {
          headers: { 'Retry-After': String(Math.max(1, seconds)) },
        }),
      );
    },
  });
}
