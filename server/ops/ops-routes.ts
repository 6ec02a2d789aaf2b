import type { Request, Response } from 'express';
import Joi from 'joi';
import swaggerUi from 'swagger-ui-express';
import { metricsRegistry } from '../../config/metrics.js';
import type { AppDeps } from '../app-deps.js';
import { defineRoutes, type RouteDef } from '../http/route.js';

async function probe(name: string, check: () => Promise<unknown>): Promise<[string, 'ok' | 'down']> {
  try {
    await Promise.race([
      check(),
      new Promise((_, reject) => setTimeout(() => reject(new Error('timeout')), 1500).unref()),
    ]);
    return [name, 'ok'];
  } catch {
    return [name, 'down'];
  }
}

const statusSchema = Joi.object({
  status: Joi.string().valid('ok', 'unavailable'),
  checks: Joi.object().pattern(Joi.string(), Joi.string()),
});

const DOCS_OPTIONS = { swaggerOptions: { url: '/openapi.json' }, customSiteTitle: 'Patron API' };

/** Swagger UI's scripts and styles for /docs, its init script pointing at /openapi.json. */
export const docsAssets = () => swaggerUi.serveFiles(undefined, DOCS_OPTIONS);

/** Operations routes at the root: liveness, readiness, metrics, the API document and its viewer. */
export function opsRoutes(deps: AppDeps, openApi: () => object): RouteDef[] {
  const docsHtml = swaggerUi.generateHTML(undefined, DOCS_OPTIONS);
  return defineRoutes([
    {
      method: 'get',
      path: '/healthz',
      policy: 'ops.health',
      tag: 'operations',
      summary: 'The process is up',
      responses: { 200: { description: 'Up', schema: Joi.object({ status: Joi.string() }) } },
      handler: (_req: Request, res: Response) => res.json({ status: 'ok' }),
    },
    {
      method: 'get',
      path: '/readyz',
      policy: 'ops.ready',
      tag: 'operations',
      summary: 'PostgreSQL and Redis answer',
      responses: {
        200: { description: 'Ready', schema: statusSchema },
        503: { description: 'A dependency is down', schema: statusSchema },
      },
      handler: async (_req: Request, res: Response) => {
        const checks = Object.fromEntries(
          await Promise.all([
            probe('postgres', () => deps.db.raw('select 1')),
            probe('redis', () => deps.redis.ping()),
          ]),
        );
        const ready = Object.values(checks).every((s) => s === 'ok');
        res.status(ready ? 200 : 503).json({ status: ready ? 'ok' : 'unavailable', checks });
      },
    },
    {
      method: 'get',
      path: '/metrics',
      policy: 'ops.metrics',
      tag: 'operations',
      summary: 'Prometheus metrics (Bearer METRICS_TOKEN when configured)',
      responses: { 200: { description: 'Prometheus text format', schema: Joi.string(), contentType: 'text/plain' } },
      handler: async (_req: Request, res: Response) => {
        res.type(metricsRegistry.contentType).send(await metricsRegistry.metrics());
      },
    },
    {
      method: 'get',
      path: '/openapi.json',
      policy: 'ops.openapi',
      tag: 'operations',
      summary: 'This document',
      responses: { 200: { description: 'OpenAPI 3.1', schema: Joi.object().unknown(true) } },
      handler: (_req: Request, res: Response) => res.json(openApi()),
    },
    {
      method: 'get',
      path: '/docs',
      policy: 'ops.docs',
      tag: 'operations',
      summary: 'The API document, rendered',
      responses: { 200: { description: 'HTML', schema: Joi.string(), contentType: 'text/html' } },
      handler: (_req: Request, res: Response) => res.type('html').send(docsHtml),
    },
  ]);
}
