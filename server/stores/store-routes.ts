import type { Request, Response } from 'express';
import { createStore, getStore, listStoresOfOrganization, updateStoreSettings } from '../../db/stores/store-service.js';
import type { AppDeps } from '../app-deps.js';
import { ctx } from '../http/locals.js';
import { API_PREFIX, defineRoutes, type RouteDef } from '../http/route.js';
import { ifMatchVersion } from '../http/if-match.js';
import {
  createStoreSchema,
  getStoreSchema,
  listStoresSchema,
  storePage,
  storeResponse,
  updateStoreSchema,
} from './store-schemas.js';

const tag = 'stores';

export function storeRoutes(deps: AppDeps): RouteDef[] {
  return defineRoutes([
    {
      method: 'get',
      path: `${API_PREFIX}/stores`,
      policy: 'stores.list',
      tag,
      summary: "List the organisation's stores",
      schema: listStoresSchema,
      responses: { 200: { description: 'A page of stores', schema: storePage } },
      handler: async (_req: Request, res: Response) => {
        const { limit, cursor } = res.locals.valid.query;
        res.json(await listStoresOfOrganization(deps.db, ctx(res), { limit, cursor }));
      },
    },
    {
      method: 'post',
      path: `${API_PREFIX}/stores`,
      policy: 'stores.create',
      tag,
      summary: 'Create a store',
      schema: createStoreSchema,
      responses: { 201: { description: 'The store', schema: storeResponse } },
      handler: async (_req: Request, res: Response) => {
        res.status(201).json(await createStore(deps.db, ctx(res), res.locals.valid.body));
      },
    },
    {
      method: 'get',
      path: `${API_PREFIX}/stores/:storeId`,
      policy: 'stores.get',
      tag,
      summary: 'A store',
      schema: getStoreSchema,
      responses: { 200: { description: 'The store', schema: storeResponse } },
      handler: async (_req: Request, res: Response) => {
        res.json(await getStore(deps.db, ctx(res), res.locals.valid.params.storeId));
      },
    },
    {
      method: 'patch',
      path: `${API_PREFIX}/stores/:storeId`,
      policy: 'stores.update',
      tag,
      summary: 'Change a store (If-Match: <version> guards against lost updates)',
      schema: updateStoreSchema,
      responses: {
        200: { description: 'The store', schema: storeResponse },
        409: { description: 'If-Match names an older version' },
      },
      handler: async (req: Request, res: Response) => {
        const { params, body } = res.locals.valid;
        res.json(await updateStoreSettings(deps.db, ctx(res), params.storeId, body, ifMatchVersion(req)));
      },
    },
  ]);
}
