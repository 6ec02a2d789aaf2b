import { UnrecoverableError, type Job } from 'bullmq';
import { runWithLogContext, type LogContext } from '../config/log-context.js';

export type JobProcessor<T, R = unknown> = (job: Job<T>, token?: string, signal?: AbortSignal) => Promise<R>;

/**
 * True for errors that say retrying cannot help: an AppError or an integration error (a POS refusing
 * credentials, a record it rejects) carrying `retryable: false`. Errors without the flag — a dropped
 * connection, a timeout, a deadlock — are worth BullMQ's backoff.
 */
export function isPermanent(err: unknown): boolean {
  return typeof err === 'object' && err !== null && (err as { retryable?: unknown }).retryable === false;
}

function toUnrecoverable(err: unknown): UnrecoverableError {
  const { code, message } = err as { code?: unknown; message?: unknown };
  const unrecoverable = new UnrecoverableError(
    typeof code === 'string' ? `${code}: ${String(message)}` : String(message),
  );
  unrecoverable.cause = err;
  return unrecoverable;
}

function logContextOf(job: Job<unknown>): LogContext {
  const data = (job.data ?? {}) as { orgId?: unknown; storeId?: unknown };
  const context: LogContext = { jobId: job.id };
  if (typeof data.orgId === 'string') context.orgId = data.orgId;
  if (typeof data.storeId === 'string') context.storeId = data.storeId;
  return context;
}

/**
 * Wraps a processor: its log lines carry the job, org and store ids, and a permanent error fails the job
 * at once as an UnrecoverableError (BullMQ then skips the remaining attempts) instead of being retried.
 */
export function runJob<T, R>(processor: JobProcessor<T, R>): JobProcessor<T, R> {
  return (job, token, signal) =>
    runWithLogContext(logContextOf(job), async () => {
      try {
        return await processor(job, token, signal);
      } catch (err) {
        if (err instanceof UnrecoverableError || !isPermanent(err)) throw err;
        throw toUnrecoverable(err);
      }
    });
}
