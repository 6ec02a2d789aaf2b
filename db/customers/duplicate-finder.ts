import type { Trx } from '../knex.js';
import { findProbeCandidates } from './duplicate-repository.js';
import { byScoreThenId, isLikelyDuplicate, scorePair, type MatchEvidence } from './duplicate-rules.js';

/** The values a customer is about to have; phone in E.164, identity numbers as their blind index. */
export interface DuplicateProbe {
  firstName: string | null;
  lastName: string | null;
  birthday: string | null;
  email: string | null;
  phone: string | null;
  driversLicenseBidx: string | null;
  medicalCardBidx: string | null;
}

export interface DuplicateCandidate {
  customerId: string;
  firstName: string | null;
  lastName: string | null;
  score: number;
  matchedOn: MatchEvidence[];
}

/**
 * Active or inactive customers of the store that are probably the person described by `probe`:
 * an equal email, phone, licence or medical card, or the same birthday and a similar name
 * (accents ignored, 1–2 typos, first and last swapped). Best first. `excludeId` leaves out the
 * customer being edited.
 */
export async function findDuplicateCandidates(
  trx: Trx,
  scope: { orgId: string; storeId: string },
  probe: DuplicateProbe,
  options: { excludeId?: string; limit?: number } = {},
): Promise<DuplicateCandidate[]> {
  const rows = await findProbeCandidates(trx, scope, probe, options.excludeId);
  const candidates: DuplicateCandidate[] = [];
  for (const row of rows) {
    const scored = scorePair(row.features);
    if (!isLikelyDuplicate(scored)) continue;
    candidates.push({ customerId: row.customerId, firstName: row.firstName, lastName: row.lastName, ...scored });
  }
  return candidates.sort(byScoreThenId).slice(0, options.limit ?? 10);
}
