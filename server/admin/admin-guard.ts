import type { Request, RequestHandler, Response } from 'express';
import { forbidden, unauthenticated } from '../../config/errors.js';
import type { AppDeps } from '../app-deps.js';
import type { Principal } from '../auth/principal.js';
import { authenticate, bearerToken } from '../middleware/authenticate.js';
import type { AdminSessions } from './admin-session.js';

const SAFE_METHODS = new Set(['GET', 'HEAD', 'OPTIONS']);

/** The host a browser says the request came from: Origin, else Referer. */
function sourceHost(req: Request): string | undefined {
  const source = req.get('origin') ?? req.get('referer');
  if (!source || source === 'null') return undefined;
  try {
    return new URL(source).host;
  } catch {
    return undefined;
  }
}

/**
 * CSRF defence on top of the SameSite=Strict cookie: a state-changing request must say (Origin, or
 * Referer when a browser leaves Origin out) that it comes from a page of this host.
 */
export const requireSameOrigin: RequestHandler = (req, _res, next) => {
  const host = sourceHost(req);
  if (!host || host !== req.host) throw forbidden('cross-site request refused: Origin or Referer must be this site');
  next();
};

/** Browsers navigating get the sign-in page; API clients get our JSON error. */
const wantsHtml = (req: Request) => req.accepts(['json', 'html']) === 'html';

/**
 * Admits platform sysadmins, by `Authorization: Bearer` (an access token, checked like every API route)
 * or by the dashboard's session cookie. State-changing requests on the cookie must be same-origin.
 */
export function requireSysadmin(deps: AppDeps, sessions: AdminSessions): RequestHandler {
  const bearer = authenticate(deps);
  // authenticate() is async: it reports a refused token by rejecting, not through next().
  const viaBearer = (req: Request, res: Response) =>
    new Promise<void>((resolve, reject) => {
      Promise.resolve(bearer(req, res, (err?: unknown) => (err ? reject(err) : resolve()))).catch(reject);
    });

  return async (req, res, next) => {
    let principal: Principal | undefined;
    if (bearerToken(req.get('authorization'))) {
      await viaBearer(req, res);
      principal = res.locals.principal;
    } else {
      const claims = await sessions.read(req);
      if (claims) {
        if (!SAFE_METHODS.has(req.method)) requireSameOrigin(req, res, () => undefined);
        principal = { kind: 'user', ...claims };
        res.locals.principal = principal;
        await sessions.renewIfDue(req, res, claims);
      }
    }
    if (!principal) {
      if (req.get('cookie')?.includes('patron_admin=')) sessions.clear(res);
      if (wantsHtml(req)) return res.redirect(303, '/admin/login');
      throw unauthenticated('sign in at /admin/login, or send Authorization: Bearer <access token>');
    }
    if (principal.kind !== 'user' || principal.role !== 'sysadmin') {
      throw forbidden('the job dashboard is for platform sysadmins');
    }
    next();
  };
}
