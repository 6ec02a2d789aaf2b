import type { Queue } from 'bullmq';
import { logger } from '../../config/logger.js';
import type { Db } from '../../db/knex.js';
import { listPendingPosWrites } from '../../db/pos/pos-write-service.js';
import { enqueue, type QueuePayloads, type Queues } from '../queues.js';

/** How often the dispatcher looks for pending customers; a kick after a commit may run it sooner. */
export const POS_WRITE_DISPATCH_EVERY_MS = 5000;

/** Pending customers taken per run; a backlog drains over successive runs, oldest first. */
const BATCH = 500;

/** Upserted by id at boot: one scheduler however many processes register it. */
export async function registerPosWriteDispatch(queue: Queue<QueuePayloads['pos-write-dispatch']>): Promise<void> {
  await queue.upsertJobScheduler(
    'pos-write-dispatch',
    { every: POS_WRITE_DISPATCH_EVERY_MS },
    { name: 'pos-write-dispatch', data: {} },
  );
}

/**
 * Turns every `pending` customer (the intent a staff write left in its own transaction) into a
 * `pos-write` job. Deduplicated per customer, so a customer already waiting or retrying is not queued
 * twice; a customer whose job is running gets exactly one follow-up, which finds it synced and stops
 * unless it was edited meanwhile. Ids only in the payload.
 *
 * Pending customers are found across organisations through the security-definer `pos_write_pending`
 * (migration 20261121160000), one query however many organisations exist, rather than a transaction per
 * organisation in platform scope.
 */
export function posWriteDispatchProcessor(db: Db, queues: Queues) {
  return async () => {
    const pending = await listPendingPosWrites(db, BATCH);
    for (const write of pending) {
      // The payload's operation is informative (Bull Board): the job decides again from the refs it finds.
      await enqueue(queues, 'pos-write', write);
    }
    if (pending.length > 0) logger.info('POS writes dispatched', { count: pending.length });
    return { dispatched: pending.length };
  };
}
