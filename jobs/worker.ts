// The worker process alone (Procfile `worker`). On SIGTERM active jobs finish before pools close.
import { ServiceUnavailableError } from '../config/preflight.js';
import { runWorkerProcess } from './worker-process.js';

runWorkerProcess().catch((err) => {
  console.error(err instanceof ServiceUnavailableError ? `Patron worker cannot start:\n${err.message}` : err);
  process.exit(1);
});
