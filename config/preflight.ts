import { Redis } from 'ioredis';
import { connect } from 'node:net';
import pg from 'pg';

export class ServiceUnavailableError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ServiceUnavailableError';
  }
}

/** The URL without its password, safe to print. */
export function displayUrl(url: string): string {
  const u = new URL(url);
  if (u.password) u.password = '***';
  return u.toString();
}

async function checkPostgres(ownerUrl: string): Promise<void> {
  const u = new URL(ownerUrl);
  u.pathname = '/postgres';
  const client = new pg.Client({ connectionString: u.toString(), connectionTimeoutMillis: 3000 });
  try {
    await client.connect();
    await client.query('select 1');
  } catch (err) {
    throw new ServiceUnavailableError(
      `PostgreSQL is not answering at ${displayUrl(ownerUrl)} (${(err as Error).message}).\n` +
        `  Start it: 'docker compose up -d postgres' (docker-compose.yml is in the repository), or on Debian\n` +
        `  'pg_ctlcluster --skip-systemctl-redirect $(ls /etc/postgresql) main start'; or point DATABASE_OWNER_URL/DATABASE_URL elsewhere.`,
    );
  } finally {
    await client.end().catch(() => undefined);
  }
}

async function checkRedis(url: string): Promise<void> {
  const redis = new Redis(url, {
    lazyConnect: true,
    maxRetriesPerRequest: 0,
    connectTimeout: 3000,
    retryStrategy: () => null,
  });
  redis.on('error', () => undefined);
  try {
    await redis.connect();
    await redis.ping();
  } catch (err) {
    throw new ServiceUnavailableError(
      `Redis is not answering at ${displayUrl(url)} (${(err as Error).message}).\n` +
        `  Start it: 'docker compose up -d redis', or 'redis-server --daemonize yes'; or point REDIS_URL elsewhere.`,
    );
  } finally {
    redis.disconnect();
  }
}

/** Fails at once, naming the URL and how to start the service, when PostgreSQL or Redis is down. */
export async function checkServices(urls: { postgres: string; redis: string }): Promise<void> {
  const results = await Promise.allSettled([checkPostgres(urls.postgres), checkRedis(urls.redis)]);
  const problems = results
    .filter((r): r is PromiseRejectedResult => r.status === 'rejected')
    .map((r) => (r.reason as Error).message);
  if (problems.length > 0) throw new ServiceUnavailableError(problems.join('\n'));
}

/**
 * Whether RabbitMQ takes a TCP connection at `url` (host and port only). Not fatal for the laptop start:
 * without it events wait in the outbox (and webhooks with them) until it answers.
 */
export async function rabbitmqProblem(url: string): Promise<string | undefined> {
  const u = new URL(url);
  const port = Number(u.port || (u.protocol === 'amqps:' ? 5671 : 5672));
  const reachable = await new Promise<boolean>((resolve) => {
    const socket = connect({ host: u.hostname, port, timeout: 2000 });
    socket.once('connect', () => {
      socket.destroy();
      resolve(true);
    });
    socket.once('timeout', () => {
      socket.destroy();
      resolve(false);
    });
    socket.once('error', () => resolve(false));
  });
  if (reachable) return undefined;
  return (
    `RabbitMQ is not answering at ${displayUrl(url)}: events stay in the outbox (webhooks wait too) until it does.\n` +
    `  Start it: 'docker compose up -d rabbitmq', or 'rabbitmq-server -detached'; or set EVENTS_RABBITMQ=false.`
  );
}
