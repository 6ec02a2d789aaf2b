import type { Knex } from 'knex';
import { AppError } from '../../config/errors.js';
import type { ServiceContext } from '../context.js';
import { blindIndex } from '../crypto/field-encryption.js';
import type { Db } from '../knex.js';
import type { Page } from '../pagination.js';
import {
  findReachableStoreFast,
  reachableStoreOf,
  reachableStoreStatement,
  type StoreAccess,
  type StoreReach,
} from '../stores/store-access.js';
import { tenantQueries, type QueryStatement } from '../tenant.js';
import { customerMetrics } from './customer-metrics.js';
import { fingerprint, pageOf, readCursor } from './customer-search-cursor.js';
import { customerFromRow, type Customer, type CustomerStatus } from './customer-model.js';
import { normaliseEmail, normaliseIdNumber, normaliseName, normalisePhone } from './customer-normalise.js';
import { relatedFromRow, withRelated } from './customer-related-repository.js';
import { nameSearchQuery, nameTierSettings, type NameTier } from './customer-search-name-repository.js';
import {
  foldQuery,
  identifierSearchQuery,
  listCustomersQuery,
  type IdentifierCondition,
  type MatchMethod,
  type SearchFilters,
  type SearchScope,
} from './customer-search-repository.js';
import { planSearch, type SearchKind, type SearchPlan, type SearchProbe } from './search-query-rules.js';

export interface SearchParams {
  q?: string;
  firstName?: string;
  lastName?: string;
  email?: string;
  phone?: string;
  driversLicense?: string;
  birthday?: string;
  tag?: string;
  status?: CustomerStatus[];
  updatedSince?: Date;
  limit: number;
  cursor?: string;
}

export interface SearchMatch {
  field: string;
  method: MatchMethod;
  score: number;
}

export interface SearchHit {
  customer: Customer;
  /** How q matched; null in a plain list (no q). */
  match: SearchMatch | null;
}

export const DEFAULT_STATUSES: CustomerStatus[] = ['active', 'inactive'];

/**
 * Name search tiers (see NameTier). The narrow one answers nearly every query from index-only scans;
 * when its best candidate is not convincing (typos in every word, or in the only word), the wide one
 * adds edit-distance and trigram channels. The tier is chosen on the first page and carried in the cursor, so every page
 * of one search ranks the same candidate set.
 */
export const NAME_TIERS: NameTier[] = [
  { wide: false, similarity: 0, wordSimilarity: 0 },
  { wide: true, similarity: 0.3, wordSimilarity: 0.5 },
];
/** A narrow-tier best score below this sends the search to the wide tier (one typo in 8 letters scores 0.83). */
export const CONVINCING_SCORE = 0.7;

type Row = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any

function invalid(path: string, message: string): AppError {
  return new AppError('validation_failed', `${path} ${message}`, { details: [{ path, message }] });
}

/**
 * Explicit filters in their stored form; a phone that does not parse for the store is a 400. The name
 * prefixes are folded in PostgreSQL by runSearch.
 */
export function searchFilters(params: SearchParams, storeCountry: string): SearchFilters {
  const filters: SearchFilters = { statuses: params.status?.length ? params.status : DEFAULT_STATUSES };
  if (params.email !== undefined) filters.email = normaliseEmail(params.email);
  if (params.phone !== undefined) {
    if (/^\d{4}$/.test(params.phone.trim())) filters.phoneLast4 = params.phone.trim();
    else {
      const phone = normalisePhone(params.phone, storeCountry);
      if ('error' in phone) throw invalid('query.phone', phone.error);
      filters.phone = phone.value;
    }
  }
  if (params.driversLicense !== undefined) {
    const number = normaliseIdNumber(params.driversLicense);
    if (!number) throw invalid('query.driversLicense', 'must contain letters or digits');
    filters.driversLicenseBidx = blindIndex('drivers_license', number);
  }
  if (params.birthday !== undefined) filters.birthday = params.birthday;
  if (params.tag !== undefined) filters.tag = params.tag;
  if (params.updatedSince !== undefined) filters.updatedSince = params.updatedSince;
  return filters;
}

export function identifierConditions(probes: SearchProbe[]): IdentifierCondition[] {
  return probes.flatMap((p): IdentifierCondition[] => {
    switch (p.kind) {
      case 'email':
        return [{ field: 'email', method: 'exact', column: 'email', value: p.email }];
      case 'phone':
        return [{ field: 'phone', method: 'exact', column: 'phone', value: p.phone }];
      case 'phone_last4':
        return [{ field: 'phone', method: 'suffix', column: 'phone_last4', value: p.last4 }];
      case 'birthday':
        return [{ field: 'birthday', method: 'exact', column: 'birthday', value: p.birthday }];
      case 'licence':
        return [
          {
            field: 'driversLicense',
            method: 'exact',
            column: 'drivers_license_bidx',
            value: blindIndex('drivers_license', p.number),
          },
          {
            field: 'medicalCard',
            method: 'exact',
            column: 'medical_card_bidx',
            value: blindIndex('medical_card', p.number),
          },
        ];
      case 'name':
        return [];
    }
  });
}

