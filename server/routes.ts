import type { AppDeps } from './app-deps.js';
import type { RouteDef } from './http/route.js';

/** Every API route under /api/v1, feature by feature. */
export function apiRoutes(_deps: AppDeps): RouteDef[] {
  return [];
}
