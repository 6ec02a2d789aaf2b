import { createApiKey, listApiKeys, revokeApiKey } from '../../db/api-keys/api-key-service.js';
import type { AppDeps } from '../app-deps.js';
import { ctx } from '../http/locals.js';
import { API_PREFIX, defineRoutes, type RouteDef } from '../http/route.js';
import {
  apiKeyPage,
  createApiKeySchema,
  createdApiKeyResponse,
  listApiKeysSchema,
  revokeApiKeySchema,
} from './api-key-schemas.js';

const base = `${API_PREFIX}/stores/:storeId/api-keys`;

export function apiKeyRoutes(deps: AppDeps): RouteDef[] {
  return defineRoutes([
    {
      method: 'get',
      path: base,
      policy: 'apiKeys.list',
      summary: "List the store's API keys (never their secrets)",
      tag: 'API keys',
      schema: listApiKeysSchema,
      responses: { 200: { description: 'A page of keys', schema: apiKeyPage } },
      handler: async (_req, res) => {
        res.json(await listApiKeys(deps.db, ctx(res), res.locals.valid.query as { limit: number; cursor?: string }));
      },
    },
    {
      method: 'post',
      path: base,
      policy: 'apiKeys.create',
      summary: 'Create a store API key; the answer holds its secret, shown only this once',
      tag: 'API keys',
      schema: createApiKeySchema,
      responses: { 201: { description: 'The key, with its secret', schema: createdApiKeyResponse } },
      handler: async (_req, res) => {
        res.status(201).json(await createApiKey(deps.db, ctx(res), res.locals.valid.body));
      },
    },
    {
      method: 'delete',
      path: `${base}/:keyId`,
      policy: 'apiKeys.revoke',
      summary: 'Revoke a store API key (revoking it again changes nothing)',
      tag: 'API keys',
      schema: revokeApiKeySchema,
      responses: { 204: { description: 'Revoked' } },
      handler: async (_req, res) => {
        await revokeApiKey(deps.db, ctx(res), res.locals.valid.params.keyId);
        res.status(204).end();
      },
    },
  ]);
}
