import Joi from 'joi';
import { CONSENT_KINDS, CUSTOMER_TYPES, GENDERS } from './customer-model.js';

// The rules of a customer's fields as the API takes them. They live here, beside the data, because the
// routes and the CSV import (a job) check input with the same rules.

// Dates without time, checked as real calendar dates ('2023-02-30' is refused), as rules of a string type
// of our own: a type's messages are compiled once, whereas .custom() and .messages() on a schema merged
// and compiled them again on every check (~4 µs a birthday, which a million-row import paid per row).
const DATE = /^\d{4}-\d{2}-\d{2}$/;
const DAYS_IN_MONTH = [31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31];

/** Whether a YYYY-MM-DD string names a day the calendar has (month lengths, leap years). */
export function isCalendarDate(value: string): boolean {
  const year = Number(value.slice(0, 4));
  const month = Number(value.slice(5, 7));
  const day = Number(value.slice(8, 10));
  const leap = year % 4 === 0 && (year % 100 !== 0 || year % 400 === 0);
  return month >= 1 && month <= 12 && day >= 1 && day <= (month === 2 && leap ? 29 : DAYS_IN_MONTH[month - 1]!);
}

/** Today's date in UTC as YYYY-MM-DD, worked out again only when the day changes. */
let today = { text: '', until: 0 };
function todayUtc(): string {
  const now = Date.now();
  if (now >= today.until) {
    const midnight = new Date(now);
    midnight.setUTCHours(24, 0, 0, 0);
    today = { text: new Date(now).toISOString().slice(0, 10), until: midnight.getTime() };
  }
  return today.text;
}

/** What is wrong with a date-only string as such: its shape, or a day the calendar lacks. */
const dateProblem = (value: string) =>
  !DATE.test(value) ? 'date.format' : !isCalendarDate(value) ? 'date.real' : undefined;

type DateRules = { dateOnly(): DateSchema; birthday(): DateSchema };
type DateSchema = Joi.StringSchema & DateRules;

const calendar = Joi.extend((joi) => ({
  type: 'string',
  base: joi.string(),
  messages: {
    'date.format': 'must be a date YYYY-MM-DD',
    'date.real': 'must be a real calendar date',
    'birthday.early': 'must be after 1900-01-01',
    'birthday.future': 'must be in the past',
  },
  rules: {
    dateOnly: {
      method() {
        return (this as DateSchema).$_addRule('dateOnly');
      },
      validate(value: string, helpers) {
        const problem = dateProblem(value);
        return problem ? helpers.error(problem) : value;
      },
    },
    birthday: {
      method() {
        return (this as DateSchema).$_addRule('birthday');
      },
      validate(value: string, helpers) {
        const problem = dateProblem(value);
        if (problem) return helpers.error(problem);
        if (value <= '1900-01-01') return helpers.error('birthday.early');
        return value < todayUtc() ? value : helpers.error('birthday.future');
      },
    },
  },
})) as Omit<Joi.Root, 'string'> & { string(): DateSchema };

export const dateOnly = (): Joi.StringSchema => calendar.string().dateOnly().meta({ format: 'date' });

/** A real date after 1900-01-01 and before today (UTC). */
export const birthday: Joi.StringSchema = calendar.string().birthday().meta({ format: 'date' });

export const name = Joi.string().trim().min(1).max(100);
export const optionalText = (max: number) => Joi.string().trim().max(max).allow(null, '');
export const email = Joi.string().trim().email({ tlds: false }).max(254);
// Loose here; whether it is a real number depends on the store's country (store-phone-check.ts).
export const phone = Joi.string().trim().max(40);
export const gender = Joi.string().valid(...GENDERS);
export const customerType = Joi.string().valid(...CUSTOMER_TYPES);
const idNumber = Joi.string()
  .trim()
  .max(40)
  .pattern(/[A-Za-z0-9]/)
  .messages({ 'string.pattern.base': 'must contain letters or digits' });

export const identity = (numberRequired: boolean) =>
  Joi.object({
    number: numberRequired ? idNumber.required() : idNumber,
    state: optionalText(20),
    expiresOn: dateOnly().allow(null),
  });

export const consents = Joi.object(Object.fromEntries(CONSENT_KINDS.map((k) => [k, Joi.boolean()]))).description(
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
export const newCustomerFields = {
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
