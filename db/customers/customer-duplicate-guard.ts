import { AppError } from '../../config/errors.js';
import { recordAudit } from '../audit/audit-repository.js';
import { type ServiceContext, storeOf } from '../context.js';
import { blindIndex } from '../crypto/field-encryption.js';
import type { Trx } from '../knex.js';
import { customerMetrics } from './customer-metrics.js';
import type { ChangedField, CustomerValues } from './customer-rules.js';
import { findDuplicateCandidates, type DuplicateCandidate, type DuplicateProbe } from './duplicate-finder.js';

// The duplicate check every create and edit goes through (db/customers/customer-service.ts).

export const bidxOf = (kind: 'drivers_license' | 'medical_card', value: { number?: string } | null | undefined) =>
  value?.number ? blindIndex(kind, value.number) : null;

function probeOf(values: CustomerValues): DuplicateProbe {
  return {
    firstName: values.firstName,
    lastName: values.lastName,
    birthday: values.birthday,
    email: values.email,
    phone: values.phone,
    driversLicenseBidx: bidxOf('drivers_license', values.driversLicense),
    medicalCardBidx: bidxOf('medical_card', values.medicalCard),
  };
}

/** The evidence field a changed field can produce (names are matched as one). */
const EVIDENCE_OF: Partial<Record<ChangedField, string>> = {
  firstName: 'name',
  lastName: 'name',
  birthday: 'birthday',
  email: 'email',
  phone: 'phone',
  driversLicense: 'driversLicense',
  medicalCard: 'medicalCard',
};

/**
 * Likely duplicates of `values`; on an edit, only those the edited fields take part in, so fixing a
 * typo in a phone number does not re-raise a duplicate someone already allowed on the email.
 */
export async function duplicatesOf(
  trx: Trx,
  ctx: ServiceContext,
  values: CustomerValues,
  edit?: { id: string; changed: ChangedField[] },
): Promise<DuplicateCandidate[]> {
  const scope = { orgId: ctx.orgId, storeId: storeOf(ctx) };
  const candidates = await findDuplicateCandidates(trx, scope, probeOf(values), { excludeId: edit?.id });
  if (!edit) return candidates;
  const evidence = new Set(edit.changed.map((f) => EVIDENCE_OF[f]).filter(Boolean));
  return candidates.filter((c) => c.matchedOn.some((m) => evidence.has(m.field)));
}

/** Refuses a likely duplicate, or (allowed) returns the evidence field names to audit. */
export function judgeDuplicates(candidates: DuplicateCandidate[], allow: boolean): string[] {
  if (candidates.length === 0) return [];
  if (!allow) {
    customerMetrics.duplicateWarnings.inc();
    throw new AppError(
      'duplicate_customer',
      'this looks like an existing customer; pick one of the candidates or retry with allowDuplicate=true',
      { details: candidates.map((c) => ({ ...c })) },
    );
  }
  return [...new Set(candidates.flatMap((c) => c.matchedOn.map((m) => m.field)))].sort();
}

export async function auditDuplicateAllowed(trx: Trx, ctx: ServiceContext, customerId: string, fields: string[]) {
  if (fields.length === 0) return;
  await recordAudit(trx, ctx, {
    action: 'customer.duplicate_allowed',
    subjectType: 'customer',
    subjectId: customerId,
    changedFields: fields,
  });
}
