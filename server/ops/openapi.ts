import type Joi from 'joi';
import joiToJsonModule from 'joi-to-json';
import { POLICIES } from '../policy.js';
import type { RouteDef } from '../http/route.js';

type JsonSchema = Record<string, unknown>;

const errorSchema: JsonSchema = {
  type: 'object',
  required: ['error'],
  properties: {
    error: {
      type: 'object',
      required: ['code', 'message', 'details', 'requestId'],
      properties: {
        code: { type: 'string' },
        message: { type: 'string' },
        details: { type: 'array', items: { type: 'object' } },
        requestId: { type: 'string' },
      },
    },
  },
};

// The package is CommonJS (`module.exports = parse`) while its types declare a default export.
const joiToJson = joiToJsonModule as unknown as (schema: Joi.Schema, mode: string) => unknown;
const toJson = (schema: Joi.Schema): JsonSchema => joiToJson(schema, 'open-api-3.1') as JsonSchema;

/** `/api/v1/stores/:storeId` → `/api/v1/stores/{storeId}` */
export const openApiPath = (expressPath: string) => expressPath.replace(/:(\w+)/g, '{$1}');

function parameters(route: RouteDef): unknown[] {
  const out: unknown[] = [];
  for (const where of ['params', 'query'] as const) {
    const schema = route.schema?.[where];
    if (!schema) continue;
    const json = toJson(schema) as { properties?: Record<string, JsonSchema>; required?: string[] };
    for (const [name, property] of Object.entries(json.properties ?? {})) {
      out.push({
        name,
        in: where === 'params' ? 'path' : 'query',
        required: where === 'params' || (json.required ?? []).includes(name),
        schema: property,
      });
    }
  }
  for (const name of route.path.match(/:(\w+)/g) ?? []) {
    const param = name.slice(1);
    if (!out.some((p) => (p as { name: string }).name === param)) {
      out.push({ name: param, in: 'path', required: true, schema: { type: 'string' } });
    }
  }
  if (route.method === 'post' && route.policy !== 'auth.login' && route.policy !== 'auth.refresh') {
    out.push({
      name: 'Idempotency-Key',
      in: 'header',
      required: Boolean(route.requireIdempotencyKey),
      schema: { type: 'string', maxLength: 255 },
    });
  }
  return out;
}

function operation(route: RouteDef): JsonSchema {
  const policy = POLICIES[route.policy];
  const op: JsonSchema = {
    operationId: route.policy,
    summary: route.summary,
    tags: [route.tag],
    parameters: parameters(route),
    responses: Object.fromEntries(
      Object.entries(route.responses).map(([status, r]) => [
        status,
        {
          description: r.description,
          ...(r.schema ? { content: { [r.contentType ?? 'application/json']: { schema: toJson(r.schema) } } } : {}),
        },
      ]),
    ),
  };
  if (policy.access === 'authenticated') {
    op.security = [{ bearer: [] }];
    op['x-policy'] = { scope: policy.scope, minRole: policy.minRole, apiKeys: policy.apiKeys };
    (op.responses as JsonSchema).default = {
      description: 'Error',
      content: { 'application/json': { schema: errorSchema } },
    };
  }
  if (route.bodyType === 'multipart') {
    const fields = route.schema?.body ? toJson(route.schema.body) : { type: 'object', properties: {} };
    const properties = {
      ...(fields.properties as object),
      file: { type: 'string', contentMediaType: 'application/octet-stream' },
    };
    op.requestBody = { required: true, content: { 'multipart/form-data': { schema: { ...fields, properties } } } };
  } else if (route.schema?.body) {
    op.requestBody = { required: true, content: { 'application/json': { schema: toJson(route.schema.body) } } };
  }
  return op;
}

/** The OpenAPI 3.1 document, built from the same route objects (and joi schemas) that are mounted. */
export function buildOpenApi(routes: RouteDef[]): JsonSchema {
  const paths: Record<string, Record<string, unknown>> = {};
  for (const route of routes) {
    const path = openApiPath(route.path);
    paths[path] ??= {};
    paths[path][route.method] = operation(route);
  }
  return {
    openapi: '3.1.0',
    info: {
      title: 'Patron API',
      version: '1',
      description:
        'Customer data for multi-store retail. Errors share one shape: `{ error: { code, message, details, requestId } }`.',
    },
    components: {
      securitySchemes: {
        bearer: {
          type: 'http',
          scheme: 'bearer',
          description: 'An access token from /api/v1/auth/login, or a store API key (pk_live_…)',
        },
      },
      schemas: { Error: errorSchema },
    },
    paths,
  };
}
