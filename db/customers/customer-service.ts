import { AppError, notFound, versionConflict } from '../../config/errors.js';
import { recordAudit } from '../audit/audit-repository.js';
import { storeOf, type ServiceContext } from '../context.js';
import type { Db, Trx } from '../knex.js';
import { writeOutboxEvent } from '../outbox/outbox-repository.js';
import { recordPosWriteIntent, touchesPosFields } from '../pos/pos-write-intent.js';
import { withTenant } from '../tenant.js';
import { customerMetrics } from './customer-metrics.js';
import { customerFromRow, type Customer, type ExternalRef } from './customer-model.js';
import { loadRelatedOne } from './customer-related-repository.js';
import { findByExternalRef, findByIdentifiers, findCustomer, findCustomerRow } from './customer-repository.js';
import {
  applyInput,
  assertEditable,
  changedFields,
  emptyValues,
  identityLockKeys,
  invalid,
  normaliseInput,
  prepareAddresses,
  prepareTags,
  touchesIdentity,
  uniqueProblems,
  valuesOf,
  VALUE_FIELDS,
  type ChangedField,
  type ConsentStamp,
  type CustomerFieldsInput,
  type CustomerValues,
  type NewCustomerInput,
  type NormalisedInput,
  type PreparedAddress,
} from './customer-rules.js';
import {
  addTags,
  columnsFor,
  insertAddresses,
  insertCustomerRow,
  insertExternalRef,
  isExternalRefTaken,
  lockKeys,
  softDeleteCustomerRow,
  updateCustomerRow,
} from './customer-write-repository.js';
import { auditDuplicateAllowed, bidxOf, duplicatesOf, judgeDuplicates } from './customer-duplicate-guard.js';

// The one place a customer is created or changed: the API, the CSV import and the POS sync all call
// these, so normalisation, duplicate checks, audit and outbox happen the same way for every source.

export interface WriteOptions {
  /** The store's country (ISO alpha-2): phones without a country code are read in it. */
  storeCountry: string;
  /** Create or edit even when the record looks like an existing customer (audited). */
  allowDuplicate?: boolean;
  /** Recorded as the source of consent decisions; by default from the actor (staff, api, system). */
  consentSource?: string;
}

export interface UpsertInput extends NewCustomerInput {
  externalRef?: ExternalRef;
}

const ALL_FIELDS: ChangedField[] = [
  ...VALUE_FIELDS,
  'consents.marketingEmail',
  'consents.marketingSms',
  'consents.dataProcessing',
];

function consentStamp(ctx: ServiceContext, options: WriteOptions): ConsentStamp {
  const byActor = { user: 'staff', api_key: 'api', system: 'system' } as const;
  return { at: new Date().toISOString(), source: options.consentSource ?? byActor[ctx.actor.type] };
}

function lockKeysOf(storeId: string, input: NormalisedInput, externalRef?: ExternalRef): string[] {
  return identityLockKeys(storeId, {
    email: input.email,
    phone: input.phone,
    driversLicenseBidx: bidxOf('drivers_license', input.driversLicense),
    externalRef: externalRef ? `${externalRef.provider}:${externalRef.externalId}` : undefined,
  });
}

interface NewCustomerParts {
  values: CustomerValues;
  addresses: PreparedAddress[];
  tags: string[];
  externalRef?: ExternalRef;
}

async function insertNewCustomer(trx: Trx, ctx: ServiceContext, parts: NewCustomerParts): Promise<Customer> {
  const storeId = storeOf(ctx);
  const row = await insertCustomerRow(trx, ctx.orgId, storeId, parts.values, ALL_FIELDS);
  await insertAddresses(trx, ctx.orgId, storeId, row.id as string, parts.addresses);
  await addTags(trx, ctx.orgId, storeId, row.id as string, parts.tags, ctx.actor.type === 'user' ? ctx.actor.id : null);
  if (parts.externalRef) await insertExternalRef(trx, ctx.orgId, storeId, row.id as string, parts.externalRef);
  const posSyncStatus = await recordPosWriteIntent(trx, ctx.orgId, storeId, row.id as string);
  if (posSyncStatus) row.pos_sync_status = posSyncStatus;
  const setFields = changedFields(emptyValues(), parts.values);
  const subject = { subjectType: 'customer', subjectId: row.id as string };
  await recordAudit(trx, ctx, { action: 'customer.created', ...subject, changedFields: setFields });
  await writeOutboxEvent(trx, ctx, { type: 'customer.created', subject: { type: 'customer', id: row.id as string } });
  return customerFromRow(row, await loadRelatedOne(trx, storeId, row.id as string));
}

/** Normalises and checks a new customer's input; every problem at once. */
function prepareNew(input: NewCustomerInput, options: WriteOptions, stamp: ConsentStamp) {
  const normalised = normaliseInput(input, options.storeCountry);
  const applied = applyInput(emptyValues(), normalised.input, stamp);
  const addresses = prepareAddresses(input.addresses ?? [], options.storeCountry);
  const problems = uniqueProblems(normalised.problems, applied.problems, addresses.problems);
  if (problems.length > 0) throw invalid(problems);
  return {
    normalised: normalised.input,
    parts: { values: applied.values, addresses: addresses.addresses, tags: prepareTags(input.tags ?? []) },
  };
}

