import Joi from 'joi';
import { listQuery, pageOf, uuid } from '../http/list-schemas.js';
import { clearableText, customerParams, nullableText } from './customer-subresource-schemas.js';

const addressParams = { ...customerParams, addressId: uuid().required() };
const type = () => Joi.string().valid('shipping', 'billing');
const line1 = () => Joi.string().trim().min(1).max(200);
const city = () => Joi.string().trim().min(1).max(100);
const country = () =>
  Joi.string()
    .trim()
    .uppercase()
    .pattern(/^[A-Z]{2}$/)
    .messages({ 'string.pattern.base': 'must be an ISO 3166-1 alpha-2 country code, e.g. US' });

export const listAddressesSchema = {
  params: Joi.object(customerParams),
  query: Joi.object(listQuery),
};

export const addAddressSchema = {
  params: Joi.object(customerParams),
  body: Joi.object({
    type: type().required(),
    line1: line1().required(),
    line2: nullableText(200),
    city: city().required(),
    region: nullableText(100),
    postalCode: nullableText(20),
    country: country().required(),
    isDefault: Joi.boolean().default(false),
  }),
};

export const changeAddressSchema = {
  params: Joi.object(addressParams),
  body: Joi.object({
    type: type(),
    line1: line1(),
    line2: clearableText(200),
    city: city(),
    region: clearableText(100),
    postalCode: clearableText(20),
    country: country(),
    isDefault: Joi.boolean(),
  })
    .min(1)
    .required()
    .messages({ 'object.min': 'must change at least one field' }),
};

export const removeAddressSchema = {
  params: Joi.object(addressParams),
};

export const addressResponse = Joi.object({
  id: uuid().required(),
  type: type().required(),
  line1: Joi.string().required(),
  line2: Joi.string().allow(null).required(),
  city: Joi.string().required(),
  region: Joi.string().allow(null).required(),
  postalCode: Joi.string().allow(null).required(),
  country: Joi.string().required(),
  isDefault: Joi.boolean().required(),
  version: Joi.number().integer().required().description('send it as If-Match to change or delete the address'),
});

export const addressPage = pageOf(addressResponse);
