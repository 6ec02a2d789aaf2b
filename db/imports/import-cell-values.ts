// Reading one CSV cell as a value of our API. Called once per cell of a million-row file: the patterns are
// compiled once here, and the common spellings are found by one Map lookup.

/** Trimmed text; `undefined` for an empty or missing cell, never ''. */
export function cellText(cells: readonly string[], index: number): string | undefined {
  if (index < 0) return undefined;
  const raw = cells[index];
  if (raw === undefined || raw === '') return undefined;
  let text = raw.trim();
  // Shopify (and spreadsheets) keep numeric-looking cells as text with a leading apostrophe: '+15555552000.
  if (text.charCodeAt(0) === 39 && text.length > 1) {
    const next = text.charCodeAt(1);
    if ((next >= 48 && next <= 57) || next === 43) text = text.slice(1).trimStart();
  }
  return text === '' ? undefined : text;
}

// Dutchie writes "unknown" as these (pos-apis.md, quirks).
const PLACEHOLDERS = new Set(['n/a', 'na', 'null', 'none', 'undefined']);

/** `cellText`, with Dutchie's "N/A"-style placeholders read as empty. */
export function cellTextWithoutPlaceholders(cells: readonly string[], index: number): string | undefined {
  const text = cellText(cells, index);
  return text !== undefined && text.length <= 9 && PLACEHOLDERS.has(text.toLowerCase()) ? undefined : text;
}

const BOOLEANS = new Map<string, boolean>([
  ['yes', true],
  ['y', true],
  ['true', true],
  ['1', true],
  ['no', false],
  ['n', false],
  ['false', false],
  ['0', false],
]);

export const BOOLEAN_MESSAGE = 'must be yes/no, true/false, 1/0 or y/n';

/** yes/no, true/false, 1/0, y/n in any case; `undefined` for anything else. */
export function readBoolean(text: string): boolean | undefined {
  return BOOLEANS.get(text) ?? BOOLEANS.get(text.toLowerCase());
}

// Square's `Email Subscription Status`: the export writes these words, the import takes Subscribed,
// Unsubscribed or Unknown. Unknown is no decision at all.
const SUBSCRIPTION = new Map<string, boolean | null>([
  ['subscribed', true],
  ['opted in', true],
  ['unsubscribed', false],
  ['not subscribed', false],
  ['opted out', false],
  ['unknown', null],
]);
const WORD_SEPARATORS = /[\s_-]+/g;

export const SUBSCRIPTION_MESSAGE = 'must be subscribed, unsubscribed, not subscribed or unknown';

/** true/false for a decision, `null` for 'unknown', `undefined` when the text is not a status. */
export function readSubscriptionStatus(text: string): boolean | null | undefined {
  const lower = text.toLowerCase();
  const found = SUBSCRIPTION.get(lower);
  return found !== undefined ? found : SUBSCRIPTION.get(lower.replace(WORD_SEPARATORS, ' ').trim());
}

const GENDERS = new Map<string, string>([
  ['female', 'female'],
  ['f', 'female'],
  ['woman', 'female'],
  ['w', 'female'],
  ['male', 'male'],
  ['m', 'male'],
  ['man', 'male'],
  ['other', 'other'],
  ['o', 'other'],
  ['non-binary', 'other'],
  ['nonbinary', 'other'],
  ['non binary', 'other'],
  ['nb', 'other'],
  ['x', 'other'],
  ['undisclosed', 'undisclosed'],
  ['u', 'undisclosed'],
  ['unknown', 'undisclosed'],
  ['unspecified', 'undisclosed'],
  ['not specified', 'undisclosed'],
  ['prefer not to say', 'undisclosed'],
  ['declined', 'undisclosed'],
]);

/** Our gender for the common spellings; any other text is returned as written, for the API rules to refuse. */
export function readGender(text: string): string {
  return GENDERS.get(text.toLowerCase()) ?? text;
}

const CUSTOMER_TYPES = new Map<string, string>([
  ['recreational', 'recreational'],
  ['rec', 'recreational'],
  ['adult use', 'recreational'],
  ['adult-use', 'recreational'],
  ['medical', 'medical'],
  ['med', 'medical'],
]);

/** Our customer type for the common spellings; other text is returned as written, for the API rules to refuse. */
export function readCustomerType(text: string): string {
  return CUSTOMER_TYPES.get(text.toLowerCase()) ?? text;
}

/** Labels of a tags cell, trimmed, empty ones dropped; `undefined` when none is left. */
export function splitTags(text: string, separator: string): string[] | undefined {
  const labels: string[] = [];
  for (const part of text.split(separator)) {
    const label = part.trim();
    if (label !== '') labels.push(label);
  }
  return labels.length > 0 ? labels : undefined;
}

/** A date without a year (Square keeps birthdays as month and day). */
export const NO_YEAR = 'no-year';
export type DateReading = string | typeof NO_YEAR | null;

