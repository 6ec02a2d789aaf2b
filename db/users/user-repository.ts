import type { Db, Trx } from '../knex.js';
import { tenantRead } from '../tenant.js';
import { cursorTimestamp, decodeCursor, toPage, type Page } from '../pagination.js';
import type { ApiKeyRole, Role } from './roles.js';

export interface User {
  id: string;
  organizationId: string;
  email: string;
  name: string;
  role: Role;
  storeIds: string[];
  version: number;
  createdAt: Date;
  updatedAt: Date;
  lastLoginAt: Date | null;
}

type UserRow = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any

const COLUMNS = [
  'id',
  'organization_id',
  'email',
  'name',
  'role',
  'version',
  'created_at',
  'updated_at',
  'last_login_at',
];
const storeIdsOf = (trx: Trx) =>
  trx.raw(
    `array(select a.store_id from user_store_access a
            where a.user_id = users.id and a.organization_id = users.organization_id
            order by a.store_id) as store_ids`,
  );
// Microsecond cursor: a millisecond ISO string would repeat rows on the next page.
const CURSOR_AT = cursorTimestamp();

const toUser = (row: UserRow): User => ({
  id: row.id,
  organizationId: row.organization_id,
  email: row.email,
  name: row.name,
  role: row.role,
  storeIds: row.store_ids ?? [],
  version: row.version,
  createdAt: row.created_at,
  updatedAt: row.updated_at,
  lastLoginAt: row.last_login_at,
});

export interface NewUser {
  email: string;
  passwordHash: string;
  name: string;
  role: Role;
}

/** Throws pg's unique violation (constraint users_email_unique) when the email is taken. */
export async function insertUser(trx: Trx, orgId: string, user: NewUser): Promise<User> {
  const [row] = await trx('users')
    .insert({
      organization_id: orgId,
      email: user.email,
      password_hash: user.passwordHash,
      name: user.name,
      role: user.role,
    })
    .returning(COLUMNS);
  return toUser({ ...row, store_ids: [] });
}

export async function replaceUserStores(trx: Trx, orgId: string, userId: string, storeIds: string[]): Promise<void> {
  await trx('user_store_access').where({ organization_id: orgId, user_id: userId }).delete();
  if (storeIds.length === 0) return;
  await trx('user_store_access').insert(
    storeIds.map((storeId) => ({ organization_id: orgId, user_id: userId, store_id: storeId })),
  );
}

export async function findUser(
  trx: Trx,
  orgId: string,
  userId: string,
  options: { forUpdate?: boolean } = {},
): Promise<User | undefined> {
  const query = trx('users')
    .select(...COLUMNS, storeIdsOf(trx))
    .where({ id: userId, organization_id: orgId })
    .whereNull('deleted_at')
    .first();
  if (options.forUpdate) query.forUpdate();
  const row = await query;
  return row ? toUser(row) : undefined;
}

export interface UserColumns {
  name?: string;
  role?: Role;
  passwordHash?: string;
  deleted?: true;
}

/** Applies the change only if the row still has `version`; undefined means someone else got there first. */
export async function updateUser(
  trx: Trx,
  orgId: string,
  userId: string,
  version: number,
  changes: UserColumns,
): Promise<User | undefined> {
  const columns: Record<string, unknown> = { version: version + 1, updated_at: trx.fn.now() };
  if (changes.name !== undefined) columns.name = changes.name;
  if (changes.role !== undefined) columns.role = changes.role;
  if (changes.passwordHash !== undefined) columns.password_hash = changes.passwordHash;
  if (changes.deleted) columns.deleted_at = trx.fn.now();
  const [row] = await trx('users')
    .where({ id: userId, organization_id: orgId, version })
    .whereNull('deleted_at')
    .update(columns)
    .returning(COLUMNS);
  return row ? toUser(row) : undefined;
}

