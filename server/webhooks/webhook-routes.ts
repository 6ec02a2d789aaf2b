import type { Request, Response } from 'express';
import { logger } from '../../config/logger.js';
import {
  changeWebhook,
  createWebhook,
  deleteWebhook,
  getWebhook,
  listWebhookDeliveries,
  listWebhooksOfOrganization,
  retryWebhookDelivery,
} from '../../db/webhooks/webhook-service.js';
import { requeueWebhookDelivery } from '../../jobs/processors/webhook-delivery.js';
import { createQueue } from '../../jobs/queues.js';
import type { AppDeps } from '../app-deps.js';
import { ifMatchVersion } from '../http/if-match.js';
import { ctx } from '../http/locals.js';
import { API_PREFIX, defineRoutes, type RouteDef } from '../http/route.js';
import {
  createdWebhookResponse,
  createWebhookSchema,
  deleteWebhookSchema,
  deliveryPage,
  deliveryResponse,
  getWebhookSchema,
  listDeliveriesSchema,
  listWebhooksSchema,
  retryDeliverySchema,
  updateWebhookSchema,
  webhookPage,
  webhookResponse,
} from './webhook-schemas.js';

const base = `${API_PREFIX}/webhooks`;
const tag = 'Webhooks';

export function webhookRoutes(deps: AppDeps): RouteDef[] {
  const options = { allowPrivateTargets: deps.config.webhooks.allowPrivateTargets };
  // A producer on the app's fail-fast connection, built on first use (the connection belongs to deps).
  let queue: ReturnType<typeof createQueue<'webhook-delivery'>> | undefined;
  const queueOf = () => (queue ??= createQueue('webhook-delivery', deps.redis));

  return defineRoutes([
    {
      method: 'post',
      path: base,
      policy: 'webhooks.create',
      tag,
      summary: 'Register a URL to receive events (signed; retried for 24 h). The answer holds the signing secret, once',
      schema: createWebhookSchema,
      responses: {
        201: { description: 'The webhook, with its secret (never shown again)', schema: createdWebhookResponse },
        400: { description: 'A URL that is not https, or names a loopback, private or link-local address' },
      },
      handler: async (_req: Request, res: Response) => {
        res.status(201).json(await createWebhook(deps.db, ctx(res), res.locals.valid.body, options));
      },
    },
    {
      method: 'get',
      path: base,
      policy: 'webhooks.list',
      tag,
      summary: "The organisation's webhooks, oldest first",
      schema: listWebhooksSchema,
      responses: { 200: { description: 'A page of webhooks', schema: webhookPage } },
      handler: async (_req: Request, res: Response) => {
        const { limit, cursor } = res.locals.valid.query;
        res.json(await listWebhooksOfOrganization(deps.db, ctx(res), { limit, cursor }));
      },
    },
    {
      method: 'get',
      path: `${base}/:webhookId`,
      policy: 'webhooks.get',
      tag,
      summary: 'One webhook (never its secret)',
      schema: getWebhookSchema,
      responses: { 200: { description: 'The webhook', schema: webhookResponse } },
      handler: async (_req: Request, res: Response) => {
        res.json(await getWebhook(deps.db, ctx(res), res.locals.valid.params.webhookId));
      },
    },
    {
      method: 'patch',
      path: `${base}/:webhookId`,
      policy: 'webhooks.update',
      tag,
      summary: 'Change the URL, event types, description or active flag; deactivating fails pending deliveries',
      schema: updateWebhookSchema,
      responses: {
        200: { description: 'The webhook', schema: webhookResponse },
        409: { description: 'If-Match names an older version' },
      },
      handler: async (req: Request, res: Response) => {
        const { params, body } = res.locals.valid;
        res.json(await changeWebhook(deps.db, ctx(res), params.webhookId, body, options, ifMatchVersion(req)));
      },
    },
    {
      method: 'delete',
      path: `${base}/:webhookId`,
      policy: 'webhooks.delete',
      tag,
      summary: 'Delete a webhook: nothing more is sent, pending deliveries fail',
      schema: deleteWebhookSchema,
      responses: { 204: { description: 'Deleted' }, 409: { description: 'If-Match names an older version' } },
      handler: async (req: Request, res: Response) => {
        await deleteWebhook(deps.db, ctx(res), res.locals.valid.params.webhookId, ifMatchVersion(req));
        res.status(204).end();
      },
    },
    {
      method: 'get',
      path: `${base}/:webhookId/deliveries`,
      policy: 'webhooks.deliveries.list',
      tag,
      summary: "The webhook's deliveries, newest first, each with every attempt",
      schema: listDeliveriesSchema,
      responses: { 200: { description: 'A page of deliveries', schema: deliveryPage } },
      handler: async (_req: Request, res: Response) => {
        const { params, query } = res.locals.valid;
        const { limit, cursor, status } = query;
        res.json(await listWebhookDeliveries(deps.db, ctx(res), params.webhookId, { limit, cursor, status }));
      },
    },
    {
      method: 'post',
      path: `${base}/:webhookId/deliveries/:deliveryId/retry`,
      policy: 'webhooks.deliveries.retry',
      tag,
      summary: 'Send a failed delivery again, with a new 24 h of retries',
      schema: retryDeliverySchema,
      responses: {
        202: { description: 'The delivery, pending; it is sent in the background', schema: deliveryResponse },
        409: { description: 'The delivery is not failed, or the webhook is inactive' },
      },
      handler: async (_req: Request, res: Response) => {
        const { webhookId, deliveryId } = res.locals.valid.params;
        const delivery = await retryWebhookDelivery(deps.db, ctx(res), webhookId, deliveryId, async (job) => {
          // After the commit; if Redis refuses, the sweeper finds the pending delivery within minutes.
          await requeueWebhookDelivery(queueOf(), job).catch((err: unknown) =>
            logger.warn('webhook delivery not enqueued; the sweeper will', { deliveryId, err }),
          );
        });
        res.status(202).json(delivery);
      },
    },
  ]);
}
