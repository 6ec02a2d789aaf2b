import { eraseCustomer } from '../../db/customers/customer-erasure-service.js';
import { exportCustomer } from '../../db/customers/customer-export-service.js';
import { listCustomerHistory } from '../../db/customers/customer-history-service.js';
import type { AppDeps } from '../app-deps.js';
import { ctx } from '../http/locals.js';
import { API_PREFIX, defineRoutes, type RouteDef } from '../http/route.js';
import { customerAvatarRoutes } from './customer-avatar-routes.js';
import { customerFileStorage } from './customer-file-storage.js';
import { customerOnlySchema, exportResponse, historyPage, historySchema } from './customer-gdpr-schemas.js';
import { presentCustomer } from './customer-presenter.js';
import { presentDocument } from './customer-subresource-presenter.js';

const base = `${API_PREFIX}/stores/:storeId/customers/:id`;

/** History, export and erasure; the avatar routes ride along here until server/routes.ts lists them. */
export function customerGdprRoutes(deps: AppDeps): RouteDef[] {
  const storage = customerFileStorage(deps);
  return defineRoutes([
    ...customerAvatarRoutes(deps),
    {
      method: 'get',
      path: `${base}/history`,
      policy: 'customers.history',
      summary: "The customer's audit trail, newest first: who changed which fields, when",
      tag: 'Customers',
      schema: historySchema,
      responses: { 200: { description: 'A page of the trail', schema: historyPage } },
      handler: async (_req, res) => {
        const { params, query } = res.locals.valid;
        res.json(await listCustomerHistory(deps.db, ctx(res), params.id, { limit: query.limit, cursor: query.cursor }));
      },
    },
    {
      method: 'get',
      path: `${base}/export`,
      policy: 'customers.export',
      summary: 'Everything held on the customer, as a JSON attachment (GDPR access); the export is audited',
      tag: 'Customers',
      schema: customerOnlySchema,
      responses: { 200: { description: 'The export', schema: exportResponse } },
      handler: async (_req, res) => {
        const { params } = res.locals.valid;
        const role = res.locals.principal!.role;
        const found = await exportCustomer(deps.db, ctx(res), params.id);
        const profile = presentCustomer(found.customer, role);
        res.setHeader('Content-Disposition', `attachment; filename="customer-${found.customer.id}.json"`);
        res.setHeader('Cache-Control', 'no-store');
        res.json({
          exportedAt: found.exportedAt,
          customer: profile,
          avatar: found.avatarContentType ? { contentType: found.avatarContentType, url: profile.avatarUrl } : null,
          notes: found.notes,
          documents: found.documents.map((d) => presentDocument(d, role)),
          history: found.history,
        });
      },
    },
    {
      method: 'post',
      path: `${base}/erase`,
      policy: 'customers.erase',
      summary:
        'GDPR erasure: personal fields, identity numbers, consents, avatar, tags, notes, addresses and documents ' +
        'go; the row stays as an anonymous shell (status erased). Erasing again changes nothing',
      tag: 'Customers',
      schema: customerOnlySchema,
      responses: { 200: { description: 'The erased customer: every personal field null' } },
      handler: async (_req, res) => {
        const { params } = res.locals.valid;
        const { customer } = await eraseCustomer(deps.db, storage, ctx(res), params.id);
        res.json(presentCustomer(customer, res.locals.principal!.role));
      },
    },
  ]);
}
