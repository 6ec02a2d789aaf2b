import { addCustomerTag, removeCustomerTag } from '../../db/customers/customer-tag-service.js';
import type { AppDeps } from '../app-deps.js';
import { ctx } from '../http/locals.js';
import { API_PREFIX, defineRoutes, type RouteDef } from '../http/route.js';
import { presentTag } from './customer-subresource-presenter.js';
import { addTagSchema, removeTagSchema, tagResponse } from './customer-tag-schemas.js';

const base = `${API_PREFIX}/stores/:storeId/customers/:id/tags`;

export function customerTagRoutes(deps: AppDeps): RouteDef[] {
  return defineRoutes([
    {
      method: 'post',
      path: base,
      policy: 'customers.tags.add',
      summary: 'Tag a customer; labels are unique per customer whatever their case',
      tag: 'Customers',
      schema: addTagSchema,
      responses: {
        201: { description: 'Tag added', schema: tagResponse },
        200: { description: 'The customer already had this tag (in some case): nothing changed', schema: tagResponse },
      },
      handler: async (_req, res) => {
        const { params, body } = res.locals.valid;
        const { tag, created } = await addCustomerTag(deps.db, ctx(res), params.id, body.label);
        res.status(created ? 201 : 200).json(presentTag(tag));
      },
    },
    {
      method: 'delete',
      path: `${base}/:label`,
      policy: 'customers.tags.remove',
      summary: 'Remove a tag, named in any case',
      tag: 'Customers',
      schema: removeTagSchema,
      responses: { 204: { description: 'Removed' } },
      handler: async (_req, res) => {
        const { params } = res.locals.valid;
        await removeCustomerTag(deps.db, ctx(res), params.id, params.label);
        res.status(204).end();
      },
    },
  ]);
}
