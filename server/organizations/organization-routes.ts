import type { AppDeps } from '../app-deps.js';
import type { RouteDef } from '../http/route.js';

export function organizationRoutes(_deps: AppDeps): RouteDef[] {
  return [];
}
