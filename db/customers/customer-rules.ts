import { AppError, type ErrorDetail } from '../../config/errors.js';
import { CONSENT_KINDS, type Consent, type ConsentKind, type Customer, type CustomerStatus } from './customer-model.js';
import { normaliseEmail, normaliseIdNumber, normaliseName, normalisePhone } from './customer-normalise.js';

// Pure rules of a customer write: normalise what was sent, merge it into what is stored, check the rules
// that need the store or the whole record, and name what really changed. Every problem is reported at once.

export type Gender = 'female' | 'male' | 'other' | 'undisclosed';
export type CustomerType = 'recreational' | 'medical';
export type IdentityKind = 'driversLicense' | 'medicalCard';
export const IDENTITY_KINDS: readonly IdentityKind[] = ['driversLicense', 'medicalCard'];

/** An identity document as sent: in a PATCH, the keys given replace, the others stay. */
export interface IdentityInput {
  number?: string;
  state?: string | null;
  expiresOn?: string | null;
}

/** The customer fields a create, PATCH or upsert may carry (validated by joi; null clears). */
export interface CustomerFieldsInput {
  firstName?: string;
  middleName?: string | null;
  lastName?: string;
  birthday?: string | null;
  email?: string | null;
  phone?: string | null;
  gender?: Gender | null;
  customerType?: CustomerType;
  driversLicense?: IdentityInput | null;
  medicalCard?: IdentityInput | null;
  consents?: Partial<Record<ConsentKind, boolean>>;
}

export interface AddressInput {
  type: 'shipping' | 'billing';
  line1: string;
  line2?: string | null;
  city: string;
  region?: string | null;
  postalCode?: string | null;
  country?: string;
  isDefault?: boolean;
}

export interface NewCustomerInput extends CustomerFieldsInput {
  firstName: string;
  lastName: string;
  addresses?: AddressInput[];
  tags?: string[];
}

export interface IdentityValue {
  /** Normalised plaintext (upper-case alphanumerics); encrypted by the repository. */
  number: string;
  state: string | null;
  expiresOn: string | null;
}

/** The scalar state of a customer, normalised: what is compared and written. */
export interface CustomerValues {
  firstName: string | null;
  middleName: string | null;
  lastName: string | null;
  birthday: string | null;
  email: string | null;
  phone: string | null;
  gender: string | null;
  customerType: CustomerType;
  driversLicense: IdentityValue | null;
  medicalCard: IdentityValue | null;
  consents: Record<ConsentKind, Consent>;
}

export type ValueField = Exclude<keyof CustomerValues, 'consents'>;
export const VALUE_FIELDS: readonly ValueField[] = [
  'firstName',
  'middleName',
  'lastName',
  'birthday',
  'email',
  'phone',
  'gender',
  'customerType',
  'driversLicense',
  'medicalCard',
];

/** Changed-field names: the value fields and `consents.<kind>`. Names only, never values. */
export type ChangedField = ValueField | `consents.${ConsentKind}`;

/** Fields whose change can make the record look like someone else: they trigger the duplicate check. */
export const IDENTITY_FIELDS: readonly ChangedField[] = [
  'firstName',
  'lastName',
  'birthday',
  'email',
  'phone',
  'driversLicense',
  'medicalCard',
];

/** Who recorded a consent decision and when. */
export interface ConsentStamp {
  at: string;
  source: string;
}

/** Input with its store-dependent normalisation done: `undefined` = not sent, `null` = clear. */
export interface NormalisedInput {
  firstName?: string;
  middleName?: string | null;
  lastName?: string;
  birthday?: string | null;
  email?: string | null;
  phone?: string | null;
  gender?: string | null;
  customerType?: CustomerType;
  driversLicense?: IdentityInput | null;
  medicalCard?: IdentityInput | null;
  consents?: Partial<Record<ConsentKind, boolean>>;
}

const CLEARED_CONSENT: Consent = { granted: false, at: null, source: null };
const CLEARED_CONSENTS = Object.fromEntries(CONSENT_KINDS.map((k) => [k, CLEARED_CONSENT])) as Record<
  ConsentKind,
  Consent
>;

export function emptyValues(): CustomerValues {
  return {
    firstName: null,
    middleName: null,
    lastName: null,
    birthday: null,
    email: null,
    phone: null,
    gender: null,
    customerType: 'recreational',
    driversLicense: null,
    medicalCard: null,
    consents: { ...CLEARED_CONSENTS },
  };
}

function identityOf(value: Customer['driversLicense']): IdentityValue | null {
  if (!value || value.number === null) return null;
  return { number: value.number, state: value.state, expiresOn: value.expiresOn };
}

/** The comparable state of a stored customer. */
export function valuesOf(c: Customer): CustomerValues {
  return {
    firstName: c.firstName,
    middleName: c.middleName,
    lastName: c.lastName,
    birthday: c.birthday,
    email: c.email,
    phone: c.phone,
    gender: c.gender,
    customerType: c.customerType,
    driversLicense: identityOf(c.driversLicense),
    medicalCard: identityOf(c.medicalCard),
    consents: c.consents,
  };
}

