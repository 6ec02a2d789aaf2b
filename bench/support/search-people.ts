import { CULTURES, type Culture } from './search-names.js';
import { seededRandom, zipfWeights, type Random } from './search-random.js';

// Realistic customers for the search quality test and bench/search: names drawn by culture with
// Zipf-like frequencies (many Marías and Nguyễns, few Oonaghs), some mixed-culture couples' names,
// and identifiers in the shapes the counter sees.
export interface Person {
  firstName: string;
  lastName: string;
  email: string;
  /** E.164, as the service stores it. */
  phone: string;
  /** YYYY-MM-DD */
  birthday: string;
  /** Normalised (upper-case letters and digits). */
  driversLicense: string;
  medicalCard: string | null;
}

// Real US area codes (libphonenumber checks them).
const AREA_CODES = [
  201, 202, 206, 212, 213, 214, 215, 303, 305, 310, 312, 313, 323, 347, 404, 408, 412, 415, 424, 469, 503, 510, 512,
  602, 617, 619, 626, 646, 650, 702, 703, 713, 714, 718, 720, 773, 786, 805, 818, 858, 916, 925, 949, 971,
];
const EMAIL_DOMAINS = ['example.com', 'mail.example', 'inbox.example', 'post.example'];

interface WeightedCulture {
  culture: Culture;
  first: number[];
  last: number[];
}

const weighted: WeightedCulture[] = CULTURES.map((culture) => ({
  culture,
  first: zipfWeights(culture.first.length, culture.firstExponent),
  last: zipfWeights(culture.last.length, culture.lastExponent),
}));
const cultureWeights = CULTURES.map((c) => c.weight);

/** Folds like patron_fold for ASCII identifiers (emails): accents off, ß → ss, Đ → d, ł → l. */
export function asciiFold(value: string): string {
  return value
    .replace(/ß/g, 'ss')
    .replace(/[Đđ]/g, 'd')
    .replace(/[Łł]/g, 'l')
    .replace(/[Øø]/g, 'o')
    .replace(/[Ææ]/g, 'ae')
    .normalize('NFD')
    .replace(/\p{M}/gu, '');
}

export function randomName(random: Random): { firstName: string; lastName: string } {
  const a = random.weighted(weighted, cultureWeights);
  // About one in eight customers has a given name from one culture and a family name from another.
  const b = random.chance(0.12) ? random.weighted(weighted, cultureWeights) : a;
  return {
    firstName: random.weighted(a.culture.first, a.first),
    lastName: random.weighted(b.culture.last, b.last),
  };
}

const pad = (n: number, width: number) => String(n).padStart(width, '0');

/**
 * The person number `index` of a population: deterministic in (seed, index), so a bench can regenerate
 * any customer it chose as a query target without keeping a million in memory. Identifiers are unique
 * per index (an affine bijection of the index), names are not — as in life.
 */
export function personAt(seed: number, index: number): Person {
  const random = seededRandom(seed * 1_000_003 + index);
  const { firstName, lastName } = randomName(random);
  const local = asciiFold(`${firstName}.${lastName}`)
    .toLowerCase()
    .replace(/[^a-z.]/g, '');
  const area = random.pick(AREA_CODES);
  let exchange = 200 + random.int(800);
  if (exchange % 100 === 11 || exchange === 555) exchange += 1;
  const line = random.int(10000);
  const year = 1940 + random.int(66);
  const month = 1 + random.int(12);
  const day = 1 + random.int(28);
  const serial = (index * 7_919 + 1_234_567) % 10_000_000;
  const driversLicense = random.chance(0.25)
    ? pad((index * 104_729 + 12_345_678) % 100_000_000, 8) // all digits, as several US states issue them
    : `${String.fromCharCode(65 + random.int(26))}${pad(serial, 7)}`;
  return {
    firstName,
    lastName,
    email: `${local}.${index}@${random.pick(EMAIL_DOMAINS)}`,
    phone: `+1${area}${exchange}${pad(line, 4)}`,
    birthday: `${year}-${pad(month, 2)}-${pad(day, 2)}`,
    driversLicense,
    medicalCard: random.chance(0.2) ? `MC${pad((index * 15_485_863 + 7) % 100_000_000, 8)}` : null,
  };
}
