import type { Redis } from 'ioredis';
import type { Logger } from '../../config/logger.js';
import { redisKey } from '../../config/redis.js';

export interface SessionRevocationOptions {
  /** Runs commands: the revocation keys (the source of truth), publishing, SCAN, and the fallback EXISTS. */
  redis: Redis;
  /**
   * A connection of its own for the subscription (a subscribed connection cannot run commands). Without
   * one, every check asks Redis.
   */
  subscriber?: Redis;
  accessTokenTtlSeconds: number;
  logger: Logger;
  /** How often the subscribed connection is pinged; a silent failure would otherwise look healthy. */
  livenessIntervalMs?: number;
}

const RETRY_MS = 1000;
const SCAN_BATCH = 1000;

/**
 * Access tokens are stateless, so ending a session must also mark it revoked for as long as a token of
 * it can still be valid. The Redis key is the truth every process shares. Checking it on each request
 * costs a round trip, so each process also keeps the revoked ids in memory, fed by a pub/sub channel
 * and, after every (re)subscription, by a SCAN of the keys (nothing published while it was away is
 * missed). Only while that subscription is known healthy does a miss in memory mean "not revoked";
 * otherwise each check asks Redis as before.
 */
export function createSessionRevocations(options: SessionRevocationOptions) {
  const { redis, subscriber, accessTokenTtlSeconds, logger } = options;
  const keyPrefix = redisKey('revoked-session', '');
  const key = (sessionId: string) => keyPrefix + sessionId;
  const channel = redisKey('revoked-sessions');
  // A revoked session never comes back, so holding an id a little longer than its key is harmless.
  const retainMs = (accessTokenTtlSeconds + 60) * 1000;
  const revoked = new Map<string, number>(); // session id → when it may be forgotten (ms)

  let healthy = false;
  let closed = false;
  // Bumped whenever the connection drops or reconnects, so a resync that started earlier cannot mark it healthy.
  let generation = 0;
  let retryTimer: NodeJS.Timeout | undefined;
  const timers: NodeJS.Timeout[] = [];

  function remember(sessionId: string, now = Date.now()): void {
    revoked.set(sessionId, now + retainMs);
  }

  function markUnhealthy(reason: string): void {
    generation++;
    if (healthy && !closed) logger.warn('session revocation feed lost; checking Redis on every request', { reason });
    healthy = false;
  }

  async function loadRevokedKeys(gen: number): Promise<void> {
    const pattern = keyPrefix.replace(/[*?[\]\\]/g, '\\$&') + '*';
    let cursor = '0';
    do {
      const [next, keys] = await redis.scan(cursor, 'MATCH', pattern, 'COUNT', SCAN_BATCH);
      if (gen !== generation) return;
      const now = Date.now();
      for (const k of keys) remember(k.slice(keyPrefix.length), now);
      cursor = next;
    } while (cursor !== '0');
  }

  // Subscribe first, then load the keys: a revocation is written before it is published, so one made
  // before the subscription took effect is found by the SCAN, and one made after arrives as a message.
  async function resync(gen: number): Promise<void> {
    try {
      await subscriber!.subscribe(channel);
      if (gen !== generation) return;
      await loadRevokedKeys(gen);
      if (gen !== generation || closed) return;
      healthy = true;
      logger.info('session revocation feed subscribed', { known: revoked.size });
    } catch (err) {
      if (gen !== generation || closed) return;
      logger.warn('session revocation feed could not resync; retrying', { error: (err as Error).message });
      clearTimeout(retryTimer);
      retryTimer = setTimeout(() => {
        if (gen === generation && !closed) void resync(gen);
      }, RETRY_MS).unref();
    }
  }

  function onMessage(from: string, message: string): void {
    if (from !== channel) return;
    let ids: unknown;
    try {
      ids = JSON.parse(message);
    } catch {
      return;
    }
    if (!Array.isArray(ids)) return;
    const now = Date.now();
    for (const id of ids) if (typeof id === 'string') remember(id, now);
  }

  if (subscriber) {
    subscriber.on('message', onMessage);
    subscriber.on('ready', () => {
      markUnhealthy('reconnected');
      if (!closed) void resync(generation);
    });
    subscriber.on('close', () => markUnhealthy('connection closed'));
    subscriber.on('end', () => markUnhealthy('connection ended'));
    // Without a listener ioredis prints each reconnect failure; the state changes are logged above.
    subscriber.on('error', () => undefined);
    if (subscriber.status === 'ready') void resync(generation);

    timers.push(
      setInterval(() => {
        if (!healthy) return;
        const gen = generation;
        subscriber.ping().catch(() => {
          if (gen !== generation || closed) return;
          markUnhealthy('ping failed');
          subscriber.disconnect(true);
        });
      }, options.livenessIntervalMs ?? 2000).unref(),
    );
  }

  timers.push(
    setInterval(() => {
      const now = Date.now();
      for (const [id, until] of revoked) if (until <= now) revoked.delete(id);
    }, 60_000).unref(),
  );

  return {
    async revoke(sessionIds: string[]): Promise<void> {
      if (sessionIds.length === 0) return;
      // Seen here at once, whatever Redis does next.
      const now = Date.now();
      for (const id of sessionIds) remember(id, now);
      // One pipeline on one connection: the keys are written before the message goes out.
      const pipeline = redis.pipeline();
      for (const id of sessionIds) pipeline.set(key(id), '1', 'EX', accessTokenTtlSeconds + 60);
      pipeline.publish(channel, JSON.stringify(sessionIds));
      const results = (await pipeline.exec()) ?? [];
      const failed = results.find(([err]) => err);
      if (failed) throw failed[0];
    },

    async isRevoked(sessionId: string): Promise<boolean> {
      const until = revoked.get(sessionId);
      if (until !== undefined) {
        if (until > Date.now()) return true;
        revoked.delete(sessionId);
      }
      if (healthy) return false;
      return (await redis.exists(key(sessionId))) === 1;
    },

    /** True while a miss in memory can be trusted (subscribed and loaded); otherwise checks go to Redis. */
    get subscribed(): boolean {
      return healthy;
    },

    async close(): Promise<void> {
      closed = true;
      markUnhealthy('closing');
      clearTimeout(retryTimer);
      for (const timer of timers) clearInterval(timer);
      if (!subscriber) return;
      subscriber.removeListener('message', onMessage);
      // quit() lets a live connection say goodbye; one that is down would only queue it, so drop that.
      if (subscriber.status === 'ready') await subscriber.quit().catch(() => subscriber.disconnect());
      else subscriber.disconnect();
    },
  };
}

export type SessionRevocations = ReturnType<typeof createSessionRevocations>;
