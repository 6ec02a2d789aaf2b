import { Queue, type ConnectionOptions, type DefaultJobOptions } from 'bullmq';
import { config } from '../config/env.js';

/** Queue names and the payload each carries: ids only, never personal data or credentials. */
export interface QueuePayloads {
  maintenance: { task: 'purge-expired' };
}
export type QueueName = keyof QueuePayloads;

// The hash tag keeps every key of a queue in one Redis Cluster slot, as BullMQ requires there.
export const queuePrefix = () => `{${config.redis.prefix}}`;

export const defaultJobOptions: DefaultJobOptions = {
  attempts: 5,
  backoff: { type: 'exponential', delay: 1000, jitter: 0.5 },
  removeOnComplete: { age: 24 * 3600, count: 1000 },
  removeOnFail: { age: 7 * 24 * 3600, count: 5000 },
};

export function createQueue<N extends QueueName>(name: N, connection: ConnectionOptions): Queue<QueuePayloads[N]> {
  return new Queue<QueuePayloads[N]>(name, { connection, prefix: queuePrefix(), defaultJobOptions });
}
