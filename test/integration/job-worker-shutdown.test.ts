import { expect } from 'chai';
import { Queue, type Job } from 'bullmq';
import { spawn, type ChildProcess } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { once } from 'node:events';
import { setTimeout as sleep } from 'node:timers/promises';
import { createRedis } from '../../config/redis.js';

interface WorkerChild {
  child: ChildProcess;
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  output: () => string;
}

/** Starts test/support/job-worker-process.ts as its own process and waits until its worker runs. */
async function startWorkerProcess(prefix: string, jobMs: number): Promise<WorkerChild> {
  const child = spawn(process.execPath, ['--import', 'tsx', 'test/support/job-worker-process.ts'], {
    env: { ...process.env, REDIS_PREFIX: prefix, TEST_JOB_MS: String(jobMs), LOG_LEVEL: 'info', LOG_FORMAT: 'json' },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  child.stdout!.on('data', (chunk) => (output += chunk));
  child.stderr!.on('data', (chunk) => (output += chunk));
  const exited = once(child, 'exit').then(([code, signal]) => ({ code, signal }));
  const deadline = Date.now() + 15_000;
  while (!output.includes('worker-ready')) {
    if (child.exitCode !== null) throw new Error(`worker exited early:\n${output}`);
    if (Date.now() > deadline) throw new Error(`worker did not start:\n${output}`);
    await sleep(50);
  }
  return { child, exited, output: () => output };
}

async function waitForState(job: Job, state: string, timeoutMs = 10_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while ((await job.getState()) !== state) {
    if (Date.now() > deadline) throw new Error(`job ${job.id} never became ${state}`);
    await sleep(20);
  }
}

describe('worker process shutdown', function () {
  this.timeout(40_000);
  let prefix: string;
  let queue: Queue;
  let worker: WorkerChild | undefined;

  beforeEach(() => {
    prefix = `patron-test-shutdown-${randomUUID().slice(0, 8)}`;
    queue = new Queue('outbox-dispatch', { connection: createRedis('worker'), prefix: `{${prefix}}` });
  });

  afterEach(async () => {
    if (worker && worker.child.exitCode === null && worker.child.signalCode === null) {
      worker.child.kill('SIGKILL');
      await worker.exited;
    }
    worker = undefined;
    await queue.close();
    // The child's producers wrote meta keys for every queue; a prefix of its own makes them easy to drop.
    const redis = createRedis('client');
    const keys = await redis.keys(`{${prefix}}*`);
    if (keys.length) await redis.del(...keys);
    redis.disconnect();
  });

  it('on SIGTERM finishes the active job, takes no new one, then exits 0', async () => {
    worker = await startWorkerProcess(prefix, 1500);
    const running = await queue.add('dispatch', {}, { attempts: 3 });
    await waitForState(running, 'active');

    worker.child.kill('SIGTERM');
    await sleep(300);
    const later = await queue.add('dispatch', {});
    const { code, signal } = await worker.exited;

    expect({ code, signal }, worker.output()).to.deep.equal({ code: 0, signal: null });
    const finished = (await queue.getJob(running.id!))!;
    expect(await finished.getState()).to.equal('completed');
    expect(finished.attemptsMade).to.equal(1);
    expect(finished.returnvalue).to.deep.include({ sleptMs: 1500, pid: worker.child.pid });
    expect(finished.progress).to.equal(100);
    expect(await later.getState()).to.equal('waiting');
    expect(await queue.getJobCounts('active', 'failed', 'delayed')).to.deep.equal({ active: 0, failed: 0, delayed: 0 });
  });

  it('on a second SIGTERM exits at once without waiting for the active job', async () => {
    worker = await startWorkerProcess(prefix, 20_000);
    const running = await queue.add('dispatch', {});
    await waitForState(running, 'active');

    const signalledAt = Date.now();
    worker.child.kill('SIGTERM');
    await sleep(200);
    worker.child.kill('SIGTERM');
    const { code } = await worker.exited;

    expect(code).to.equal(1);
    expect(Date.now() - signalledAt).to.be.below(5_000);
    // Still marked active: BullMQ's stalled check hands it to the next worker once its lock lapses.
    expect(await running.getState()).to.equal('active');
  });
});
