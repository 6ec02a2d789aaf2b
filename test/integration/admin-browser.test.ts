import { expect } from 'chai';
import { existsSync, mkdirSync } from 'node:fs';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Worker } from 'bullmq';
import { chromium, type Browser } from 'playwright-core';
import { createRedis } from '../../config/redis.js';
import { closeQueues, createQueues, enqueue, queuePrefix } from '../../jobs/queues.js';
import { createSysadmin, type UserFixture } from '../support/fixtures.js';
import { testContext } from '../support/test-context.js';

// Debian's package; tests cannot install it, so without it this suite reports itself skipped.
const CHROMIUM = '/usr/bin/chromium';
const SCREENSHOT_DIR = 'scratch';

describe('Bull Board in headless Chromium', function () {
  this.timeout(60_000);
  let browser: Browser;
  let server: Server;
  let base: string;
  let sysadmin: UserFixture;

  before(async function () {
    if (!existsSync(CHROMIUM)) {
      console.log('      skipped: chromium not installed (apt-get install -y chromium)');
      this.skip();
    }
    server = testContext().app.listen(0, '127.0.0.1');
    await new Promise((resolve) => server.once('listening', resolve));
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    sysadmin = await createSysadmin();
    browser = await chromium.launch({
      executablePath: CHROMIUM,
      args: [
        '--headless',
        '--no-sandbox',
        '--disable-gpu',
        '--disable-background-networking',
        '--disable-component-update',
        '--disable-sync',
        '--no-first-run',
      ],
    });
  });

  after(async () => {
    await browser?.close();
    if (server) {
      server.closeAllConnections();
      await new Promise((resolve) => server.close(resolve));
    }
  });

  it('sends a sysadmin through the sign-in page to the board, which renders every queue and job progress', async () => {
    // A job held active at 40 %, so the board has a running job with a progress bar to show.
    const queues = createQueues(createRedis('worker'));
    let release!: () => void;
    const held = new Promise<void>((resolve) => (release = resolve));
    const worker = new Worker(
      'outbox-dispatch',
      async (job) => {
        await job.updateProgress(40);
        await held;
      },
      { connection: createRedis('worker'), prefix: queuePrefix() },
    );
    const context = await browser.newContext({ viewport: { width: 1280, height: 800 } });
    const page = await context.newPage();
    const cspViolations: string[] = [];
    const pageErrors: string[] = [];
    page.on('console', (msg) => {
      if (msg.type() === 'error' && /Content Security Policy/i.test(msg.text())) cspViolations.push(msg.text());
    });
    page.on('pageerror', (err) => pageErrors.push(err.message));
    try {
      const job = await enqueue(queues, 'outbox-dispatch', {});
      while (
        (await job.getState()) !== 'active' ||
        (await queues['outbox-dispatch'].getJob(job.id!))?.progress !== 40
      ) {
        await new Promise((resolve) => setTimeout(resolve, 20));
      }

      await page.goto(`${base}/admin/queues`);
      expect(new URL(page.url()).pathname).to.equal('/admin/login');
      await page.fill('#email', sysadmin.email);
      await page.fill('#password', sysadmin.password);
      await Promise.all([page.waitForURL(`${base}/admin/queues`), page.click('button[type=submit]')]);

      const main = page.locator('main');
      for (const name of ['maintenance', 'customer-sync', 'pos-write', 'outbox-dispatch']) {
        await main.getByText(name, { exact: true }).waitFor({ timeout: 15_000 });
      }
      const session = (await context.cookies()).find((c) => c.name === 'patron_admin')!;
      expect(session).to.include({ httpOnly: true, sameSite: 'Strict', path: '/admin' });
      expect(await page.evaluate('document.cookie')).to.equal('');

      await page.goto(`${base}/admin/queues/queue/outbox-dispatch?status=active`);
      await page.getByText('40%').first().waitFor({ timeout: 15_000 });

      mkdirSync(SCREENSHOT_DIR, { recursive: true });
      await page.screenshot({ path: `${SCREENSHOT_DIR}/admin-queues.png`, fullPage: true });
      // The board's own scripts ran under the admin CSP; only its Google Fonts stylesheet is refused.
      expect(pageErrors).to.deep.equal([]);
      expect(cspViolations.filter((v) => !v.includes('fonts.googleapis.com'))).to.deep.equal([]);
    } finally {
      await context.close();
      release();
      await worker.close();
      await queues['outbox-dispatch'].obliterate({ force: true });
      await closeQueues(queues);
    }
  });

  it('shows a wrong password on the sign-in page and sets no cookie', async () => {
    const context = await browser.newContext();
    const page = await context.newPage();
    try {
      await page.goto(`${base}/admin/login`);
      await page.fill('#email', sysadmin.email);
      await page.fill('#password', 'not the password');
      await Promise.all([page.waitForLoadState('load'), page.click('button[type=submit]')]);
      await page.getByRole('alert').waitFor();
      expect(await page.getByRole('alert').textContent()).to.include('Sign-in refused');
      expect(await context.cookies()).to.deep.equal([]);
    } finally {
      await context.close();
    }
  });
});
