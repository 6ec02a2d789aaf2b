// Pure duplicate scoring: what two customer records have in common, weighed into a 0..1 score with the
// evidence. Names arrive folded (patron_fold: unaccented, lower-case), so accents never count as typos.

export type MatchField = 'driversLicense' | 'medicalCard' | 'email' | 'phone' | 'birthday' | 'name';
export type MatchMethod = 'exact' | 'fuzzy';
export interface MatchEvidence {
  field: MatchField;
  method: MatchMethod;
}

/** What one comparison found; identifiers are equal only when both sides have one. */
export interface PairFeatures {
  driversLicense: boolean;
  medicalCard: boolean;
  email: boolean;
  phone: boolean;
  birthday: 'same' | 'different' | 'unknown';
  /** Folded names of both sides; null when missing. */
  a: { first: string | null; last: string | null };
  b: { first: string | null; last: string | null };
  /** pg_trgm similarity of the folded full names (word trigrams, so order-insensitive); null if unknown. */
  trigram: number | null;
}

export interface PairScore {
  score: number;
  matchedOn: MatchEvidence[];
}

/** Pairs under this score are not worth a person's attention (tuned by test/integration/duplicate-quality). */
export const MIN_DUPLICATE_SCORE = 0.6;

// Log-odds weights. Identifiers are strong but not equal: a licence or medical card number is personal;
// an email and, more so, a phone number are often shared by a household, so agreement on the name and
// birthday decides whether a shared phone means one person or a family.
const PRIOR = -3;
const WEIGHT = {
  idNumber: 12,
  email: 5,
  phone: 3,
  birthdaySame: 3,
  birthdayDifferent: -4,
  nameExact: 4,
  nameClose: 3,
  nameSimilar: 1.5,
  nameDifferent: -4,
  /** Same family name, clearly another given name: siblings, spouses, twins. */
  otherGivenName: -3,
};
const NAME_EXACT = 0.97;
const NAME_CLOSE = 0.85;
const NAME_SIMILAR = 0.7;
const NAME_UNRELATED = 0.55;

const compact = (s: string) => s.replace(/[^\p{L}\p{N}]/gu, '');

/** Optimal-string-alignment distance: insertions, deletions, substitutions and adjacent swaps. */
export function editDistance(a: string, b: string): number {
  if (a === b) return 0;
  const rows: number[][] = [];
  for (let i = 0; i <= a.length; i++) rows.push([i, ...new Array<number>(b.length).fill(0)]);
  for (let j = 0; j <= b.length; j++) rows[0]![j] = j;
  for (let i = 1; i <= a.length; i++) {
    for (let j = 1; j <= b.length; j++) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      let best = Math.min(rows[i - 1]![j]! + 1, rows[i]![j - 1]! + 1, rows[i - 1]![j - 1]! + cost);
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1])
        best = Math.min(best, rows[i - 2]![j - 2]! + 1);
      rows[i]![j] = best;
    }
  }
  return rows[a.length]![b.length]!;
}

/** 1 for equal, falling by each edit relative to the longer name; spaces and hyphens ignored. */
export function partSimilarity(a: string | null, b: string | null): number {
  if (!a || !b) return 0;
  const x = compact(a);
  const y = compact(b);
  if (!x || !y) return 0;
  if (x === y) return 1;
  return 1 - editDistance(x, y) / Math.max(x.length, y.length);
}

export interface NameComparison {
  similarity: number;
  swapped: boolean;
  /** Same family name but another given name (in the best alignment). */
  otherGivenName: boolean;
}

/** Best of the direct and the swapped (first ↔ last) alignments, and the trigram similarity of the whole. */
export function compareNames(f: PairFeatures): NameComparison | null {
  const { a, b } = f;
  if (!(a.first || a.last) || !(b.first || b.last)) return null;
  const first = partSimilarity(a.first, b.first);
  const last = partSimilarity(a.last, b.last);
  const direct = (first + last) / 2;
  const swapped = (partSimilarity(a.first, b.last) + partSimilarity(a.last, b.first)) / 2;
  const edit = Math.max(direct, swapped);
  const similarity = Math.max(edit, f.trigram ?? 0);
  return {
    similarity,
    swapped: swapped > direct,
    otherGivenName: direct >= swapped && last >= NAME_CLOSE && first < 0.5,
  };
}

function nameWeight(similarity: number): number {
  if (similarity >= NAME_EXACT) return WEIGHT.nameExact;
  if (similarity >= NAME_CLOSE) return WEIGHT.nameClose;
  if (similarity >= NAME_SIMILAR) return WEIGHT.nameSimilar;
  if (similarity >= NAME_UNRELATED) return 0;
  return WEIGHT.nameDifferent;
}

/** Weighs the features of a pair into a score in 0..1 and lists the fields that agreed, strongest first. */
export function scorePair(f: PairFeatures): PairScore {
  const matchedOn: MatchEvidence[] = [];
  let logOdds = PRIOR;
  if (f.driversLicense || f.medicalCard) logOdds += WEIGHT.idNumber;
  if (f.driversLicense) matchedOn.push({ field: 'driversLicense', method: 'exact' });
  if (f.medicalCard) matchedOn.push({ field: 'medicalCard', method: 'exact' });
  if (f.email) {
    logOdds += WEIGHT.email;
    matchedOn.push({ field: 'email', method: 'exact' });
  }
  if (f.phone) {
    logOdds += WEIGHT.phone;
    matchedOn.push({ field: 'phone', method: 'exact' });
  }
  const name = compareNames(f);
  if (name) {
    logOdds += nameWeight(name.similarity);
    if (name.otherGivenName) logOdds += WEIGHT.otherGivenName;
    if (name.similarity >= NAME_SIMILAR) {
      const exact = name.similarity >= 1 && !name.swapped;
      matchedOn.push({ field: 'name', method: exact ? 'exact' : 'fuzzy' });
    }
  }
  if (f.birthday === 'same') {
    logOdds += WEIGHT.birthdaySame;
    matchedOn.push({ field: 'birthday', method: 'exact' });
  } else if (f.birthday === 'different') logOdds += WEIGHT.birthdayDifferent;
  const score = Math.round((1 / (1 + Math.exp(-logOdds))) * 1000) / 1000;
  return { score, matchedOn };
}

export const isLikelyDuplicate = (s: PairScore) => s.score >= MIN_DUPLICATE_SCORE && s.matchedOn.length > 0;

/** Best first; ties broken by id so the order is stable. */
export function byScoreThenId<T extends { score: number; customerId: string }>(x: T, y: T): number {
  return y.score - x.score || (x.customerId < y.customerId ? -1 : x.customerId > y.customerId ? 1 : 0);
}
