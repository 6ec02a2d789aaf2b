import type { IsoDate, PosCustomer, PosCustomerPatch } from '../pos-types.js';
import type { LeaflogixCustomer, LeaflogixLoyaltyBalance, LeaflogixSaveResponse } from './leaflogix-schemas.js';

/**
 * Dutchie data lags the POS by 1–5 minutes, so a record changed just before the last run may only now be
 * visible with an older lastModifiedDateUTC. Integrators ask from a minute earlier; the sync dedupes.
 */
export const LEAFLOGIX_SINCE_OVERLAP_MS = 60_000;

/** `fromLastModifiedDateUTC`: ISO UTC to the second, as the docs write it ('2024-01-15T10:30:00Z'). */
export function leaflogixModifiedFilter(since: Date): string {
  const from = new Date(since.getTime() - LEAFLOGIX_SINCE_OVERLAP_MS);
  return from.toISOString().replace(/\.\d{3}Z$/, 'Z');
}

const PLACEHOLDERS = new Set(['', 'n/a', 'na', 'null', 'none', 'undefined']);

/** Trimmed text, or null for Dutchie's empty values and "N/A"-style placeholders. */
export function present(value: string | null | undefined): string | null {
  if (value === null || value === undefined) return null;
  const text = value.trim();
  return PLACEHOLDERS.has(text.toLowerCase()) ? null : text;
}

export function leaflogixId(record: { customerId?: number; customerID?: number }): number {
  return (record.customerId ?? record.customerID)!;
}

interface DateParts {
  year: number;
  month: number;
  day: number;
  hour: number;
  minute: number;
  second: number;
  ms: number;
  /** Minutes east of UTC; null when the text named no zone (Dutchie's "UTC" fields often don't). */
  offset: number | null;
}

const ISO = /^(\d{4})-(\d{2})-(\d{2})(?:[T ](\d{2}):(\d{2})(?::(\d{2})(?:\.(\d+))?)?)?\s*(Z|[+-]\d{2}:?\d{2})?$/i;
// One R integrator read lastModifiedDateUTC as 'MM/dd/yyyy HH:mm:ss'; .NET may add AM/PM.
const US = /^(\d{1,2})\/(\d{1,2})\/(\d{4})(?:[ T](\d{1,2}):(\d{2})(?::(\d{2}))?\s*(AM|PM)?)?$/i;

function parseParts(text: string): DateParts | null {
  let m = ISO.exec(text);
  if (m) {
    const zone = m[8]?.toUpperCase();
    let offset: number | null = null;
    if (zone === 'Z') offset = 0;
    else if (zone) {
      const digits = zone.replace(':', '');
      offset = (zone.startsWith('-') ? -1 : 1) * (Number(digits.slice(1, 3)) * 60 + Number(digits.slice(3, 5)));
    }
    return {
      year: Number(m[1]),
      month: Number(m[2]),
      day: Number(m[3]),
      hour: Number(m[4] ?? 0),
      minute: Number(m[5] ?? 0),
      second: Number(m[6] ?? 0),
      ms: Number((m[7] ?? '0').slice(0, 3).padEnd(3, '0')),
      offset,
    };
  }
  m = US.exec(text);
  if (!m) return null;
  let hour = Number(m[4] ?? 0);
  const meridiem = m[7]?.toUpperCase();
  if (meridiem === 'PM' && hour < 12) hour += 12;
  if (meridiem === 'AM' && hour === 12) hour = 0;
  return {
    year: Number(m[3]),
    month: Number(m[1]),
    day: Number(m[2]),
    hour,
    minute: Number(m[5] ?? 0),
    second: Number(m[6] ?? 0),
    ms: 0,
    offset: null,
  };
}

// Year-1900 (and .NET's 0001-01-01) dates are how Dutchie writes "unknown".
const isPlaceholderYear = (year: number) => year <= 1900;

function isCalendarDate(p: DateParts): boolean {
  const d = new Date(Date.UTC(p.year, p.month - 1, p.day));
  return d.getUTCFullYear() === p.year && d.getUTCMonth() === p.month - 1 && d.getUTCDate() === p.day;
}

/** A calendar date ('YYYY-MM-DD') as written, without moving it through a time zone; null for placeholders. */
export function leaflogixDate(value: string | null | undefined): IsoDate | null {
  const text = present(value);
  const p = text === null ? null : parseParts(text);
  if (!p || isPlaceholderYear(p.year) || !isCalendarDate(p)) return null;
  return `${String(p.year).padStart(4, '0')}-${String(p.month).padStart(2, '0')}-${String(p.day).padStart(2, '0')}`;
}

/** An instant from a "UTC" field: a text without a zone is UTC (the field's name says so). */
export function leaflogixInstant(value: string | null | undefined): Date | null {
  const text = present(value);
  const p = text === null ? null : parseParts(text);
  if (!p || isPlaceholderYear(p.year) || !isCalendarDate(p) || p.hour > 23 || p.minute > 59 || p.second > 59) {
    return null;
  }
  const utc = Date.UTC(p.year, p.month - 1, p.day, p.hour, p.minute, p.second, p.ms);
  return new Date(utc - (p.offset ?? 0) * 60_000);
}

