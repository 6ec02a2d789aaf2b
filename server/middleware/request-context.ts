import { randomUUID } from 'node:crypto';
import type { RequestHandler } from 'express';
import { runWithLogContext } from '../../config/log-context.js';

const ACCEPTABLE_ID = /^[\w.:-]{1,128}$/;

/** Gives every request an id (the caller's `X-Request-Id` when sane) that logs and errors carry. */
export const requestContext: RequestHandler = (req, res, next) => {
  const incoming = req.get('x-request-id');
  const requestId = incoming && ACCEPTABLE_ID.test(incoming) ? incoming : randomUUID();
  res.locals.requestId = requestId;
  res.setHeader('X-Request-Id', requestId);
  runWithLogContext({ requestId }, next);
};
