import { expect } from 'chai';
import { ConfigError, DEV_DEFAULTS, loadConfig } from '../../config/env.js';

describe('configuration', () => {
  it('applies development defaults to an empty environment', () => {
    const config = loadConfig({});
    expect(config.port).to.equal(3000);
    expect(config.env).to.equal('development');
    expect(config.bootstrap.seedDemo).to.equal(true);
    expect(Object.isFrozen(config.auth)).to.equal(true);
  });

  it('reports every invalid variable at once', () => {
    try {
      loadConfig({ PORT: 'abc', REDIS_URL: 'http://nope', JWT_SECRET: 'short', LOG_LEVEL: 'loud' });
      expect.fail('should have thrown');
    } catch (err) {
      expect(err).to.be.instanceOf(ConfigError);
      const problems = (err as ConfigError).problems.join('\n');
      for (const name of ['PORT', 'REDIS_URL', 'JWT_SECRET', 'LOG_LEVEL']) expect(problems).to.include(name);
    }
  });

  it('refuses the development secrets in production and seeds no demo there by default', () => {
    expect(() => loadConfig({ NODE_ENV: 'production' }))
      .to.throw(ConfigError)
      .with.property('problems')
      .that.satisfies((p: string[]) =>
        [
          'JWT_SECRET',
          'BOOTSTRAP_SYSADMIN_PASSWORD',
          'DEMO_ADMIN_PASSWORD',
          'PII_ENCRYPTION_KEYS',
          'BLIND_INDEX_KEY',
        ].every((n) => p.some((x) => x.includes(n))),
      );
    const prod = loadConfig({
      NODE_ENV: 'production',
      JWT_SECRET: 'x'.repeat(40),
      BOOTSTRAP_SYSADMIN_PASSWORD: 'a-real-password-1',
      DEMO_ADMIN_PASSWORD: 'a-real-password-2',
      PII_ENCRYPTION_KEYS: `k2:${Buffer.alloc(32, 7).toString('base64')}`,
      BLIND_INDEX_KEY: 'b'.repeat(40),
    });
    expect(prod.bootstrap.seedDemo).to.equal(false);
    expect(prod.auth.jwtSecret).to.not.equal(DEV_DEFAULTS.jwtSecret);
    expect(prod.sandbox.vendors).to.equal(false);
  });

  it('serves sandbox POS vendors by default in development only, and refuses them in production', () => {
    expect(loadConfig({}).sandbox).to.deep.equal({ vendors: true, portBase: 4100 });
    expect(loadConfig({ NODE_ENV: 'test' }).sandbox.vendors).to.equal(false);
    expect(loadConfig({ SANDBOX_VENDORS: 'false', SANDBOX_PORT_BASE: '5200' }).sandbox).to.deep.equal({
      vendors: false,
      portBase: 5200,
    });
    expect(() => loadConfig({ SANDBOX_PORT_BASE: '80' })).to.throw(ConfigError, /SANDBOX_PORT_BASE/);
    expect(() =>
      loadConfig({
        NODE_ENV: 'production',
        SANDBOX_VENDORS: 'true',
        JWT_SECRET: 'x'.repeat(40),
        BOOTSTRAP_SYSADMIN_PASSWORD: 'a-real-password-1',
        DEMO_ADMIN_PASSWORD: 'a-real-password-2',
        PII_ENCRYPTION_KEYS: `k2:${Buffer.alloc(32, 7).toString('base64')}`,
        BLIND_INDEX_KEY: 'b'.repeat(40),
      }),
    ).to.throw(ConfigError, /SANDBOX_VENDORS" is refused in production/);
  });
});

describe('POS_ALLOWED_HOSTS', () => {
  it('lists extra POS hosts, lower-cased, and refuses anything that is not host names', () => {
    expect(loadConfig({ POS_ALLOWED_HOSTS: 'Pos.Partner.example,staging.treez.io' }).posAllowedHosts).to.deep.equal([
      'pos.partner.example',
      'staging.treez.io',
    ]);
    expect(loadConfig({}).posAllowedHosts).to.deep.equal([]);
    expect(() => loadConfig({ POS_ALLOWED_HOSTS: 'https://evil.example/path' })).to.throw(ConfigError);
  });
});
