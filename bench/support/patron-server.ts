// Patron's own web process (server/listen.ts) for bench/http-overhead, reporting readiness to its parent.
import { config } from '../../config/env.js';
import { createDeps } from '../../server/deps.js';
import { listen } from '../../server/listen.js';

await listen(createDeps(config));
process.send?.('ready');
// Exit cleanly on a signal so --cpu-prof can write its profile.
process.once('SIGTERM', () => process.exit(0));
process.once('SIGINT', () => process.exit(0));
