import { apiKeyRoutes } from './api-keys/api-key-routes.js';
import type { AppDeps } from './app-deps.js';
import { authRoutes } from './auth/auth-routes.js';
import type { RouteDef } from './http/route.js';
import { meRoutes } from './me/me-routes.js';
import { organizationRoutes } from './organizations/organization-routes.js';
import { storeRoutes } from './stores/store-routes.js';
import { userRoutes } from './users/user-routes.js';

/** Every API route under /api/v1, feature by feature. */
export function apiRoutes(deps: AppDeps): RouteDef[] {
  return [
    ...authRoutes(deps),
    ...meRoutes(deps),
    ...organizationRoutes(deps),
    ...storeRoutes(deps),
    ...userRoutes(deps),
    ...apiKeyRoutes(deps),
  ];
}
