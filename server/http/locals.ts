import type { Response } from 'express';
import type { ServiceContext } from '../../db/context.js';
import type { StoreAccess, StoreReach } from '../../db/stores/store-access.js';
import type { Principal } from '../auth/principal.js';
import { AppError } from '../../config/errors.js';

export interface ValidInput {
  params: Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any
  query: Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any
  body: any; // eslint-disable-line @typescript-eslint/no-explicit-any
}

declare global {
  // eslint-disable-next-line @typescript-eslint/no-namespace
  namespace Express {
    interface Locals {
      requestId: string;
      routeTemplate?: string;
      principal?: Principal;
      /** The organisation the request acts in (a sysadmin's comes from X-Organization-Id). */
      orgId?: string;
      store?: StoreAccess;
      /** A route with `storeCheck: 'handler'`: the store and reach its handler must check. */
      storeCheck?: { storeId: string; reach: StoreReach };
      valid: ValidInput;
    }
  }
}

/** The service context of an authenticated, org-scoped request. */
export function ctx(res: Response): ServiceContext {
  const { principal, orgId } = res.locals;
  if (!principal || !orgId) throw new AppError('internal', 'route used ctx() without an organisation');
  return {
    orgId,
    storeId: res.locals.store?.id ?? res.locals.storeCheck?.storeId,
    requestId: res.locals.requestId,
    actor:
      principal.kind === 'user'
        ? { type: 'user', id: principal.userId, role: principal.role }
        : { type: 'api_key', id: principal.keyId, role: principal.role },
  };
}