/**
 * `customerType` is operator-defined text ("Recreational", "Medical", "Medical - Out of State", "Adult
 * Use"…); anything we cannot read as one or the other stays unknown rather than guessed.
 */
export function leaflogixCustomerType(value: string | null | undefined): PosCustomer['customerType'] {
  const text = present(value)?.toLowerCase();
  if (!text) return null;
  if (/\bnon[\s-]?med|\bnot\s+med/.test(text)) return 'recreational';
  if (/\bmed|\bpatient|\bmmj|\bcaregiver/.test(text)) return 'medical';
  if (/\brec|\badult|\bretail|21\s*\+/.test(text)) return 'recreational';
  return null;
}

const INACTIVE_STATUS = /inactiv|deactivat|disabled|archiv|delet|banned|blocked|merged/;

/**
 * Merged wins (the record is now a pointer to its survivor); otherwise the free-text `status` decides, and
 * text we do not recognise keeps the customer active rather than hiding them.
 */
export function leaflogixStatus(record: LeaflogixCustomer): Pick<PosCustomer, 'status' | 'mergedIntoExternalId'> {
  const into = record.mergedIntoCustomerId;
  if (into && into > 0 && into !== leaflogixId(record)) return { status: 'merged', mergedIntoExternalId: String(into) };
  const status = present(record.status)?.toLowerCase();
  return { status: status && INACTIVE_STATUS.test(status) ? 'inactive' : 'active', mergedIntoExternalId: null };
}

/** Loyalty balances by customer id, from the loyalty snapshot. */
export function leaflogixBalances(rows: LeaflogixLoyaltyBalance[]): Map<number, number> {
  const balances = new Map<number, number>();
  for (const row of rows)
    if (typeof row.loyaltyBalance === 'number') balances.set(leaflogixId(row), row.loyaltyBalance);
  return balances;
}

/**
 * Dutchie record → our shape. Loyalty points are not on the customer (only `isLoyaltyMember`): they come
 * from the loyalty snapshot when the caller has it. The driver's licence is only a hash, so it is unknown.
 */
export function leaflogixToPosCustomer(record: LeaflogixCustomer, balances?: Map<number, number>): PosCustomer {
  const id = leaflogixId(record);
  const card = present(record.mmjidNumber);
  return {
    externalId: String(id),
    firstName: present(record.firstName),
    middleName: present(record.middleName),
    lastName: present(record.lastName),
    birthday: leaflogixDate(record.dateOfBirth),
    email: present(record.emailAddress),
    phone: present(record.phone) ?? present(record.cellPhone),
    driversLicense: null,
    medicalCard: card ? { number: card, state: null, expiresOn: leaflogixDate(record.mmjidExpirationDate) } : null,
    customerType: leaflogixCustomerType(record.customerType),
    loyaltyPoints: record.isLoyaltyMember ? (balances?.get(id) ?? null) : null,
    ...leaflogixStatus(record),
    lastModifiedAt: leaflogixInstant(record.lastModifiedDateUTC),
  };
}

/** Dutchie is US-only; its screens show 10 digits [ASSUMPTION: it stores them that way too]. */
export function leaflogixPhone(e164: string): string {
  return /^\+1\d{10}$/.test(e164) ? e164.slice(2) : e164;
}

/**
 * The body of `POST /customer/customer`, a sparse save: only the keys the patch names. `null` is sent to
 * clear a field [ASSUMPTION: the save's handling of null is undocumented]. Dutchie keeps the licence only
 * as a hash and documents no field to write it, so a licence change stays local. The default customer
 * types are "Recreational" and "Medical" (operators may rename them; /customer/customer-types lists them).
 */
export function toLeaflogixSave(patch: PosCustomerPatch): Record<string, unknown> {
  const body: Record<string, unknown> = {};
  const has = (key: keyof PosCustomerPatch) => Object.prototype.hasOwnProperty.call(patch, key);
  if (has('firstName')) body.firstName = patch.firstName;
  if (has('middleName')) body.middleName = patch.middleName;
  if (has('lastName')) body.lastName = patch.lastName;
  if (has('birthday')) body.dateOfBirth = patch.birthday;
  if (has('email')) body.emailAddress = patch.email;
  if (has('phone')) body.phone = patch.phone ? leaflogixPhone(patch.phone) : null;
  if (has('medicalCard')) {
    body.mmjidNumber = patch.medicalCard?.number ?? null;
    body.mmjidExpirationDate = patch.medicalCard?.expiresOn ?? null;
  }
  if (has('customerType')) {
    const type = patch.customerType;
    body.customerType = type === 'medical' ? 'Medical' : type === 'recreational' ? 'Recreational' : null;
  }
  return body;
}

/** A create sends what it knows and leaves the rest out; Patron's id rides along as externalCustomerId. */
export function toLeaflogixCreate(patch: PosCustomerPatch, patronId: string): Record<string, unknown> {
  const body = Object.fromEntries(Object.entries(toLeaflogixSave(patch)).filter(([, v]) => v !== null));
  return { ...body, externalCustomerId: patronId };
}

export function leaflogixSavedId(saved: LeaflogixSaveResponse): string {
  return String(typeof saved === 'number' ? saved : leaflogixId(saved));
}
