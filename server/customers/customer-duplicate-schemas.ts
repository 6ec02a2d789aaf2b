import Joi from 'joi';
import { CUSTOMER_STATUSES } from '../../db/customers/customer-model.js';
import { MERGE_FIELD_NAMES } from '../../db/customers/merge-rules.js';
import { listQuery, pageOf, uuid } from '../http/list-schemas.js';

const storeParams = Joi.object({ storeId: uuid().required() });
const customerParams = Joi.object({ storeId: uuid().required(), id: uuid().required() });

export const listDuplicatesSchema = { params: storeParams, query: Joi.object(listQuery) };

export const mergeCustomersSchema = {
  params: customerParams,
  body: Joi.object({
    sourceId: uuid().required().description('The customer merged into :id; it becomes `merged`'),
    fields: Joi.object(Object.fromEntries(MERGE_FIELD_NAMES.map((f) => [f, Joi.string().valid('source', 'target')])))
      // A misspelt field name would silently keep the survivor's value: refuse it instead.
      .prefs({ stripUnknown: false })
      .description(
        "Per field, whose value the survivor keeps. Default: the survivor's, or the source's where the survivor has none.",
      ),
  }),
};

const evidence = Joi.object({
  field: Joi.string().valid('driversLicense', 'medicalCard', 'email', 'phone', 'birthday', 'name').required(),
  method: Joi.string().valid('exact', 'fuzzy').required(),
});

/** The Customer shape of API.md (see customer-presenter.ts); described loosely here. */
const customer = Joi.object({
  id: uuid().required(),
  firstName: Joi.string().allow(null).required(),
  lastName: Joi.string().allow(null).required(),
  status: Joi.string()
    .valid(...CUSTOMER_STATUSES)
    .required(),
  mergedIntoId: uuid().allow(null).required(),
}).unknown(true);

export const duplicatePairPage = pageOf(
  Joi.object({
    score: Joi.number().min(0).max(1).required(),
    matchedOn: Joi.array().items(evidence).required(),
    customers: Joi.array().items(customer).length(2).required().description('The older first'),
  }),
);

export const mergedCustomerResponse = customer;
