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
  /** Birthdays of both sides (YYYY-MM-DD); null when missing. */
  birthdays: [string | null, string | null];
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
  emailAndPhone: 6,
  birthdaySame: 3,
  /** One digit off, or day and month swapped: more likely a slip of the keyboard than another person. */
  birthdayNear: -1.5,
  /** Parent and child with one name and one phone differ here, and only here. */
  birthdayDifferent: -6,
  nameExact: 4,
  nameClose: 3,
  nameSimilar: 1.5,
  nameDifferent: -4,
  /** Same family name, clearly another given name: siblings, spouses, twins. */
  otherGivenName: -4,
};
const NAME_EXACT = 0.97;
const NAME_CLOSE = 0.85;
const NAME_SIMILAR = 0.7;
const NAME_UNRELATED = 0.55;
/** Under this, a name part is another name, not a typo: "joseph"/"joshua" 0.5, "jon"/"john" 0.75. */
const OTHER_PART = 0.6;

const compact = (s: string) => (/^[a-z0-9]*$/.test(s) ? s : s.replace(/[^\p{L}\p{N}]/gu, ''));

/**
 * Optimal-string-alignment distance: insertions, deletions, substitutions and adjacent swaps. Three
 * rolling rows: a store-wide listing scores tens of thousands of pairs.
 */
export function editDistance(a: string, b: string): number {
  if (a === b) return 0;
  if (!a.length || !b.length) return a.length || b.length;
  let before = new Uint16Array(b.length + 1);
  let previous = new Uint16Array(b.length + 1);
  let current = new Uint16Array(b.length + 1);
  for (let j = 0; j <= b.length; j++) previous[j] = j;
  for (let i = 1; i <= a.length; i++) {
    current[0] = i;
    for (let j = 1; j <= b.length; j++) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      let best = Math.min(previous[j]! + 1, current[j - 1]! + 1, previous[j - 1]! + cost);
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1]) best = Math.min(best, before[j - 2]! + 1);
      current[j] = best;
    }
    [before, previous, current] = [previous, current, before];
  }
  return previous[b.length]!;
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

export type BirthdayRelation = 'same' | 'near' | 'different' | 'unknown';

export function compareBirthdays(a: string | null, b: string | null): BirthdayRelation {
  if (!a || !b) return 'unknown';
  if (a === b) return 'same';
  if (a.length !== b.length) return 'different';
  const [ay, am, ad] = a.split('-');
  const [by, bm, bd] = b.split('-');
  if (ay === by && am === bd && ad === bm) return 'near';
  const differing = [...a].map((c, i) => (c === b[i] ? -1 : i)).filter((i) => i >= 0);
  if (differing.length === 1) return 'near';
  const [i, j] = differing;
  if (differing.length === 2 && j === i! + 1 && a[i!] === b[j!] && a[j!] === b[i!]) return 'near';
  return 'different';
}

export interface NameComparison {
  similarity: number;
  swapped: boolean;
  /** In the best alignment one part agrees and the other clearly does not: another given name in one family. */
  otherGivenName: boolean;
}

/**
 * Best of the direct and the swapped (first ↔ last) alignments, and the trigram similarity of the whole.
 * In either alignment the parts compare as [given name, family name] of the first side.
 */
export function compareNames(f: PairFeatures): NameComparison | null {
  const { a, b } = f;
  if (!(a.first || a.last) || !(b.first || b.last)) return null;
  const direct = [partSimilarity(a.first, b.first), partSimilarity(a.last, b.last)] as const;
  const crossed = [partSimilarity(a.first, b.last), partSimilarity(a.last, b.first)] as const;
  const mean = (parts: readonly [number, number]) => (parts[0] + parts[1]) / 2;
  const swapped = mean(crossed) > mean(direct);
  const [given, family] = swapped ? crossed : direct;
  const bothNamed = Boolean(a.first && a.last && b.first && b.last);
  return {
    similarity: Math.max(mean([given, family]), f.trigram ?? 0),
    swapped,
    // Siblings, spouses and twins share the family name, not the given one; a typo'd family name with
    // the same given name and birthday is still one person.
    otherGivenName: bothNamed && family >= NAME_CLOSE && given < OTHER_PART,
  };
}

function nameWeight(name: NameComparison): number {
  if (name.otherGivenName) return WEIGHT.otherGivenName;
  if (name.similarity >= NAME_EXACT) return WEIGHT.nameExact;
  if (name.similarity >= NAME_CLOSE) return WEIGHT.nameClose;
  if (name.similarity >= NAME_SIMILAR) return WEIGHT.nameSimilar;
  if (name.similarity >= NAME_UNRELATED) return 0;
  return WEIGHT.nameDifferent;
}

/** Weighs the features of a pair into a score in 0..1 and lists the fields that agreed, strongest first. */
export function scorePair(f: PairFeatures): PairScore {
  const matchedOn: MatchEvidence[] = [];
  let logOdds = PRIOR;
  if (f.driversLicense || f.medicalCard) logOdds += WEIGHT.idNumber;
  if (f.driversLicense) matchedOn.push({ field: 'driversLicense', method: 'exact' });
  if (f.medicalCard) matchedOn.push({ field: 'medicalCard', method: 'exact' });
  // A household often shares both its email and its phone: together they say little more than one.
  if (f.email && f.phone) logOdds += WEIGHT.emailAndPhone;
  else if (f.email) logOdds += WEIGHT.email;
  else if (f.phone) logOdds += WEIGHT.phone;
  if (f.email) matchedOn.push({ field: 'email', method: 'exact' });
  if (f.phone) matchedOn.push({ field: 'phone', method: 'exact' });
  const name = compareNames(f);
  if (name) {
    logOdds += nameWeight(name);
    if (name.similarity >= NAME_SIMILAR && !name.otherGivenName) {
      const exact = name.similarity >= 1 && !name.swapped;
      matchedOn.push({ field: 'name', method: exact ? 'exact' : 'fuzzy' });
    }
  }
  const birthday = compareBirthdays(...f.birthdays);
  if (birthday === 'same') {
    logOdds += WEIGHT.birthdaySame;
    matchedOn.push({ field: 'birthday', method: 'exact' });
  } else if (birthday === 'near') logOdds += WEIGHT.birthdayNear;
  else if (birthday === 'different') logOdds += WEIGHT.birthdayDifferent;
  const score = Math.round((1 / (1 + Math.exp(-logOdds))) * 1000) / 1000;
  return { score, matchedOn };
}

export const isLikelyDuplicate = (s: PairScore) => s.score >= MIN_DUPLICATE_SCORE && s.matchedOn.length > 0;

/** Best first; ties broken by id so the order is stable. */
export function byScoreThenId<T extends { score: number; customerId: string }>(x: T, y: T): number {
  return y.score - x.score || (x.customerId < y.customerId ? -1 : x.customerId > y.customerId ? 1 : 0);
}
