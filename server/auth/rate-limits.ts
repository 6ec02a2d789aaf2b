import { createHash } from 'node:crypto';
import type { Request, RequestHandler, Response } from 'express';
import { ipKeyGenerator, rateLimit, type RateLimitInfo } from 'express-rate-limit';
import { RedisStore, type RedisReply } from 'rate-limit-redis';
import { AppError } from '../../config/errors.js';
import { redisKey } from '../../config/redis.js';
import type { AppDeps } from '../app-deps.js';

// Keys are hashes: an email (or an IP address) never sits in Redis in clear text.
const sha256 = (value: string) => createHash('sha256').update(value).digest('hex');
const byIp = (req: Request) => sha256(ipKeyGenerator(req.ip ?? 'unknown'));
const byEmail = (_req: Request, res: Response) => sha256(String(res.locals.valid.body.email).toLowerCase());

/**
 * rate-limit-redis caches the promise of its script's SHA from start-up: if Redis was unreachable
 * then, every later increment would fail on that rejected promise. Reload it after a failure instead.
 */
export class RecoveringRedisStore extends RedisStore {
  override async increment(key: string) {
    try {
      return await super.increment(key);
    } catch (err) {
      this.incrementScriptSha = this.loadIncrementScript();
      this.incrementScriptSha.catch(() => undefined);
      throw err;
    }
  }
}

interface LimitSpec {
  name: string;
  limit: number;
  windowMinutes: number;
  failuresOnly: boolean;
  key: (req: Request, res: Response) => string;
  message: string;
}

function limiter(deps: AppDeps, spec: LimitSpec): RequestHandler {
  const infoProperty = `rateLimit_${spec.name.replace(/\W/g, '_')}`;
  return rateLimit({
    windowMs: spec.windowMinutes * 60_000,
    limit: spec.limit,
    skipSuccessfulRequests: spec.failuresOnly,
    keyGenerator: spec.key,
    requestPropertyName: infoProperty,
    standardHeaders: false,
    legacyHeaders: false,
    logger: deps.logger,
    // Shared by every process, so a limit holds however many instances serve the API.
    store: new RecoveringRedisStore({
      prefix: redisKey('rl', spec.name, ''),
      sendCommand: (command: string, ...args: string[]) => deps.redis.call(command, ...args) as Promise<RedisReply>,
    }),
    handler: (req, _res, next) => {
      const info = (req as unknown as Record<string, RateLimitInfo | undefined>)[infoProperty];
      const seconds = info?.resetTime ? Math.ceil((info.resetTime.getTime() - Date.now()) / 1000) : 0;
      const retryAfter = String(Math.max(1, seconds || spec.windowMinutes * 60));
      next(new AppError('rate_limited', spec.message, { headers: { 'Retry-After': retryAfter } }));
    },
  });
}

/** Runs a middleware inside a route handler: resolves when it passes the request on, rejects with its error. */
function run(middleware: RequestHandler, req: Request, res: Response): Promise<void> {
  return new Promise((resolve, reject) => {
    void middleware(req, res, (err?: unknown) => (err ? reject(err) : resolve()));
  });
}

export type RateLimitGate = (req: Request, res: Response) => Promise<void>;

/**
 * The limits of the auth routes. Login counts failures only (a success is taken back when the
 * response finishes), per email and per client IP; refresh counts every call per IP.
 * Each gate reads the validated body, so it runs inside the handler.
 */
export function createAuthRateLimits(deps: AppDeps): { login: RateLimitGate; refresh: RateLimitGate } {
  const { auth } = deps.config;
  const tooManyLogins = 'too many failed sign-in attempts; try again later';
  const loginByIp = limiter(deps, {
    name: 'login-ip',
    limit: auth.loginIpFailureLimit,
    windowMinutes: auth.loginWindowMinutes,
    failuresOnly: true,
    key: byIp,
    message: tooManyLogins,
  });
  const loginByEmail = limiter(deps, {
    name: 'login-email',
    limit: auth.loginEmailFailureLimit,
    windowMinutes: auth.loginWindowMinutes,
    failuresOnly: true,
    key: byEmail,
    message: tooManyLogins,
  });
  const refreshByIp = limiter(deps, {
    name: 'refresh-ip',
    limit: auth.refreshIpLimit,
    windowMinutes: auth.loginWindowMinutes,
    failuresOnly: false,
    key: byIp,
    message: 'too many token refreshes; try again later',
  });
  return {
    login: async (req, res) => {
      await run(loginByIp, req, res);
      await run(loginByEmail, req, res);
    },
    refresh: (req, res) => run(refreshByIp, req, res),
  };
}
