import { logger } from '../config/logger.js';

/**
 * On the first SIGTERM or SIGINT runs `stop` (which lets active work finish) and exits 0, or 1 if it
 * threw. A second signal means the operator will not wait: exit 1 at once. Jobs still active then
 * are left to BullMQ's stalled-job check, which hands them to another worker.
 */
export function exitGracefullyOnSignals(stop: (signal: NodeJS.Signals) => Promise<void>): void {
  let stopping = false;
  const onSignal = (signal: NodeJS.Signals) => {
    if (stopping) {
      logger.warn('second signal: exiting without waiting for active work', { signal });
      process.exit(1);
    }
    stopping = true;
    logger.info('shutting down: finishing active work first (send the signal again to force)', { signal });
    stop(signal).then(
      () => process.exit(0),
      (err: unknown) => {
        logger.error('shutdown failed', { err });
        process.exit(1);
      },
    );
  };
  process.on('SIGTERM', onSignal);
  process.on('SIGINT', onSignal);
}