const optionalName = (raw: string | null | undefined) =>
  raw === undefined ? undefined : raw === null ? null : normaliseName(raw) || null;

function normaliseIdentity(
  raw: IdentityInput | null | undefined,
  path: IdentityKind,
  problems: ErrorDetail[],
): IdentityInput | null | undefined {
  if (raw === undefined || raw === null) return raw;
  const out: IdentityInput = {};
  if (raw.number !== undefined) {
    out.number = normaliseIdNumber(raw.number);
    if (out.number === '') problems.push({ path: `${path}.number`, message: 'must contain letters or digits' });
  }
  if (raw.state !== undefined) out.state = raw.state === null ? null : raw.state.trim().toUpperCase() || null;
  if (raw.expiresOn !== undefined) out.expiresOn = raw.expiresOn;
  return out;
}

/**
 * Normalises what was sent (names NFC, email lower-case, phone E.164 in the store's country, identity
 * numbers upper-case alphanumerics) and lists every problem that joi could not see.
 */
export function normaliseInput(
  input: CustomerFieldsInput,
  storeCountry: string,
): { input: NormalisedInput; problems: ErrorDetail[] } {
  const problems: ErrorDetail[] = [];
  const out: NormalisedInput = {};
  if (input.firstName !== undefined) out.firstName = normaliseName(input.firstName);
  if (input.lastName !== undefined) out.lastName = normaliseName(input.lastName);
  if (input.middleName !== undefined) out.middleName = optionalName(input.middleName);
  if (input.birthday !== undefined) out.birthday = input.birthday;
  if (input.email !== undefined) out.email = input.email === null ? null : normaliseEmail(input.email) || null;
  if (input.phone !== undefined) {
    if (input.phone === null || input.phone.trim() === '') out.phone = null;
    else {
      const phone = normalisePhone(input.phone, storeCountry);
      if ('error' in phone) problems.push({ path: 'phone', message: phone.error });
      else out.phone = phone.value;
    }
  }
  if (input.gender !== undefined) out.gender = input.gender;
  if (input.customerType !== undefined) out.customerType = input.customerType;
  for (const kind of IDENTITY_KINDS) {
    const value = normaliseIdentity(input[kind], kind, problems);
    if (value !== undefined) out[kind] = value;
  }
  if (input.consents !== undefined) out.consents = input.consents;
  return { input: out, problems };
}

function mergeIdentity(
  current: IdentityValue | null,
  patch: IdentityInput | null | undefined,
): IdentityValue | { number?: string } | null {
  if (patch === undefined) return current;
  if (patch === null) return null;
  return {
    number: patch.number ?? current?.number,
    state: patch.state !== undefined ? patch.state : (current?.state ?? null),
    expiresOn: patch.expiresOn !== undefined ? patch.expiresOn : (current?.expiresOn ?? null),
  } as IdentityValue;
}

/**
 * The state after applying `input` to `current`, and the problems of that state: an identity document
 * needs its number, and a medical customer needs a medical card (the card is what makes them medical).
 * A consent is re-stamped only when its decision changes or was never recorded.
 */
export function applyInput(
  current: CustomerValues,
  input: NormalisedInput,
  stamp: ConsentStamp,
): { values: CustomerValues; problems: ErrorDetail[] } {
  const problems: ErrorDetail[] = [];
  const next: CustomerValues = { ...current, consents: { ...current.consents } };
  for (const field of ['firstName', 'middleName', 'lastName', 'birthday', 'email', 'phone', 'gender'] as const) {
    if (input[field] !== undefined) next[field] = input[field];
  }
  if (input.customerType !== undefined) next.customerType = input.customerType;
  for (const kind of IDENTITY_KINDS) {
    const merged = mergeIdentity(current[kind], input[kind]);
    if (merged !== null && !merged.number) {
      problems.push({ path: `${kind}.number`, message: 'is required' });
      next[kind] = null;
    } else next[kind] = merged as IdentityValue | null;
  }
  for (const kind of CONSENT_KINDS) {
    const granted = input.consents?.[kind];
    if (granted === undefined) continue;
    const was = current.consents[kind];
    if (was.at === null || was.granted !== granted) next.consents[kind] = { granted, ...stamp };
  }
  if (
    next.customerType === 'medical' &&
    next.medicalCard === null &&
    !problems.some((p) => p.path === 'medicalCard.number')
  ) {
    problems.push({ path: 'medicalCard', message: 'is required for a medical customer' });
  }
  return { values: next, problems };
}

const sameIdentity = (a: IdentityValue | null, b: IdentityValue | null) =>
  a === b || (a !== null && b !== null && a.number === b.number && a.state === b.state && a.expiresOn === b.expiresOn);

