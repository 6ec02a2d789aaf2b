import Joi from 'joi';
import { CONSENT_KINDS, CUSTOMER_STATUSES, CUSTOMER_TYPES, GENDERS } from '../../db/customers/customer-model.js';
import {
  birthday,
  consents,
  customerType,
  email,
  gender,
  identity,
  name,
  newCustomerFields,
  phone,
} from '../../db/customers/customer-input-schema.js';
import { uuid } from '../http/list-schemas.js';

const customerParams = Joi.object({ storeId: uuid().required(), id: uuid().required() });
const storeParams = Joi.object({ storeId: uuid().required() });

export const createCustomerSchema = {
  params: storeParams,
  query: Joi.object({
    allowDuplicate: Joi.boolean().default(false).description('create even when it looks like an existing customer'),
  }),
  body: Joi.object(newCustomerFields).required(),
};

export const getCustomerSchema = { params: customerParams };

/** PATCH: any subset; null clears an optional field. Tags and addresses have their own routes. */
export const updateCustomerSchema = {
  params: customerParams,
  query: Joi.object({
    allowDuplicate: Joi.boolean().default(false).description('save even when it now looks like another customer'),
  }),
  body: Joi.object({
    firstName: name,
    middleName: name.allow(null, ''),
    lastName: name,
    birthday: birthday.allow(null),
    email: email.allow(null, ''),
    phone: phone.allow(null, ''),
    gender: gender.allow(null),
    customerType,
    driversLicense: identity(false)
      .allow(null)
      .description('keys given replace, others stay (so staff can renew an expiry without the number)'),
    medicalCard: identity(false).allow(null),
    consents,
  }).required(),
};

export const deleteCustomerSchema = { params: customerParams };

export const upsertCustomerSchema = {
  params: storeParams,
  body: Joi.object({
    externalRef: Joi.object({
      provider: Joi.string().trim().min(1).max(50).required(),
      externalId: Joi.string().trim().min(1).max(200).required(),
    }),
    ...newCustomerFields,
  }).required(),
};

const identityResponse = Joi.object({
  number: Joi.string().allow(null).description('masked (•••• 1234) for staff'),
  state: Joi.string().allow(null),
  expiresOn: Joi.string().allow(null),
}).allow(null);

const consentResponse = Joi.object({
  granted: Joi.boolean().required(),
  at: Joi.string().allow(null).required(),
  source: Joi.string().allow(null).required(),
});

/** The Customer shape of API.md, as presentCustomer answers it. */
export const customerResponse = Joi.object({
  id: uuid().required(),
  storeId: uuid().required(),
  firstName: Joi.string().allow(null).required(),
  middleName: Joi.string().allow(null).required(),
  lastName: Joi.string().allow(null).required(),
  birthday: Joi.string().allow(null).required(),
  email: Joi.string().allow(null).required(),
  phone: Joi.string().allow(null).required(),
  gender: Joi.string()
    .valid(...GENDERS)
    .allow(null)
    .required(),
  customerType: Joi.string()
    .valid(...CUSTOMER_TYPES)
    .required(),
  driversLicense: identityResponse.required(),
  medicalCard: identityResponse.required(),
  status: Joi.string()
    .valid(...CUSTOMER_STATUSES)
    .required(),
  mergedIntoId: uuid().allow(null).required(),
  consents: Joi.object(Object.fromEntries(CONSENT_KINDS.map((k) => [k, consentResponse.required()]))).required(),
  loyaltyPoints: Joi.number().integer().required(),
  avatarUrl: Joi.string().allow(null).required(),
  tags: Joi.array().items(Joi.string()).required(),
  addresses: Joi.array().items(Joi.object().unknown(true)).required(),
  externalRefs: Joi.array()
    .items(Joi.object({ provider: Joi.string().required(), externalId: Joi.string().required() }))
    .required(),
  posSyncStatus: Joi.string().valid('none', 'pending', 'synced', 'failed').required(),
  version: Joi.number().integer().required(),
  createdAt: Joi.date().iso().required(),
  updatedAt: Joi.date().iso().required(),
});
