import type { Request, Response } from 'express';
import { notFound } from '../../config/errors.js';
import {
  createUser,
  deleteUserAccount,
  listUsersOfOrganization,
  updateUserAccount,
} from '../../db/users/user-service.js';
import type { AppDeps } from '../app-deps.js';
import { ctx } from '../http/locals.js';
import { API_PREFIX, defineRoutes, type RouteDef } from '../http/route.js';
import { ifMatchVersion } from '../http/if-match.js';
import {
  createUserSchema,
  deleteUserSchema,
  listUsersSchema,
  updateUserSchema,
  userPage,
  userResponse,
} from './user-schemas.js';

const tag = 'users';

export function userRoutes(deps: AppDeps): RouteDef[] {
  return defineRoutes([
    {
      method: 'get',
      path: `${API_PREFIX}/users`,
      policy: 'users.list',
      tag,
      summary: "List the organisation's users",
      schema: listUsersSchema,
      responses: { 200: { description: 'A page of users', schema: userPage } },
      handler: async (_req: Request, res: Response) => {
        const { role, limit, cursor } = res.locals.valid.query;
        res.json(await listUsersOfOrganization(deps.db, ctx(res), { role, limit, cursor }));
      },
    },
    {
      method: 'post',
      path: `${API_PREFIX}/users`,
      policy: 'users.create',
      tag,
      summary: 'Create a user (a sysadmin names the organisation with organizationId or X-Organization-Id)',
      schema: createUserSchema,
      responses: {
        201: { description: 'The user (never its password)', schema: userResponse },
        409: { description: 'The email is already in use' },
      },
      handler: async (_req: Request, res: Response) => {
        const { organizationId, ...input } = res.locals.valid.body;
        // The organisation is the caller's (or the one a sysadmin chose); naming another reaches nothing.
        if (organizationId !== undefined && organizationId !== res.locals.orgId) throw notFound('organization');
        res.status(201).json(await createUser(deps.db, ctx(res), input));
      },
    },
    {
      method: 'patch',
      path: `${API_PREFIX}/users/:userId`,
      policy: 'users.update',
      tag,
      summary: 'Change a user; a new role, stores or password ends their sessions (If-Match honoured)',
      schema: updateUserSchema,
      responses: {
        200: { description: 'The user', schema: userResponse },
        409: { description: 'If-Match names an older version, or an admin tried to demote themself' },
      },
      handler: async (req: Request, res: Response) => {
        const { params, body } = res.locals.valid;
        const { result, endedSessionIds } = await updateUserAccount(
          deps.db,
          ctx(res),
          params.userId,
          body,
          ifMatchVersion(req),
        );
        await deps.sessions.revoke(endedSessionIds);
        res.json(result);
      },
    },
    {
      method: 'delete',
      path: `${API_PREFIX}/users/:userId`,
      policy: 'users.delete',
      tag,
      summary: 'Delete a user (soft) and end their sessions',
      schema: deleteUserSchema,
      responses: {
        204: { description: 'Deleted' },
        409: { description: 'An admin tried to delete themself' },
      },
      handler: async (req: Request, res: Response) => {
        const { endedSessionIds } = await deleteUserAccount(
          deps.db,
          ctx(res),
          res.locals.valid.params.userId,
          ifMatchVersion(req),
        );
        await deps.sessions.revoke(endedSessionIds);
        res.status(204).end();
      },
    },
  ]);
}
