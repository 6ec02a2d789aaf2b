import type { Knex } from 'knex';
import { cursorTimestamp } from '../pagination.js';
import { prefixUpperBound } from './search-query-rules.js';

// The SQL of customer search and lists. Builders take a knex instance or transaction and return the query
// unexecuted, so bench/search can run the very same SQL straight against PostgreSQL.

export interface SearchScope {
  orgId: string;
  storeId: string;
}

/** Explicit filters, already normalised (email lower-case, phone E.164, licence as its blind index). */
export interface SearchFilters {
  statuses: string[];
  /** Folded (patron_fold) prefixes of the first and last name. */
  firstNamePrefix?: string;
  lastNamePrefix?: string;
  email?: string;
  phone?: string;
  phoneLast4?: string;
  driversLicenseBidx?: string;
  birthday?: string;
  tag?: string;
  updatedSince?: Date;
}

export type MatchMethod = 'exact' | 'prefix' | 'fuzzy' | 'suffix';

/** One way q can hit an indexed identifier column. */
export interface IdentifierCondition {
  field: 'email' | 'phone' | 'driversLicense' | 'medicalCard' | 'birthday';
  method: MatchMethod;
  column: 'email' | 'phone' | 'phone_last4' | 'drivers_license_bidx' | 'medical_card_bidx' | 'birthday';
  value: string;
}

/** Keyset positions: lists by (created_at, id) ascending, searches by (score desc, id asc). */
export type ListAfter = { at: string; id: string };
export type SearchAfter = { score: number; id: string };

// A small tagged template that keeps SQL text and its bindings together.
export class Sql {
  constructor(
    readonly text: string,
    readonly bindings: unknown[],
  ) {}
}
export function sql(strings: TemplateStringsArray, ...values: unknown[]): Sql {
  let text = strings[0];
  const bindings: unknown[] = [];
  values.forEach((value, i) => {
    if (value instanceof Sql) {
      text += value.text;
      bindings.push(...value.bindings);
    } else {
      text += '?';
      bindings.push(value);
    }
    text += strings[i + 1];
  });
  return new Sql(text, bindings);
}
export const join = (parts: Sql[], separator: string) =>
  new Sql(
    parts.map((p) => p.text).join(separator),
    parts.flatMap((p) => p.bindings),
  );
export const raw = (db: Knex, fragment: Sql) => db.raw(fragment.text, fragment.bindings as Knex.RawBinding[]);
export const rawArgs = (fragment: Sql): [string, Knex.RawBinding[]] => [
  `(${fragment.text})`,
  fragment.bindings as Knex.RawBinding[],
];

/**
 * `column` starts with `prefix` (already folded), written as a range of the byte order (~>=~, ~<~)
 * rather than LIKE 'x%'. Under row-level security PostgreSQL only lets leakproof operators drive an
 * index scan, and LIKE is not leakproof: it would read every index entry of the store and filter.
 */
export function startsWith(column: string, prefix: string): Sql {
  const col = new Sql(column, []);
  const upper = prefixUpperBound(prefix);
  return upper === undefined ? sql`${col} ~>=~ ${prefix}` : sql`(${col} ~>=~ ${prefix} and ${col} ~<~ ${upper})`;
}

/** Folds strings the way the stored *_folded columns are folded (patron_fold), in one round trip. */
export function foldQuery(db: Knex, texts: string[]): Knex.Raw {
  return db.raw(`select patron_fold(t) as folded from unnest(?::text[]) with ordinality as x(t, n) order by n`, [
    texts,
  ]);
}

/**
 * The WHERE conditions of `customers as c` for a scope and its filters. Written as SQL text, not with
 * the knex builder: identifier searches and lists are on the counter's hot path, and compiling a
 * builder costs more than the index lookup.
 */
