import type { ErrorRequestHandler, RequestHandler } from 'express';
import { AppError } from '../../config/errors.js';
import type { Logger } from '../../config/logger.js';

interface BodyParserError extends Error {
  type?: string;
  status?: number;
  limit?: number;
}

/** Turns body-parser's errors into ours: they are the client's fault, never a 500. */
function fromBodyParser(err: BodyParserError): AppError | undefined {
  switch (err.type) {
    case 'entity.parse.failed':
      return new AppError('validation_failed', 'request body is not valid JSON', {
        details: [{ path: 'body', message: 'is not valid JSON' }],
      });
    case 'entity.too.large':
      return new AppError('payload_too_large', `request body is larger than ${err.limit ?? 'the limit'} bytes`, {
        details: [{ path: 'body', message: `must be at most ${err.limit} bytes`, limit: err.limit }],
      });
    case 'encoding.unsupported':
    case 'charset.unsupported':
      return new AppError('unsupported_media_type', err.message);
    default:
      return undefined;
  }
}

export function errorHandler(logger: Logger): ErrorRequestHandler {
  return (err: unknown, req, res, _next) => {
    const known = err instanceof AppError ? err : fromBodyParser(err as BodyParserError);
    const error = known ?? new AppError('internal', 'something went wrong; quote the request id when reporting it');
    if (!known) logger.error('unhandled error', { err, method: req.method, route: res.locals.routeTemplate });
    if (res.headersSent) return;
    for (const [name, value] of Object.entries(error.headers)) res.setHeader(name, value);
    res.status(error.status).json({
      error: { code: error.code, message: error.message, details: error.details, requestId: res.locals.requestId },
    });
  };
}

export const unknownRoute: RequestHandler = (req) => {
  throw new AppError('not_found', `no route for ${req.method} ${req.path}`);
};
