import Joi from 'joi';
import { listQuery, pageOf, uuid } from '../http/list-schemas.js';
import { customerParams } from './customer-subresource-schemas.js';

export const customerOnlySchema = { params: Joi.object(customerParams) };

export const historySchema = {
  params: Joi.object(customerParams),
  query: Joi.object(listQuery),
};

export const historyEntryResponse = Joi.object({
  id: uuid().required(),
  action: Joi.string().required().description('e.g. customer.created, customer.updated, customer.tag_added'),
  actorType: Joi.string().valid('user', 'api_key', 'system').required(),
  actorId: uuid().allow(null).required(),
  changedFields: Joi.array().items(Joi.string()).required().description('names only, never values'),
  createdAt: Joi.date().iso().required(),
});

export const historyPage = pageOf(historyEntryResponse);

export const exportResponse = Joi.object({
  exportedAt: Joi.date().iso().required(),
  customer: Joi.object().unknown(true).required().description('the profile, identity numbers in full'),
  avatar: Joi.object({ contentType: Joi.string().required(), url: Joi.string().required() }).allow(null).required(),
  notes: Joi.array().items(Joi.object().unknown(true)).required(),
  documents: Joi.array().items(Joi.object().unknown(true)).required().description('numbers in full, file metadata'),
  history: Joi.array().items(historyEntryResponse).required(),
});
