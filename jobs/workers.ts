import { UnrecoverableError, Worker, type Job } from 'bullmq';
import type { Redis } from 'ioredis';
import { logger } from '../config/logger.js';
import type { Db } from '../db/knex.js';
import { config } from '../config/env.js';
import { createLocalFileStorage } from '../integrations/storage/local-file-storage.js';
import { customerImportProcessor } from './processors/customer-import.js';
import { customerSyncProcessor } from './processors/customer-sync.js';
import { maintenanceProcessor } from './processors/maintenance.js';
import { closeProcessEventPublisher, outboxRelayProcessor, registerOutboxRelay } from './processors/outbox-relay.js';
import { posWriteDispatchProcessor, registerPosWriteDispatch } from './processors/pos-write-dispatch.js';
import { posWriteProcessor } from './processors/pos-write.js';
import { webhookDeliveryProcessor } from './processors/webhook-delivery.js';
import { closeQueues, createQueues, queuePrefix, type QueueName, type QueuePayloads, type Queues } from './queues.js';
import { runJob, type JobProcessor } from './run-job.js';
import { registerSchedules } from './schedules.js';

/** What a processor may use: the database and producers for follow-up jobs. */
export interface ProcessorDeps {
  db: Db;
  queues: Queues;
}

export interface ProcessorEntry<N extends QueueName> {
  concurrency: number;
  create(deps: ProcessorDeps): JobProcessor<QueuePayloads[N]>;
}

export type ProcessorRegistry = { [N in QueueName]?: ProcessorEntry<N> };

/**
 * One line per queue whose processor exists. A queue without a line gets no worker: its jobs wait in
 * Redis (and show in Bull Board) until a release brings the processor.
 */
export const PROCESSORS: ProcessorRegistry = {
  maintenance: { concurrency: 1, create: ({ db }) => maintenanceProcessor(db) },
  'customer-sync': { concurrency: 2, create: ({ db }) => customerSyncProcessor(db) },
  'customer-import': {
    concurrency: 1,
    create: ({ db }) => customerImportProcessor(db, createLocalFileStorage(config.storage.dir)),
  },
  'pos-write-dispatch': { concurrency: 1, create: ({ db, queues }) => posWriteDispatchProcessor(db, queues) },
  'pos-write': { concurrency: 4, create: ({ db }) => posWriteProcessor(db) },
  'outbox-dispatch': { concurrency: 1, create: ({ db, queues }) => outboxRelayProcessor(db, queues) },
  'webhook-delivery': { concurrency: 8, create: ({ db }) => webhookDeliveryProcessor(db) },
};

export interface StartWorkersOptions {
  /** Replaces the registry (tests run a processor of their own). */
  processors?: ProcessorRegistry;
  /** Registers the job schedulers (default true). */
  schedules?: boolean;
}

export interface RunningWorkers {
  queueNames: QueueName[];
  /** Stops taking jobs, waits for the active ones to finish, then closes the producers. */
  close(): Promise<void>;
}

function logFailure(queue: string, job: Job | undefined, err: Error): void {
  const final = err instanceof UnrecoverableError || !job || job.attemptsMade >= (job.opts.attempts ?? 1);
  const meta = { queue, jobId: job?.id, attemptsMade: job?.attemptsMade, err };
  if (final) logger.error('job failed', meta);
  else logger.warn('job attempt failed; it will be retried', meta);
}

function startWorker<N extends QueueName>(name: N, entry: ProcessorEntry<N>, deps: ProcessorDeps, connection: Redis) {
  const worker = new Worker<QueuePayloads[N]>(name, runJob(entry.create(deps)), {
    connection,
    prefix: queuePrefix(),
    concurrency: entry.concurrency,
  });
  worker.on('failed', (job, err) => logFailure(name, job, err));
  worker.on('error', (err) => logger.error('worker error', { queue: name, err }));
  return worker;
}

/**
 * Starts a worker per registered processor and registers the schedules. Workers use `workerRedis`
 * (`maxRetriesPerRequest: null`); producers use `queueRedis`, which fails fast.
 */
export async function startWorkers(
  deps: { db: Db; workerRedis: Redis; queueRedis: Redis },
  options: StartWorkersOptions = {},
): Promise<RunningWorkers> {
  const registry = options.processors ?? PROCESSORS;
  const queues = createQueues(deps.queueRedis);
  if (options.schedules ?? true) {
    await registerSchedules(queues, deps.db);
    await registerPosWriteDispatch(queues['pos-write-dispatch']);
    await registerOutboxRelay(queues['outbox-dispatch']);
  }
  const processorDeps: ProcessorDeps = { db: deps.db, queues };
  const queueNames = (Object.keys(registry) as QueueName[]).filter((name) => registry[name]);
  const workers = queueNames.map((name) =>
    startWorker(name, registry[name] as ProcessorEntry<typeof name>, processorDeps, deps.workerRedis),
  );
  return {
    queueNames,
    async close() {
      // close() without force lets active jobs finish and fetches no new ones meanwhile.
      await Promise.all(workers.map((w) => w.close()));
      await closeQueues(queues);
      await closeProcessEventPublisher();
    },
  };
}
