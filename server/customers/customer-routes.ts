import type { Request, Response } from 'express';
import type { Customer } from '../../db/customers/customer-model.js';
import {
  createCustomer,
  deleteCustomer,
  getCustomer,
  updateCustomer,
  upsertCustomer,
} from '../../db/customers/customer-service.js';
import type { Role } from '../../db/users/roles.js';
import type { AppDeps } from '../app-deps.js';
import { ifMatchVersion } from '../http/if-match.js';
import { ctx } from '../http/locals.js';
import { API_PREFIX, defineRoutes, type RouteDef } from '../http/route.js';
import { presentCustomer } from './customer-presenter.js';
import {
  createCustomerSchema,
  customerResponse,
  deleteCustomerSchema,
  getCustomerSchema,
  updateCustomerSchema,
  upsertCustomerSchema,
} from './customer-schemas.js';
import { customerPatchRateLimit, type PatchRateLimit } from './patch-rate-limit.js';
import { storePhoneCheck } from './store-phone-check.js';

const tag = 'customers';
const base = `${API_PREFIX}/stores/:storeId/customers`;

const present = (res: Response, customer: Customer) => presentCustomer(customer, ctx(res).actor.role as Role);
const storeCountry = (res: Response) => res.locals.store?.country ?? 'US';

export interface CustomerRouteOptions {
  patchRateLimit?: PatchRateLimit;
}

export function customerRoutes(deps: AppDeps, options: CustomerRouteOptions = {}): RouteDef[] {
  return defineRoutes([
    {
      method: 'post',
      path: base,
      policy: 'customers.create',
      tag,
      summary: 'Create a customer; a likely duplicate is refused unless allowDuplicate=true (audited)',
      schema: createCustomerSchema,
      before: [storePhoneCheck(createCustomerSchema.body)],
      responses: {
        201: { description: 'The customer', schema: customerResponse },
        400: { description: 'Every invalid field, including a phone that does not parse for the store country' },
        409: { description: 'duplicate_customer: details are the candidates, best first' },
      },
      handler: async (_req: Request, res: Response) => {
        const { query, body } = res.locals.valid;
        const customer = await createCustomer(deps.db, ctx(res), body, {
          storeCountry: storeCountry(res),
          allowDuplicate: query.allowDuplicate,
        });
        res.status(201).json(present(res, customer));
      },
    },
    {
      method: 'post',
      path: `${base}/upsert`,
      policy: 'customers.upsert',
      tag,
      summary: 'For other services: match by external ref, then email, phone or licence; update or create',
      schema: upsertCustomerSchema,
      before: [storePhoneCheck(upsertCustomerSchema.body)],
      responses: {
        200: { description: 'An existing customer, updated where the input differs', schema: customerResponse },
        201: { description: 'A new customer', schema: customerResponse },
        409: { description: 'The external ref belongs to a deleted or erased customer' },
      },
      handler: async (_req: Request, res: Response) => {
        const { customer, created } = await upsertCustomer(deps.db, ctx(res), res.locals.valid.body, {
          storeCountry: storeCountry(res),
        });
        res.status(created ? 201 : 200).json(present(res, customer));
      },
    },
    {
      method: 'get',
      path: `${base}/:id`,
      policy: 'customers.get',
      tag,
      summary: 'The profile with tags, addresses and external refs; deleted, merged and erased ones still answer',
      schema: getCustomerSchema,
      responses: { 200: { description: 'The customer', schema: customerResponse } },
      handler: async (_req: Request, res: Response) => {
        res.json(present(res, await getCustomer(deps.db, ctx(res), res.locals.valid.params.id)));
      },
    },
    {
      method: 'patch',
      path: `${base}/:id`,
      policy: 'customers.update',
      tag,
      summary: 'Partial update (null clears; If-Match honoured); tags and addresses have their own routes',
      schema: updateCustomerSchema,
      before: [customerPatchRateLimit(deps, options.patchRateLimit), storePhoneCheck(updateCustomerSchema.body)],
      responses: {
        200: { description: 'The customer (unchanged, same version, when nothing differed)', schema: customerResponse },
        409: { description: 'Stale If-Match, a deleted/merged/erased customer, or duplicate_customer' },
        429: { description: 'Too many updates by this caller; see Retry-After' },
      },
      handler: async (req: Request, res: Response) => {
        const { params, query, body } = res.locals.valid;
        const customer = await updateCustomer(deps.db, ctx(res), params.id, body, {
          storeCountry: storeCountry(res),
          allowDuplicate: query.allowDuplicate,
          expectedVersion: ifMatchVersion(req),
        });
        res.json(present(res, customer));
      },
    },
    {
      method: 'delete',
      path: `${base}/:id`,
      policy: 'customers.delete',
      tag,
      summary: 'Soft delete (status deleted; GET still answers); If-Match honoured; repeating it is a no-op',
      schema: deleteCustomerSchema,
      responses: {
        204: { description: 'Deleted' },
        409: { description: 'Stale If-Match, or a merged or erased customer' },
      },
      handler: async (req: Request, res: Response) => {
        await deleteCustomer(deps.db, ctx(res), res.locals.valid.params.id, ifMatchVersion(req));
        res.status(204).end();
      },
    },
  ]);
}
