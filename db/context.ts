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
