import Joi from 'joi';
import { POS_PROVIDERS } from '../../integrations/pos/pos-types.js';
import { listQuery, pageOf, uuid } from '../http/list-schemas.js';

const count = () => Joi.number().integer().min(0).required();

export const customerSyncResponse = Joi.object({
  id: uuid().required(),
  storeId: uuid().required(),
  provider: Joi.string()
    .valid(...POS_PROVIDERS)
    .required(),
  trigger: Joi.string().valid('manual', 'schedule').required(),
  status: Joi.string().valid('pending', 'in_progress', 'finished', 'failed').required(),
  counts: Joi.object({
    fetched: count(),
    created: count(),
    updated: count(),
    unchanged: count(),
    merged: count(),
    failed: count(),
  }).required(),
  startedAt: Joi.date().iso().allow(null).required(),
  finishedAt: Joi.date().iso().allow(null).required(),
  error: Joi.object({ code: Joi.string().required(), message: Joi.string().required() }).allow(null).required(),
  recordErrors: Joi.array()
    .items(Joi.object({ externalId: Joi.string().required(), message: Joi.string().required() }))
    .required()
    .description('the first 100 records that could not be taken whole'),
  createdAt: Joi.date().iso().required(),
});

const storeParams = { storeId: uuid().required() };

export const startCustomerSyncSchema = { params: Joi.object(storeParams) };
export const listCustomerSyncsSchema = { params: Joi.object(storeParams), query: Joi.object(listQuery) };
export const getCustomerSyncSchema = { params: Joi.object({ ...storeParams, syncId: uuid().required() }) };
export const customerSyncPage = pageOf(customerSyncResponse);
