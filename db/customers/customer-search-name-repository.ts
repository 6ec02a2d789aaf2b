import type { Knex } from 'knex';
import {
  filtered,
  join,
  ranked,
  raw,
  Sql,
  sql,
  startsWith,
  type SearchAfter,
  type SearchFilters,
  type SearchScope,
} from './customer-search-repository.js';
import { escapeLike } from './search-query-rules.js';

/**
 * How wide a name search casts its net.
 * - The narrow tier takes the customers whose first or last name starts with a word of the query. A
 *   name typed with one typo still has one word intact, so its person is among them; these come from
 *   index-only scans of two covering btree indexes: even "Maria" in a store of 50k costs no heap read.
 * - The wide tier, for typos in every word (or in the only word), adds per word the first or last names
 *   that start with the word's first letter and lie within one or two edits of it (still index-only:
 *   the edit distance is checked on the index tuples), and pg_trgm channels over the folded full name
 *   (`%`: trigram similarity ≥ `similarity`; for a single word `%>`: word similarity ≥
 *   `wordSimilarity`), which also catch a typo in a first letter. The trigram channels read the heap
 *   for every candidate, so the wide tier only runs when the narrow one found nothing convincing.
 */
export interface NameTier {
  wide: boolean;
  similarity: number;
  wordSimilarity: number;
}

/**
 * The pg_trgm thresholds of the wide tier, for this transaction only. `%` and `%>` read them while the
 * index is scanned; they are not operator arguments. JIT is off too: these queries are short, and the
 * planner's estimates for trigram scans can cross jit_above_cost, which would add compile time.
 */
export function nameTierSettings(tier: NameTier): Sql | undefined {
  if (!tier.wide) return undefined;
  return sql`select set_config('pg_trgm.similarity_threshold', ${String(tier.similarity)}, true),
                    set_config('pg_trgm.word_similarity_threshold', ${String(tier.wordSimilarity)}, true),
                    set_config('jit', 'off', true)`;
}

/**
 * A name query, already folded by patron_fold (one round trip before the search): values, not
 * patron_fold() calls, so the planner has nothing to evaluate — dozens of constant folds of a SQL
 * function cost more planning time than the rest of the query.
 */
export interface FoldedName {
  text: string;
  tokens: string[];
}

const value = (v: string) => sql`${v}`;
const prefixOf = (text: string) => sql`${escapeLike(text) + '%'}`;
const charLength = (text: string) => new Sql(String([...text].length), []);

// The candidate's folded names; the full name rebuilt from them equals full_name_folded (folding works
// character by character), which keeps the scoring inside the covering indexes.
const F = new Sql('cand.f', []);
const L = new Sql('cand.l', []);
const FULL = new Sql(`(coalesce(cand.f, '') || ' ' || coalesce(cand.l, ''))`, []);
const REVERSED = new Sql(`(coalesce(cand.l, '') || ' ' || coalesce(cand.f, ''))`, []);

// Edit distances stop counting past MAX_EDITS (levenshtein_less_equal then answers "more"): a name that
// far from the query scores 0 on this count whatever its length. levenshtein takes at most 255 characters.
const MAX_EDITS = 4;
const distance = (a: Sql, b: Sql, max = MAX_EDITS) =>
  sql`levenshtein_less_equal(left(${a}, 255), left(${b}, 255), ${new Sql(String(max), [])})`;
/** 1 for equal strings, 1 − edits / length for a few edits, 0 beyond MAX_EDITS. */
const similarityOf = (d: string, targetLength: string, queryLength: string) =>
  `(case when ${d} > ${MAX_EDITS} then 0.0::float8
         else 1.0::float8 - ${d}::float8 / greatest(${targetLength}, ${queryLength}, 1) end)`;

/** Words worth a channel: one letter would bring in a twentieth of the store, and adds nothing to its neighbours. */
function channelWords(tokens: string[]): string[] {
  const words = tokens.length === 1 ? tokens : tokens.filter((t) => [...t].length >= 2);
  return [...new Set(words)];
}

/** How many edits the wide tier forgives in one word: one in short words, two (a transposition) in longer. */
const editsForgiven = (word: string) => ([...word].length <= 3 ? 1 : 2);

