import { AppError } from '../config/errors.js';
import type { Role } from './users/roles.js';

export interface Actor {
  type: 'user' | 'api_key' | 'system';
  id: string | null;
  role: Role | 'system';
}

/** What a service needs to know about who is asking; services never see req/res. */
export interface ServiceContext {
  orgId: string;
  storeId?: string;
  actor: Actor;
  requestId?: string;
}

export const systemActor: Actor = { type: 'system', id: null, role: 'system' };

/** The store of a store-scoped service call; a call without one is a programming error. */
export function storeOf(ctx: ServiceContext): string {
  if (!ctx.storeId) throw new AppError('internal', 'this work belongs to a store: the service context has none');
  return ctx.storeId;
}
