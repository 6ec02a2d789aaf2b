import type { AppDeps } from '../app-deps.js';
import type { RouteDef } from '../http/route.js';

export function customerGdprRoutes(_deps: AppDeps): RouteDef[] {
  return [];
}
