import { expect } from 'chai';
import { Queue, type Job } from 'bullmq';
import { randomUUID } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import { createRedis } from '../../config/redis.js';
import { startWorkerChild, until, type WorkerChild } from '../support/worker-child.js';

/** Starts test/support/job-worker-process.ts as its own process and waits until its worker runs. */
const startWorkerProcess = (prefix: string, jobMs: number) =>
  startWorkerChild('test/support/job-worker-process.ts', {
    env: { REDIS_PREFIX: prefix, TEST_JOB_MS: String(jobMs), LOG_LEVEL: 'info' },
  });

const waitForState = (job: Job, state: string) =>
  until(`job ${job.id} to become ${state}`, async () => (await job.getState()) === state, {
    timeoutMs: 10_000,
    everyMs: 20,
  });

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
