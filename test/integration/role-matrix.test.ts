import { expect } from 'chai';
import { randomUUID } from 'node:crypto';
import request from 'supertest';
import { generateApiKey } from '../../db/api-keys/api-key-secret.js';
import type { RouteDef } from '../../server/http/route.js';
import { bearer, createSysadmin, createTenant, tokenFor, type UserFixture } from '../support/fixtures.js';
import { testContext } from '../support/test-context.js';

// Who may call each route, written out here independently of server/policy.ts: the test fails if a route
// is mounted without an entry, or if the server disagrees with this table.
type Caller = 'staff' | 'manager' | 'admin' | 'sysadmin' | 'key:staff' | 'key:manager';
const STAFF_UP: Caller[] = ['staff', 'manager', 'admin', 'sysadmin', 'key:staff', 'key:manager'];
const USERS_ONLY: Caller[] = ['staff', 'manager', 'admin', 'sysadmin'];
const ADMIN_UP: Caller[] = ['admin', 'sysadmin'];
const MANAGER_UP: Caller[] = ['manager', 'admin', 'sysadmin', 'key:manager'];
const MANAGER_IN_PERSON: Caller[] = ['manager', 'admin', 'sysadmin'];
const SYSADMIN: Caller[] = ['sysadmin'];

const EXPECTED: Record<string, 'public' | Caller[]> = {
  'GET /healthz': 'public',
  'GET /readyz': 'public',
  'GET /metrics': 'public',
  'GET /openapi.json': 'public',
  'GET /docs': 'public',
  'POST /api/v1/auth/login': 'public',
  'POST /api/v1/auth/refresh': 'public',
  'POST /api/v1/auth/logout': USERS_ONLY,
  'GET /api/v1/me': STAFF_UP,
  'GET /api/v1/organizations': SYSADMIN,
  'POST /api/v1/organizations': SYSADMIN,
  'GET /api/v1/stores': ADMIN_UP,
  'POST /api/v1/stores': ADMIN_UP,
  'GET /api/v1/stores/:storeId': ADMIN_UP,
  'PATCH /api/v1/stores/:storeId': ADMIN_UP,
  'GET /api/v1/users': ADMIN_UP,
  'POST /api/v1/users': ADMIN_UP,
  'PATCH /api/v1/users/:userId': ADMIN_UP,
  'DELETE /api/v1/users/:userId': ADMIN_UP,
  'GET /api/v1/stores/:storeId/api-keys': ADMIN_UP,
  'POST /api/v1/stores/:storeId/api-keys': ADMIN_UP,
  'DELETE /api/v1/stores/:storeId/api-keys/:keyId': ADMIN_UP,
  'GET /api/v1/webhooks': ADMIN_UP,
  'POST /api/v1/webhooks': ADMIN_UP,
  'GET /api/v1/webhooks/:webhookId': ADMIN_UP,
  'PATCH /api/v1/webhooks/:webhookId': ADMIN_UP,
  'DELETE /api/v1/webhooks/:webhookId': ADMIN_UP,
  'GET /api/v1/webhooks/:webhookId/deliveries': ADMIN_UP,
  'POST /api/v1/webhooks/:webhookId/deliveries/:deliveryId/retry': ADMIN_UP,
  'GET /api/v1/stores/:storeId/customers': STAFF_UP,
  'POST /api/v1/stores/:storeId/customers': STAFF_UP,
  'GET /api/v1/stores/:storeId/customers/:id': STAFF_UP,
  'PATCH /api/v1/stores/:storeId/customers/:id': STAFF_UP,
  'DELETE /api/v1/stores/:storeId/customers/:id': MANAGER_UP,
  'POST /api/v1/stores/:storeId/customers/upsert': MANAGER_UP,
  'GET /api/v1/stores/:storeId/customers/duplicates': MANAGER_UP,
  'POST /api/v1/stores/:storeId/customers/:id/merge': MANAGER_IN_PERSON,
  'POST /api/v1/stores/:storeId/customers/:id/tags': MANAGER_UP,
  'DELETE /api/v1/stores/:storeId/customers/:id/tags/:label': MANAGER_UP,
  'GET /api/v1/stores/:storeId/customers/:id/notes': MANAGER_IN_PERSON,
  'POST /api/v1/stores/:storeId/customers/:id/notes': MANAGER_IN_PERSON,
  'GET /api/v1/stores/:storeId/customers/:id/addresses': STAFF_UP,
  'POST /api/v1/stores/:storeId/customers/:id/addresses': STAFF_UP,
  'PATCH /api/v1/stores/:storeId/customers/:id/addresses/:addressId': STAFF_UP,
  'DELETE /api/v1/stores/:storeId/customers/:id/addresses/:addressId': STAFF_UP,
  'GET /api/v1/stores/:storeId/customers/:id/documents': STAFF_UP,
  'POST /api/v1/stores/:storeId/customers/:id/documents': STAFF_UP,
  'DELETE /api/v1/stores/:storeId/customers/:id/documents/:documentId': STAFF_UP,
  'GET /api/v1/stores/:storeId/customers/:id/documents/:documentId/file': MANAGER_IN_PERSON,
  'PUT /api/v1/stores/:storeId/customers/:id/avatar': STAFF_UP,
  'GET /api/v1/stores/:storeId/customers/:id/avatar': STAFF_UP,
  'GET /api/v1/stores/:storeId/customers/:id/history': MANAGER_IN_PERSON,
  'GET /api/v1/stores/:storeId/customers/:id/export': MANAGER_IN_PERSON,
  'POST /api/v1/stores/:storeId/customers/:id/erase': ADMIN_UP,
  'POST /api/v1/stores/:storeId/customers/:id/pos-sync': MANAGER_IN_PERSON,
  'PUT /api/v1/stores/:storeId/pos': ADMIN_UP,
  'GET /api/v1/stores/:storeId/pos': ADMIN_UP,
  'POST /api/v1/stores/:storeId/customer-syncs': MANAGER_IN_PERSON,
  'GET /api/v1/stores/:storeId/customer-syncs': MANAGER_IN_PERSON,
  'GET /api/v1/stores/:storeId/customer-syncs/:syncId': MANAGER_IN_PERSON,
  'POST /api/v1/stores/:storeId/customer-imports': MANAGER_UP,
  'GET /api/v1/stores/:storeId/customer-imports/:importId': MANAGER_UP,
  'GET /api/v1/stores/:storeId/customer-imports/:importId/errors': MANAGER_UP,
};

