import type { Request, Response } from 'express';
import { createOrganization, listAllOrganizations } from '../../db/organizations/organization-service.js';
import type { AppDeps } from '../app-deps.js';
import { API_PREFIX, defineRoutes, type RouteDef } from '../http/route.js';
import {
  createOrganizationSchema,
  listOrganizationsSchema,
  organizationPage,
  organizationResponse,
} from './organization-schemas.js';

const tag = 'organizations';

export function organizationRoutes(deps: AppDeps): RouteDef[] {
  return defineRoutes([
    {
      method: 'get',
      path: `${API_PREFIX}/organizations`,
      policy: 'organizations.list',
      tag,
      summary: 'List every organisation (sysadmin)',
      schema: listOrganizationsSchema,
      responses: { 200: { description: 'A page of organisations', schema: organizationPage } },
      handler: async (_req: Request, res: Response) => {
        const { limit, cursor } = res.locals.valid.query;
        res.json(await listAllOrganizations(deps.db, { limit, cursor }));
      },
    },
    {
      method: 'post',
      path: `${API_PREFIX}/organizations`,
      policy: 'organizations.create',
      tag,
      summary: 'Create an organisation (sysadmin); its first admin comes from POST /users with organizationId',
      schema: createOrganizationSchema,
      responses: { 201: { description: 'The organisation', schema: organizationResponse } },
      handler: async (_req: Request, res: Response) => {
        res.status(201).json(await createOrganization(deps.db, res.locals.valid.body));
      },
    },
  ]);
}
