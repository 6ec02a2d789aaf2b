import { generateApiKey } from '../../db/api-keys/api-key-secret.js';
import { insertCustomer, type CustomerSeed } from './customer-fixtures.js';
import { createTenant, tokenFor } from './fixtures.js';
import { testContext } from './test-context.js';

/**
 * A tenant (see createTenant) with a customer in store A, tokens for each role, and customers the
 * callers must not reach: one in store B and one in another organisation.
 */
export async function customerWorld(seed: Partial<CustomerSeed> = {}) {
  const tenant = await createTenant();
  const other = await createTenant();
  const customerId = await insertCustomer({
    orgId: tenant.org.id,
    storeId: tenant.storeA.id,
    firstName: 'Ada',
    lastName: 'Lovelace',
    ...seed,
  });
  const storeBCustomerId = await insertCustomer({
    orgId: tenant.org.id,
    storeId: tenant.storeB.id,
    firstName: 'Bea',
    lastName: 'Other',
  });
  const foreignCustomerId = await insertCustomer({
    orgId: other.org.id,
    storeId: other.storeA.id,
    firstName: 'Cy',
    lastName: 'Foreign',
  });
  return {
    ...tenant,
    customerId,
    storeBCustomerId,
    foreignCustomerId,
    otherStoreId: other.storeA.id,
    tokens: {
      staff: await tokenFor(tenant.staff),
      manager: await tokenFor(tenant.manager),
      admin: await tokenFor(tenant.admin),
    },
    /** `/api/v1/stores/:storeA/customers/:id<suffix>` */
    url: (suffix = '', id = customerId, storeId = tenant.storeA.id) =>
      `/api/v1/stores/${storeId}/customers/${id}${suffix}`,
  };
}

/** A store API key of store A with the given role; answers its bearer secret. */
export async function apiKeyFor(orgId: string, storeId: string, role: 'staff' | 'manager'): Promise<string> {
  const key = generateApiKey();
  await testContext()
    .owner('api_keys')
    .insert({
      organization_id: orgId,
      store_id: storeId,
      name: `test ${role}`,
      prefix: key.prefix,
      key_hash: key.hash,
      role,
    });
  return key.key;
}

export async function outboxOf(customerId: string) {
  return testContext().owner('outbox_events').where({ subject_id: customerId }).orderBy('seq');
}

export async function auditOf(customerId: string) {
  return testContext()
    .owner('audit_log')
    .where({ subject_type: 'customer', subject_id: customerId })
    .orderBy([{ column: 'created_at' }, { column: 'id' }]);
}
