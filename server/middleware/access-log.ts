import type { RequestHandler } from 'express';
import type { Logger } from '../../config/logger.js';
import { httpRequestDuration } from '../../config/metrics.js';

/**
 * One line and one histogram sample per request, labelled by the route template, never the URL:
 * URLs carry ids and search terms, and a label per distinct URL would explode the metric.
 */
export function accessLog(logger: Logger): RequestHandler {
  return (req, res, next) => {
    const started = process.hrtime.bigint();
    res.on('finish', () => {
      const seconds = Number(process.hrtime.bigint() - started) / 1e9;
      const route = res.locals.routeTemplate ?? 'unmatched';
      httpRequestDuration.observe({ method: req.method, route, status: String(res.statusCode) }, seconds);
      const level = res.statusCode >= 500 ? 'error' : 'http';
      if (!logger.isLevelEnabled(level)) return;
      logger.log(level, 'request', {
        method: req.method,
        route,
        status: res.statusCode,
        durationMs: Math.round(seconds * 1e4) / 10,
      });
    });
    next();
  };
}
