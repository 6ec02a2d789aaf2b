import express from 'express';
import helmet from 'helmet';
import { mountAdmin } from './admin/admin.js';
import type { AppDeps } from './app-deps.js';
import { mountRoutes } from './http/mount-routes.js';
import type { RouteDef } from './http/route.js';
import { accessLog } from './middleware/access-log.js';
import { errorHandler, unknownRoute } from './middleware/error-handler.js';
import { requestContext } from './middleware/request-context.js';
import { buildOpenApi } from './ops/openapi.js';
import { docsAssets, opsRoutes } from './ops/ops-routes.js';
import { apiRoutes } from './routes.js';

export const JSON_BODY_LIMIT = '1mb';

/** Builds the HTTP app without listening, so tests run it in-process. */
export function buildApp(deps: AppDeps): { app: express.Express; routes: RouteDef[] } {
  const app = express();
  app.disable('x-powered-by');
  // Versions and If-Match do what ETags would; hashing every JSON body costs CPU on each request.
  app.set('etag', false);
  app.set('trust proxy', deps.config.trustProxy);
  app.use(requestContext);
  app.use(accessLog(deps.logger));
  app.use(helmet());
  app.use(express.json({ limit: JSON_BODY_LIMIT }));

  const routes: RouteDef[] = [];
  let document: object | undefined;
  routes.push(...opsRoutes(deps, () => (document ??= buildOpenApi(routes))), ...apiRoutes(deps));
  mountRoutes(app, routes, deps);
  // Swagger UI's own scripts and styles, for the /docs page.
  app.use('/docs', docsAssets());
  mountAdmin(app, deps);

  app.use(unknownRoute);
  app.use(errorHandler(deps.logger));
  return { app, routes };
}