// --- The search itself. ---

export interface SearchRun {
  kind: SearchKind | 'list';
  rows: Row[];
  nextCursor: string | null;
}

/**
 * Runs a built statement on a transaction (tests, bench/search over plain pg) or as one message (the
 * service). The hint says what an executor of messages must know: a page query's order (over `x`), so
 * it can fold the related rows in; transaction-local settings, to send with the statement that follows;
 * whether the statement's plan may be reused (equality lookups: an identifier search).
 */
export type Execute = (
  statement: Knex.QueryBuilder | Knex.Raw,
  hint?: { pageOrder?: string; localSettings?: boolean; reusePlan?: boolean },
) => Promise<Row[]>;

const LIST_ORDER = 'x.created_at asc, x.id asc';
const SEARCH_ORDER = 'x.score desc, x.id asc';

const onKnex: Execute = async (statement) => {
  const result = await statement;
  return Array.isArray(result) ? result : result.rows;
};

/**
 * The narrow tier's best row is not convincing: try the wide tier (first page only). A query that is
 * the start of a name ("m", "ma") is what the person meant to type, however short; only a fuzzy best
 * match below CONVINCING_SCORE, or nothing at all, suggests typos the narrow tier cannot reach.
 */
export function needsWiderTier(rows: Row[], tier: number): boolean {
  if (tier + 1 >= NAME_TIERS.length) return false;
  const best = rows[0];
  if (!best) return true;
  return best.match_method === 'fuzzy' && Number(best.score) < CONVINCING_SCORE;
}

/** Folds texts with patron_fold in one round trip (none when there is nothing to fold). */
async function foldTexts(db: Knex, execute: Execute, texts: Array<string | undefined>) {
  const given = texts.flatMap((t) => (t === undefined ? [] : [normaliseName(t)]));
  if (given.length === 0) return texts.map(() => undefined);
  const rows = await execute(foldQuery(db, given));
  let i = 0;
  return texts.map((t) => (t === undefined ? undefined : String(rows[i++].folded)));
}

export function planOf(params: SearchParams, country: string): SearchPlan | undefined {
  const q = params.q?.trim();
  return q ? planSearch(q, country) : undefined;
}

/**
 * Runs one search on an open transaction and returns the raw rows of the page. `db` builds the
 * statements; `execute` runs them (on `db` unless told otherwise).
 */
export async function runSearch(
  db: Knex,
  scope: SearchScope & { country: string },
  params: SearchParams,
  execute: Execute = onKnex,
  plan: SearchPlan | undefined = planOf(params, scope.country),
): Promise<SearchRun> {
  const filters = searchFilters(params, scope.country);
  const print = fingerprint({ ...params });
  const q = params.q?.trim();
  const name = plan?.probes.find((p) => p.kind === 'name');

  // Everything compared with a folded column is folded first, by PostgreSQL, in one round trip.
  const [firstName, lastName, nameText, ...nameTokens] = await foldTexts(db, execute, [
    params.firstName,
    params.lastName,
    name?.text,
    ...(name?.tokens ?? []),
  ]);
  if (firstName !== undefined) filters.firstNamePrefix = firstName;
  if (lastName !== undefined) filters.lastNamePrefix = lastName;

  if (!q || !plan) {
    const after = params.cursor ? readCursor(params.cursor, print, 'list', NAME_TIERS.length) : undefined;
    const rows = await execute(
      listCustomersQuery(db, scope, filters, params.limit, after?.mode === 'list' ? after : undefined),
      { pageOrder: LIST_ORDER },
    );
    return { kind: 'list', ...pageOf(rows, params.limit, (r) => ['l', print, r.cursor_at, r.id]) };
  }
  const after = params.cursor ? readCursor(params.cursor, print, 'search', NAME_TIERS.length) : undefined;
  const position = after?.mode === 'search' ? after : undefined;
  const searchKey = (tier: number) => (r: Row) => ['s', print, tier, r.score, r.id];

  if (!name) {
    const conditions = identifierConditions(plan.probes);
    const rows = await execute(identifierSearchQuery(db, scope, filters, conditions, params.limit, position), {
      pageOrder: SEARCH_ORDER,
      reusePlan: filters.firstNamePrefix === undefined && filters.lastNamePrefix === undefined,
    });
    return { kind: plan.kind, ...pageOf(rows, params.limit, searchKey(0)) };
  }
  const foldedName = { text: nameText ?? '', tokens: nameTokens.filter((t): t is string => Boolean(t)) };
  // Input that folds to nothing (only combining marks, say) names nobody.
  if (!foldedName.text || foldedName.tokens.length === 0) return { kind: 'name', rows: [], nextCursor: null };
  let tier = position?.tier ?? 0;
  const run = async () => {
    const settings = nameTierSettings(NAME_TIERS[tier]);
    if (settings) await execute(db.raw(settings.text, settings.bindings as Knex.RawBinding[]), { localSettings: true });
    return execute(nameSearchQuery(db, scope, filters, foldedName, NAME_TIERS[tier], params.limit, position), {
      pageOrder: SEARCH_ORDER,
    });
  };
  let rows = await run();
  if (!position && needsWiderTier(rows, tier)) {
    tier += 1;
    rows = await run();
  }
  return { kind: 'name', ...pageOf(rows, params.limit, searchKey(tier)) };
}

