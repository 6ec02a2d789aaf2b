import { randomUUID } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import { expect } from 'chai';
import { SignJWT } from 'jose';
import { AppError } from '../../config/errors.js';
import { createAccessTokens, type AccessClaims } from '../../server/auth/access-tokens.js';
import { createVerifiedTokenCache } from '../../server/auth/verified-token-cache.js';

const settings = {
  jwtSecret: 'unit-test-secret-0123456789abcdef-0123456789',
  issuer: 'patron-test',
  audience: 'patron-test-api',
  accessTokenTtlSeconds: 900,
};
const claims: AccessClaims = { userId: randomUUID(), orgId: randomUUID(), role: 'staff', sessionId: randomUUID() };

async function refusal(verify: Promise<unknown>): Promise<AppError> {
  try {
    await verify;
  } catch (err) {
    expect(err).to.be.an.instanceOf(AppError);
    expect((err as AppError).code).to.equal('unauthenticated');
    return err as AppError;
  }
  throw new Error('the token was accepted');
}

function signExpiringAt(exp: number, secret = settings.jwtSecret) {
  return new SignJWT({ org: claims.orgId, role: claims.role, sid: claims.sessionId })
    .setProtectedHeader({ alg: 'HS256', typ: 'JWT' })
    .setSubject(claims.userId)
    .setIssuer(settings.issuer)
    .setAudience(settings.audience)
    .setIssuedAt()
    .setExpirationTime(exp)
    .sign(new TextEncoder().encode(secret));
}

describe('verified token cache', () => {
  let now = 1_000;
  const clock = () => now;
  beforeEach(() => {
    now = 1_000;
  });

  it('answers a remembered token with its claims until its exp, then as expired and forgets it', () => {
    const cache = createVerifiedTokenCache<string>(10, clock);
    cache.remember('t', 'claims', 1_010);
    now = 1_009;
    expect(cache.lookup('t')).to.deep.equal({ status: 'hit', claims: 'claims' });
    now = 1_010; // expired once exp <= now, as jose judges it
    expect(cache.lookup('t')).to.deep.equal({ status: 'expired' });
    expect(cache.lookup('t')).to.deep.equal({ status: 'miss' });
    expect(cache.size).to.equal(0);
  });

  it('does not remember a token that has already expired', () => {
    const cache = createVerifiedTokenCache<string>(10, clock);
    cache.remember('t', 'claims', 1_000);
    expect(cache.lookup('t')).to.deep.equal({ status: 'miss' });
  });

  it('holds at most its bound, evicting the least recently used', () => {
    const cache = createVerifiedTokenCache<string>(2, clock);
    cache.remember('a', 'A', 2_000);
    cache.remember('b', 'B', 2_000);
    expect(cache.lookup('a').status).to.equal('hit'); // a is now the most recent
    cache.remember('c', 'C', 2_000);
    expect(cache.size).to.equal(2);
    expect(cache.lookup('b').status).to.equal('miss');
    expect(cache.lookup('a').status).to.equal('hit');
    expect(cache.lookup('c').status).to.equal('hit');
  });

  it('refuses a bound that is not a positive integer', () => {
    expect(() => createVerifiedTokenCache(0)).to.throw(/positive integer/);
  });
});

describe('access tokens with the verified token cache', () => {
  it('serves a token seen before from the cache: the very same frozen claims', async () => {
    const tokens = createAccessTokens(settings);
    const token = await tokens.sign(claims);
    const first = await tokens.verify(token);
    const second = await tokens.verify(token);
    expect(second).to.equal(first);
    expect(second).to.deep.equal(claims);
    expect(Object.isFrozen(second)).to.equal(true);
  });

  it('refuses a cached token once it has expired', async () => {
    const tokens = createAccessTokens(settings);
    const exp = Math.floor(Date.now() / 1000) + 2;
    const token = await signExpiringAt(exp);
    expect(await tokens.verify(token)).to.deep.equal(claims);
    expect(await tokens.verify(token)).to.deep.equal(claims); // a hit while still valid
    await sleep(exp * 1000 - Date.now() + 50);
    expect((await refusal(tokens.verify(token))).message).to.equal('access token has expired');
    expect((await refusal(tokens.verify(token))).message).to.equal('access token has expired');
  });

  it('never caches a token that failed verification', async () => {
    const tokens = createAccessTokens(settings);
    const forged = await signExpiringAt(Math.floor(Date.now() / 1000) + 60, 'another-secret-0123456789abcdef-0123456');
    expect((await refusal(tokens.verify(forged))).message).to.equal('access token is invalid');
    expect((await refusal(tokens.verify(forged))).message).to.equal('access token is invalid');
  });

  it('trusts a cached token only in the instance that verified it', async () => {
    const issuing = createAccessTokens(settings);
    const token = await issuing.sign(claims);
    await issuing.verify(token);
    const otherAudience = createAccessTokens({ ...settings, audience: 'someone-else' });
    expect((await refusal(otherAudience.verify(token))).message).to.equal('access token is invalid');
  });
});
