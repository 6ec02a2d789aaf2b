import type { Knex } from 'knex';
import { cursorTimestamp } from '../pagination.js';
import { normaliseName } from './customer-normalise.js';
import { escapeLike, type NameProbe } from './search-query-rules.js';

// The SQL of customer search and lists. Builders take a knex instance or transaction and return the query
// unexecuted, so bench/search can run the very same SQL straight against PostgreSQL.

export interface SearchScope {
  orgId: string;
  storeId: string;
}

/** Explicit filters, already normalised (email lower-case, phone E.164, licence as its blind index). */
export interface SearchFilters {
  statuses: string[];
  firstName?: string;
  lastName?: string;
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

/**
 * How wide a name search casts its net. Thresholds are pg_trgm's: `%` keeps rows whose folded full name
 * has at least `similarity` trigram similarity with the query, `%>` rows where some part of the name is
 * at least `wordSimilarity` like it. `wordChannels` adds rows whose first or last name equals a word of
 * the query exactly, so a query with both typos in one word still finds the other word's people.
 */
export interface NameTier {
  similarity: number;
  wordSimilarity: number;
  wordChannels: boolean;
}

/** Keyset positions: lists by (created_at, id) ascending, searches by (score desc, id asc). */
export type ListAfter = { at: string; id: string };
export type SearchAfter = { score: string; id: string };

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
const join = (parts: Sql[], separator: string) =>
  new Sql(
    parts.map((p) => p.text).join(separator),
    parts.flatMap((p) => p.bindings),
  );
const raw = (db: Knex, fragment: Sql) => db.raw(fragment.text, fragment.bindings as Knex.RawBinding[]);

function filtered(db: Knex, scope: SearchScope, f: SearchFilters): Knex.QueryBuilder {
  const q = db('customers as c')
    .where('c.organization_id', scope.orgId)
    .andWhere('c.store_id', scope.storeId)
    .whereIn('c.status', f.statuses);
  // Names: prefix, ignoring case and accents (the folded columns, the query folded the same way).
  if (f.firstName !== undefined)
    q.whereRaw(`c.first_name_folded like patron_fold(?) || '%'`, [escapeLike(normaliseName(f.firstName))]);
  if (f.lastName !== undefined)
    q.whereRaw(`c.last_name_folded like patron_fold(?) || '%'`, [escapeLike(normaliseName(f.lastName))]);
  if (f.email !== undefined) q.andWhere('c.email', f.email);
  if (f.phone !== undefined) q.andWhere('c.phone', f.phone);
  if (f.phoneLast4 !== undefined) q.whereNotNull('c.phone').andWhere('c.phone_last4', f.phoneLast4);
  if (f.driversLicenseBidx !== undefined) q.andWhere('c.drivers_license_bidx', f.driversLicenseBidx);
  if (f.birthday !== undefined) q.andWhere('c.birthday', f.birthday);
  if (f.updatedSince !== undefined) q.andWhere('c.updated_at', '>=', f.updatedSince);
  if (f.tag !== undefined) {
    const tag = f.tag;
    q.whereExists((sub) =>
      sub
        .select(db.raw('1'))
        .from('customer_tags as t')
        .whereRaw('t.customer_id = c.id')
        .andWhere('t.organization_id', scope.orgId)
        .andWhere('t.store_id', scope.storeId)
        .andWhereRaw('lower(t.label) = lower(?)', [tag]),
    );
  }
  return q;
}

/** A plain list in creation order (no q). */
export function listCustomersQuery(
  db: Knex,
  scope: SearchScope,
  filters: SearchFilters,
  limit: number,
  after?: ListAfter,
): Knex.QueryBuilder {
  const q = filtered(db, scope, filters)
    .select('c.*', db.raw(cursorTimestamp('c.created_at')))
    .orderBy([
      { column: 'c.created_at', order: 'asc' },
      { column: 'c.id', order: 'asc' },
    ])
    .limit(limit + 1);
  if (after) q.whereRaw('(c.created_at, c.id) > (?::timestamptz, ?::uuid)', [after.at, after.id]);
  return q;
}

/** Wraps a scored inner query: keyset on (score desc, id), one row more than the page. */
function ranked(db: Knex, inner: Knex.QueryBuilder, limit: number, after?: SearchAfter): Knex.QueryBuilder {
  const q = db
    .select('*')
    .from(inner.as('r'))
    .orderBy([
      { column: 'r.score', order: 'desc' },
      { column: 'r.id', order: 'asc' },
    ])
    .limit(limit + 1);
  if (after)
    q.whereRaw('(r.score < ?::numeric or (r.score = ?::numeric and r.id > ?::uuid))', [
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
): Knex.QueryBuilder {
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
  const inner = filtered(db, scope, filters)
    .select(
      'c.*',
      db.raw('1.0000::numeric as score'),
      raw(db, sql`(case ${field} end)::text as match_field`),
      raw(db, sql`(case ${method} end)::text as match_method`),
    )
    .whereRaw(...rawArgs(join(hits, ' or ')));
  return ranked(db, inner, limit, after);
}

const rawArgs = (fragment: Sql): [string, Knex.RawBinding[]] => [
  `(${fragment.text})`,
  fragment.bindings as Knex.RawBinding[],
];

/**
 * The pg_trgm thresholds of a tier, for this transaction only (set_config(…, true)). `%` and `%>` read
 * them when the index is scanned; they are not operator arguments.
 */
export function nameTierSettings(tier: NameTier): Sql {
  return sql`select set_config('pg_trgm.similarity_threshold', ${String(tier.similarity)}, true),
                    set_config('pg_trgm.word_similarity_threshold', ${String(tier.wordSimilarity)}, true)`;
}

const FULL = new Sql('c.full_name_folded', []);
const FIRST = new Sql('c.first_name_folded', []);
const LAST = new Sql('c.last_name_folded', []);
const REVERSED = new Sql(`(coalesce(c.last_name_folded, '') || ' ' || coalesce(c.first_name_folded, ''))`, []);

const PREFIX_SCORE = 'coalesce(0.5 + 0.45 * m.prefix_cover, 0)';
const FUZZY_SCORE = '0.95 * greatest(m.fuzzy, 0)';

const folded = (text: string) => sql`patron_fold(${text})`;
const prefixOf = (text: string) => sql`(patron_fold(${escapeLike(text)}) || '%')`;
// 1 for equal strings, 0 when every character differs; levenshtein() takes at most 255 characters.
const editSimilarity = (a: Sql, b: Sql) =>
  sql`(1.0 - levenshtein(left(${a}, 255), left(${b}, 255))::numeric / greatest(char_length(${a}), char_length(${b}), 1))`;

/**
 * Name search. Candidates come from indexes only: trigram similarity of the whole name (word order does
 * not change a trigram set, so "Núñez Ana" finds Ana Núñez), word similarity (a query that is part of the
 * name), prefixes of first, last and full name, and in the wide tier exact first or last names. Each
 * candidate is scored in [0, 1]:
 * - exact: the folded query equals the full name in either order (or, for one word, the first or last name);
 * - prefix: 0.5 + 0.45 × how much of the name the query covers;
 * - fuzzy: 0.95 × (0.3 × trigram similarity + 0.7 × edit similarity to the name in the nearer order).
 * Scores are rounded to 4 places so the keyset compares exactly what the cursor carries.
 */
export function nameSearchQuery(
  db: Knex,
  scope: SearchScope,
  filters: SearchFilters,
  probe: NameProbe,
  tier: NameTier,
  limit: number,
  after?: SearchAfter,
): Knex.QueryBuilder {
  const { text, tokens } = probe;
  const Q = folded(text);
  const QP = prefixOf(text);
  const single = tokens.length === 1;

  const candidates: Sql[] = [sql`${FULL} % ${Q}`, sql`${FULL} %> ${Q}`, sql`${FULL} like ${QP}`];
  let exact: Sql;
  let prefix: Sql;
  let fuzzy: Sql;
  let exactField: Sql;
  if (single) {
    candidates.push(sql`${FIRST} like ${QP}`, sql`${LAST} like ${QP}`);
    if (tier.wordChannels) candidates.push(sql`${FIRST} = ${Q}`, sql`${LAST} = ${Q}`);
    exact = sql`(${FIRST} = ${Q} or ${LAST} = ${Q})`;
    exactField = sql`(case when ${FIRST} = ${Q} then 'firstName' else 'lastName' end)`;
    prefix = sql`greatest(case when ${FIRST} like ${QP} then char_length(${Q})::numeric / char_length(${FIRST}) end,
                          case when ${LAST} like ${QP} then char_length(${Q})::numeric / char_length(${LAST}) end)`;
    fuzzy = sql`(0.3 * word_similarity(${Q}, ${FULL})::numeric
                 + 0.7 * greatest(${editSimilarity(FIRST, Q)}, ${editSimilarity(LAST, Q)}))`;
  } else {
    const [a, b] = [tokens[0], tokens.slice(1).join(' ')];
    const [c, d] = [tokens[tokens.length - 1], tokens.slice(0, -1).join(' ')];
    const forward = sql`(${FIRST} like ${prefixOf(a)} and ${LAST} like ${prefixOf(b)})`;
    const swapped = sql`(${FIRST} like ${prefixOf(c)} and ${LAST} like ${prefixOf(d)})`;
    candidates.push(forward, swapped);
    if (tier.wordChannels) {
      for (const token of tokens) candidates.push(sql`${FIRST} = ${folded(token)}`, sql`${LAST} = ${folded(token)}`);
    }
    exact = sql`(${FULL} = ${Q} or ${REVERSED} = ${Q})`;
    exactField = new Sql(`'name'`, []);
    prefix = sql`(case when ${FULL} like ${QP} or ${REVERSED} like ${QP} or ${forward} or ${swapped}
                       then least(char_length(${Q})::numeric / greatest(char_length(${FULL}), 1), 1) end)`;
    fuzzy = sql`(0.3 * similarity(${FULL}, ${Q})::numeric
                 + 0.7 * greatest(${editSimilarity(FULL, Q)}, ${editSimilarity(REVERSED, Q)}))`;
  }

  const inner = db
    .select('m.*')
    .select(
      db.raw(`round(case when m.is_exact then 1 else greatest(${PREFIX_SCORE}, ${FUZZY_SCORE}) end, 4) as score`),
      db.raw(`case when m.is_exact then m.exact_field
                   when ${PREFIX_SCORE} >= ${FUZZY_SCORE} then m.prefix_field
                   else 'name' end as match_field`),
      db.raw(
        `case when m.is_exact then 'exact' when ${PREFIX_SCORE} >= ${FUZZY_SCORE} then 'prefix' else 'fuzzy' end as match_method`,
      ),
    )
    .from(
      filtered(db, scope, filters)
        .select(
          'c.*',
          raw(db, sql`${exact} as is_exact`),
          raw(db, sql`${exactField} as exact_field`),
          raw(db, sql`${prefix} as prefix_cover`),
          raw(
            db,
            single
              ? sql`(case when ${FIRST} like ${QP} then 'firstName' when ${LAST} like ${QP} then 'lastName' else 'name' end) as prefix_field`
              : sql`'name'::text as prefix_field`,
          ),
          raw(db, sql`${fuzzy} as fuzzy`),
        )
        .whereRaw(...rawArgs(join(candidates, ' or ')))
        .as('m'),
    );
  return ranked(db, inner, limit, after);
}
