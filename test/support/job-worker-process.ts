// A worker process for tests: the real entrypoint's start-up and shutdown, with one slow test processor
// on the `outbox-dispatch` queue. The parent gives it a REDIS_PREFIX of its own, so nothing else sees it.
import { setTimeout as sleep } from 'node:timers/promises';
import { runWorkerProcess } from '../../jobs/worker-process.js';

const jobMs = Number(process.env.TEST_JOB_MS ?? 1500);

await runWorkerProcess({
  schedules: false,
  processors: {
    'outbox-dispatch': {
      concurrency: 1,
      create: () => async (job) => {
        await job.updateProgress(10);
        await sleep(jobMs);
        await job.updateProgress(100);
        return { sleptMs: jobMs, pid: process.pid };
      },
    },
  },
});
process.stdout.write('worker-ready\n');
