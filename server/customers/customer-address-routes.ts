import {
  addCustomerAddress,
  changeCustomerAddress,
  listCustomerAddresses,
  removeCustomerAddress,
} from '../../db/customers/customer-address-service.js';
import type { AppDeps } from '../app-deps.js';
import { ifMatchVersion } from '../http/if-match.js';
import { ctx } from '../http/locals.js';
import { API_PREFIX, defineRoutes, type RouteDef } from '../http/route.js';
import {
  addAddressSchema,
  addressPage,
  addressResponse,
  changeAddressSchema,
  listAddressesSchema,
  removeAddressSchema,
} from './customer-address-schemas.js';
import { blanksToNull } from './customer-subresource-schemas.js';

const base = `${API_PREFIX}/stores/:storeId/customers/:id/addresses`;
const stale = { description: 'If-Match names an older version of the address' };

export function customerAddressRoutes(deps: AppDeps): RouteDef[] {
  return defineRoutes([
    {
      method: 'get',
      path: base,
      policy: 'customers.addresses.list',
      summary: "The customer's addresses, in the order they were added",
      tag: 'Customers',
      schema: listAddressesSchema,
      responses: { 200: { description: 'A page of addresses', schema: addressPage } },
      handler: async (_req, res) => {
        const { params, query } = res.locals.valid;
        res.json(
          await listCustomerAddresses(deps.db, ctx(res), params.id, { limit: query.limit, cursor: query.cursor }),
        );
      },
    },
    {
      method: 'post',
      path: base,
      policy: 'customers.addresses.create',
      summary: 'Add an address; with isDefault it becomes the one default of its type',
      tag: 'Customers',
      schema: addAddressSchema,
      responses: { 201: { description: 'The address', schema: addressResponse } },
      handler: async (_req, res) => {
        const { params, body } = res.locals.valid;
        res.status(201).json(await addCustomerAddress(deps.db, ctx(res), params.id, body));
      },
    },
    {
      method: 'patch',
      path: `${base}/:addressId`,
      policy: 'customers.addresses.update',
      summary: 'Change an address (If-Match: its version); with isDefault it becomes the one default of its type',
      tag: 'Customers',
      schema: changeAddressSchema,
      responses: { 200: { description: 'The address', schema: addressResponse }, 409: stale },
      handler: async (req, res) => {
        const { params, body } = res.locals.valid;
        const version = ifMatchVersion(req);
        res.json(
          await changeCustomerAddress(deps.db, ctx(res), params.id, params.addressId, blanksToNull(body), version),
        );
      },
    },
    {
      method: 'delete',
      path: `${base}/:addressId`,
      policy: 'customers.addresses.delete',
      summary: 'Delete an address (If-Match honoured)',
      tag: 'Customers',
      schema: removeAddressSchema,
      responses: { 204: { description: 'Deleted' }, 409: stale },
      handler: async (req, res) => {
        const { params } = res.locals.valid;
        await removeCustomerAddress(deps.db, ctx(res), params.id, params.addressId, ifMatchVersion(req));
        res.status(204).end();
      },
    },
  ]);
}
