import { config } from '../../config/env.js';
import { posClientFactories } from '../../integrations/pos/index.js';
import type { Trx } from '../knex.js';
import { findPosSettings, type PosSettingsRow } from './pos-settings-repository.js';
import { decryptCredentials } from './pos-settings-service.js';
import { findPosRef, setPosSyncStatus } from './pos-write-repository.js';

/** The customer fields a POS holds: an edit of anything else (gender, consents) is not written through. */
export const POS_FIELDS: readonly string[] = [
  'firstName',
  'middleName',
  'lastName',
  'birthday',
  'email',
  'phone',
  'customerType',
  'driversLicense',
  'medicalCard',
];

export const touchesPosFields = (changed: readonly string[]) => changed.some((f) => POS_FIELDS.includes(f));

/**
 * What the store's adapter can write. Building a client does no I/O. Settings whose client cannot be
 * built (credentials that no longer decrypt or fit) count as capable: the write is then recorded and
 * fails visibly (`failed`) in the job, instead of the customer silently never reaching the POS.
 */
export function posCapabilities(settings: PosSettingsRow): { create: boolean; update: boolean } {
  try {
    return posClientFactories[settings.provider](decryptCredentials(settings), {
      storeTimezone: 'UTC',
      development: config.env !== 'production',
    }).capabilities;
  } catch {
    return { create: true, update: true };
  }
}

/** Which write the customer needs at this store's POS now, or undefined when there is none to make. */
export async function posWriteNeeded(
  trx: Trx,
  orgId: string,
  storeId: string,
  customerId: string,
): Promise<{ settings: PosSettingsRow; operation: 'create' | 'update'; externalId?: string } | undefined> {
  const settings = await findPosSettings(trx, orgId, storeId);
  if (!settings) return undefined;
  const externalId = await findPosRef(trx, orgId, storeId, customerId, settings.provider);
  const operation = externalId ? 'update' : 'create';
  if (!posCapabilities(settings)[operation]) return undefined;
  return { settings, operation, externalId };
}

/**
 * Records, in the caller's transaction, that a staff create or edit must reach the store's POS: the
 * customer becomes `pending`, and that row state is the durable intent the dispatcher in jobs/ picks up.
 * Returns the new state, or undefined when the store has no POS write to make.
 */
export async function recordPosWriteIntent(
  trx: Trx,
  orgId: string,
  storeId: string,
  customerId: string,
): Promise<'pending' | undefined> {
  if (!(await posWriteNeeded(trx, orgId, storeId, customerId))) return undefined;
  await setPosSyncStatus(trx, orgId, storeId, customerId, 'pending');
  return 'pending';
}
