import { expect } from 'chai';
import { createMemoryTokenCache, credentialKey, getCachedToken } from '../../integrations/pos/token-cache.js';

describe('POS token cache', () => {
  const start = new Date('2024-03-12T12:00:00.000Z');
  let now: Date;
  let fetches: number;
  const fetchToken = async () => {
    fetches++;
    return { value: `token-${fetches}`, expiresAt: new Date(now.getTime() + 2 * 3600_000) };
  };
  beforeEach(() => {
    now = start;
    fetches = 0;
  });

  it('reuses a token until it is about to expire, then fetches a new one', async () => {
    const options = { cache: createMemoryTokenCache(), key: 'treez:k', now: () => now, marginMs: 60_000 };
    expect(await getCachedToken(options, fetchToken)).to.equal('token-1');
    now = new Date(start.getTime() + 2 * 3600_000 - 61_000);
    expect(await getCachedToken(options, fetchToken)).to.equal('token-1');
    now = new Date(start.getTime() + 2 * 3600_000 - 59_000);
    expect(await getCachedToken(options, fetchToken)).to.equal('token-2');
  });

  it('concurrent callers share one token exchange', async () => {
    const options = { cache: createMemoryTokenCache(), key: 'covasoft:k', now: () => now };
    const tokens = await Promise.all([1, 2, 3].map(() => getCachedToken(options, fetchToken)));
    expect(tokens).to.deep.equal(['token-1', 'token-1', 'token-1']);
    expect(fetches).to.equal(1);
  });

  it('a failed exchange is not cached: the next call tries again', async () => {
    const options = { cache: createMemoryTokenCache(), key: 'covasoft:f', now: () => now };
    const failing = () => Promise.reject(new Error('down'));
    await getCachedToken(options, failing).then(
      () => expect.fail('resolved'),
      (err: Error) => expect(err.message).to.equal('down'),
    );
    expect(await getCachedToken(options, fetchToken)).to.equal('token-1');
  });

  it('credential keys are stable, distinct and hold no secret', () => {
    const key = credentialKey('treez', 'client-1', 'apikey-SECRET');
    expect(key).to.equal(credentialKey('treez', 'client-1', 'apikey-SECRET'));
    expect(key)
      .to.match(/^treez:/)
      .and.not.include('SECRET');
    expect(credentialKey('treez', 'client-1a', 'pikey-SECRET')).not.to.equal(key);
  });
});