// A time or zone after a date is dropped: the calendar date is taken as written, never moved through a zone.
const ISO_DATE = /^(\d{4})-(\d{1,2})-(\d{1,2})(?:[T ]\d{1,2}:\d{2}(?::\d{2}(?:\.\d+)?)?\s*(?:Z|[+-]\d{2}:?\d{2})?)?$/i;
const SLASHED_YMD = /^(\d{4})\/(\d{1,2})\/(\d{1,2})$/;
// US order, as Dutchie and spreadsheets write it: 5/17/1990, 05-17-1990, '5/17/1990 12:00:00 AM'.
const US_DATE = /^(\d{1,2})([/-])(\d{1,2})\2(\d{4})(?:[ T]\d{1,2}:\d{2}(?::\d{2})?\s*(?:AM|PM)?)?$/i;
// Month and day only: ISO's --05-17, Square's 05-17, 5/17.
const MONTH_DAY = /^(?:--)?(\d{1,2})[-/](\d{1,2})$/;
const NAMED_MONTH_FIRST = /^([a-z]{3,9})\.?\s+(\d{1,2})(?:st|nd|rd|th)?(?:,?\s+(\d{4}))?$/i;
const NAMED_DAY_FIRST = /^(\d{1,2})(?:st|nd|rd|th)?\s+([a-z]{3,9})\.?(?:,?\s+(\d{4}))?$/i;

const MONTHS = new Map<string, number>();
[
  'january',
  'february',
  'march',
  'april',
  'may',
  'june',
  'july',
  'august',
  'september',
  'october',
  'november',
  'december',
].forEach((name, i) => {
  MONTHS.set(name, i + 1);
  MONTHS.set(name.slice(0, 3), i + 1);
});
MONTHS.set('sept', 9);

const DAYS_IN_MONTH = [31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31];

function dayFits(month: number, day: number, year: number | null): boolean {
  if (month < 1 || month > 12 || day < 1 || day > DAYS_IN_MONTH[month - 1]) return false;
  if (month === 2 && day === 29 && year !== null) return (year % 4 === 0 && year % 100 !== 0) || year % 400 === 0;
  return true;
}

const pad2 = (n: number) => (n < 10 ? `0${n}` : String(n));

function dateOf(year: number, month: number, day: number): DateReading {
  // Square writes a birthday without a year as year 0000.
  if (year === 0) return dayFits(month, day, null) ? NO_YEAR : null;
  return dayFits(month, day, year) ? `${String(year).padStart(4, '0')}-${pad2(month)}-${pad2(day)}` : null;
}

/** The number written by text[from, to) when it is all ASCII digits; -1 otherwise. */
function digits(text: string, from: number, to: number): number {
  let n = 0;
  for (let i = from; i < to; i++) {
    const c = text.charCodeAt(i) - 48;
    if (c < 0 || c > 9) return -1;
    n = n * 10 + c;
  }
  return n;
}

function noYear(month: number | undefined, day: number): DateReading {
  return month !== undefined && dayFits(month, day, null) ? NO_YEAR : null;
}

/**
 * 'YYYY-MM-DD' for a full calendar date (ISO date or timestamp, YYYY/M/D, US M/D/YYYY or M-D-YYYY,
 * 'May 17, 1990', '17 May 1990'); NO_YEAR for a month and day without a year ('--05-17', '0000-05-17',
 * '05-17', '5/17', 'May 17'); null when the text is not a date. Ranges are the API rules' business.
 */
export function readDate(text: string): DateReading {
  if (text.length === 10 && text.charCodeAt(4) === 45 && text.charCodeAt(7) === 45) {
    // The common case, 'YYYY-MM-DD', without a match array: most rows of a million-row file have one or three.
    const year = digits(text, 0, 4);
    const month = digits(text, 5, 7);
    const day = digits(text, 8, 10);
    if (year >= 0 && month >= 0 && day >= 0) {
      const reading = dateOf(year, month, day);
      return reading === NO_YEAR || reading === null ? reading : text;
    }
  }
  let m = ISO_DATE.exec(text) ?? SLASHED_YMD.exec(text);
  if (m) return dateOf(Number(m[1]), Number(m[2]), Number(m[3]));
  m = US_DATE.exec(text);
  if (m) return dateOf(Number(m[4]), Number(m[1]), Number(m[3]));
  m = MONTH_DAY.exec(text);
  if (m) return noYear(Number(m[1]), Number(m[2]));
  m = NAMED_MONTH_FIRST.exec(text);
  if (m) {
    const month = MONTHS.get(m[1].toLowerCase());
    return m[3] === undefined ? noYear(month, Number(m[2])) : month ? dateOf(Number(m[3]), month, Number(m[2])) : null;
  }
  m = NAMED_DAY_FIRST.exec(text);
  if (m) {
    const month = MONTHS.get(m[2].toLowerCase());
    return m[3] === undefined ? noYear(month, Number(m[1])) : month ? dateOf(Number(m[3]), month, Number(m[1])) : null;
  }
  return null;
}

export const DATE_MESSAGE = 'is not a date (expected YYYY-MM-DD or M/D/YYYY)';
export const NO_YEAR_MESSAGE = 'has no year (expected YYYY-MM-DD or M/D/YYYY)';