export async function createCustomer(
  db: Db,
  ctx: ServiceContext,
  input: NewCustomerInput,
  options: WriteOptions,
): Promise<Customer> {
  const storeId = storeOf(ctx);
  const { normalised, parts } = prepareNew(input, options, consentStamp(ctx, options));
  const customer = await withTenant(db, { orgId: ctx.orgId }, async (trx) => {
    // Serialises writes carrying the same identifier, so two counters cannot both create one person.
    await lockKeys(trx, lockKeysOf(storeId, normalised));
    const allowed = judgeDuplicates(await duplicatesOf(trx, ctx, parts.values), options.allowDuplicate ?? false);
    const created = await insertNewCustomer(trx, ctx, parts);
    await auditDuplicateAllowed(trx, ctx, created.id, allowed);
    return created;
  });
  customerMetrics.created.inc();
  return customer;
}

export async function getCustomer(db: Db, ctx: ServiceContext, id: string): Promise<Customer> {
  const customer = await withTenant(db, { orgId: ctx.orgId }, (trx) => findCustomer(trx, ctx.orgId, storeOf(ctx), id));
  if (!customer) throw notFound('customer');
  return customer;
}

interface ChangeOptions {
  stamp: ConsentStamp;
  /** Run the duplicate check on edited identity fields (not for upserts: they match instead). */
  duplicateCheck: boolean;
  allowDuplicate: boolean;
  /** Changes already made outside the customer row (e.g. an external ref attached). */
  alsoChanged?: string[];
}

/** Applies input to a locked, editable customer: writes only what changed, with audit and outbox. */
async function changeCustomer(
  trx: Trx,
  ctx: ServiceContext,
  current: Customer,
  input: NormalisedInput,
  options: ChangeOptions,
): Promise<{ customer: Customer; changed: string[] }> {
  const base = valuesOf(current);
  const applied = applyInput(base, input, options.stamp);
  if (applied.problems.length > 0) throw invalid(applied.problems);
  const changed = changedFields(base, applied.values);
  const alsoChanged = options.alsoChanged ?? [];
  if (changed.length === 0 && alsoChanged.length === 0) return { customer: current, changed: [] };

  let allowed: string[] = [];
  if (options.duplicateCheck && touchesIdentity(changed)) {
    const candidates = await duplicatesOf(trx, ctx, applied.values, { id: current.id, changed });
    allowed = judgeDuplicates(candidates, options.allowDuplicate);
  }
  let customer = current;
  if (changed.length > 0) {
    const row = await updateCustomerRow(
      trx,
      ctx.orgId,
      current.storeId,
      current.id,
      current.version,
      columnsFor(applied.values, changed),
    );
    if (!row) throw versionConflict('customer', current.version + 1);
    customer = customerFromRow(row, current);
    if (touchesPosFields(changed)) {
      const posSyncStatus = await recordPosWriteIntent(trx, ctx.orgId, current.storeId, current.id);
      if (posSyncStatus) customer.posSyncStatus = posSyncStatus;
    }
  }
  const all = [...changed, ...alsoChanged];
  await recordAudit(trx, ctx, {
    action: 'customer.updated',
    subjectType: 'customer',
    subjectId: current.id,
    changedFields: all,
  });
  await auditDuplicateAllowed(trx, ctx, current.id, allowed);
  await writeOutboxEvent(trx, ctx, {
    type: 'customer.updated',
    subject: { type: 'customer', id: current.id },
    data: { changedFields: all },
  });
  return { customer, changed: all };
}

/** Locks the customer for the rest of the transaction and refuses history (deleted, merged, erased). */
async function lockEditable(trx: Trx, ctx: ServiceContext, id: string, expectedVersion?: number): Promise<Customer> {
  const current = await findCustomer(trx, ctx.orgId, storeOf(ctx), id, { forUpdate: true });
  if (!current) throw notFound('customer');
  assertEditable(current.status, current.mergedIntoId);
  if (expectedVersion !== undefined && expectedVersion !== current.version) {
    throw versionConflict('customer', current.version);
  }
  return current;
}

/**
 * Partial update. `expectedVersion` comes from If-Match; the row is locked first, so two PATCHes naming
 * the same version cannot both succeed. A PATCH that changes nothing writes nothing (no version bump).
 */
export async function updateCustomer(
  db: Db,
  ctx: ServiceContext,
  id: string,
  input: CustomerFieldsInput,
  options: WriteOptions & { expectedVersion?: number },
): Promise<Customer> {
  const storeId = storeOf(ctx);
  const normalised = normaliseInput(input, options.storeCountry);
  if (normalised.problems.length > 0) throw invalid(uniqueProblems(normalised.problems));
  const stamp = consentStamp(ctx, options);
  const result = await withTenant(db, { orgId: ctx.orgId }, async (trx) => {
    // Identifier locks before the row lock, in the same order as creates and upserts: no deadlock.
    await lockKeys(trx, lockKeysOf(storeId, normalised.input));
    const current = await lockEditable(trx, ctx, id, options.expectedVersion);
    return changeCustomer(trx, ctx, current, normalised.input, {
      stamp,
      duplicateCheck: true,
      allowDuplicate: options.allowDuplicate ?? false,
    });
  });
  if (result.changed.length > 0) customerMetrics.updated.inc();
  return result.customer;
}

