import Joi from 'joi';
import { CONSENT_KINDS, CUSTOMER_STATUSES, CUSTOMER_TYPES, GENDERS } from '../../db/customers/customer-model.js';
import { uuid } from '../http/list-schemas.js';

// Dates without time, checked as real calendar dates ('2023-02-30' is refused).
const dateOnly = () =>
  Joi.string()
    .pattern(/^\d{4}-\d{2}-\d{2}$/)
    .custom((value: string, helpers) => {
      const date = new Date(`${value}T00:00:00Z`);
      if (Number.isNaN(date.getTime()) || date.toISOString().slice(0, 10) !== value) return helpers.error('date.real');
      return value;
    })
    .messages({ 'string.pattern.base': 'must be a date YYYY-MM-DD', 'date.real': 'must be a real calendar date' });

const birthday = dateOnly()
  .custom((value: string, helpers) => {
    if (value <= '1900-01-01') return helpers.error('birthday.early');
    if (value >= new Date().toISOString().slice(0, 10)) return helpers.error('birthday.future');
    return value;
  })
  .messages({ 'birthday.early': 'must be after 1900-01-01', 'birthday.future': 'must be in the past' });

const name = Joi.string().trim().min(1).max(100);
const optionalText = (max: number) => Joi.string().trim().max(max).allow(null, '');
const email = Joi.string().trim().email({ tlds: false }).max(254);
// Loose here; whether it is a real number depends on the store's country (store-phone-check.ts).
const phone = Joi.string().trim().max(40);
const gender = Joi.string().valid(...GENDERS);
const customerType = Joi.string().valid(...CUSTOMER_TYPES);
const idNumber = Joi.string()
  .trim()
  .max(40)
  .pattern(/[A-Za-z0-9]/)
  .messages({ 'string.pattern.base': 'must contain letters or digits' });

const identity = (numberRequired: boolean) =>
  Joi.object({
    number: numberRequired ? idNumber.required() : idNumber,
    state: optionalText(20),
    expiresOn: dateOnly().allow(null),
  });

const consents = Joi.object(Object.fromEntries(CONSENT_KINDS.map((k) => [k, Joi.boolean()]))).description(
  'booleans; each decision is stored with its time and source',
);

const address = Joi.object({
  type: Joi.string().valid('shipping', 'billing').required(),
  line1: Joi.string().trim().min(1).max(200).required(),
  line2: optionalText(200),
  city: Joi.string().trim().min(1).max(100).required(),
  region: optionalText(100),
  postalCode: optionalText(20),
  country: Joi.string()
    .pattern(/^[A-Za-z]{2}$/)
    .uppercase()
    .messages({ 'string.pattern.base': 'must be an ISO 3166-1 alpha-2 code' })
    .description("defaults to the store's country"),
  isDefault: Joi.boolean().default(false),
});

// One default per type; the first of a type becomes its default when none is marked.
const addresses = Joi.array()
  .items(address)
  .max(20)
  .custom((list: Array<{ type: string; isDefault: boolean }>, helpers) => {
    const types = list.filter((a) => a.isDefault).map((a) => a.type);
    if (new Set(types).size !== types.length) return helpers.error('addresses.defaults');
    return list;
  })
  .messages({ 'addresses.defaults': 'can have only one default address per type' });

const tags = Joi.array().items(Joi.string().trim().min(1).max(50)).max(50);

/** Fields of a new customer; a medical customer needs a medical card (it is what makes them medical). */
const newCustomerFields = {
  firstName: name.required(),
  middleName: name.allow(null, ''),
  lastName: name.required(),
  birthday: birthday.allow(null),
  email: email.allow(null, ''),
  phone: phone.allow(null, ''),
  gender: gender.allow(null),
  customerType: customerType.description('recreational unless given'),
  driversLicense: identity(true).allow(null),
  medicalCard: identity(true)
    .allow(null)
    .when('customerType', {
      is: 'medical',
      then: Joi.object().required().messages({ 'any.required': 'is required for a medical customer' }),
    })
    .description('required (not null) when customerType is medical'),
  consents,
  addresses,
  tags,
};

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
