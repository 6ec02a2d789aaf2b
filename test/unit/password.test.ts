import { expect } from 'chai';
import { hashPassword, verifyAgainstDecoy, verifyPassword } from '../../db/auth/password.js';

describe('passwords', () => {
  const password = 'correct horse battery staple';

  it('hashes with scrypt, its parameters and a salt, never keeping the password', async () => {
    const hash = await hashPassword(password);
    const [scheme, n, r, p, salt, key] = hash.split('$');
    expect(scheme).to.equal('scrypt');
    expect([Number(n), Number(r), Number(p)]).to.deep.equal([2 ** 15, 8, 1]);
    expect(Buffer.from(salt, 'base64')).to.have.length(16);
    expect(Buffer.from(key, 'base64')).to.have.length(32);
    expect(hash).to.not.include(password);
  });

  it('salts each hash: the same password hashes differently twice', async () => {
    expect(await hashPassword(password)).to.not.equal(await hashPassword(password));
  });

  it('verifies the right password and refuses a wrong one', async () => {
    const hash = await hashPassword(password);
    expect(await verifyPassword(password, hash)).to.equal(true);
    expect(await verifyPassword('correct horse battery stapler', hash)).to.equal(false);
    expect(await verifyPassword('', hash)).to.equal(false);
  });

  it('verifies against the parameters stored with the hash, so they can change later', async () => {
    const hash = await hashPassword(password);
    const [, , , , salt, key] = hash.split('$');
    // Same key, but the stored parameters now claim another cost: the derived key no longer matches.
    expect(await verifyPassword(password, ['scrypt', 2 ** 14, 8, 1, salt, key].join('$'))).to.equal(false);
  });

  it('refuses a stored value that is not an scrypt hash', async () => {
    expect(await verifyPassword(password, password)).to.equal(false);
    expect(await verifyPassword(password, 'bcrypt$10$abc')).to.equal(false);
  });

  it('spends a verification on the decoy and always answers false', async () => {
    expect(await verifyAgainstDecoy(password)).to.equal(false);
    expect(await verifyAgainstDecoy('')).to.equal(false);
  });
});
