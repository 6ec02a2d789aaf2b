import { setTimeout as sleep } from 'node:timers/promises';

/** A vendor's published limit, per credential (Treez per location, Dutchie per key, Blaze per partner key). */
export type RateLimitSpec =
  { perSecond: number } | { perMinute: number } | { per5Minutes: number } | { limit: number; windowMs: number };

export interface RateLimiter {
  /** Resolves when one more request fits in the window; callers are served in arrival order. */
  acquire(): Promise<void>;
  /** Holds every caller back for `ms` (the vendor answered 429). */
  pauseFor(ms: number): void;
}

export interface LimiterClock {
  now(): number;
  sleep(ms: number): Promise<void>;
}

const realClock: LimiterClock = { now: () => Date.now(), sleep: (ms) => sleep(ms) };

export function windowOf(spec: RateLimitSpec): { limit: number; windowMs: number } {
  if ('perSecond' in spec) return { limit: spec.perSecond, windowMs: 1_000 };
  if ('perMinute' in spec) return { limit: spec.perMinute, windowMs: 60_000 };
  if ('per5Minutes' in spec) return { limit: spec.per5Minutes, windowMs: 300_000 };
  return spec;
}

/**
 * A sliding-window log: the request that would be the (limit+1)-th within any window waits until the
 * oldest of the last `limit` leaves it. Unlike a token bucket it never lets 2×limit through across a
 * window boundary, and a ring of `limit` timestamps is small even for Blaze's 10,000 per 5 minutes.
 * (bottleneck would do, but it is not a dependency and this is all we need.) One process only: each
 * worker process keeps its own window, so run few processes per credential or lower the limit.
 */
export function createRateLimiter(spec: RateLimitSpec, clock: LimiterClock = realClock): RateLimiter {
  const { limit, windowMs } = windowOf(spec);
  if (!(limit >= 1) || !(windowMs > 0)) throw new Error('rate limit needs limit ≥ 1 and a positive window');
  const grants = new Float64Array(limit).fill(-Infinity);
  let oldest = 0;
  let pausedUntil = -Infinity;
  let tail: Promise<void> = Promise.resolve();

  async function waitForSlot(): Promise<void> {
    for (;;) {
      const now = clock.now();
      const freeAt = Math.max(pausedUntil, grants[oldest] + windowMs);
      if (now >= freeAt) {
        grants[oldest] = now;
        oldest = (oldest + 1) % limit;
        return;
      }
      await clock.sleep(freeAt - now);
    }
  }

  return {
    acquire() {
      const turn = tail.then(waitForSlot);
      tail = turn.catch(() => undefined);
      return turn;
    },
    pauseFor(ms) {
      pausedUntil = Math.max(pausedUntil, clock.now() + ms);
    },
  };
}

const shared = new Map<string, RateLimiter>();

/** The process-wide limiter for one credential (see credentialKey in token-cache.ts). */
export function sharedRateLimiter(key: string, spec: RateLimitSpec): RateLimiter {
  const { limit, windowMs } = windowOf(spec);
  const id = `${key}|${limit}/${windowMs}`;
  let limiter = shared.get(id);
  if (!limiter) {
    limiter = createRateLimiter(spec);
    shared.set(id, limiter);
  }
  return limiter;
}