const CALLERS: Caller[] = ['staff', 'manager', 'admin', 'sysadmin', 'key:staff', 'key:manager'];
const routeKey = (r: RouteDef) => `${r.method.toUpperCase()} ${r.path}`;

describe('role matrix over every mounted route', () => {
  const { app, routes, owner } = testContext();
  let tenant: Awaited<ReturnType<typeof createTenant>>;
  let sysadmin: UserFixture;
  const keys: Record<string, string> = {};

  before(async () => {
    tenant = await createTenant();
    sysadmin = await createSysadmin();
    for (const role of ['staff', 'manager'] as const) {
      const k = generateApiKey();
      await owner('api_keys').insert({
        organization_id: tenant.org.id,
        store_id: tenant.storeA.id,
        name: `matrix ${role}`,
        prefix: k.prefix,
        key_hash: k.hash,
        role,
      });
      keys[role] = k.key;
    }
  });

  async function headersFor(caller: Caller): Promise<Record<string, string>> {
    if (caller === 'key:staff') return bearer(keys.staff);
    if (caller === 'key:manager') return bearer(keys.manager);
    if (caller === 'sysadmin') return { ...bearer(await tokenFor(sysadmin)), 'X-Organization-Id': tenant.org.id };
    return bearer(await tokenFor(tenant[caller])); // a fresh session each time: logout may end it
  }

  function call(route: RouteDef, headers: Record<string, string>) {
    // Store A is one every caller of the tenant reaches; any other id is a fresh UUID (→ 404 once allowed).
    const path = route.path.replace(':storeId', tenant.storeA.id).replace(/:\w+/g, () => randomUUID());
    const req = request(app)[route.method](path).set(headers);
    return route.method === 'get' || route.method === 'delete' ? req : req.send({});
  }

  it('has an expectation for exactly the routes that are mounted', () => {
    expect(routes.map(routeKey).sort()).to.deep.equal(Object.keys(EXPECTED).sort());
  });

  it('refuses every non-public route without credentials (401) and lets public ones through', async () => {
    for (const route of routes) {
      const res = await call(route, {});
      if (EXPECTED[routeKey(route)] === 'public') expect(res.status, routeKey(route)).to.not.be.oneOf([401, 403]);
      else expect(res.status, routeKey(route)).to.equal(401);
    }
  });

  it('lets each caller through exactly where the table says, and answers 403 elsewhere', async () => {
    const mismatches: string[] = [];
    for (const route of routes) {
      const allowed = EXPECTED[routeKey(route)];
      if (allowed === 'public') continue;
      for (const caller of CALLERS) {
        const res = await call(route, await headersFor(caller));
        const passed = res.status !== 401 && res.status !== 403;
        if (passed !== allowed.includes(caller))
          mismatches.push(
            `${routeKey(route)} as ${caller}: ${res.status} ${JSON.stringify(res.body?.error?.message ?? '')}`,
          );
      }
    }
    expect(mismatches).to.deep.equal([]);
  });
});