/** One page of a store's customers: a list, or a search when q is given; `guard` rides in its first message. */
async function searchStore(
  db: Db,
  ctx: ServiceContext,
  store: { id: string; country: string },
  params: SearchParams,
  guard?: QueryStatement,
): Promise<{ page: Page<SearchHit>; guardRows: Row[] }> {
  const started = process.hrtime.bigint();
  const scope = { orgId: ctx.orgId, storeId: store.id, country: store.country };
  const plan = planOf(params, store.country);
  const { kind, hits, nextCursor, guardRows } = await searchInMessages(db, scope, params, plan, guard);
  customerMetrics.searchDuration.observe({ kind }, Number(process.hrtime.bigint() - started) / 1e9);
  return { page: { data: hits, nextCursor }, guardRows };
}

/** Store countries this process has seen reachable (bounded): they only let a search plan early. */
const storeCountries = new Map<string, string>();
const STORE_COUNTRIES_MAX = 10_000;

function rememberCountry(store: StoreAccess): void {
  if (storeCountries.size >= STORE_COUNTRIES_MAX) storeCountries.clear();
  storeCountries.set(store.id, store.country);
}

/**
 * GET /stores/:storeId/customers, for a store whose reachability is not checked yet: the check travels in the search's
 * first message, so a counter search is one round trip. The query is planned with the store's country as
 * last seen (a phone parses by it); if the check answers another country the search runs again with it.
 * Undefined when the caller cannot reach the store, whatever the search found.
 */
export async function searchReachableStore(
  db: Db,
  ctx: ServiceContext,
  storeId: string,
  reach: StoreReach,
  params: SearchParams,
): Promise<Page<SearchHit> | undefined> {
  const country = storeCountries.get(storeId);
  if (country !== undefined) {
    const guard = reachableStoreStatement(ctx.orgId, storeId, reach);
    const { page, guardRows } = await searchStore(db, ctx, { id: storeId, country }, params, guard);
    const store = reachableStoreOf(guardRows);
    if (!store) {
      storeCountries.delete(storeId);
      return undefined;
    }
    rememberCountry(store);
    if (store.country === country) return page;
    return (await searchStore(db, ctx, store, params)).page;
  }
  const store = await findReachableStoreFast(db, ctx.orgId, storeId, reach);
  if (!store) return undefined;
  rememberCountry(store);
  return (await searchStore(db, ctx, store, params)).page;
}

const matchOf = (kind: SearchRun['kind'], r: Row): SearchMatch | null =>
  kind === 'list' ? null : { field: r.match_field, method: r.match_method as MatchMethod, score: Number(r.score) };

/**
 * Every statement of the search as one message with the tenant setting: one round trip and one implicit
 * transaction each, no BEGIN or COMMIT. The page comes with its related rows folded in. An identifier
 * search or a plain list is one round trip; a name search two (fold, then search), three when it widens —
 * the wide tier's settings travel in the message of the query they are for. A `guard` statement rides in
 * the first message; its rows come back as `guardRows`.
 */
async function searchInMessages(
  db: Db,
  scope: SearchScope & { country: string },
  params: SearchParams,
  plan: SearchPlan | undefined,
  guard?: QueryStatement,
) {
  let settings: QueryStatement | undefined;
  let pendingGuard = guard;
  let guardRows: Row[] = [];
  const execute: Execute = async (statement, hint) => {
    const built = hint?.pageOrder ? withRelated(db, scope.storeId, statement, hint.pageOrder) : statement;
    const { sql, bindings } = built.toSQL().toNative();
    if (hint?.localSettings) {
      settings = { sql, params: bindings };
      return [];
    }
    const before = [pendingGuard, settings].filter((s): s is QueryStatement => s !== undefined);
    settings = undefined;
    const results = await tenantQueries(db, { orgId: scope.orgId }, [
      ...before,
      { sql, params: bindings, reusePlan: hint?.reusePlan },
    ]);
    if (pendingGuard) guardRows = results[0]!;
    pendingGuard = undefined;
    return results[results.length - 1]!;
  };
  const result = await runSearch(db, scope, params, execute, plan);
  const hits = result.rows.map((r): SearchHit => ({
    customer: customerFromRow(r, relatedFromRow(r)),
    match: matchOf(result.kind, r),
  }));
  return { kind: result.kind, hits, nextCursor: result.nextCursor, guardRows };
}
