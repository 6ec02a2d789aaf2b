import type { Request, Response } from 'express';
import { notFound } from '../../config/errors.js';
import { searchReachableStore, type SearchParams } from '../../db/customers/customer-search.js';
import type { Role } from '../../db/users/roles.js';
import type { AppDeps } from '../app-deps.js';
import { ctx } from '../http/locals.js';
import { API_PREFIX, defineRoutes, type RouteDef } from '../http/route.js';
import { presentCustomer } from './customer-presenter.js';
import { customerSearchPage, searchCustomersSchema } from './customer-search-schemas.js';

export function customerSearchRoutes(deps: AppDeps): RouteDef[] {
  return defineRoutes([
    {
      method: 'get',
      path: `${API_PREFIX}/stores/:storeId/customers`,
      policy: 'customers.search',
      tag: 'customers',
      summary: 'Search and list customers: q detects what was typed; filters combine; keyset pages',
      schema: searchCustomersSchema,
      responses: {
        200: { description: 'A page of customers (ranked by relevance when q is given)', schema: customerSearchPage },
        400: { description: 'A filter, limit or cursor is not valid' },
      },
      storeCheck: 'handler',
      handler: async (_req: Request, res: Response) => {
        const context = ctx(res);
        const { storeId, reach } = res.locals.storeCheck!;
        const params = res.locals.valid.query as SearchParams;
        const page = await searchReachableStore(deps.db, context, storeId, reach, params);
        if (!page) throw notFound('store');
        const role = context.actor.role as Role;
        res.json({
          data: page.data.map((hit) => ({ ...presentCustomer(hit.customer, role), match: hit.match })),
          nextCursor: page.nextCursor,
        });
      },
    },
  ]);
}
