import Joi from 'joi';
import { EVENT_TYPES } from '../../db/outbox/event-types.js';
import { DELIVERY_STATUSES, WEBHOOK_EVENT_TYPES } from '../../db/webhooks/webhook-rules.js';
import { listQuery, pageOf, uuid } from '../http/list-schemas.js';

const webhookParams = Joi.object({ webhookId: uuid().required() });
const deliveryParams = Joi.object({ webhookId: uuid().required(), deliveryId: uuid().required() });

const url = Joi.string()
  .trim()
  .max(2000)
  .description('https (http only in development); never a loopback, private or link-local address');
const eventTypes = Joi.array()
  .items(
    Joi.string()
      .valid(...WEBHOOK_EVENT_TYPES)
      .messages({ 'any.only': 'must be an event type of API.md "Events", or *' }),
  )
  .min(1)
  .max(WEBHOOK_EVENT_TYPES.length)
  .unique()
  .description('the event types to receive; `*` for all of them, including types added later');
const description = Joi.string().trim().max(500).allow(null, '');

export const createWebhookSchema = {
  body: Joi.object({
    url: url.required(),
    eventTypes: eventTypes.required(),
    description,
    storeId: uuid().allow(null).description("only this store's events (default: every event of the organisation)"),
  }).required(),
};

export const listWebhooksSchema = { query: Joi.object(listQuery) };
export const getWebhookSchema = { params: webhookParams };
export const deleteWebhookSchema = { params: webhookParams };

export const updateWebhookSchema = {
  params: webhookParams,
  body: Joi.object({ url, eventTypes, description, active: Joi.boolean() }).min(1).required(),
};

export const listDeliveriesSchema = {
  params: webhookParams,
  query: Joi.object({ ...listQuery, status: Joi.string().valid(...DELIVERY_STATUSES) }),
};

export const retryDeliverySchema = { params: deliveryParams };

export const webhookResponse = Joi.object({
  id: uuid().required(),
  organizationId: uuid().required(),
  storeId: uuid().allow(null).required(),
  url: Joi.string().required(),
  eventTypes: Joi.array()
    .items(Joi.string().valid(...WEBHOOK_EVENT_TYPES))
    .required(),
  description: Joi.string().allow(null).required(),
  active: Joi.boolean().required(),
  version: Joi.number().integer().required(),
  createdAt: Joi.date().iso().required(),
  updatedAt: Joi.date().iso().required(),
});

export const createdWebhookResponse = webhookResponse.keys({
  secret: Joi.string()
    .required()
    .description('the signing secret, shown this once: store it now (Patron-Signature, see the README)'),
});

export const webhookPage = pageOf(webhookResponse);

export const deliveryResponse = Joi.object({
  id: uuid().required(),
  webhookId: uuid().required(),
  eventId: uuid().required().description('the envelope id: a receiver drops a delivery whose event it has seen'),
  eventType: Joi.string()
    .valid(...EVENT_TYPES)
    .required(),
  status: Joi.string()
    .valid(...DELIVERY_STATUSES)
    .required(),
  nextAttemptAt: Joi.date().iso().allow(null).required(),
  lastStatusCode: Joi.number().integer().allow(null).required(),
  lastError: Joi.string().allow(null).required(),
  createdAt: Joi.date().iso().required(),
  deliveredAt: Joi.date().iso().allow(null).required(),
  attempts: Joi.array()
    .items(
      Joi.object({
        attemptedAt: Joi.date().iso().required(),
        statusCode: Joi.number().integer().allow(null).required(),
        error: Joi.string().allow(null).required(),
        durationMs: Joi.number().integer().required(),
      }),
    )
    .required(),
});

export const deliveryPage = pageOf(deliveryResponse);
