import type { RequestHandler } from 'express';
import { AppError, forbidden, notFound } from '../../config/errors.js';
import { enrichLogContext } from '../../config/log-context.js';
import { findReachableStoreFast, organizationExists, type StoreReach } from '../../db/stores/store-access.js';
import { withTenant } from '../../db/tenant.js';
import { roleAtLeast } from '../../db/users/roles.js';
import type { AppDeps } from '../app-deps.js';
import type { Principal } from '../auth/principal.js';
import type { Policy } from '../policy.js';
import { isUuid } from '../../db/ids.js';

/**
 * Applies a route's policy. Reachability comes before role: a store or organisation the caller
 * cannot reach is 404 whatever the role, and 403 is only for a role too low where it can reach.
 */
export function authorize(
  policy: Extract<Policy, { access: 'authenticated' }>,
  deps: AppDeps,
  options: { storeCheck: 'authorize' | 'handler' } = { storeCheck: 'authorize' },
): RequestHandler {
  async function organizationFor(principal: Principal, header: string | undefined, body: unknown): Promise<string> {
    if (principal.orgId) return principal.orgId;
    // A sysadmin belongs to no organisation and names the one it acts in.
    const chosen = header ?? (body as { organizationId?: unknown } | undefined)?.organizationId;
    if (typeof chosen !== 'string') {
      throw new AppError('validation_failed', 'a sysadmin must name the organisation: send X-Organization-Id', {
        details: [{ path: 'X-Organization-Id', message: 'is required for sysadmin requests' }],
      });
    }
    if (!isUuid(chosen)) throw notFound('organization');
    const exists = await withTenant(deps.db, { platform: true }, (trx) => organizationExists(trx, chosen));
    if (!exists) throw notFound('organization');
    return chosen;
  }

  return async (req, res, next) => {
    const principal = res.locals.principal!;
    if (principal.kind === 'api_key' && !policy.apiKeys) throw forbidden('API keys cannot use this route');

    if (policy.scope === 'platform') {
      if (principal.role !== 'sysadmin') throw forbidden();
      return next();
    }
    if (policy.scope === 'none') return next();

    const orgId = await organizationFor(principal, req.get('x-organization-id'), req.body);
    res.locals.orgId = orgId;
    enrichLogContext({ orgId });

    if (policy.scope === 'store') {
      const storeId = req.params.storeId;
      if (!isUuid(storeId)) throw notFound('store');
      if (principal.kind === 'api_key' && principal.storeId !== storeId) throw notFound('store');
      const reach: StoreReach =
        principal.kind === 'user' && !roleAtLeast(principal.role, 'admin')
          ? { userId: principal.userId }
          : { allStores: true };
      // A role too low still gets 404 for a store it cannot reach: only a role that passes may defer.
      if (options.storeCheck === 'handler' && roleAtLeast(principal.role, policy.minRole)) {
        res.locals.storeCheck = { storeId, reach };
        enrichLogContext({ storeId });
        return next();
      }
      const store = await findReachableStoreFast(deps.db, orgId, storeId, reach);
      if (!store) throw notFound('store');
      res.locals.store = store;
      enrichLogContext({ storeId });
    }

    if (!roleAtLeast(principal.role, policy.minRole)) throw forbidden();
    next();
  };
}