function channels(scope: SearchScope, filters: SearchFilters, probe: FoldedName, tier: NameTier): Sql[] {
  const out: Sql[] = [];
  const words = channelWords(probe.tokens);
  for (const word of words) {
    out.push(startsWith('c.first_name_folded', word), startsWith('c.last_name_folded', word));
  }
  if (!tier.wide) return out;
  for (const word of words) {
    const initial = [...word][0];
    if (!/\p{L}/u.test(initial)) continue;
    const W = value(word);
    const k = editsForgiven(word);
    for (const column of ['c.first_name_folded', 'c.last_name_folded']) {
      const col = new Sql(column, []);
      out.push(sql`(${startsWith(column, initial)} and ${distance(col, W, k)} <= ${new Sql(String(k), [])})`);
    }
  }
  // pg_trgm operators are not leakproof either, so under row-level security they cannot use the GIN
  // index from here; a security-definer function (see the migration) runs them for the current tenant.
  out.push(
    sql`c.id in (select t.id from patron_customer_name_trigram(${scope.storeId}::uuid, ${filters.statuses}::text[], ${probe.text}, ${probe.tokens.length === 1}) t)`,
  );
  return out;
}

interface Scoring {
  isExact: Sql;
  exactField: Sql;
  prefixCover: Sql;
  prefixField: Sql;
  /** Edit distances to the query (computed only for names neither equal to it nor prefixed by it) … */
  distances: Sql[];
  /** … and the strings they were measured on. */
  targets: Sql[];
  /** Share of the query's words that start a word of the name, for names too far for edit distance. */
  words: Sql;
}

function scoring(probe: FoldedName): Scoring {
  const { text, tokens } = probe;
  const Q = value(text);
  const QP = prefixOf(text);
  const QL = charLength(text);
  if (tokens.length === 1) {
    return {
      isExact: sql`(${F} = ${Q} or ${L} = ${Q})`,
      exactField: sql`(case when ${F} = ${Q} then 'firstName' else 'lastName' end)`,
      prefixCover: sql`greatest(case when ${F} like ${QP} then ${QL}::float8 / char_length(${F}) end,
                                case when ${L} like ${QP} then ${QL}::float8 / char_length(${L}) end)`,
      prefixField: sql`(case when ${F} like ${QP} then 'firstName' when ${L} like ${QP} then 'lastName' else 'name' end)`,
      distances: [distance(F, Q), distance(L, Q), distance(FULL, Q)],
      targets: [F, L, FULL],
      words: new Sql('0.0::float8', []),
    };
  }
  const [a, b] = [tokens[0], tokens.slice(1).join(' ')];
  const [c, d] = [tokens[tokens.length - 1], tokens.slice(0, -1).join(' ')];
  const forward = sql`(${F} like ${prefixOf(a)} and ${L} like ${prefixOf(b)})`;
  const swapped = sql`(${F} like ${prefixOf(c)} and ${L} like ${prefixOf(d)})`;
  return {
    isExact: sql`(${FULL} = ${Q} or ${REVERSED} = ${Q})`,
    exactField: new Sql(`'name'`, []),
    prefixCover: sql`(case when ${FULL} like ${QP} or ${REVERSED} like ${QP} or ${forward} or ${swapped}
                           then least(${QL}::float8 / greatest(char_length(${FULL}), 1), 1) end)`,
    prefixField: new Sql(`'name'`, []),
    distances: [distance(FULL, Q), distance(REVERSED, Q)],
    targets: [FULL, REVERSED],
    // "maria lopez" is far in edits from María García López, but both its words begin words of hers.
    words: sql`((${join(
      tokens.map((t) => sql`(case when (' ' || ${FULL}) like ${'% ' + escapeLike(t) + '%'} then 1 else 0 end)`),
      ' + ',
    )})::float8 / ${new Sql(String(tokens.length), [])})`,
  };
}

const PREFIX_SCORE = '(0.5 + 0.45 * s.prefix_cover)';

