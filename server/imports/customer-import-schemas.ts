import Joi from 'joi';
import { uuid } from '../http/list-schemas.js';

const count = () => Joi.number().integer().min(0).required();

export const customerImportResponse = Joi.object({
  id: uuid().required(),
  storeId: uuid().required(),
  status: Joi.string().valid('queued', 'processing', 'finished', 'failed').required(),
  format: Joi.string().valid('patron', 'shopify', 'square', 'dutchie').required(),
  counts: Joi.object({
    rows: count().description('data rows read so far'),
    created: count(),
    updated: count(),
    unchanged: count(),
    failed: count(),
  }).required(),
  progress: Joi.number().integer().min(0).max(100).required(),
  errorsUrl: Joi.string().required().description('every row error as CSV'),
  errors: Joi.array()
    .items(
      Joi.object({
        row: Joi.number().integer().required().description('line in the file; the header is line 1'),
        column: Joi.string().allow(null).required(),
        message: Joi.string().required(),
        severity: Joi.string().valid('error', 'warning').required(),
      }),
    )
    .required()
    .description('the first 100 row errors and warnings, in line order'),
  error: Joi.object({ code: Joi.string().required(), message: Joi.string().required() }).allow(null).required(),
  createdAt: Joi.date().iso().required(),
  startedAt: Joi.date().iso().allow(null).required(),
  finishedAt: Joi.date().iso().allow(null).required(),
});

const storeParams = { storeId: uuid().required() };
const importParams = Joi.object({ ...storeParams, importId: uuid().required() });

export const startCustomerImportSchema = { params: Joi.object(storeParams) };
export const getCustomerImportSchema = { params: importParams };
export const customerImportErrorsSchema = { params: importParams };
