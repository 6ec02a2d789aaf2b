import type { RequestHandler } from 'express';
import { AppError } from '../../config/errors.js';

/** A body sent as anything but JSON is refused with 415 instead of being read as empty. */
export const requireJsonBody: RequestHandler = (req, _res, next) => {
  const hasBody =
    req.get('content-length') !== undefined
      ? req.get('content-length') !== '0'
      : req.get('transfer-encoding') !== undefined;
  if (hasBody && !req.is('application/json')) {
    throw new AppError('unsupported_media_type', 'send the body as application/json');
  }
  next();
};
