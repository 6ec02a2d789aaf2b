import type { IsoDate, NewPosCustomer, PosCustomer, PosCustomerPatch } from '../pos-types.js';
import type { CovaContactMethod, CovaCustomerFull } from './covasoft-schemas.js';

export const CONTACT_PHONE = 1;
export const CONTACT_EMAIL = 2;
const PERSON = 2;
const PHONE_MOBILE = 3;
const EMAIL_HOME = 9;
// Fax lines are filed under the Phone category, but nobody answers them.
const FAX_TYPES = new Set([6, 7]);
// .NET's Guid.Empty: a "no merge" pointer that is not null.
const EMPTY_GUID = '00000000-0000-0000-0000-000000000000';

type ContactCategory = typeof CONTACT_PHONE | typeof CONTACT_EMAIL;

const text = (value: string | null | undefined): string | null => {
  const trimmed = typeof value === 'string' ? value.trim() : '';
  return trimmed === '' ? null : trimmed;
};

/**
 * A Cova timestamp as a Date. LastModifiedDateUtc is UTC but often comes without a zone designator (a .NET
 * DateTime of unspecified kind), which JavaScript would read as server-local time; .NET also writes up to
 * seven fractional digits.
 */
export function parseCovaUtc(value: string | null | undefined): Date | null {
  const raw = text(value);
  if (!raw) return null;
  const match = /^(\d{4}-\d{2}-\d{2})(?:T(\d{2}:\d{2})(?::(\d{2})(?:\.(\d{1,7}))?)?([zZ]|[+-]\d{2}:?\d{2})?)?$/.exec(
    raw,
  );
  if (!match) return null;
  const [, date, hm = '00:00', ss = '00', fraction = '', zone = 'Z'] = match;
  const ms = fraction.padEnd(3, '0').slice(0, 3);
  const offset = /^[+-]\d{4}$/.test(zone) ? `${zone.slice(0, 3)}:${zone.slice(3)}` : zone.toUpperCase();
  const at = new Date(`${date}T${hm}:${ss}.${ms}${offset}`);
  return Number.isNaN(at.getTime()) ? null : at;
}

/**
 * DateOfBirth as the calendar date written in it. Cova stores birthdays as datetimes ("1952-07-23T12:00:00.000");
 * the date part is what staff typed, so no zone arithmetic. Years up to 1900 (.NET's 0001-01-01 default,
 * 1900-01-01 fillers) mean "not given".
 */
export function birthdayOf(value: string | null | undefined): IsoDate | null {
  const match = /^(\d{4})-(\d{2})-(\d{2})/.exec(text(value) ?? '');
  if (!match || Number(match[1]) <= 1900) return null;
  const [, y, m, d] = match;
  const check = new Date(`${y}-${m}-${d}T00:00:00Z`);
  return Number.isNaN(check.getTime()) || check.toISOString().slice(0, 10) !== `${y}-${m}-${d}`
    ? null
    : `${y}-${m}-${d}`;
}

/** The contact methods Patron reads as the customer's phone (category Phone, no fax) or email. */
function candidates(methods: CovaContactMethod[] | null | undefined, category: ContactCategory): CovaContactMethod[] {
  return (methods ?? []).filter(
    (m) =>
      m.ContactMethodCategoryId === category &&
      text(m.Value) !== null &&
      !(category === CONTACT_PHONE && FAX_TYPES.has(m.ContactMethodTypeId ?? 0)),
  );
}

/** Phone and email live only in ContactMethods[]: the Default one, else a mobile (phones), else the first. */
function chosen(methods: CovaContactMethod[] | null | undefined, category: ContactCategory): CovaContactMethod | null {
  const usable = candidates(methods, category);
  return (
    usable.find((m) => m.Default === true) ??
    (category === CONTACT_PHONE ? usable.find((m) => m.ContactMethodTypeId === PHONE_MOBILE) : undefined) ??
    usable[0] ??
    null
  );
}

export const contactOf = (c: CovaCustomerFull, category: ContactCategory): string | null =>
  text(chosen(c.ContactMethods, category)?.Value);

function mergedInto(c: CovaCustomerFull): string | null {
  const target = text(c.MergedIntoCustomerId)?.toLowerCase() ?? null;
  return target && target !== EMPTY_GUID && target !== c.Id.toLowerCase() ? target : null;
}

/**
 * A CustomerFull in our shape. Cova has no public licence, medical-card or rec/med fields (CustomerTypeId is
 * person vs company), and loyalty lives in the per-location iqloyalty API: those stay null. A Company
 * customer's PrimaryName is the business name; it lands in firstName as Cova's own UI shows it.
 */
