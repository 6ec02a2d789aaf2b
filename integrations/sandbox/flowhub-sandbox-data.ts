import { createHash } from 'node:crypto';
import type { SandboxPerson } from './sandbox-kit.js';

// Flowhub-shaped customers for the sandbox (pos-apis.md §2, the Swagger "customer-model"): one `name`,
// `type` recCustomer|medCustomer, isLoyal/loyaltyPoints, phones as "(415) 555-0123", timestamps with
// microseconds and Z, no status field. Quirks are seeded by index so every run serves the same data.

export type FlowhubRecord = Record<string, unknown> & { id: string; createdAt: string; updatedAt: string };

export const SANDBOX_STATE = 'CA';

/** A stable UUID v4-shaped id from a seed text. */
export function flowhubUuid(seed: string): string {
  const h = createHash('sha256').update(seed).digest('hex');
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-4${h.slice(13, 16)}-${'89ab'[parseInt(h[16], 16) % 4]}${h.slice(17, 20)}-${h.slice(20, 32)}`;
}

/** Flowhub's timestamps carry microseconds: "2024-03-01T19:45:03.120554Z". */
export const flowhubTimestamp = (at: Date) => at.toISOString().replace(/Z$/, '000Z');

export const flowhubPhone = (digits: string) => `(${digits.slice(0, 3)}) ${digits.slice(3, 6)}-${digits.slice(6, 10)}`;

export function flowhubRecordOf(person: SandboxPerson): FlowhubRecord {
  const i = person.index;
  const loyal = person.loyaltyPoints >= 50;
  return {
    id: flowhubUuid(`flowhub-customer-${i}`),
    createdAt: flowhubTimestamp(new Date(person.modifiedAt.getTime() - 30 * 86_400_000)),
    updatedAt: flowhubTimestamp(person.modifiedAt),
    type: person.medical ? 'medCustomer' : 'recCustomer',
    name: `${person.firstName} ${person.lastName}`,
    state: SANDBOX_STATE,
    birthDate: person.birthday,
    isLoyal: loyal,
    loyaltyPoints: loyal ? person.loyaltyPoints : 0,
    phone: flowhubPhone(person.phone),
    // Flowhub sends blanks, not nulls, for what was never filled in.
    email: i % 11 === 5 ? '' : person.email,
    streetAddress1: `${100 + i} Sandbox Ave`,
    streetAddress2: '',
    city: 'San Francisco',
    zip: '94103',
    country: 'US',
    consentsToPromotionalEmail: i % 3 === 0,
    consentsToPromotionalSMS: i % 4 === 0,
    groups: i % 9 === 4 ? [{ name: 'Industry' }] : [],
  };
}

/** The write body's fields: a PUT replaces them all; loyalty and groups are kept when not sent. */
export const WRITABLE = [
  'birthDate',
  'name',
  'state',
  'type',
  'email',
  'phone',
  'streetAddress1',
  'streetAddress2',
  'city',
  'zip',
  'consentsToPromotionalEmail',
  'consentsToPromotionalSMS',
  'medId',
  'medIdExpiration',
  'stateId',
  'stateIdExpiration',
] as const;
const KEPT_WHEN_ABSENT = ['isLoyal', 'loyaltyPoints'] as const;

export interface WriteProblem {
  field: string;
  message: string;
}

const YMD = /^\d{4}-\d{2}-\d{2}$/;

/** Problems with a create/update body, as Flowhub's Swagger states its required fields. */
export function writeProblems(body: Record<string, unknown>): WriteProblem[] {
  const problems: WriteProblem[] = [];
  const text = (field: string) => typeof body[field] === 'string' && (body[field] as string).trim() !== '';
  if (!text('name')) problems.push({ field: 'name', message: 'name is required' });
  if (!text('birthDate') || !YMD.test(body.birthDate as string)) {
    problems.push({ field: 'birthDate', message: 'birthDate is required and must be in format yyyy-mm-dd' });
  }
  if (!text('state') || !/^[A-Z]{2}$/.test(body.state as string)) {
    problems.push({ field: 'state', message: 'state is required and must be a 2-letter abbreviation' });
  }
  if (body.type !== 'recCustomer' && body.type !== 'medCustomer') {
    problems.push({ field: 'type', message: 'type must be one of recCustomer, medCustomer' });
  }
  for (const field of ['medIdExpiration', 'stateIdExpiration']) {
    if (body[field] != null && body[field] !== '' && !YMD.test(String(body[field]))) {
      problems.push({ field, message: `${field} must be in format yyyy-mm-dd` });
    }
  }
  return problems;
}

/** What a PUT leaves: the writable fields exactly as sent (absent ones cleared), loyalty kept if absent. */
export function replaced(current: FlowhubRecord, body: Record<string, unknown>, at: Date): FlowhubRecord {
  const next: FlowhubRecord = { ...current, updatedAt: flowhubTimestamp(at) };
  for (const field of WRITABLE) next[field] = body[field] ?? null;
  for (const field of KEPT_WHEN_ABSENT) if (field in body) next[field] = body[field];
  return next;
}

export function created(id: string, body: Record<string, unknown>, at: Date): FlowhubRecord {
  const base: FlowhubRecord = {
    id,
    createdAt: flowhubTimestamp(at),
    updatedAt: flowhubTimestamp(at),
    isLoyal: false,
    loyaltyPoints: 0,
    country: 'US',
    groups: [],
  };
  return replaced(base, body, at);
}
