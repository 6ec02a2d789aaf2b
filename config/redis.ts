import { Redis, type RedisOptions } from 'ioredis';
import { config } from './env.js';

/**
 * Connections for requests and producers fail fast: a request must not hang while Redis is down.
 * Workers need `maxRetriesPerRequest: null` (BullMQ's rule) and get their own connection.
 */
export function createRedis(kind: 'client' | 'worker' = 'client', url = config.redis.url): Redis {
  const options: RedisOptions =
    kind === 'worker'
      ? { maxRetriesPerRequest: null, enableReadyCheck: true }
      : { maxRetriesPerRequest: 1, connectTimeout: 2000, commandTimeout: 2000 };
  return new Redis(url, { lazyConnect: false, ...options });
}

/** Every key Patron writes starts with this, in braces so related keys share a Redis Cluster slot. */
export const redisKey = (...parts: string[]) => `${config.redis.prefix}:${parts.join(':')}`;
