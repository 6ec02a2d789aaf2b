import { PosError } from '../pos-errors.js';
import type { IsoDate, NewPosCustomer, PosCustomer, PosCustomerPatch, PosDocument } from '../pos-types.js';
import type { FlowhubCustomer, FlowhubCustomerWrite } from './flowhub-schemas.js';

export interface PersonName {
  firstName: string | null;
  middleName: string | null;
  lastName: string | null;
}

// Particles that belong to the family name ("Juan de la Cruz" → "de la Cruz"). "y" is not one: it joins
// two surnames ("García y López"), so it takes the word before it along.
const PARTICLES = new Set([
  'al',
  'bin',
  'da',
  'das',
  'de',
  'del',
  'della',
  'den',
  'der',
  'des',
  'di',
  'do',
  'dos',
  'du',
  'el',
  'ibn',
  'la',
  'le',
  'st',
  'st.',
  'ten',
  'ter',
  'van',
  'von',
]);
// Generational suffixes stay with the surname ("Martin Luther King Jr." → last "King Jr.").
const SUFFIXES = new Set(['jr', 'jr.', 'sr', 'sr.', 'ii', 'iii', 'iv']);

/**
 * Flowhub keeps one `name` ("Full name (first & last)"), so the split is a rule, and lossy:
 * - the first word is the first name ("Mary Ann Smith" → first "Mary", middle "Ann");
 * - the last word is the last name, together with the particles before it (de, la, van, von, da…, in
 *   any case: "De La Cruz") and a generational suffix after it (Jr., Sr., II–IV); the first word is never
 *   taken as a particle ("Van Morrison" → first "Van"); Spanish "A y B" surnames stay whole;
 * - the words between are the middle name;
 * - "Last, First Middle" (one comma, and what follows it is not a suffix) is read the other way round.
 * Joining first, middle and last with spaces (joinFlowhubName) gives back the name, whitespace aside.
 */
export function splitFlowhubName(raw: string | null | undefined): PersonName {
  const name = (raw ?? '').replace(/\s+/g, ' ').trim();
  const commas = name.split(',').map((part) => part.trim());
  if (commas.length === 2 && commas[0] && commas[1] && !SUFFIXES.has(commas[1].toLowerCase())) {
    const [first, ...middle] = commas[1].split(' ');
    return { firstName: first, middleName: middle.join(' ') || null, lastName: commas[0] };
  }
  const words = commas.filter(Boolean).join(' ').split(' ').filter(Boolean);
  if (words.length === 0) return { firstName: null, middleName: null, lastName: null };
  if (words.length === 1) return { firstName: words[0], middleName: null, lastName: null };
  let lastStart = words.length - 1;
  if (words.length >= 3 && SUFFIXES.has(words[lastStart].toLowerCase())) lastStart--;
  for (;;) {
    const before = words[lastStart - 1]?.toLowerCase();
    if (lastStart > 1 && PARTICLES.has(before)) lastStart--;
    else if (lastStart > 2 && before === 'y') lastStart -= 2;
    else break;
  }
  return {
    firstName: words[0],
    middleName: words.slice(1, lastStart).join(' ') || null,
    lastName: words.slice(lastStart).join(' '),
  };
}

export function joinFlowhubName(name: PersonName): string {
  return [name.firstName, name.middleName, name.lastName]
    .map((part) => part?.trim())
    .filter(Boolean)
    .join(' ');
}

const PLACEHOLDERS = new Set(['', 'n/a', 'na', 'null', 'none', 'undefined']);

/** A vendor string with its placeholders ('', "N/A", "null") as null. */
export function present(value: string | null | undefined): string | null {
  if (typeof value !== 'string') return null;
  const trimmed = value.trim();
  return PLACEHOLDERS.has(trimmed.toLowerCase()) ? null : trimmed;
}

/** 'YYYY-MM-DD' from a date or timestamp; placeholders (year 1900 and before, 0001-01-01) → null. */
export function calendarDate(value: string | null | undefined): IsoDate | null {
  const match = /^(\d{4})-(\d{2})-(\d{2})/.exec(present(value) ?? '');
  if (!match) return null;
  const [, year, month, day] = match.map(Number);
  if (year <= 1900 || month < 1 || month > 12 || day < 1 || day > 31) return null;
  return match[0];
}

function document(number: string | null | undefined, state: string | null | undefined, expiry?: string | null) {
  const value = present(number);
  if (!value) return null;
  const doc: PosDocument = {
    number: value,
    state: present(state)?.toUpperCase() ?? null,
    expiresOn: calendarDate(expiry),
  };
  return doc;
}

function customerType(type: string | null | undefined): PosCustomer['customerType'] {
  // Flowhub's casing drifts between docs and live answers ("sold" / "Sold"): compare case-insensitively.
  switch (present(type)?.toLowerCase()) {
    case 'reccustomer':
    case 'rec':
    case 'recreational':
      return 'recreational';
    case 'medcustomer':
    case 'med':
    case 'medical':
      return 'medical';
    default:
      return null;
  }
}

/**
 * A Flowhub customer-model in our shape. Flowhub has no status, merge or deactivation: every customer is
 * active. `isLoyal: false` means not enrolled, so no balance (null) rather than a misleading 0. The
 * documents' state is the customer's `state`, Flowhub's only one; the documented response carries no
 * documents ([L] write-only), so these are usually null.
 */
