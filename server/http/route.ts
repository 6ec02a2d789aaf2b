import type { Request, RequestHandler, Response } from 'express';
import type Joi from 'joi';
import type { PolicyName } from '../policy.js';

export type HttpMethod = 'get' | 'post' | 'put' | 'patch' | 'delete';

export interface RouteSchema {
  params?: Joi.ObjectSchema;
  query?: Joi.ObjectSchema;
  body?: Joi.Schema;
}

export interface RouteResponse {
  description: string;
  schema?: Joi.Schema;
  contentType?: string;
}

/**
 * One route: the same object mounts the handler, enforces its policy, validates its input and
 * describes it in /openapi.json, so the document cannot drift from what is served.
 */
export interface RouteDef {
  method: HttpMethod;
  /** Full express path, e.g. `/api/v1/stores/:storeId`. */
  path: string;
  policy: PolicyName;
  summary: string;
  tag: string;
  schema?: RouteSchema;
  responses: Record<number, RouteResponse>;
  /** POSTs that must carry `Idempotency-Key` (API.md: checkout, payments). */
  requireIdempotencyKey?: boolean;
  /** `json` (default) requires application/json; `multipart` is parsed by a `before` middleware (multer). */
  bodyType?: 'json' | 'multipart';
  /** Middlewares run after authorisation and before validation, e.g. a multipart parser with size limits. */
  before?: RequestHandler[];
  /**
   * `handler`: authorisation settles the store's id and the caller's reach but leaves the reachability
   * query to the handler, which sends it with its own (res.locals.storeCheck); the handler must answer 404
   * when it finds the store unreachable. For the counter search, whose every round trip counts.
   */
  storeCheck?: 'handler';
  handler: (req: Request, res: Response) => unknown;
}

export const API_PREFIX = '/api/v1';

export function defineRoutes(routes: RouteDef[]): RouteDef[] {
  return routes;
}
