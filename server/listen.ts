import { createServer } from 'node:http';
import type { AppDeps } from './app-deps.js';
import { buildApp } from './app.js';

export interface RunningServer {
  close(): Promise<void>;
}

/** Listens on config.port; `close` stops accepting and waits for in-flight requests. */
export async function listen(deps: AppDeps): Promise<RunningServer> {
  const { app } = buildApp(deps);
  const server = createServer(app);
  server.keepAliveTimeout = 65_000; // longer than common load balancers' idle timeout
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(deps.config.port, resolve);
  });
  return {
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeIdleConnections();
      }),
  };
}
