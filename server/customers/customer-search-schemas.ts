import Joi from 'joi';
import { CONSENT_KINDS, CUSTOMER_STATUSES, CUSTOMER_TYPES, GENDERS } from '../../db/customers/customer-model.js';
import { listQuery, pageOf, uuid } from '../http/list-schemas.js';

const DATE = /^\d{4}-\d{2}-\d{2}$/;
const isRealDate = (value: string) => {
  const d = new Date(`${value}T00:00:00Z`);
  return !Number.isNaN(d.getTime()) && d.toISOString().startsWith(value);
};

// `status` takes one value, a comma-separated list (status=active,deleted) or repeats (status=a&status=b).
const statusList = Joi.alternatives(Joi.string(), Joi.array().items(Joi.string()))
  .custom((value: string | string[], helpers) => {
    const list = [value]
      .flat()
      .flatMap((v) => v.split(','))
      .map((v) => v.trim())
      .filter(Boolean);
    const unknown = list.filter((v) => !(CUSTOMER_STATUSES as readonly string[]).includes(v));
    if (list.length === 0 || unknown.length > 0) return helpers.error('any.only');
    return [...new Set(list)];
  })
  .messages({ 'any.only': `must be one or more of ${CUSTOMER_STATUSES.join(', ')}` })
  .description(`Statuses to include (default active and inactive): ${CUSTOMER_STATUSES.join('|')}, comma-separated`);

export const searchCustomersSchema = {
  params: Joi.object({ storeId: uuid().required() }),
  query: Joi.object({
    ...listQuery,
    q: Joi.string()
      .trim()
      .allow('')
      .max(120)
      .description(
        'One search box: an email, a phone in any format or its last 4 digits, a licence or medical card number, a date of birth (1990-04-12, 04/12/1990 month first in US stores and day first elsewhere, 12.04.1990), or a name (typo-tolerant, prefixes, either order). Results are ranked and carry `match`.',
      ),
    firstName: Joi.string().trim().min(1).max(100).description('Prefix of the first name, ignoring case and accents'),
    lastName: Joi.string().trim().min(1).max(100).description('Prefix of the last name, ignoring case and accents'),
    email: Joi.string().trim().min(3).max(254).description('Exact email (case-insensitive)'),
    phone: Joi.string()
      .trim()
      .min(4)
      .max(40)
      .description("A phone number, read in the store's country, or exactly its last 4 digits"),
    driversLicense: Joi.string().trim().min(1).max(40).description("Exact driver's licence number"),
    birthday: Joi.string()
      .pattern(DATE)
      .custom((v: string, helpers) => (isRealDate(v) ? v : helpers.error('string.pattern.base')))
      .messages({ 'string.pattern.base': 'must be a date YYYY-MM-DD' }),
    tag: Joi.string().trim().min(1).max(100).description('A tag label (case-insensitive)'),
    status: statusList,
    updatedSince: Joi.date().iso().description('Customers updated at or after this time (inclusive)'),
  }),
};

const identity = Joi.object({
  number: Joi.string().allow(null).description('Masked (•••• 1234) for staff'),
  state: Joi.string().allow(null),
  expiresOn: Joi.string().allow(null),
}).allow(null);

const consent = Joi.object({ granted: Joi.boolean(), at: Joi.string().allow(null), source: Joi.string().allow(null) });

export const customerSearchResult = Joi.object({
  id: uuid().required(),
  storeId: uuid().required(),
  firstName: Joi.string().allow(null),
  middleName: Joi.string().allow(null),
  lastName: Joi.string().allow(null),
  birthday: Joi.string().allow(null),
  email: Joi.string().allow(null),
  phone: Joi.string().allow(null),
  gender: Joi.string()
    .valid(...GENDERS)
    .allow(null),
  customerType: Joi.string().valid(...CUSTOMER_TYPES),
  driversLicense: identity,
  medicalCard: identity,
  status: Joi.string().valid(...CUSTOMER_STATUSES),
  mergedIntoId: uuid().allow(null),
  consents: Joi.object(Object.fromEntries(CONSENT_KINDS.map((k) => [k, consent]))),
  loyaltyPoints: Joi.number().integer(),
  avatarUrl: Joi.string().allow(null),
  tags: Joi.array().items(Joi.string()),
  addresses: Joi.array().items(Joi.object().unknown(true)),
  externalRefs: Joi.array().items(Joi.object({ provider: Joi.string(), externalId: Joi.string() })),
  posSyncStatus: Joi.string(),
  version: Joi.number().integer(),
  createdAt: Joi.date().iso(),
  updatedAt: Joi.date().iso(),
  match: Joi.object({
    field: Joi.string().description('name, firstName, lastName, email, phone, driversLicense, medicalCard, birthday'),
    method: Joi.string().valid('exact', 'prefix', 'fuzzy', 'suffix'),
    score: Joi.number().min(0).max(1),
  })
    .allow(null)
    .description('How q matched (null without q)'),
});

export const customerSearchPage = pageOf(customerSearchResult);