/**
 * Name search: candidates from the tier's channels (a UNION ALL, so each channel uses its own index), each
 * scored in [0, 1]:
 * - exact 1: the folded query equals the full name in either order (one word: the first or last name);
 * - prefix 0.5 + 0.45 × how much of the name the query covers ("mar" → María, "ana nu" → Ana Núñez);
 * - otherwise fuzzy: 0.95 × edit similarity to the name in the nearer order (1 − Levenshtein distance /
 *   length; 0 past 4 edits), so "jon smith" puts John Smith (0.86) above Jonathan Smith (prefix, 0.79);
 *   or, if more, 0.5 × the share of the query's words that begin a word of the name.
 * Scores are float8 rounded to 4 places: the cursor carries the same double (JSON numbers round-trip
 * exactly), so the keyset compares exactly. Only the page (limit + 1 rows) is read from the table.
 */
export function nameSearchQuery(
  db: Knex,
  scope: SearchScope,
  filters: SearchFilters,
  probe: FoldedName,
  tier: NameTier,
  limit: number,
  after?: SearchAfter,
): Knex.QueryBuilder {
  // UNION ALL of channels that each leave out what the earlier ones found: no duplicates to hash away.
  const found = channels(scope, filters, probe, tier);
  const union = found.map((channel, i) => {
    const earlier = i === 0 ? new Sql('false', []) : join(found.slice(0, i), ' or ');
    const only = sql`${channel} and (${earlier}) is not true`;
    return filtered(db, scope, filters)
      .select('c.id', 'c.first_name_folded as f', 'c.last_name_folded as l')
      .whereRaw(`(${only.text})`, only.bindings as Knex.RawBinding[]);
  });
  const s = scoring(probe);
  // Two levels, each kept apart with OFFSET 0 so PostgreSQL does not flatten them and copy an expression
  // into every place that reads it: first whether the name is the query or starts with it, then — only
  // for names that are neither — the edit distances.
  const matched = db
    .select(
      'cand.id',
      'cand.f',
      'cand.l',
      raw(db, sql`${s.isExact} as is_exact`),
      raw(db, sql`${s.exactField} as exact_field`),
      raw(db, sql`${s.prefixCover} as prefix_cover`),
      raw(db, sql`${s.prefixField} as prefix_field`),
    )
    .from(db.raw(`(${union.map(() => '?').join(' union all ')}) as cand`, union))
    .offset(0);
  const fuzzyOnly = (expr: Sql) => sql`(case when not cand.is_exact and cand.prefix_cover is null then ${expr} end)`;
  const measured = db
    .select(
      'cand.id',
      'cand.is_exact',
      'cand.exact_field',
      'cand.prefix_cover',
      'cand.prefix_field',
      raw(db, sql`${charLength(probe.text)} as query_length`),
      raw(db, sql`${fuzzyOnly(s.words)} as words`),
      ...s.distances.flatMap((d, i) => [
        raw(db, sql`${fuzzyOnly(d)} as d${new Sql(String(i), [])}`),
        raw(db, sql`char_length(${s.targets[i]}) as len${new Sql(String(i), [])}`),
      ]),
    )
    .from(matched.as('cand'))
    .offset(0);
  const fuzzy = `greatest(0.95 * coalesce(greatest(${s.distances
    .map((_, i) => similarityOf(`s.d${i}`, `s.len${i}`, 's.query_length'))
    .join(', ')}), 0), 0.5 * coalesce(s.words, 0))`;
  const scored = db
    .select(
      's.id',
      db.raw(`round((case when s.is_exact then 1 when s.prefix_cover is not null then ${PREFIX_SCORE}
                          else ${fuzzy} end) * 10000) / 10000 as score`),
      db.raw(`case when s.is_exact then s.exact_field when s.prefix_cover is not null then s.prefix_field
                   else 'name' end as match_field`),
      db.raw(`case when s.is_exact then 'exact' when s.prefix_cover is not null then 'prefix'
                   else 'fuzzy' end as match_method`),
    )
    .from(measured.as('s'));
  return db
    .select('c.*', 'p.score', 'p.match_field', 'p.match_method')
    .from(ranked(db, scored, limit, after).as('p'))
    .join('customers as c', 'c.id', 'p.id')
    .where('c.organization_id', scope.orgId)
    .andWhere('c.store_id', scope.storeId)
    .orderBy([
      { column: 'p.score', order: 'desc' },
      { column: 'p.id', order: 'asc' },
    ]);
}
