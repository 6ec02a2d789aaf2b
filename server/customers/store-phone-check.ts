import type { RequestHandler } from 'express';
import type Joi from 'joi';
import type { ErrorDetail } from '../../config/errors.js';
import { normalisePhone } from '../../db/customers/customer-normalise.js';
import { invalid, uniqueProblems } from '../../db/customers/customer-rules.js';

const OPTIONS: Joi.ValidationOptions = { abortEarly: false, stripUnknown: true, errors: { wrap: { label: false } } };

function joiProblems(error: Joi.ValidationError | undefined): ErrorDetail[] {
  return (error?.details ?? []).map((d) => {
    const label = String(d.context?.label);
    return {
      path: d.path.join('.') || 'body',
      message: d.message.startsWith(`${label} `) ? d.message.slice(label.length + 1) : d.message,
    };
  });
}

/**
 * Whether a phone parses depends on the store's country, which a compiled joi schema cannot know.
 * Runs before validation: when the phone is wrong, answers 400 with it AND every joi problem of the
 * body, so the caller sees every problem at once; otherwise lets validation go on as usual.
 */
export function storePhoneCheck(body: Joi.Schema): RequestHandler {
  return (req, res, next) => {
    const raw: unknown = (req.body as Record<string, unknown> | undefined)?.phone;
    if (typeof raw !== 'string' || raw.trim() === '') return next();
    const phone = normalisePhone(raw, res.locals.store?.country ?? 'US');
    if (!('error' in phone)) return next();
    const { error } = body.validate(req.body, OPTIONS);
    throw invalid(uniqueProblems(joiProblems(error), [{ path: 'phone', message: phone.error }]));
  };
}
