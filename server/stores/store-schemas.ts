import Joi from 'joi';
import { COUNTRIES, CURRENCIES, STORE_DEFAULTS, isTimezone } from '../../db/stores/store-rules.js';
import { listQuery, pageOf, uuid } from '../http/list-schemas.js';

const name = Joi.string().trim().min(1).max(200);
const timezone = Joi.string()
  .custom((value: string, helpers) => (isTimezone(value) ? value : helpers.error('any.invalid')))
  .messages({ 'any.invalid': 'must be an IANA time zone such as America/New_York, or UTC' })
  .description('IANA time zone, e.g. America/New_York');
const country = Joi.string()
  .uppercase()
  .valid(...COUNTRIES)
  .messages({ 'any.only': 'must be an ISO 3166-1 alpha-2 country code such as US' });
const currency = Joi.string()
  .uppercase()
  .valid(...CURRENCIES)
  .messages({ 'any.only': 'must be an ISO 4217 currency code such as USD' });
const externalAccountId = Joi.string().trim().min(1).max(200).allow(null);

const storeParams = Joi.object({ storeId: uuid().required() });

export const createStoreSchema = {
  body: Joi.object({
    name: name.required(),
    timezone: timezone.required(),
    country: country.default(STORE_DEFAULTS.country),
    currency: currency.default(STORE_DEFAULTS.currency),
    externalAccountId: externalAccountId.default(null),
  }).required(),
};

export const listStoresSchema = { query: Joi.object(listQuery) };

export const getStoreSchema = { params: storeParams };

export const updateStoreSchema = {
  params: storeParams,
  body: Joi.object({ name, timezone, country, currency, externalAccountId }).min(1).required(),
};

export const storeResponse = Joi.object({
  id: uuid().required(),
  organizationId: uuid().required(),
  name: Joi.string().required(),
  timezone: Joi.string().required(),
  country: Joi.string().required(),
  currency: Joi.string().required(),
  externalAccountId: Joi.string().allow(null).required(),
  version: Joi.number().integer().required(),
  createdAt: Joi.date().iso().required(),
  updatedAt: Joi.date().iso().required(),
});

export const storePage = pageOf(storeResponse);
