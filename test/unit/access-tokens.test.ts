import { randomUUID } from 'node:crypto';
import { expect } from 'chai';
import { decodeProtectedHeader, SignJWT } from 'jose';
import { AppError } from '../../config/errors.js';
import { createAccessTokens, type AccessClaims } from '../../server/auth/access-tokens.js';

const settings = {
  jwtSecret: 'unit-test-secret-0123456789abcdef-0123456789',
  issuer: 'patron-test',
  audience: 'patron-test-api',
  accessTokenTtlSeconds: 900,
};
const key = new TextEncoder().encode(settings.jwtSecret);
const tokens = createAccessTokens(settings);
const claims: AccessClaims = { userId: randomUUID(), orgId: randomUUID(), role: 'manager', sessionId: randomUUID() };

async function refusal(token: string): Promise<AppError> {
  try {
    await tokens.verify(token);
  } catch (err) {
    expect(err).to.be.an.instanceOf(AppError);
    expect((err as AppError).code).to.equal('unauthenticated');
    return err as AppError;
  }
  throw new Error('the token was accepted');
}

function craft(payload: Record<string, unknown>, alg = 'HS256', secret = key) {
  const now = Math.floor(Date.now() / 1000);
  return new SignJWT({ org: claims.orgId, role: claims.role, sid: claims.sessionId, ...payload })
    .setProtectedHeader({ alg, typ: 'JWT' })
    .setSubject(claims.userId)
    .setIssuer(settings.issuer)
    .setAudience(settings.audience)
    .setIssuedAt(now)
    .setExpirationTime(now + 60)
    .sign(secret);
}

const b64 = (value: object) => Buffer.from(JSON.stringify(value)).toString('base64url');

describe('access tokens', () => {
  it('verifies what it signs, returning the same claims', async () => {
    const token = await tokens.sign(claims);
    expect(await tokens.verify(token)).to.deep.equal(claims);
    expect(decodeProtectedHeader(token)).to.deep.equal({ alg: 'HS256', typ: 'JWT' });
  });

  it('keeps a null organisation for sysadmins', async () => {
    const sysadmin: AccessClaims = { ...claims, orgId: null, role: 'sysadmin' };
    expect(await tokens.verify(await tokens.sign(sysadmin))).to.deep.equal(sysadmin);
  });

  it('expires after the configured lifetime', async () => {
    const token = await tokens.sign(claims);
    const payload = JSON.parse(Buffer.from(token.split('.')[1], 'base64url').toString());
    expect(payload.exp - payload.iat).to.equal(settings.accessTokenTtlSeconds);
  });

  it('refuses an expired token, saying so', async () => {
    const now = Math.floor(Date.now() / 1000);
    const token = await new SignJWT({ org: claims.orgId, role: claims.role, sid: claims.sessionId })
      .setProtectedHeader({ alg: 'HS256' })
      .setSubject(claims.userId)
      .setIssuer(settings.issuer)
      .setAudience(settings.audience)
      .setIssuedAt(now - 120)
      .setExpirationTime(now - 60)
      .sign(key);
    expect((await refusal(token)).message).to.match(/expired/);
  });

  it('refuses a token signed with another secret', async () => {
    const other = createAccessTokens({ ...settings, jwtSecret: 'another-secret-0123456789abcdef-0123456789' });
    await refusal(await other.sign(claims));
  });

  it('refuses a token for another audience or from another issuer', async () => {
    await refusal(await createAccessTokens({ ...settings, audience: 'elsewhere' }).sign(claims));
    await refusal(await createAccessTokens({ ...settings, issuer: 'elsewhere' }).sign(claims));
  });

  it('refuses any algorithm but HS256, including none', async () => {
    await refusal(await craft({}, 'HS512'));
    await refusal(await craft({}, 'HS384'));
    const payload = (await craft({})).split('.')[1];
    await refusal(`${b64({ alg: 'none', typ: 'JWT' })}.${payload}.`);
    await refusal(`${b64({ alg: 'none' })}.${payload}`);
  });

  it('refuses a token without a session, with an unknown role, or without a subject', async () => {
    await refusal(await craft({ sid: undefined }));
    await refusal(await craft({ role: 'owner' }));
    const now = Math.floor(Date.now() / 1000);
    const noSubject = await new SignJWT({ org: claims.orgId, role: claims.role, sid: claims.sessionId })
      .setProtectedHeader({ alg: 'HS256' })
      .setIssuer(settings.issuer)
      .setAudience(settings.audience)
      .setIssuedAt(now)
      .setExpirationTime(now + 60)
      .sign(key);
    await refusal(noSubject);
  });

  it('refuses a token whose claims were edited after signing', async () => {
    const [header, payload, signature] = (await tokens.sign(claims)).split('.');
    const edited = { ...JSON.parse(Buffer.from(payload, 'base64url').toString()), role: 'sysadmin' };
    await refusal(`${header}.${b64(edited)}.${signature}`);
  });

  it('refuses something that is not a JWT', async () => {
    await refusal('');
    await refusal('a.b.c');
  });
});