export function filterConditions(scope: SearchScope, f: SearchFilters): Sql {
  const parts = [
    sql`c.organization_id = ${scope.orgId}`,
    sql`c.store_id = ${scope.storeId}`,
    sql`c.status in (${join(
      f.statuses.map((status) => sql`${status}`),
      ', ',
    )})`,
  ];
  // Names: prefixes, ignoring case and accents (the filter folded like the stored columns).
  if (f.firstNamePrefix !== undefined) parts.push(startsWith('c.first_name_folded', f.firstNamePrefix));
  if (f.lastNamePrefix !== undefined) parts.push(startsWith('c.last_name_folded', f.lastNamePrefix));
  if (f.email !== undefined) parts.push(sql`c.email = ${f.email}`);
  if (f.phone !== undefined) parts.push(sql`c.phone = ${f.phone}`);
  if (f.phoneLast4 !== undefined) parts.push(sql`c.phone is not null and c.phone_last4 = ${f.phoneLast4}`);
  if (f.driversLicenseBidx !== undefined) parts.push(sql`c.drivers_license_bidx = ${f.driversLicenseBidx}`);
  if (f.birthday !== undefined) parts.push(sql`c.birthday = ${f.birthday}`);
  if (f.updatedSince !== undefined) parts.push(sql`c.updated_at >= ${f.updatedSince}`);
  if (f.tag !== undefined) {
    parts.push(sql`exists (select 1 from customer_tags as t where t.customer_id = c.id
                      and t.organization_id = ${scope.orgId} and t.store_id = ${scope.storeId}
                      and lower(t.label) = lower(${f.tag}))`);
  }
  return join(parts, ' and ');
}

export function filtered(db: Knex, scope: SearchScope, f: SearchFilters): Knex.QueryBuilder {
  return db('customers as c').whereRaw(...rawArgs(filterConditions(scope, f)));
}

/** A plain list in creation order (no q). */
export function listCustomersQuery(
  db: Knex,
  scope: SearchScope,
  filters: SearchFilters,
  limit: number,
  after?: ListAfter,
): Knex.Raw {
  const keyset = after ? sql` and (c.created_at, c.id) > (${after.at}::timestamptz, ${after.id}::uuid)` : sql``;
  return raw(
    db,
    sql`select c.*, ${new Sql(cursorTimestamp('c.created_at'), [])} from customers as c
         where ${filterConditions(scope, filters)}${keyset}
         order by c.created_at asc, c.id asc limit ${limit + 1}`,
  );
}

/** Wraps a scored inner query: keyset on (score desc, id), one row more than the page. */
export function ranked(db: Knex, inner: Knex.QueryBuilder, limit: number, after?: SearchAfter): Knex.QueryBuilder {
  const q = db
    .select('*')
    .from(inner.as('r'))
    .orderBy([
      { column: 'r.score', order: 'desc' },
      { column: 'r.id', order: 'asc' },
    ])
    .limit(limit + 1);
  if (after)
    q.whereRaw('(r.score < ?::float8 or (r.score = ?::float8 and r.id > ?::uuid))', [
      after.score,
      after.score,
      after.id,
    ]);
  return q;
}

/** q that was an email, phone, last four digits, licence or birthday: straight to the btree indexes. */
export function identifierSearchQuery(
  db: Knex,
  scope: SearchScope,
  filters: SearchFilters,
  conditions: IdentifierCondition[],
  limit: number,
  after?: SearchAfter,
): Knex.Raw {
  // phone_last4's index is partial (phone is not null): say so, or the planner cannot use it.
  const hits = conditions.map((c) =>
    c.column === 'phone_last4'
      ? sql`(c.phone is not null and c.phone_last4 = ${c.value})`
      : sql`c.${new Sql(c.column, [])} = ${c.value}`,
  );
  // The first condition that holds names the match; each is an exact index lookup, so all score 1.
  const field = join(
    conditions.map((c, i) => sql`when ${hits[i]} then ${c.field}`),
    ' ',
  );
  const method = join(
    conditions.map((c, i) => sql`when ${hits[i]} then ${c.method}`),
    ' ',
  );
  const keyset = after
    ? sql` where (r.score < ${after.score}::float8 or (r.score = ${after.score}::float8 and r.id > ${after.id}::uuid))`
    : sql``;
  // As ranked() writes it: keyset on (score desc, id), one row more than the page.
  return raw(
    db,
    sql`select * from (select c.*, 1.0::float8 as score, (case ${field} end)::text as match_field,
                              (case ${method} end)::text as match_method
                         from customers as c
                        where ${filterConditions(scope, filters)} and (${join(hits, ' or ')})) as r${keyset}
         order by r.score desc, r.id asc limit ${limit + 1}`,
  );
}
