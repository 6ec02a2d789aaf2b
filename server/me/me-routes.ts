import type { Request, Response } from 'express';
import { describeCaller } from '../../db/users/user-service.js';
import type { AppDeps } from '../app-deps.js';
import { API_PREFIX, defineRoutes, type RouteDef } from '../http/route.js';
import { meResponse } from './me-schemas.js';

export function meRoutes(deps: AppDeps): RouteDef[] {
  return defineRoutes([
    {
      method: 'get',
      path: `${API_PREFIX}/me`,
      policy: 'me.get',
      tag: 'auth',
      summary: 'The caller (a user or an API key), its organisation, the stores it reaches and its role',
      responses: { 200: { description: 'The caller', schema: meResponse } },
      handler: async (_req: Request, res: Response) => {
        const principal = res.locals.principal!;
        const caller =
          principal.kind === 'user'
            ? ({ kind: 'user', userId: principal.userId, orgId: principal.orgId } as const)
            : ({ kind: 'api_key', keyId: principal.keyId, orgId: principal.orgId } as const);
        res.json(await describeCaller(deps.db, caller));
      },
    },
  ]);
}