export function toPosCustomer(c: CovaCustomerFull): PosCustomer {
  const target = mergedInto(c);
  return {
    externalId: c.Id.toLowerCase(),
    firstName: text(c.PrimaryName),
    middleName: text(c.MiddleName),
    lastName: text(c.FamilyName),
    birthday: birthdayOf(c.DateOfBirth),
    email: contactOf(c, CONTACT_EMAIL),
    phone: contactOf(c, CONTACT_PHONE),
    driversLicense: null,
    medicalCard: null,
    customerType: null,
    loyaltyPoints: null,
    status: target ? 'merged' : c.Disabled ? 'inactive' : 'active',
    mergedIntoExternalId: target,
    lastModifiedAt: parseCovaUtc(c.LastModifiedDateUtc),
  };
}

/**
 * The OData literal of the incremental filter, as Cova's docs write it: datetime'2019-01-01T00:00:00Z'. Whole
 * seconds (rounded down, so nothing at the boundary is missed): the documented form has no fraction.
 */
export function odataDateTime(at: Date): string {
  return `${at.toISOString().slice(0, 19)}Z`;
}

/** The query of one CustomerFull page: the filter (when incremental), then $skip/$top. */
export function customerFullQuery(since: Date | null, skip: number, top: number): string {
  const params: string[] = [];
  if (since) {
    // Spaces as %20, not '+': OData parsers differ on reading '+' as a space.
    params.push(`$filter=${encodeURIComponent(`LastModifiedDateUtc ge datetime'${odataDateTime(since)}'`)}`);
  }
  params.push(`$skip=${skip}`, `$top=${top}`);
  return params.join('&');
}

function contactMethod(category: ContactCategory, value: string): CovaContactMethod {
  return {
    ContactMethodCategoryId: category,
    ContactMethodTypeId: category === CONTACT_PHONE ? PHONE_MOBILE : EMAIL_HOME,
    Value: value,
    Default: true,
  };
}

/**
 * The POST …/CustomerFull body for a new customer. Licence, medical card and rec/med type have no Cova field
 * and are not sent; Patron's id has no portable home either (extension types differ per company).
 */
export function toCustomerFullBody(c: NewPosCustomer): Record<string, unknown> {
  const contacts: CovaContactMethod[] = [];
  if (c.phone) contacts.push(contactMethod(CONTACT_PHONE, c.phone));
  if (c.email) contacts.push(contactMethod(CONTACT_EMAIL, c.email));
  return {
    CustomerTypeId: PERSON,
    PrimaryName: c.firstName,
    ...(c.middleName ? { MiddleName: c.middleName } : {}),
    ...(c.lastName ? { FamilyName: c.lastName } : {}),
    ...(c.birthday ? { DateOfBirth: c.birthday } : {}),
    Disabled: false,
    ContactMethods: contacts,
  };
}

function withContact(
  methods: CovaContactMethod[],
  category: ContactCategory,
  value: string | null,
): CovaContactMethod[] {
  const current = chosen(methods, category);
  if (value === null) {
    // Every entry Patron could read back as the phone/email goes, or the next sync would restore one of them.
    const readable = new Set(candidates(methods, category));
    return methods.filter((m) => !readable.has(m));
  }
  if (current) return methods.map((m) => (m === current ? { ...m, Value: value } : m));
  return [...methods, contactMethod(category, value)];
}

/**
 * A full CustomerFull for the PUT, from the current record and Patron's patch: the record as read (Version
 * included, for Cova's optimistic concurrency; unknown fields kept, since a PUT replaces), the patched fields
 * changed. `changed` is false when the record already holds the patch: nothing needs sending.
 */
export function applyPatch(
  current: CovaCustomerFull,
  patch: PosCustomerPatch,
): { body: CovaCustomerFull; changed: boolean } {
  const body: CovaCustomerFull = { ...current };
  let changed = false;
  const setName = (key: 'PrimaryName' | 'MiddleName' | 'FamilyName', value: string | null | undefined) => {
    if (value === undefined || text(body[key]) === text(value)) return;
    body[key] = value ?? '';
    changed = true;
  };
  setName('PrimaryName', patch.firstName);
  setName('MiddleName', patch.middleName);
  setName('FamilyName', patch.lastName);
  if (patch.birthday !== undefined && birthdayOf(body.DateOfBirth) !== patch.birthday) {
    body.DateOfBirth = patch.birthday;
    changed = true;
  }
  for (const [category, value] of [
    [CONTACT_PHONE, patch.phone],
    [CONTACT_EMAIL, patch.email],
  ] as const) {
    if (value === undefined || contactOf(body, category) === text(value)) continue;
    body.ContactMethods = withContact(body.ContactMethods ?? [], category, text(value));
    changed = true;
  }
  return { body, changed };
}
