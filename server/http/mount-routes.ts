import type { Express, RequestHandler } from 'express';
import { AppError } from '../../config/errors.js';
import type { AppDeps } from '../app-deps.js';
import { authenticate } from '../middleware/authenticate.js';
import { authorize } from '../middleware/authorize.js';
import { idempotency } from '../middleware/idempotency.js';
import { requireJsonBody } from '../middleware/require-json.js';
import { validate } from '../middleware/validate.js';
import { POLICIES } from '../policy.js';
import type { RouteDef } from './route.js';

function metricsAccess(deps: AppDeps): RequestHandler {
  return (req, _res, next) => {
    const token = deps.config.metricsToken;
    if (token && req.get('authorization') !== `Bearer ${token}`) {
      throw new AppError('unauthenticated', 'send Authorization: Bearer <METRICS_TOKEN>');
    }
    next();
  };
}

/** Mounts each route with its policy, validation and idempotency in a fixed order. */
export function mountRoutes(app: Express, routes: RouteDef[], deps: AppDeps): void {
  const authn = authenticate(deps);
  for (const route of routes) {
    const policy = POLICIES[route.policy];
    const chain: RequestHandler[] = [
      (_req, res, next) => {
        res.locals.routeTemplate = route.path;
        next();
      },
    ];
    if (route.method !== 'get' && route.method !== 'delete' && route.bodyType !== 'multipart')
      chain.push(requireJsonBody);
    if (policy.access === 'metrics') chain.push(metricsAccess(deps));
    if (policy.access === 'authenticated')
      chain.push(authn, authorize(policy, deps, { storeCheck: route.storeCheck ?? 'authorize' }));
    chain.push(...(route.before ?? []), validate(route.schema));
    if (route.method === 'post' && policy.access === 'authenticated' && policy.scope !== 'none') {
      chain.push(idempotency(deps, { required: route.requireIdempotencyKey ?? false }));
    }
    chain.push(route.handler as RequestHandler);
    app[route.method](route.path, ...chain);
  }
}
