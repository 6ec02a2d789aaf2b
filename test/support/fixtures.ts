import { randomUUID } from 'node:crypto';
import { hashPassword } from '../../db/auth/password.js';
import type { Role } from '../../db/users/roles.js';
import { testContext } from './test-context.js';

// Fixtures write through the owner connection (no row-level security) so each test makes its own rows.
let cachedHash: { password: string; hash: Promise<string> } | undefined;
export const DEFAULT_PASSWORD = 'correct horse battery staple';

function passwordHash(password: string): Promise<string> {
  if (password !== DEFAULT_PASSWORD) return hashPassword(password);
  cachedHash ??= { password, hash: hashPassword(password) };
  return cachedHash.hash;
}

export const uniqueEmail = (label = 'user') => `${label}-${randomUUID().slice(0, 8)}@example.test`;

export async function createOrg(name = `Org ${randomUUID().slice(0, 6)}`): Promise<{ id: string; name: string }> {
  const [row] = await testContext().owner('organizations').insert({ name }).returning(['id', 'name']);
  return row;
}

export interface StoreFixture {
  id: string;
  organizationId: string;
  name: string;
}

export async function createStore(orgId: string, overrides: Record<string, unknown> = {}): Promise<StoreFixture> {
  const [row] = await testContext()
    .owner('stores')
    .insert({
      organization_id: orgId,
      name: `Store ${randomUUID().slice(0, 6)}`,
      timezone: 'America/Los_Angeles',
      country: 'US',
      currency: 'USD',
      ...overrides,
    })
    .returning(['id', 'organization_id', 'name']);
  return { id: row.id, organizationId: row.organization_id, name: row.name };
}

export interface UserFixture {
  id: string;
  orgId: string | null;
  email: string;
  password: string;
  role: Role;
}

export async function createUser(options: {
  orgId: string | null;
  role: Role;
  storeIds?: string[];
  email?: string;
  password?: string;
  name?: string;
}): Promise<UserFixture> {
  const password = options.password ?? DEFAULT_PASSWORD;
  const email = (options.email ?? uniqueEmail(options.role)).toLowerCase();
  const { owner } = testContext();
  const [row] = await owner('users')
    .insert({
      organization_id: options.orgId,
      email,
      password_hash: await passwordHash(password),
      name: options.name ?? `Test ${options.role}`,
      role: options.role,
    })
    .returning(['id']);
  for (const storeId of options.storeIds ?? []) {
    await owner('user_store_access').insert({ organization_id: options.orgId, user_id: row.id, store_id: storeId });
  }
  return { id: row.id, orgId: options.orgId, email, password, role: options.role };
}

/** A valid access token without going through /auth/login (no password hashing per test). */
export async function tokenFor(user: UserFixture, sessionId: string = randomUUID()): Promise<string> {
  return testContext().deps.accessTokens.sign({ userId: user.id, orgId: user.orgId, role: user.role, sessionId });
}

/** An organisation with two stores and one user of every role; staff and manager reach store A only. */
export async function createTenant() {
  const org = await createOrg();
  const storeA = await createStore(org.id);
  const storeB = await createStore(org.id);
  const staff = await createUser({ orgId: org.id, role: 'staff', storeIds: [storeA.id] });
  const manager = await createUser({ orgId: org.id, role: 'manager', storeIds: [storeA.id] });
  const admin = await createUser({ orgId: org.id, role: 'admin' });
  return { org, storeA, storeB, staff, manager, admin };
}

export async function createSysadmin(): Promise<UserFixture> {
  return createUser({ orgId: null, role: 'sysadmin' });
}

export const bearer = (token: string) => ({ Authorization: `Bearer ${token}` });
