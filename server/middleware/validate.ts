import type { RequestHandler } from 'express';
import type Joi from 'joi';
import { AppError, notFound, type ErrorDetail } from '../../config/errors.js';
import type { RouteSchema } from '../http/route.js';

const OPTIONS: Joi.ValidationOptions = {
  abortEarly: false,
  stripUnknown: true,
  convert: true,
  errors: { wrap: { label: false } },
};

function check(schema: Joi.Schema | undefined, value: unknown, where: string, details: ErrorDetail[]): unknown {
  if (!schema) return where === 'body' ? undefined : {};
  const result = schema.validate(value ?? (where === 'body' ? undefined : {}), OPTIONS);
  for (const d of result.error?.details ?? []) {
    const path = d.path.join('.') || where;
    const message = d.message.startsWith(`${d.context?.label} `)
      ? d.message.slice(String(d.context?.label).length + 1)
      : d.message;
    details.push({ path: where === 'body' ? path : `${where}.${path}`, message });
  }
  return result.value;
}

/** Validates params, query and body together, reporting every problem at once. */
export function validate(schema: RouteSchema = {}): RequestHandler {
  return (req, res, next) => {
    const paramProblems: ErrorDetail[] = [];
    const params = check(schema.params, req.params, 'params', paramProblems);
    // A path whose id is malformed names nothing: that is a 404, like an id that does not exist.
    if (paramProblems.length > 0)
      throw notFound(paramProblems[0].path?.replace(/^params\./, '').replace(/Id$/, '') || 'resource');
    const details: ErrorDetail[] = [];
    const query = check(schema.query, req.query, 'query', details);
    const body = check(schema.body, req.body, 'body', details);
    if (details.length > 0) {
      const summary = details.map((d) => `${d.path} ${d.message}`).join('; ');
      throw new AppError('validation_failed', summary, { details });
    }
    res.locals.valid = { params: params as object, query: query as object, body };
    next();
  };
}
