import type { Redis } from 'ioredis';
import { redisKey } from '../../config/redis.js';

/**
 * Access tokens are stateless, so logging out must also mark the session revoked for as long as a
 * token of it can still be valid. Every process reads the same Redis.
 */
export function createSessionRevocations(redis: Redis, accessTokenTtlSeconds: number) {
  const key = (sessionId: string) => redisKey('revoked-session', sessionId);
  return {
    async revoke(sessionIds: string[]): Promise<void> {
      if (sessionIds.length === 0) return;
      const pipeline = redis.pipeline();
      for (const id of sessionIds) pipeline.set(key(id), '1', 'EX', accessTokenTtlSeconds + 60);
      await pipeline.exec();
    },
    async isRevoked(sessionId: string): Promise<boolean> {
      return (await redis.exists(key(sessionId))) === 1;
    },
  };
}

export type SessionRevocations = ReturnType<typeof createSessionRevocations>;
