import { Queue, type ConnectionOptions, type DefaultJobOptions, type Job, type JobsOptions } from 'bullmq';
import { config } from '../config/env.js';

/**
 * Queue names and the payload each carries: ids only, never personal data or credentials (Redis holds
 * them in clear text and Bull Board shows them).
 */
export interface QueuePayloads {
  maintenance: { task: 'purge-expired' };
  'customer-sync': { syncId: string; storeId: string; orgId: string };
  'pos-write': { orgId: string; storeId: string; customerId: string; operation: 'create' | 'update' };
  'customer-import': { importId: string; storeId: string; orgId: string };
  'outbox-dispatch': Record<string, never>;
  'webhook-delivery': { orgId: string; deliveryId: string };
  'pos-write-dispatch': Record<string, never>;
}
export type QueueName = keyof QueuePayloads;

/**
 * How an enqueue is named and collapsed, per queue. `jobId` names one unit of work (adding it again is a
 * no-op while BullMQ keeps the job); `deduplicationId` collapses triggers for the same thing into one
 * waiting job, and a trigger arriving while that job runs queues exactly one more run with the latest data.
 */
interface QueueSpec<N extends QueueName> {
  jobId?: (data: QueuePayloads[N]) => string;
  deduplicationId?: (data: QueuePayloads[N]) => string;
}

const QUEUE_SPECS: { [N in QueueName]: QueueSpec<N> } = {
  maintenance: { deduplicationId: (d) => jobId('maintenance', d.task) },
  // One job per sync row; one sync per store at a time.
  'customer-sync': {
    jobId: (d) => jobId('customer-sync', d.syncId),
    deduplicationId: (d) => jobId('customer-sync', d.storeId),
  },
  // The processor pushes the customer's current state, so one pending job covers every later edit.
  'pos-write': { deduplicationId: (d) => jobId('pos-write', d.customerId) },
  // One job per import: a re-added id is a no-op, and a retried job resumes from the import's checkpoint.
  'customer-import': { jobId: (d) => jobId('customer-import', d.importId) },
  'outbox-dispatch': { deduplicationId: () => 'outbox-dispatch' },
  'webhook-delivery': { jobId: (d) => jobId('webhook-delivery', d.deliveryId) },
  'pos-write-dispatch': { deduplicationId: () => 'pos-write-dispatch' },
};

/** Every queue of the registry, in a fixed order (the workers and Bull Board list them from here). */
export const QUEUE_NAMES = Object.keys(QUEUE_SPECS) as QueueName[];

/** A deterministic BullMQ job id from its parts; BullMQ forbids `:` (its key separator) in custom ids. */
export function jobId(...parts: string[]): string {
  for (const part of parts) {
    if (part === '' || part.includes(':')) throw new Error(`job id part ${JSON.stringify(part)} is empty or has ':'`);
  }
  return parts.join('.');
}

// The hash tag keeps every key of a queue in one Redis Cluster slot, as BullMQ requires there.
export const queuePrefix = () => `{${config.redis.prefix}}`;

export const defaultJobOptions: DefaultJobOptions = {
  attempts: 5,
  backoff: { type: 'exponential', delay: 1000, jitter: 0.5 },
  removeOnComplete: { age: 24 * 3600, count: 1000 },
  removeOnFail: { age: 7 * 24 * 3600, count: 5000 },
};

export function createQueue<N extends QueueName>(
  name: N,
  connection: ConnectionOptions,
  prefix = queuePrefix(),
): Queue<QueuePayloads[N]> {
  return new Queue<QueuePayloads[N]>(name, { connection, prefix, defaultJobOptions });
}

export type Queues = { readonly [N in QueueName]: Queue<QueuePayloads[N]> };

/**
 * A producer for every queue. Pass a fail-fast connection (`createRedis('client')`): a request must not
 * hang on Redis. The connection is shared, so `closeQueues` leaves it open for its owner to quit.
 */
export function createQueues(connection: ConnectionOptions, prefix = queuePrefix()): Queues {
  return Object.fromEntries(
    QUEUE_NAMES.map((name) => [name, createQueue(name, connection, prefix)]),
  ) as unknown as Queues;
}

export async function closeQueues(queues: Queues): Promise<void> {
  await Promise.allSettled(QUEUE_NAMES.map((name) => queues[name].close()));
}

/** Extra options an enqueue may set; ids and deduplication come from the queue's spec. */
export type EnqueueOptions = Pick<JobsOptions, 'delay' | 'priority'>;

/** The options `enqueue` adds a job with: the queue's spec applied to this payload. */
export function enqueueOptions<N extends QueueName>(
  name: N,
  data: QueuePayloads[N],
  options: EnqueueOptions = {},
): JobsOptions {
  const spec = QUEUE_SPECS[name] as QueueSpec<N>;
  const opts: JobsOptions = { ...options };
  if (spec.jobId) opts.jobId = spec.jobId(data);
  if (spec.deduplicationId) opts.deduplication = { id: spec.deduplicationId(data), keepLastIfActive: true };
  return opts;
}

/** Adds a job, its payload checked against the queue's type. */
export async function enqueue<N extends QueueName>(
  queues: Queues,
  name: N,
  data: QueuePayloads[N],
  options: EnqueueOptions = {},
): Promise<Job<QueuePayloads[N]>> {
  const queue = queues[name] as Queue<QueuePayloads[N]>;
  return (await queue.add(name as never, data as never, enqueueOptions(name, data, options))) as Job<QueuePayloads[N]>;
}
