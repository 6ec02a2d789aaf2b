import { normaliseEmail, normaliseIdNumber, normaliseName, normalisePhone, phoneDigits } from './customer-normalise.js';

// What did the person at the counter type into the one search box? Pure rules: no database, no keys.
// Each probe names one index to go to; ambiguous input yields several probes, tried together.

export type SearchKind = 'email' | 'phone' | 'phone_last4' | 'licence' | 'birthday' | 'name';

export type SearchProbe =
  | { kind: 'email'; email: string }
  | { kind: 'phone'; phone: string }
  | { kind: 'phone_last4'; last4: string }
  /** A driver's licence or medical card number, normalised; the service turns it into blind indexes. */
  | { kind: 'licence'; number: string }
  | { kind: 'birthday'; birthday: string }
  | NameProbe;

export interface NameProbe {
  kind: 'name';
  /** NFC, trimmed, inner whitespace collapsed; PostgreSQL folds it (patron_fold) like the stored columns. */
  text: string;
  /** The words of `text`: the first and the rest, or the last and the rest, are tried as first/last name. */
  tokens: string[];
}

export interface SearchPlan {
  /** The kind the metrics and logs use: the first probe's. */
  kind: SearchKind;
  probes: SearchProbe[];
}

const EMAIL = /^[^\s@]+@[^\s@]+$/;
// Digits and the punctuation people put in phone numbers: +1 (415) 555-2671, 415.555.2671, 0044 20 7946 0958.
const PHONE_CHARS = /^\+?[\d\s().\-/]+$/;
const MIN_PHONE_DIGITS = 7;
const MAX_PHONE_DIGITS = 15;
// Identity numbers: letters and digits with optional separators, at least one digit (names never have one).
const ID_CHARS = /^[\p{L}\p{N}\s\-./]+$/u;
const MIN_ID_LENGTH = 5;
const MAX_ID_LENGTH = 25;

const ISO_DATE = /^(\d{4})[-/.](\d{1,2})[-/.](\d{1,2})$/;
const DOTTED_DATE = /^(\d{1,2})\.(\d{1,2})\.(\d{4})$/;
const SLASHED_DATE = /^(\d{1,2})[/-](\d{1,2})[/-](\d{4})$/;
const MIN_BIRTH_YEAR = 1900;

// Countries that write dates month first (04/12/1990 is 12 April). Everywhere else reads day first.
const MONTH_FIRST_COUNTRIES = new Set(['US', 'PH', 'FM', 'MH', 'PW', 'AS', 'GU', 'MP', 'PR', 'VI', 'UM']);

function calendarDate(year: number, month: number, day: number, today: Date): string | undefined {
  if (month < 1 || month > 12 || day < 1 || day > 31 || year < MIN_BIRTH_YEAR) return undefined;
  const date = new Date(Date.UTC(year, month - 1, day));
  if (date.getUTCMonth() !== month - 1 || date.getUTCDate() !== day) return undefined;
  if (date.getTime() > today.getTime()) return undefined;
  return date.toISOString().slice(0, 10);
}

/**
 * A date of birth in the common forms: 1990-04-12 (and / or . separators, year first), 12.04.1990
 * (dots: day first, as in Germany or France), and 04/12/1990 or 04-12-1990, read month first in the
 * United States and its territories and day first elsewhere. When the store's reading is not a real
 * date but the other one is (13/04/1990 in a US store), the real one wins: nobody is born in month 13.
 * Only four-digit years: "04/12/90" is not a birthday we can place in a century safely.
 */
export function parseBirthday(raw: string, storeCountry: string, today = new Date()): string | undefined {
  const s = raw.trim();
  let m = ISO_DATE.exec(s);
  if (m) return calendarDate(Number(m[1]), Number(m[2]), Number(m[3]), today);
  m = DOTTED_DATE.exec(s);
  if (m) return calendarDate(Number(m[3]), Number(m[2]), Number(m[1]), today);
  m = SLASHED_DATE.exec(s);
  if (!m) return undefined;
  const [a, b, year] = [Number(m[1]), Number(m[2]), Number(m[3])];
  const monthFirst = calendarDate(year, a, b, today);
  const dayFirst = calendarDate(year, b, a, today);
  return MONTH_FIRST_COUNTRIES.has(storeCountry.toUpperCase()) ? (monthFirst ?? dayFirst) : (dayFirst ?? monthFirst);
}

function nameProbe(raw: string): NameProbe {
  // "Núñez, Ana" is the card-index way of writing a name; the comma only says which part is the family name.
  const text = normaliseName(raw.replace(/,/g, ' '));
  return { kind: 'name', text, tokens: text.split(' ').filter(Boolean) };
}

function licenceProbe(raw: string): SearchProbe | undefined {
  if (!ID_CHARS.test(raw) || !/\d/.test(raw)) return undefined;
  const number = normaliseIdNumber(raw);
  if (number.length < MIN_ID_LENGTH || number.length > MAX_ID_LENGTH) return undefined;
  return { kind: 'licence', number };
}

/**
 * Reads the search box. Order matters: an email has an @; a date has the shape of one; exactly four
 * digits are the end of a phone number; other digit strings are a phone when they parse as one for the
 * store's country and, when long enough, a licence too (many US states issue all-digit licences, and 8
 * or 9 digits could be either); letters mixed with digits are an identity number; the rest is a name.
 */
export function planSearch(q: string, storeCountry: string, today = new Date()): SearchPlan {
  const raw = q.trim();
  const probes: SearchProbe[] = [];
  if (EMAIL.test(raw)) {
    probes.push({ kind: 'email', email: normaliseEmail(raw) });
  } else if (parseBirthday(raw, storeCountry, today)) {
    probes.push({ kind: 'birthday', birthday: parseBirthday(raw, storeCountry, today)! });
  } else if (/^\d{4}$/.test(raw)) {
    probes.push({ kind: 'phone_last4', last4: raw });
  } else if (PHONE_CHARS.test(raw) && /\d/.test(raw)) {
    const digits = phoneDigits(raw);
    if (digits.length >= MIN_PHONE_DIGITS && digits.length <= MAX_PHONE_DIGITS) {
      const phone = normalisePhone(raw, storeCountry);
      if ('value' in phone) probes.push({ kind: 'phone', phone: phone.value });
    }
    // A licence is typed without a leading + or brackets; "(415) 555-2671" is only ever a phone.
    if (!/[+()]/.test(raw)) {
      const licence = licenceProbe(raw);
      if (licence) probes.push(licence);
    }
  } else {
    const licence = licenceProbe(raw);
    if (licence) probes.push(licence);
  }
  if (probes.length === 0) probes.push(nameProbe(raw));
  return { kind: probes[0].kind, probes };
}

/**
 * The smallest string above every string that starts with `prefix`, in PostgreSQL's byte order (UTF-8
 * byte order is code point order): the prefix with its last character moved one code point up.
 * Undefined when there is none (the last character is already U+10FFFF).
 */
export function prefixUpperBound(prefix: string): string | undefined {
  const chars = [...prefix];
  const last = chars.pop();
  if (last === undefined) return undefined;
  let next = last.codePointAt(0)! + 1;
  if (next >= 0xd800 && next <= 0xdfff) next = 0xe000; // surrogates are not characters
  if (next > 0x10ffff) return undefined;
  return chars.join('') + String.fromCodePoint(next);
}

/** Escapes LIKE wildcards, so "50%" or "a_b" typed into a prefix filter match those characters. */
export function escapeLike(value: string): string {
  return value.replace(/[\\%_]/g, (c) => `\\${c}`);
}
