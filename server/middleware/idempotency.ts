import type { RequestHandler } from 'express';
import type { AppDeps } from '../app-deps.js';

// Placeholder until the idempotency middleware lands: passes every request through.
export function idempotency(_deps: AppDeps, _options: { required: boolean }): RequestHandler {
  return (_req, _res, next) => next();
}
