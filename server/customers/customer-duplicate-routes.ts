import type { Request, Response } from 'express';
import { listDuplicatePairs } from '../../db/customers/duplicate-service.js';
import { mergeCustomers } from '../../db/customers/merge-service.js';
import type { Role } from '../../db/users/roles.js';
import type { AppDeps } from '../app-deps.js';
import { ctx } from '../http/locals.js';
import { API_PREFIX, defineRoutes, type RouteDef } from '../http/route.js';
import { presentCustomer } from './customer-presenter.js';
import {
  duplicatePairPage,
  listDuplicatesSchema,
  mergeCustomersSchema,
  mergedCustomerResponse,
} from './customer-duplicate-schemas.js';

const tag = 'customers';

export function customerDuplicateRoutes(deps: AppDeps): RouteDef[] {
  return defineRoutes([
    {
      method: 'get',
      path: `${API_PREFIX}/stores/:storeId/customers/duplicates`,
      policy: 'customers.duplicates',
      tag,
      summary: 'Candidate duplicate pairs across the store, best first, with a score and the fields that matched',
      schema: listDuplicatesSchema,
      responses: { 200: { description: 'A page of pairs', schema: duplicatePairPage } },
      handler: async (_req: Request, res: Response) => {
        const { params, query } = res.locals.valid;
        const context = ctx(res);
        const { limit, cursor } = query;
        const page = await listDuplicatePairs(deps.db, context, params.storeId, { limit, cursor });
        res.json({
          data: page.data.map((pair) => ({
            score: pair.score,
            matchedOn: pair.matchedOn,
            customers: pair.customers.map((c) => presentCustomer(c, context.actor.role as Role)),
          })),
          nextCursor: page.nextCursor,
        });
      },
    },
    {
      method: 'post',
      path: `${API_PREFIX}/stores/:storeId/customers/:id/merge`,
      policy: 'customers.merge',
      tag,
      summary: 'Merge another customer (sourceId) into this one; the source becomes `merged` pointing here',
      schema: mergeCustomersSchema,
      responses: {
        200: { description: 'The surviving customer', schema: mergedCustomerResponse },
        404: { description: 'Either customer is not in this store' },
        409: { description: 'Either customer is already merged, deleted or erased' },
      },
      handler: async (_req: Request, res: Response) => {
        const { params, body } = res.locals.valid;
        const context = ctx(res);
        const survivor = await mergeCustomers(deps.db, context, params.storeId, params.id, body);
        res.json(presentCustomer(survivor, context.actor.role as Role));
      },
    },
  ]);
}
