import type { ApiKeyRole, Role } from '../../db/users/roles.js';

export type Principal =
  | { kind: 'user'; userId: string; orgId: string | null; role: Role; sessionId: string }
  | { kind: 'api_key'; keyId: string; orgId: string; storeId: string; role: ApiKeyRole };
