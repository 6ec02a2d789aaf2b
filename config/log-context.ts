import { AsyncLocalStorage } from 'node:async_hooks';

export interface LogContext {
  requestId?: string;
  orgId?: string;
  storeId?: string;
  jobId?: string;
}

const storage = new AsyncLocalStorage<LogContext>();

/** Runs `fn` with a mutable log context that every log line written inside it carries. */
export function runWithLogContext<T>(context: LogContext, fn: () => T): T {
  return storage.run(context, fn);
}

export function currentLogContext(): LogContext | undefined {
  return storage.getStore();
}

/** Adds ids (org, store) learnt later in a request to the context already running. */
export function enrichLogContext(values: Partial<LogContext>): void {
  const store = storage.getStore();
  if (store) Object.assign(store, values);
}
