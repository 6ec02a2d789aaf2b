import { AppError } from '../../config/errors.js';
import type { ServiceContext } from '../context.js';
import type { Db } from '../knex.js';
import { decodeCursor, encodeCursor, type Page } from '../pagination.js';
import { withTenant } from '../tenant.js';
import { customerFromRow, type Customer } from './customer-model.js';
import { loadRelated } from './customer-related-repository.js';
import { findCustomerRowsByIds, findStorePairs } from './duplicate-repository.js';
import { isLikelyDuplicate, scorePair, type MatchEvidence } from './duplicate-rules.js';

export interface DuplicatePair {
  score: number;
  matchedOn: MatchEvidence[];
  /** The two customers, the older first (the natural survivor of a merge). */
  customers: [Customer, Customer];
}

interface ScoredPair {
  score: number;
  matchedOn: MatchEvidence[];
  ids: [string, string];
}

type PairKey = [number, string, string];

/** Score descending, then the pair's ids ascending: a total order, so pages never repeat or skip. */
function comparePairs(x: PairKey, y: PairKey): number {
  if (x[0] !== y[0]) return y[0] - x[0];
  if (x[1] !== y[1]) return x[1] < y[1] ? -1 : 1;
  return x[2] === y[2] ? 0 : x[2] < y[2] ? -1 : 1;
}

const keyOf = (p: ScoredPair): PairKey => [p.score, p.ids[0], p.ids[1]];

function afterKey(cursor: string | undefined): PairKey | undefined {
  if (!cursor) return undefined;
  const [score, a, b] = decodeCursor(cursor);
  if (typeof score !== 'number' || typeof a !== 'string' || typeof b !== 'string') {
    throw new AppError('validation_failed', 'cursor is not valid for this list', {
      details: [{ path: 'query.cursor', message: 'belongs to another list' }],
    });
  }
  return [score, a, b];
}

/**
 * Candidate duplicate pairs across the store, best first. Pairs come from one set-based query; they are
 * scored by the same rules as the create/edit check, and a page is cut after the cursor's key.
 */
export async function listDuplicatePairs(
  db: Db,
  ctx: ServiceContext,
  storeId: string,
  page: { limit: number; cursor?: string },
): Promise<Page<DuplicatePair>> {
  const after = afterKey(page.cursor);
  const scope = { orgId: ctx.orgId, storeId };
  return withTenant(db, { orgId: ctx.orgId }, async (trx) => {
    const scored: ScoredPair[] = [];
    for (const pair of await findStorePairs(trx, scope)) {
      const score = scorePair(pair.features);
      if (isLikelyDuplicate(score)) scored.push({ ...score, ids: pair.ids });
    }
    const remaining = (after ? scored.filter((p) => comparePairs(keyOf(p), after) > 0) : scored).sort((x, y) =>
      comparePairs(keyOf(x), keyOf(y)),
    );
    const slice = remaining.slice(0, page.limit);
    const ids = [...new Set(slice.flatMap((p) => p.ids))];
    const rows = await findCustomerRowsByIds(trx, scope, ids);
    const related = await loadRelated(trx, storeId, ids);
    const customers = new Map<string, Customer>(rows.map((r) => [r.id, customerFromRow(r, related.get(r.id))]));
    const data = slice.map((p): DuplicatePair => {
      const pair = p.ids.map((id) => customers.get(id)!) as [Customer, Customer];
      pair.sort((x, y) => x.createdAt.getTime() - y.createdAt.getTime() || (x.id < y.id ? -1 : 1));
      return { score: p.score, matchedOn: p.matchedOn, customers: pair };
    });
    const last = slice[slice.length - 1];
    return { data, nextCursor: remaining.length > page.limit && last ? encodeCursor(keyOf(last)) : null };
  });
}
