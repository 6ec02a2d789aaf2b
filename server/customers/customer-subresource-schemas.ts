import Joi from 'joi';
import { isCalendarDate } from '../../db/customers/customer-input-schema.js';
import { uuid } from '../http/list-schemas.js';

/** `:storeId` and the customer's `:id`, shared by the routes under /customers/:id/… */
export const customerParams = { storeId: uuid().required(), id: uuid().required() };

/** A calendar date `YYYY-MM-DD` kept as that string (Joi.date() would turn it into a timestamp). */
export const dateOnly = () =>
  Joi.string()
    .pattern(/^\d{4}-\d{2}-\d{2}$/)
    .custom((value: string, helpers) =>
      isCalendarDate(value) && value >= '1900-01-01' && value <= '2199-12-31' ? value : helpers.error('any.invalid'),
    )
    .messages({
      'string.pattern.base': 'must be a date YYYY-MM-DD',
      'any.invalid': 'must be a real date YYYY-MM-DD between 1900 and 2199',
    });

/** Optional free text that may be cleared: null, or '' (sent as null). */
export const nullableText = (max: number) => Joi.string().trim().max(max).allow(null, '').empty('').default(null);

/** Optional free text in a partial update: absent leaves it, null or '' clears it (see blanksToNull). */
export const clearableText = (max: number) => Joi.string().trim().max(max).allow(null, '');

/** '' → null, for the values of clearableText fields. */
export function blanksToNull<T extends Record<string, unknown>>(body: T): T {
  return Object.fromEntries(Object.entries(body).map(([k, v]) => [k, v === '' ? null : v])) as T;
}
