// The vendor for bench/sync, in its own process (a real vendor is remote: its CPU is not the worker's):
// a sandbox with N seeded people, its rate limit off, no added latency. Tells its parent how to reach it.
import { startCovasoftSandbox } from '../../integrations/sandbox/covasoft-sandbox.js';
import { FLOWHUB_SANDBOX_TIME_ZONE, startFlowhubSandbox } from '../../integrations/sandbox/flowhub-sandbox.js';
import { sandboxPeople } from '../../integrations/sandbox/sandbox-kit.js';

export interface BenchVendor {
  provider: 'flowhub' | 'covasoft';
  url: string;
  authUrl?: string;
  credentials: Record<string, unknown>;
  timeZone: string;
}

const count = Number(process.env.SYNC_BENCH_CUSTOMERS ?? '100000');
const provider = process.env.SYNC_BENCH_VENDOR === 'flowhub' ? 'flowhub' : 'covasoft';
const people = sandboxPeople(count);
let vendor: BenchVendor;
let close: () => Promise<void>;
if (provider === 'flowhub') {
  const sandbox = await startFlowhubSandbox({ people, production: false, rateLimitPerSecond: 0 });
  vendor = { provider, url: sandbox.url, credentials: sandbox.credentials, timeZone: FLOWHUB_SANDBOX_TIME_ZONE };
  close = () => sandbox.close();
} else {
  const sandbox = await startCovasoftSandbox({ people, production: false, rateLimit: 0 });
  const credentials = { ...sandbox.credentials } as unknown as Record<string, unknown>;
  vendor = { provider, url: sandbox.url, authUrl: sandbox.url, credentials, timeZone: 'America/Los_Angeles' };
  close = () => sandbox.close();
}
process.send?.(vendor);
// The parent asks for the CPU this process has used (µs), to tell the vendor's share of a run.
process.on('message', () => process.send?.({ cpuMs: (process.cpuUsage().user + process.cpuUsage().system) / 1000 }));
const stop = () => void close().then(() => process.exit(0));
process.once('SIGTERM', stop);
process.once('SIGINT', stop);
