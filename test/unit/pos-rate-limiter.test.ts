import { expect } from 'chai';
import { createRateLimiter, sharedRateLimiter, type LimiterClock } from '../../integrations/pos/rate-limiter.js';

/** Virtual time: sleeping advances the clock at once, so spacing is asserted on timestamps, not on waiting. */
function fakeClock(): LimiterClock & { t: number; slept: number[] } {
  const clock = {
    t: 0,
    slept: [] as number[],
    now: () => clock.t,
    sleep: async (ms: number) => {
      clock.slept.push(ms);
      clock.t += ms;
    },
  };
  return clock;
}

async function grantTimes(count: number, acquire: () => Promise<void>, clock: { now(): number }): Promise<number[]> {
  const granted: number[] = [];
  await Promise.all(Array.from({ length: count }, () => acquire().then(() => granted.push(clock.now()))));
  return granted;
}

describe('POS rate limiter', () => {
  it('never lets more than the limit through in any window', async () => {
    const clock = fakeClock();
    const limiter = createRateLimiter({ perSecond: 10 }, clock);
    const granted = await grantTimes(35, () => limiter.acquire(), clock);
    expect(granted).to.have.length(35);
    for (let i = 10; i < granted.length; i++) expect(granted[i] - granted[i - 10]).to.be.at.least(1000);
    expect(granted.slice(0, 10)).to.deep.equal(Array(10).fill(0));
    expect(granted[34]).to.equal(3000);
  });

  it('lets a full window through at once, then waits for the oldest grant to leave it', async () => {
    const clock = fakeClock();
    const limiter = createRateLimiter({ perMinute: 120 }, clock);
    await grantTimes(120, () => limiter.acquire(), clock);
    expect(clock.slept).to.deep.equal([]);
    clock.t = 30_000;
    await limiter.acquire();
    expect(clock.t).to.equal(60_000);
  });

  it('serves callers in arrival order', async () => {
    const clock = fakeClock();
    const limiter = createRateLimiter({ limit: 1, windowMs: 100 }, clock);
    const order: number[] = [];
    await Promise.all([1, 2, 3, 4].map((n) => limiter.acquire().then(() => order.push(n))));
    expect(order).to.deep.equal([1, 2, 3, 4]);
    expect(clock.t).to.equal(300);
  });

  it('pauseFor holds every caller back (after a 429)', async () => {
    const clock = fakeClock();
    const limiter = createRateLimiter({ per5Minutes: 10_000 }, clock);
    await limiter.acquire();
    limiter.pauseFor(2_000);
    await limiter.acquire();
    expect(clock.t).to.equal(2_000);
  });

  it('one limiter per credential and limit, shared by every client in the process', () => {
    const a = sharedRateLimiter('treez:abc', { perSecond: 10 });
    expect(sharedRateLimiter('treez:abc', { perSecond: 10 })).to.equal(a);
    expect(sharedRateLimiter('treez:other', { perSecond: 10 })).not.to.equal(a);
    expect(sharedRateLimiter('treez:abc', { perSecond: 5 })).not.to.equal(a);
  });

  it('refuses a limit that would never let anything through', () => {
    expect(() => createRateLimiter({ perSecond: 0 })).to.throw(/limit/);
  });
});