/** Soft delete; deleting a deleted customer again is a no-op. */
export async function deleteCustomer(db: Db, ctx: ServiceContext, id: string, expectedVersion?: number): Promise<void> {
  const storeId = storeOf(ctx);
  const deleted = await withTenant(db, { orgId: ctx.orgId }, async (trx) => {
    const row = await findCustomerRow(trx, ctx.orgId, storeId, id, { forUpdate: true });
    if (!row) throw notFound('customer');
    if (row.status === 'deleted') return false;
    assertEditable(row.status, row.merged_into_id);
    if (expectedVersion !== undefined && expectedVersion !== row.version)
      throw versionConflict('customer', row.version);
    if (!(await softDeleteCustomerRow(trx, ctx.orgId, storeId, id, row.version))) {
      throw versionConflict('customer', row.version + 1);
    }
    await recordAudit(trx, ctx, { action: 'customer.deleted', subjectType: 'customer', subjectId: id });
    await writeOutboxEvent(trx, ctx, { type: 'customer.deleted', subject: { type: 'customer', id } });
    return true;
  });
  if (deleted) customerMetrics.deleted.inc();
}

// A merged customer's POS id is followed to the survivor; a chain this long means corrupt data.
const MAX_MERGE_HOPS = 5;

async function customerOfExternalRef(trx: Trx, ctx: ServiceContext, ref: ExternalRef): Promise<string | undefined> {
  let found = await findByExternalRef(trx, ctx.orgId, storeOf(ctx), ref);
  for (let hop = 0; found?.status === 'merged' && found.mergedIntoId && hop < MAX_MERGE_HOPS; hop += 1) {
    const survivor = await findCustomerRow(trx, ctx.orgId, storeOf(ctx), found.mergedIntoId);
    found = survivor && { id: survivor.id, status: survivor.status, mergedIntoId: survivor.merged_into_id };
  }
  if (found && found.status !== 'active' && found.status !== 'inactive') {
    throw new AppError('conflict', `externalRef belongs to a ${found.status} customer`, {
      details: [{ path: 'externalRef', message: `belongs to a ${found.status} customer`, customerId: found.id }],
    });
  }
  return found?.id;
}

/**
 * For other services: find the customer by external ref, then email, phone or licence (live customers
 * only) and update what changed, or create one (with the ref). Calling it twice changes nothing the
 * second time. Addresses and tags are applied when it creates; an update touches the profile fields
 * (and attaches a new external ref). No duplicate 409 here: matching is how an upsert resolves one.
 */
export async function upsertCustomer(
  db: Db,
  ctx: ServiceContext,
  input: UpsertInput,
  options: WriteOptions,
): Promise<{ customer: Customer; created: boolean }> {
  const storeId = storeOf(ctx);
  const stamp = consentStamp(ctx, options);
  const { normalised, parts } = prepareNew(input, options, stamp);
  const ref = input.externalRef;

  const attempt = () =>
    withTenant(db, { orgId: ctx.orgId }, async (trx) => {
      await lockKeys(trx, lockKeysOf(storeId, normalised, ref));
      const byRef = ref && (await customerOfExternalRef(trx, ctx, ref));
      const matchId =
        byRef ??
        (await findByIdentifiers(trx, ctx.orgId, storeId, {
          email: parts.values.email,
          phone: parts.values.phone,
          driversLicenseBidx: bidxOf('drivers_license', parts.values.driversLicense),
        }));
      if (!matchId) {
        const created = await insertNewCustomer(trx, ctx, { ...parts, externalRef: ref });
        return { customer: created, created: true, changed: [] as string[] };
      }

      const current = await lockEditable(trx, ctx, matchId);
      // Found through the ref (possibly via a merge): it is in place already; otherwise it is new here.
      const hasRef = !ref || byRef !== undefined;
      if (!hasRef) await insertExternalRef(trx, ctx.orgId, storeId, current.id, ref!);
      const { customer, changed } = await changeCustomer(trx, ctx, current, normalised, {
        stamp,
        duplicateCheck: false,
        allowDuplicate: true,
        alsoChanged: hasRef ? [] : ['externalRefs'],
      });
      if (!hasRef) customer.externalRefs = [...customer.externalRefs, ref!];
      return { customer, created: false, changed };
    });

  let result: Awaited<ReturnType<typeof attempt>>;
  try {
    result = await attempt();
  } catch (err) {
    // The same new POS id attached by a writer that took no lock (e.g. a sync): now it exists, update it.
    if (!isExternalRefTaken(err)) throw err;
    result = await attempt();
  }
  if (result.created) customerMetrics.created.inc();
  else if (result.changed.length > 0) customerMetrics.updated.inc();
  return { customer: result.customer, created: result.created };
}
