import type { Db } from '../knex.js';
import type { Page } from '../pagination.js';
import { withTenant } from '../tenant.js';
import { insertOrganization, listOrganizations, type Organization } from './organization-repository.js';

// Organisations are platform records: no tenant owns them, so these run in platform scope. The audit
// log is per organisation (its policy admits no platform writes), so creating one is not audited there.

export async function createOrganization(db: Db, input: { name: string }): Promise<Organization> {
  return withTenant(db, { platform: true }, (trx) => insertOrganization(trx, input.name));
}

export async function listAllOrganizations(
  db: Db,
  page: { limit: number; cursor?: string },
): Promise<Page<Organization>> {
  return withTenant(db, { platform: true }, (trx) => listOrganizations(trx, page));
}