/** Names of the fields that differ between two states, in a stable order. */
export function changedFields(current: CustomerValues, next: CustomerValues): ChangedField[] {
  const changed: ChangedField[] = [];
  for (const field of VALUE_FIELDS) {
    if (field === 'driversLicense' || field === 'medicalCard') {
      if (!sameIdentity(current[field], next[field])) changed.push(field);
    } else if (current[field] !== next[field]) changed.push(field);
  }
  for (const kind of CONSENT_KINDS) {
    const a = current.consents[kind];
    const b = next.consents[kind];
    if (a.granted !== b.granted || a.at !== b.at || a.source !== b.source) changed.push(`consents.${kind}`);
  }
  return changed;
}

export const touchesIdentity = (changed: readonly ChangedField[]) => changed.some((f) => IDENTITY_FIELDS.includes(f));

export interface PreparedAddress {
  type: 'shipping' | 'billing';
  line1: string;
  line2: string | null;
  city: string;
  region: string | null;
  postalCode: string | null;
  country: string;
  isDefault: boolean;
}

/**
 * Addresses of a new customer: at most one default per type (two → a problem on the second); when none
 * of a type is marked, the first of that type becomes its default. Country defaults to the store's.
 */
export function prepareAddresses(
  addresses: AddressInput[],
  storeCountry: string,
): { addresses: PreparedAddress[]; problems: ErrorDetail[] } {
  const problems: ErrorDetail[] = [];
  const defaultOf = new Map<string, number>();
  addresses.forEach((a, i) => {
    if (!a.isDefault) return;
    if (defaultOf.has(a.type)) {
      problems.push({ path: `addresses.${i}.isDefault`, message: `only one ${a.type} address can be the default` });
    } else defaultOf.set(a.type, i);
  });
  const prepared = addresses.map((a, i) => ({
    type: a.type,
    line1: a.line1.trim(),
    line2: a.line2?.trim() || null,
    city: a.city.trim(),
    region: a.region?.trim() || null,
    postalCode: a.postalCode?.trim() || null,
    country: (a.country ?? storeCountry).toUpperCase(),
    isDefault: defaultOf.has(a.type)
      ? defaultOf.get(a.type) === i
      : addresses.findIndex((b) => b.type === a.type) === i,
  }));
  return { addresses: prepared, problems };
}

/** Labels trimmed, inner spaces collapsed, first spelling kept when the same label comes twice in any case. */
export function prepareTags(labels: string[]): string[] {
  const seen = new Set<string>();
  const out: string[] = [];
  for (const raw of labels) {
    const label = raw.normalize('NFC').trim().replace(/\s+/g, ' ');
    const key = label.toLowerCase();
    if (label === '' || seen.has(key)) continue;
    seen.add(key);
    out.push(label);
  }
  return out;
}

/** One problem per path (the first found): a bad number is not also reported as a missing one. */
export function uniqueProblems(...lists: ErrorDetail[][]): ErrorDetail[] {
  const seen = new Set<string | undefined>();
  return lists.flat().filter((p) => !seen.has(p.path) && Boolean(seen.add(p.path)));
}

export function invalid(problems: ErrorDetail[]): AppError {
  const summary = problems.map((d) => `${d.path} ${d.message}`).join('; ');
  return new AppError('validation_failed', summary, { details: problems });
}

/** Everything a new customer's input can be checked for before touching the database. */
export function newCustomerProblems(input: NewCustomerInput, storeCountry: string, stamp: ConsentStamp): ErrorDetail[] {
  const normalised = normaliseInput(input, storeCountry);
  const applied = applyInput(emptyValues(), normalised.input, stamp);
  const addresses = prepareAddresses(input.addresses ?? [], storeCountry);
  return uniqueProblems(normalised.problems, applied.problems, addresses.problems);
}

const NOT_EDITABLE: Partial<Record<CustomerStatus, string>> = {
  deleted: 'customer is deleted and cannot be changed',
  merged: 'customer was merged into another; change the surviving customer (mergedIntoId) instead',
  erased: 'customer was erased and cannot be changed',
};

/** Deleted, merged and erased customers are history: they answer GET but take no edits. */
export function assertEditable(status: CustomerStatus, mergedIntoId: string | null = null): void {
  const message = NOT_EDITABLE[status];
  if (!message) return;
  throw new AppError('conflict', message, {
    details: [{ path: 'status', message: `is ${status}`, status, ...(mergedIntoId ? { mergedIntoId } : {}) }],
  });
}

/**
 * Keys of the advisory locks a write takes before it looks for duplicates or matches, so two requests
 * carrying the same identifier are serialised and the second sees the first's row. Sorted: no deadlocks.
 */
export function identityLockKeys(
  storeId: string,
  ids: { email?: string | null; phone?: string | null; driversLicenseBidx?: string | null; externalRef?: string },
): string[] {
  const keys: string[] = [];
  if (ids.email) keys.push(`customer:${storeId}:email:${ids.email}`);
  if (ids.phone) keys.push(`customer:${storeId}:phone:${ids.phone}`);
  if (ids.driversLicenseBidx) keys.push(`customer:${storeId}:dl:${ids.driversLicenseBidx}`);
  if (ids.externalRef) keys.push(`customer:${storeId}:ref:${ids.externalRef}`);
  return keys.sort();
}
