import type { Role } from '../db/users/roles.js';

/**
 * Who may call what, in one table. `scope` says what the caller must be able to reach:
 * - `none`: just a valid credential;
 * - `platform`: sysadmin work across organisations;
 * - `org`: an organisation (a sysadmin picks one with `X-Organization-Id`);
 * - `store`: the `:storeId` of the path, which must belong to the caller's organisation and, for
 *   staff and managers, be one of their stores (else 404, never 403).
 */
export type Policy =
  | { access: 'public' }
  | { access: 'metrics' }
  | { access: 'authenticated'; scope: 'none' | 'platform' | 'org' | 'store'; minRole: Role; apiKeys: boolean };

const anyone: Policy = { access: 'public' };
const signedIn: Policy = { access: 'authenticated', scope: 'none', minRole: 'staff', apiKeys: true };
const userSession: Policy = { access: 'authenticated', scope: 'none', minRole: 'staff', apiKeys: false };
const platformAdmin: Policy = { access: 'authenticated', scope: 'platform', minRole: 'sysadmin', apiKeys: false };
const orgAdmin: Policy = { access: 'authenticated', scope: 'org', minRole: 'admin', apiKeys: false };
const storeAdmin: Policy = { access: 'authenticated', scope: 'store', minRole: 'admin', apiKeys: false };
const storeStaff: Policy = { access: 'authenticated', scope: 'store', minRole: 'staff', apiKeys: true };
const storeManager: Policy = { access: 'authenticated', scope: 'store', minRole: 'manager', apiKeys: true };
// Judgement calls a person makes (merging, reading notes and history, exporting) are not for API keys.
const storeManagerInPerson: Policy = { access: 'authenticated', scope: 'store', minRole: 'manager', apiKeys: false };
const storeAdminInPerson = storeAdmin;

export const POLICIES = {
  'ops.health': anyone,
  'ops.ready': anyone,
  'ops.metrics': { access: 'metrics' },
  'ops.openapi': anyone,
  'ops.docs': anyone,

  'auth.login': anyone,
  'auth.refresh': anyone,
  'auth.logout': userSession,
  'me.get': signedIn,

  'organizations.list': platformAdmin,
  'organizations.create': platformAdmin,

  'stores.list': orgAdmin,
  'stores.create': orgAdmin,
  'stores.get': storeAdmin,
  'stores.update': storeAdmin,

  'users.list': orgAdmin,
  'users.create': orgAdmin,
  'users.update': orgAdmin,
  'users.delete': orgAdmin,

  'apiKeys.list': storeAdmin,
  'apiKeys.create': storeAdmin,
  'apiKeys.revoke': storeAdmin,

  'webhooks.list': orgAdmin,
  'webhooks.create': orgAdmin,
  'webhooks.get': orgAdmin,
  'webhooks.update': orgAdmin,
  'webhooks.delete': orgAdmin,
  'webhooks.deliveries.list': orgAdmin,
  'webhooks.deliveries.retry': orgAdmin,

  'customers.search': storeStaff,
  'customers.create': storeStaff,
  'customers.get': storeStaff,
  'customers.update': storeStaff,
  'customers.delete': storeManager,
  'customers.upsert': storeManager,
  'customers.duplicates': storeManager,
  'customers.merge': storeManagerInPerson,
  'customers.tags.add': storeManager,
  'customers.tags.remove': storeManager,
  'customers.notes.list': storeManagerInPerson,
  'customers.notes.create': storeManagerInPerson,
  'customers.addresses.list': storeStaff,
  'customers.addresses.create': storeStaff,
  'customers.addresses.update': storeStaff,
  'customers.addresses.delete': storeStaff,
  'customers.documents.list': storeStaff,
  'customers.documents.create': storeStaff,
  'customers.documents.delete': storeStaff,
  'customers.documents.file': storeManagerInPerson,
  'customers.avatar.put': storeStaff,
  'customers.avatar.get': storeStaff,
  'customers.history': storeManagerInPerson,
  'customers.export': storeManagerInPerson,
  'customers.erase': storeAdminInPerson,
  'customers.posSync.retry': storeManagerInPerson,

  'pos.put': storeAdmin,
  'pos.get': storeAdmin,
  'customerSyncs.start': storeManagerInPerson,
  'customerSyncs.list': storeManagerInPerson,
  'customerSyncs.get': storeManagerInPerson,
  'customerImports.create': storeManager,
  'customerImports.get': storeManager,
  'customerImports.errors': storeManager,
} satisfies Record<string, Policy>;

export type PolicyName = keyof typeof POLICIES;
