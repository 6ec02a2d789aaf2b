import { expect } from 'chai';
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import request from 'supertest';
import { uniqueEmail } from '../support/fixtures.js';
import { testContext } from '../support/test-context.js';

const run = promisify(execFile);

async function cli(...args: string[]): Promise<{ stdout: string; stderr: string; code: number }> {
  try {
    const { stdout, stderr } = await run('node', ['--import', 'tsx', 'server/cli.ts', ...args], { env: process.env });
    return { stdout, stderr, code: 0 };
  } catch (err) {
    const e = err as { stdout: string; stderr: string; code: number };
    return { stdout: e.stdout, stderr: e.stderr, code: e.code };
  }
}

describe('patron CLI', function () {
  this.timeout(60_000);
  const { app, owner } = testContext();

  it('creates an organisation and its admin, who can then log in', async () => {
    const org = await cli('org:create', '--name', 'Cli Cannabis Co');
    expect(org.code, org.stderr).to.equal(0);
    const { id } = JSON.parse(org.stdout);
    const email = uniqueEmail('cli-admin');
    const user = await cli(
      'user:create',
      '--email',
      email,
      '--password',
      'cli-password-123',
      '--name',
      'Cli Admin',
      '--role',
      'admin',
      '--org',
      id,
    );
    expect(user.code, user.stderr).to.equal(0);
    expect(JSON.parse(user.stdout)).to.include({ email, role: 'admin', organizationId: id });
    const login = await request(app).post('/api/v1/auth/login').send({ email, password: 'cli-password-123' });
    expect(login.status).to.equal(200);
    expect(login.body.user).to.include({ organizationId: id, role: 'admin' });
  });

  it('creates a platform sysadmin with no organisation', async () => {
    const email = uniqueEmail('cli-sys');
    const res = await cli(
      'user:create',
      '--email',
      email,
      '--password',
      'cli-password-123',
      '--name',
      'Ops',
      '--role',
      'sysadmin',
    );
    expect(res.code, res.stderr).to.equal(0);
    const row = await owner('users').where({ email }).first();
    expect(row).to.include({ role: 'sysadmin', organization_id: null });
  });

  it('refuses bad input with a clear message and a failing exit code, writing nothing', async () => {
    const email = uniqueEmail('cli-bad');
    const res = await cli(
      'user:create',
      '--email',
      email,
      '--password',
      'short',
      '--name',
      'X',
      '--role',
      'staff',
      '--org',
      '00000000-0000-4000-8000-000000000000',
    );
    expect(res.code).to.equal(1);
    expect(res.stderr).to.match(/error: (no organisation|password)/);
    const missingOrg = await cli(
      'user:create',
      '--email',
      email,
      '--password',
      'long-enough-pw-1',
      '--name',
      'X',
      '--role',
      'staff',
    );
    expect(missingOrg.code).to.equal(1);
    expect(missingOrg.stderr).to.include('--org is required');
    expect(await owner('users').where({ email }).first()).to.equal(undefined);
  });
});
