import { getPosSettings, putPosSettings } from '../../db/pos/pos-settings-service.js';
import { storeSyncScheduler } from '../../jobs/processors/customer-sync.js';
import { createQueue } from '../../jobs/queues.js';
import type { AppDeps } from '../app-deps.js';
import { ctx } from '../http/locals.js';
import { API_PREFIX, defineRoutes, type RouteDef } from '../http/route.js';
import { getPosSettingsSchema, posSettingsResponse, putPosSettingsSchema } from './pos-settings-schemas.js';

const path = `${API_PREFIX}/stores/:storeId/pos`;
const tag = 'POS';

export function posSettingsRoutes(deps: AppDeps): RouteDef[] {
  // A producer on the app's fail-fast connection, built on first use (the connection belongs to deps).
  let scheduler: ReturnType<typeof storeSyncScheduler> | undefined;
  const schedulerOf = () => (scheduler ??= storeSyncScheduler(createQueue('customer-sync', deps.redis)));

  return defineRoutes([
    {
      method: 'put',
      path,
      policy: 'pos.put',
      tag,
      summary: "Set the store's POS: provider, write-only credentials, optional hosts and sync cron (no sync starts)",
      schema: putPosSettingsSchema,
      responses: { 200: { description: 'The settings, without credentials', schema: posSettingsResponse } },
      handler: async (_req, res) => {
        res.json(
          await putPosSettings(deps.db, ctx(res), res.locals.valid.body, {
            development: deps.config.env !== 'production',
            allowedHosts: deps.config.posAllowedHosts,
            scheduler: (schedule) => schedulerOf()(schedule),
          }),
        );
      },
    },
    {
      method: 'get',
      path,
      policy: 'pos.get',
      tag,
      summary: "The store's POS settings and last sync; never the credentials",
      schema: getPosSettingsSchema,
      responses: { 200: { description: 'The settings', schema: posSettingsResponse } },
      handler: async (_req, res) => {
        res.json(await getPosSettings(deps.db, ctx(res)));
      },
    },
  ]);
}