export async function listUsers(
  trx: Trx,
  orgId: string,
  filter: { role?: Role; limit: number; cursor?: string },
): Promise<Page<User>> {
  const query = trx('users')
    .select(...COLUMNS, storeIdsOf(trx), trx.raw(CURSOR_AT))
    .where({ organization_id: orgId })
    .whereNull('deleted_at')
    .orderBy([
      { column: 'created_at', order: 'asc' },
      { column: 'id', order: 'asc' },
    ])
    .limit(filter.limit + 1);
  if (filter.role) query.where({ role: filter.role });
  if (filter.cursor) {
    const [at, id] = decodeCursor(filter.cursor);
    query.whereRaw('(created_at, id) > (?::timestamptz, ?::uuid)', [at, id]);
  }
  const rows: UserRow[] = await query;
  const { data, nextCursor } = toPage(rows, filter.limit, (r) => [r.cursor_at, r.id]);
  return { data: data.map(toUser), nextCursor };
}

// --- The caller, as GET /me shows it: one query each. ---

export interface StoreSummary {
  id: string;
  name: string;
  timezone: string;
  country: string;
  currency: string;
}

export interface UserProfile {
  user: { id: string; email: string; name: string; role: Role; organizationId: string | null };
  organization: { id: string; name: string } | null;
  stores: StoreSummary[];
}

const STORE_JSON = `json_build_object('id', s.id, 'name', s.name, 'timezone', s.timezone,
                                     'country', s.country, 'currency', s.currency)`;

/** GET /me's query ($1 user id, $2 organisation id or null); bench/http-overhead runs it raw too. */
export const USER_PROFILE_SQL = `select u.id, u.email, u.name, u.role, u.organization_id, o.name as organization_name,
            coalesce((select json_agg(${STORE_JSON} order by s.name, s.id)
                        from stores s
                       where s.organization_id = u.organization_id
                         and (u.role = 'admin' or exists (
                               select 1 from user_store_access a
                                where a.store_id = s.id and a.user_id = u.id
                                  and a.organization_id = u.organization_id))),
                     '[]'::json) as stores
       from users u
       left join organizations o on o.id = u.organization_id
      where u.id = $1 and u.deleted_at is null and u.organization_id is not distinct from $2::uuid`;

interface ProfileRow {
  id: string;
  email: string;
  name: string;
  role: Role;
  organization_id: string | null;
  organization_name: string | null;
  stores: StoreSummary[];
}

/** The user, its organisation and the stores it reaches (all for admins, its grants otherwise). */
export async function findUserProfile(db: Db, userId: string, orgId: string | null): Promise<UserProfile | undefined> {
  // Every client calls GET /me first: one round trip (tenant + query), see tenantRead. A sysadmin
  // belongs to no organisation and is visible in platform scope only.
  const scope = orgId ? { orgId } : ({ platform: true } as const);
  const rows = await tenantRead<ProfileRow>(db, scope, USER_PROFILE_SQL, [userId, orgId]);
  const row = rows[0];
  if (!row) return undefined;
  return {
    user: { id: row.id, email: row.email, name: row.name, role: row.role, organizationId: row.organization_id },
    organization: row.organization_id ? { id: row.organization_id, name: row.organization_name ?? '' } : null,
    stores: row.stores,
  };
}

export interface ApiKeyProfile {
  apiKey: { id: string; name: string; role: ApiKeyRole; storeId: string };
  organization: { id: string; name: string };
  store: StoreSummary;
}

export async function findApiKeyProfile(trx: Trx, keyId: string, orgId: string): Promise<ApiKeyProfile | undefined> {
  const row = await trx('api_keys as k')
    .join('organizations as o', 'o.id', 'k.organization_id')
    .join('stores as s', function joinStore() {
      this.on('s.id', 'k.store_id').andOn('s.organization_id', 'k.organization_id');
    })
    .where({ 'k.id': keyId, 'k.organization_id': orgId })
    .whereNull('k.revoked_at')
    .first(
      'k.id',
      'k.name',
      'k.role',
      'k.store_id',
      'o.id as organization_id',
      'o.name as organization_name',
      's.name as store_name',
      's.timezone',
      's.country',
      's.currency',
    );
  if (!row) return undefined;
  return {
    apiKey: { id: row.id, name: row.name, role: row.role, storeId: row.store_id },
    organization: { id: row.organization_id, name: row.organization_name },
    store: {
      id: row.store_id,
      name: row.store_name,
      timezone: row.timezone,
      country: row.country,
      currency: row.currency,
    },
  };
}