export function toPosCustomer(record: FlowhubCustomer): PosCustomer {
  const points = record.loyaltyPoints;
  return {
    externalId: record.id,
    ...splitFlowhubName(record.name),
    birthday: calendarDate(record.birthDate),
    email: present(record.email),
    phone: present(record.phone),
    driversLicense: document(record.stateId, record.state, record.stateIdExpiration),
    medicalCard: document(record.medId, record.state, record.medIdExpiration),
    customerType: customerType(record.type),
    loyaltyPoints: record.isLoyal === false || typeof points !== 'number' ? null : points,
    status: 'active',
    mergedIntoExternalId: null,
    lastModifiedAt: record.updatedAt ? new Date(record.updatedAt) : null,
  };
}

/**
 * Patron's E.164 as Flowhub shows phones, "(555) 123-4567", for North American numbers ([ASSUMPTION]:
 * the write format is undocumented; we send what its reads return). Other numbers go as given.
 */
export function toFlowhubPhone(phone: string | null): string | null {
  const nanp = /^\+1(\d{3})(\d{3})(\d{4})$/.exec(phone ?? '');
  return nanp ? `(${nanp[1]}) ${nanp[2]}-${nanp[3]}` : phone;
}

const rejected = (path: string, message: string) =>
  new PosError('pos_rejected', `flowhub requires ${message}`, {
    provider: 'flowhub',
    retryable: false,
    details: [{ path, type: 'any.required' }],
  });

const twoLetters = (value: string | null | undefined) => {
  const state = present(value)?.toUpperCase();
  return state && /^[A-Z]{2}$/.test(state) ? state : null;
};

/**
 * POST /v1/customer. Flowhub requires birthDate, name, state and type: a customer without a birthday is
 * refused here (pos_rejected, not retried) rather than by a 422; `state` is the licence's or the medical
 * card's, else the store's own (its location address); an unknown type is sold as recreational.
 */
export function toFlowhubCreate(customer: NewPosCustomer, storeState: string | null): FlowhubCustomerWrite {
  const birthDate = customer.birthday;
  if (!birthDate) throw rejected('birthday', 'a birthday');
  const name = joinFlowhubName(customer);
  if (!name) throw rejected('firstName', 'a name');
  const state = twoLetters(customer.driversLicense?.state) ?? twoLetters(customer.medicalCard?.state);
  const body: FlowhubCustomerWrite = {
    birthDate,
    name,
    state: state ?? requiredState(storeState),
    type: customer.customerType === 'medical' ? 'medCustomer' : 'recCustomer',
  };
  // A new customer has nothing to clear: optional fields go only when there is a value.
  if (customer.email) body.email = customer.email;
  if (customer.phone) body.phone = toFlowhubPhone(customer.phone);
  const documents = {
    driversLicense: customer.driversLicense ?? undefined,
    medicalCard: customer.medicalCard ?? undefined,
  };
  return { ...body, ...documentFields(documents) };
}

function requiredState(storeState: string | null): string {
  const state = twoLetters(storeState);
  if (!state) throw rejected('state', "a state (the licence's, the medical card's or the store's)");
  return state;
}

function documentFields(source: Pick<PosCustomerPatch, 'driversLicense' | 'medicalCard'>) {
  const fields: Partial<FlowhubCustomerWrite> = {};
  if (source.driversLicense !== undefined) {
    fields.stateId = source.driversLicense?.number ?? null;
    fields.stateIdExpiration = source.driversLicense?.expiresOn ?? null;
  }
  if (source.medicalCard !== undefined) {
    fields.medId = source.medicalCard?.number ?? null;
    fields.medIdExpiration = source.medicalCard?.expiresOn ?? null;
  }
  return fields;
}

// What a PUT carries over from the current record: it replaces the customer, so a field left out may be
// wiped. Not loyalty (a sale may credit points between our read and our write, and we would undo it)
// nor groups (read as {name}, written as {groupId}).
const CARRIED = [
  'email',
  'phone',
  'stateId',
  'stateIdExpiration',
  'medId',
  'medIdExpiration',
  'streetAddress1',
  'streetAddress2',
  'city',
  'zip',
  'consentsToPromotionalEmail',
  'consentsToPromotionalSMS',
] as const;

/**
 * PUT /v1/customer/{id}: the current record with the patch laid over it. A name part in the patch
 * replaces that part of the split name; `null` clears (sent as null), except where Flowhub requires a
 * value: a cleared birthday is refused, a cleared customer type keeps the current one.
 */
export function toFlowhubUpdate(
  current: FlowhubCustomer,
  patch: PosCustomerPatch,
  storeState: string | null,
): FlowhubCustomerWrite {
  const carried: Partial<FlowhubCustomerWrite> = {};
  for (const field of CARRIED) if (current[field] != null) Object.assign(carried, { [field]: current[field] });

  const name = { ...splitFlowhubName(current.name) };
  if (patch.firstName !== undefined) name.firstName = patch.firstName;
  if (patch.middleName !== undefined) name.middleName = patch.middleName;
  if (patch.lastName !== undefined) name.lastName = patch.lastName;
  const fullName = joinFlowhubName(name);
  if (!fullName) throw rejected('firstName', 'a name');

  const birthDate = patch.birthday !== undefined ? patch.birthday : calendarDate(current.birthDate);
  if (!birthDate) throw rejected('birthday', 'a birthday');

  const currentType = customerType(current.type);
  const type = patch.customerType ?? currentType;
  const state =
    twoLetters(current.state) ??
    twoLetters(patch.driversLicense?.state) ??
    twoLetters(patch.medicalCard?.state) ??
    requiredState(storeState);

  return {
    ...carried,
    birthDate,
    name: fullName,
    state,
    type: type === 'medical' ? 'medCustomer' : 'recCustomer',
    ...(patch.email !== undefined ? { email: patch.email } : {}),
    ...(patch.phone !== undefined ? { phone: toFlowhubPhone(patch.phone) } : {}),
    ...documentFields(patch),
  };
}
