import type { ErrorDetail } from '../../config/errors.js';
import type { PosCustomer, PosProvider } from '../../integrations/pos/pos-types.js';
import {
  applyInput,
  emptyValues,
  normaliseInput,
  type CustomerFieldsInput,
  type NormalisedInput,
} from '../customers/customer-rules.js';

// Pure rules of a POS sync: what a run looks like, how a POS record becomes our input, and how far back
// the next run must look.

export const SYNC_STATUSES = ['pending', 'in_progress', 'finished', 'failed'] as const;
export type SyncStatus = (typeof SYNC_STATUSES)[number];
export type SyncTrigger = 'manual' | 'schedule';

export interface SyncCounts {
  fetched: number;
  created: number;
  updated: number;
  unchanged: number;
  merged: number;
  failed: number;
}

export interface RecordError {
  externalId: string;
  message: string;
}

export interface CustomerSync {
  id: string;
  storeId: string;
  provider: PosProvider;
  trigger: SyncTrigger;
  status: SyncStatus;
  counts: SyncCounts;
  startedAt: Date | null;
  finishedAt: Date | null;
  error: { code: string; message: string } | null;
  recordErrors: RecordError[];
  createdAt: Date;
}

/** Record errors kept per run: enough to act on, bounded so a broken vendor cannot bloat the row. */
export const MAX_RECORD_ERRORS = 100;

export const zeroCounts = (): SyncCounts => ({
  fetched: 0,
  created: 0,
  updated: 0,
  unchanged: 0,
  merged: 0,
  failed: 0,
});

export function addCounts(a: SyncCounts, b: SyncCounts): SyncCounts {
  return {
    fetched: a.fetched + b.fetched,
    created: a.created + b.created,
    updated: a.updated + b.updated,
    unchanged: a.unchanged + b.unchanged,
    merged: a.merged + b.merged,
    failed: a.failed + b.failed,
  };
}

/**
 * How far before the watermark a run starts listing. Dutchie's API lags the POS by minutes, so a change
 * saved just before the last run may surface only now; date-only vendors (Flowhub) already widen to a
 * day inside their adapter. Re-reading a record costs a comparison, not a write.
 */
const OVERLAP_MS: Record<PosProvider, number> = {
  leaflogix: 10 * 60_000,
  flowhub: 60_000,
  treez: 2 * 60_000,
  covasoft: 2 * 60_000,
  blaze: 2 * 60_000,
};

export function listSince(provider: PosProvider, watermark: Date | null): Date | null {
  return watermark ? new Date(watermark.getTime() - OVERLAP_MS[provider]) : null;
}

/** The latest lastModifiedAt of a page, or `current` when the page has none later. */
export function latestModified(records: readonly PosCustomer[], current: Date | null): Date | null {
  let latest = current;
  for (const r of records) {
    if (r.lastModifiedAt && (!latest || r.lastModifiedAt > latest)) latest = r.lastModifiedAt;
  }
  return latest;
}

/** A POS record as input for our customer rules, with what could not be taken (messages name fields, never values). */
export interface MappedRecord {
  externalId: string;
  input: NormalisedInput;
  status: 'active' | 'inactive' | 'merged';
  mergedIntoExternalId: string | null;
  loyaltyPoints: number | null;
  lastModifiedAt: Date | null;
  /** Problems that dropped one field; the record is still imported. */
  warnings: ErrorDetail[];
  /** Problems that keep the record out. */
  problems: ErrorDetail[];
}

// loyalty_points is a PostgreSQL integer: vendors' fractional balances are rounded, absurd ones dropped.
const MAX_LOYALTY = 2_147_483_647;

const describe = (details: ErrorDetail[]) => details.map((d) => `${d.path} ${d.message}`).join('; ');

export const recordErrorOf = (externalId: string, details: ErrorDetail[]): RecordError => ({
  externalId,
  message: describe(details),
});

/**
 * Maps a POS record to our input, normalised for the store's country. An invalid phone is dropped with
 * a warning and the rest is imported; a record with no name at all is refused. A medical customer whose
 * POS sends no card is imported with a warning: some vendors never return the number (Flowhub's medId is
 * write-only), and the POS is the source of truth: every field it sends replaces ours, null included.
 */
export function mapPosCustomer(pos: PosCustomer, storeCountry: string): MappedRecord {
  const fields: CustomerFieldsInput = {
    firstName: pos.firstName ?? undefined,
    middleName: pos.middleName,
    lastName: pos.lastName ?? undefined,
    birthday: pos.birthday,
    email: pos.email,
    phone: pos.phone,
    driversLicense: pos.driversLicense && {
      number: pos.driversLicense.number,
      state: pos.driversLicense.state,
      expiresOn: pos.driversLicense.expiresOn,
    },
    medicalCard: pos.medicalCard && {
      number: pos.medicalCard.number,
      state: pos.medicalCard.state,
      expiresOn: pos.medicalCard.expiresOn,
    },
  };
  if (pos.customerType) fields.customerType = pos.customerType;
  const normalised = normaliseInput(fields, storeCountry);
  const input = normalised.input;
  const warnings = normalised.problems.filter((p) => p.path === 'phone');
  const problems = normalised.problems.filter((p) => p.path !== 'phone');
  // A name the POS leaves empty stays empty here (null), rather than keeping a stale one.
  if (pos.firstName === null) input.firstName = null as unknown as string;
  if (pos.lastName === null) input.lastName = null as unknown as string;
  if (!pos.firstName?.trim() && !pos.lastName?.trim()) problems.push({ path: 'name', message: 'is missing' });
  let loyaltyPoints = pos.loyaltyPoints === null ? null : Math.round(pos.loyaltyPoints);
  if (loyaltyPoints !== null && (!Number.isFinite(loyaltyPoints) || Math.abs(loyaltyPoints) > MAX_LOYALTY)) {
    warnings.push({ path: 'loyaltyPoints', message: 'is out of range' });
    loyaltyPoints = null;
  }
  const applied = applyInput(emptyValues(), input, { at: new Date(0).toISOString(), source: 'pos' });
  for (const p of applied.problems) {
    if (p.path === 'medicalCard' && !pos.medicalCard) {
      warnings.push({ path: 'medicalCard', message: 'is not supplied by the POS for this medical customer' });
    } else if (!problems.some((q) => q.path === p.path)) problems.push(p);
  }
  return {
    externalId: pos.externalId,
    input,
    status: pos.status,
    mergedIntoExternalId: pos.mergedIntoExternalId,
    loyaltyPoints,
    lastModifiedAt: pos.lastModifiedAt,
    warnings,
    problems,
  };
}

/** Within one page, the latest version of each external id (vendors with coarse filters repeat records). */
export function latestPerExternalId(records: readonly PosCustomer[]): PosCustomer[] {
  const byId = new Map<string, PosCustomer>();
  for (const r of records) {
    const seen = byId.get(r.externalId);
    if (!seen || (r.lastModifiedAt?.getTime() ?? 0) >= (seen.lastModifiedAt?.getTime() ?? 0)) byId.set(r.externalId, r);
  }
  return [...byId.values()];
}

/** Appends record errors up to the bound. */
export function boundedErrors(existing: readonly RecordError[], more: readonly RecordError[]): RecordError[] {
  return [...existing, ...more].slice(0, MAX_RECORD_ERRORS);
}
