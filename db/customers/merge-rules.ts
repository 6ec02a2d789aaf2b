import { AppError } from '../../config/errors.js';
import { CONSENT_KINDS } from './customer-model.js';

// Pure rules of a merge: which record may take part, and which values the survivor ends with.

/** The fields a merge request may choose per field, with the columns each one carries. */
export const MERGE_FIELDS = {
  firstName: ['first_name'],
  middleName: ['middle_name'],
  lastName: ['last_name'],
  birthday: ['birthday'],
  email: ['email'],
  phone: ['phone'],
  gender: ['gender'],
  customerType: ['customer_type'],
  driversLicense: [
    'drivers_license_ciphertext',
    'drivers_license_bidx',
    'drivers_license_last4',
    'drivers_license_state',
    'drivers_license_expires_on',
  ],
  medicalCard: [
    'medical_card_ciphertext',
    'medical_card_bidx',
    'medical_card_last4',
    'medical_card_state',
    'medical_card_expires_on',
  ],
  avatar: ['avatar_key', 'avatar_content_type'],
  consents: ['consents'],
} as const;

export type MergeField = keyof typeof MERGE_FIELDS;
export type MergeChoice = 'source' | 'target';
export const MERGE_FIELD_NAMES = Object.keys(MERGE_FIELDS) as MergeField[];

type Row = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any

const MERGEABLE = ['active', 'inactive'];

/** Only live customers merge; a merged, deleted or erased one is history and cannot take part. */
export function assertMergeable(row: Row, role: 'source' | 'target'): void {
  if (MERGEABLE.includes(row.status)) return;
  throw new AppError('conflict', `the ${role} customer is ${row.status} and cannot be merged`, {
    details: [{ path: role === 'source' ? 'sourceId' : 'id', message: `customer is ${row.status}` }],
  });
}

const isEmpty = (row: Row, field: MergeField) =>
  MERGE_FIELDS[field].every((column) => row[column] === null || row[column] === undefined || row[column] === '');

const sameValue = (a: unknown, b: unknown) => JSON.stringify(a ?? null) === JSON.stringify(b ?? null);

interface ConsentValue {
  granted?: boolean;
  at?: string | null;
  source?: string | null;
}

/**
 * A consent is the person's latest statement, whichever record holds it: a withdrawal on the source
 * made after the survivor's grant must win. Without a time, the survivor's stands.
 */
export function mergeConsents(
  target: Record<string, ConsentValue> | null,
  source: Record<string, ConsentValue> | null,
): Record<string, ConsentValue> {
  const out: Record<string, ConsentValue> = { ...(target ?? {}) };
  for (const kind of CONSENT_KINDS) {
    const t = target?.[kind];
    const s = source?.[kind];
    if (!s) continue;
    if (!t || (s.at && (!t.at || Date.parse(s.at) > Date.parse(t.at)))) out[kind] = s;
  }
  return out;
}

export interface SurvivorPlan {
  /** Columns of the survivor to write (values as stored). */
  patch: Row;
  /** API names of the survivor's fields whose value changed. */
  changedFields: Array<MergeField | 'loyaltyPoints'>;
  /**
   * Columns of the source to write: when the survivor takes the source's avatar, the two swap files,
   * so no file is pointed at twice (an erasure of one would delete the other's) and none is orphaned.
   */
  sourcePatch: Row;
  sourceChangedFields: Array<'avatar' | 'loyaltyPoints'>;
}

/**
 * The survivor keeps its own values. A field it has no value for is filled from the source, so a merge
 * never loses what the person told us; `fields` overrides per field: 'source' takes the source's value
 * (even an empty one), 'target' keeps the survivor's (even an empty one). Consents: see mergeConsents.
 * Loyalty points add up.
 */
export function planSurvivor(target: Row, source: Row, fields: Partial<Record<MergeField, MergeChoice>>): SurvivorPlan {
  const patch: Row = {};
  const changedFields: SurvivorPlan['changedFields'] = [];
  for (const field of MERGE_FIELD_NAMES) {
    const choice = fields[field];
    let next: Row;
    if (field === 'consents' && !choice) next = { consents: mergeConsents(target.consents, source.consents) };
    else {
      const takeSource = choice === 'source' || (!choice && isEmpty(target, field) && !isEmpty(source, field));
      if (!takeSource) continue;
      next = Object.fromEntries(MERGE_FIELDS[field].map((column) => [column, source[column] ?? null]));
    }
    if (field === 'customerType' && !next.customer_type) continue;
    if (MERGE_FIELDS[field].every((column) => sameValue(next[column], target[column]))) continue;
    Object.assign(patch, next);
    changedFields.push(field);
  }
  const sourcePatch: Row = {};
  const sourceChangedFields: SurvivorPlan['sourceChangedFields'] = [];
  if (changedFields.includes('avatar')) {
    sourceChangedFields.push('avatar');
    sourcePatch.avatar_key = target.avatar_key ?? null;
    sourcePatch.avatar_content_type = target.avatar_content_type ?? null;
  }
  // A balance, not a personal field: the person keeps every point; the source's drop to 0 so totals count once.
  if (source.loyalty_points) {
    patch.loyalty_points = (target.loyalty_points ?? 0) + source.loyalty_points;
    sourcePatch.loyalty_points = 0;
    changedFields.push('loyaltyPoints');
    sourceChangedFields.push('loyaltyPoints');
  }
  return { patch, changedFields, sourcePatch, sourceChangedFields };
}
