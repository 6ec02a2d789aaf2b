import express, { type Express, type Request, type Response } from 'express';
import { AppError } from '../../config/errors.js';
import { signInSysadmin } from '../../db/admin/sysadmin-sign-in.js';
import { createQueues } from '../../jobs/queues.js';
import type { AppDeps } from '../app-deps.js';
import { loginSchema } from '../auth/auth-schemas.js';
import { createAuthRateLimits } from '../auth/rate-limits.js';
import { adminCsp } from './admin-csp.js';
import { requireSameOrigin, requireSysadmin } from './admin-guard.js';
import { createAdminSessions } from './admin-session.js';
import { BULL_BOARD_PATH, bullBoard } from './bull-board.js';
import { loginPage } from './login-page.js';

const label =
  (template: string): express.RequestHandler =>
  (_req, res, next) => {
    res.locals.routeTemplate = template;
    next();
  };

/**
 * The browser-facing admin area: a sign-in page and Bull Board at /admin/queues, for platform sysadmins.
 * It is a router of its own (not RouteDefs): HTML and a third-party UI, outside /openapi.json.
 */
export function mountAdmin(app: Express, deps: AppDeps): void {
  const sessions = createAdminSessions(deps);
  const limits = createAuthRateLimits(deps);
  // Producers on the request connection: the board must not hang while Redis is down.
  const queues = createQueues(deps.redis);
  const router = express.Router();

  router.use(adminCsp, (_req, res, next) => {
    res.set('Cache-Control', 'no-store');
    // Helmet's no-referrer makes a browser send `Origin: null` on form posts; the CSRF check needs the origin.
    res.set('Referrer-Policy', 'same-origin');
    next();
  });

  router.get('/login', label('/admin/login'), async (req, res) => {
    res.type('html').send(loginPage({ signedIn: Boolean(await sessions.read(req)) }));
  });

  router.post(
    '/login',
    label('/admin/login'),
    requireSameOrigin,
    express.urlencoded({ extended: false, limit: '8kb' }),
    async (req: Request, res: Response) => {
      const typedEmail = typeof req.body?.email === 'string' ? req.body.email.slice(0, 254) : '';
      const refuse = (status: number, error: string) =>
        res
          .status(status)
          .type('html')
          .send(loginPage({ error, email: typedEmail }));
      const { value, error } = loginSchema.body.validate(req.body ?? {}, { stripUnknown: true });
      if (error) return refuse(400, 'Enter your email address and password.');
      res.locals.valid = { params: {}, query: {}, body: value };
      try {
        await limits.login(req, res);
        await sessions.start(res, await signInSysadmin(deps.db, value));
      } catch (err) {
        if (!(err instanceof AppError) || !['unauthenticated', 'rate_limited'].includes(err.code)) throw err;
        for (const [name, header] of Object.entries(err.headers)) res.setHeader(name, header);
        return refuse(
          err.status,
          err.code === 'rate_limited'
            ? 'Too many failed sign-in attempts; try again later.'
            : 'Sign-in refused: wrong email or password, or not a platform sysadmin account.',
        );
      }
      res.redirect(303, BULL_BOARD_PATH);
    },
  );

  router.post('/logout', label('/admin/logout'), requireSameOrigin, async (req, res) => {
    await sessions.end(req, res);
    res.redirect(303, '/admin/login');
  });

  router.use('/queues', label(BULL_BOARD_PATH), requireSysadmin(deps, sessions), bullBoard(queues));

  app.use('/admin', router);
}
