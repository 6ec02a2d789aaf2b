import { getCustomerSync, listCustomerSyncs, startCustomerSync } from '../../db/syncs/customer-sync-service.js';
import { createQueue, enqueueOptions } from '../../jobs/queues.js';
import type { AppDeps } from '../app-deps.js';
import { ctx } from '../http/locals.js';
import { API_PREFIX, defineRoutes, type RouteDef } from '../http/route.js';
import {
  customerSyncPage,
  customerSyncResponse,
  getCustomerSyncSchema,
  listCustomerSyncsSchema,
  startCustomerSyncSchema,
} from './customer-sync-schemas.js';

const base = `${API_PREFIX}/stores/:storeId/customer-syncs`;
const tag = 'Customer syncs';

export function customerSyncRoutes(deps: AppDeps): RouteDef[] {
  // A producer on the app's fail-fast connection, built on first use (the connection belongs to deps).
  let queue: ReturnType<typeof createQueue<'customer-sync'>> | undefined;
  const queueOf = () => (queue ??= createQueue('customer-sync', deps.redis));

  return defineRoutes([
    {
      method: 'post',
      path: base,
      policy: 'customerSyncs.start',
      tag,
      summary: 'Start a POS sync of the store now; answers the running one if there is one (one per store)',
      schema: startCustomerSyncSchema,
      responses: {
        202: { description: 'A new sync, pending', schema: customerSyncResponse },
        200: { description: 'The sync already pending or in progress', schema: customerSyncResponse },
      },
      handler: async (_req, res) => {
        const { sync, created } = await startCustomerSync(deps.db, ctx(res), async (s) => {
          const data = { syncId: s.id, storeId: s.storeId, orgId: ctx(res).orgId };
          await queueOf().add('customer-sync', data, enqueueOptions('customer-sync', data));
        });
        res.status(created ? 202 : 200).json(sync);
      },
    },
    {
      method: 'get',
      path: base,
      policy: 'customerSyncs.list',
      tag,
      summary: "The store's sync runs, oldest first",
      schema: listCustomerSyncsSchema,
      responses: { 200: { description: 'A page of syncs', schema: customerSyncPage } },
      handler: async (_req, res) => {
        const { limit, cursor } = res.locals.valid.query;
        res.json(await listCustomerSyncs(deps.db, ctx(res), { limit, cursor }));
      },
    },
    {
      method: 'get',
      path: `${base}/:syncId`,
      policy: 'customerSyncs.get',
      tag,
      summary: 'One sync run: status, counts, timings, errors',
      schema: getCustomerSyncSchema,
      responses: { 200: { description: 'The sync', schema: customerSyncResponse } },
      handler: async (_req, res) => {
        res.json(await getCustomerSync(deps.db, ctx(res), res.locals.valid.params.syncId));
      },
    },
  ]);
}
