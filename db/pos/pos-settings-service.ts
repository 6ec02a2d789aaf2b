import { AppError, notFound } from '../../config/errors.js';
import { checkPosBaseUrl, type AddressLookup } from '../../integrations/pos/base-url-guard.js';
import { posClientFactories } from '../../integrations/pos/index.js';
import { isPosError } from '../../integrations/pos/pos-errors.js';
import type { PosProvider } from '../../integrations/pos/pos-types.js';
import { recordAudit } from '../audit/audit-repository.js';
import { type ServiceContext, storeOf } from '../context.js';
import { decryptField, encryptField } from '../crypto/field-encryption.js';
import type { Db } from '../knex.js';
import { findReachableStore } from '../stores/store-access.js';
import { latestSyncOfStore } from '../syncs/customer-sync-repository.js';
import type { CustomerSync } from '../syncs/customer-sync-rules.js';
import { withTenant } from '../tenant.js';
import { findPosSettings, upsertPosSettings, type PosSettingsRow } from './pos-settings-repository.js';

export const DEFAULT_SYNC_SCHEDULE = '0 3 * * *';

export interface PosSettingsInput {
  provider: PosProvider;
  credentials: Record<string, unknown>;
  baseUrl?: string | null;
  authUrl?: string | null;
  syncSchedule?: string;
}

/** What the API shows of a store's POS settings: never the credentials. */
export interface PosSettingsView {
  provider: PosProvider;
  baseUrl: string | null;
  authUrl: string | null;
  syncSchedule: string;
  lastSync: CustomerSync | null;
}

/** Registers (or moves) the store's sync on its cron, in the store's time zone; idempotent by store. */
export type SyncScheduler = (schedule: {
  orgId: string;
  storeId: string;
  pattern: string;
  timezone: string;
}) => Promise<void>;

export interface PosSettingsOptions {
  /** Development and test: loopback (sandbox) URLs pass the guard. From config.env !== 'production'. */
  development: boolean;
  allowedHosts?: readonly string[];
  lookup?: AddressLookup;
  scheduler: SyncScheduler;
}

const invalid = (path: string, message: string) =>
  new AppError('validation_failed', `${path} ${message}`, { details: [{ path, message }] });

/** The guard of base-url-guard.ts, as a validation error naming the field. */
export async function assertPosUrl(
  provider: PosProvider,
  field: 'baseUrl' | 'authUrl',
  url: string | null | undefined,
  options: Pick<PosSettingsOptions, 'development' | 'allowedHosts' | 'lookup'>,
): Promise<void> {
  if (!url) return;
  const check = await checkPosBaseUrl(provider, url, options);
  if (!check.ok) throw invalid(field, `is refused: ${check.reason}`);
}

/** Builds (without I/O) the provider's client: its factory refuses credentials of the wrong shape. */
function assertCredentials(input: PosSettingsInput, development: boolean): void {
  try {
    posClientFactories[input.provider](input.credentials, {
      storeTimezone: 'UTC',
      development,
      baseUrl: input.baseUrl ?? undefined,
      authUrl: input.authUrl ?? undefined,
    });
  } catch (err) {
    if (isPosError(err, 'pos_misconfigured')) {
      throw invalid('credentials', `do not fit ${input.provider}: ${err.message}`);
    }
    throw err;
  }
}

/**
 * Saves the store's POS settings (credentials encrypted, never echoed) and puts its sync on the cron.
 * It does not start a sync.
 */
export async function putPosSettings(
  db: Db,
  ctx: ServiceContext,
  input: PosSettingsInput,
  options: PosSettingsOptions,
): Promise<PosSettingsView> {
  const storeId = storeOf(ctx);
  await assertPosUrl(input.provider, 'baseUrl', input.baseUrl, options);
  await assertPosUrl(input.provider, 'authUrl', input.authUrl, options);
  assertCredentials(input, options.development);
  const syncSchedule = input.syncSchedule ?? DEFAULT_SYNC_SCHEDULE;

  return withTenant(db, { orgId: ctx.orgId }, async (trx) => {
    const store = await findReachableStore(trx, ctx.orgId, storeId, { allStores: true });
    if (!store) throw notFound('store');
    const saved = await upsertPosSettings(trx, ctx.orgId, storeId, {
      provider: input.provider,
      credentialsCiphertext: encryptField(JSON.stringify(input.credentials)),
      baseUrl: input.baseUrl ?? null,
      authUrl: input.authUrl ?? null,
      syncSchedule,
    });
    await recordAudit(trx, ctx, {
      action: 'pos_settings.updated',
      subjectType: 'store',
      subjectId: storeId,
      changedFields: ['provider', 'credentials', 'baseUrl', 'authUrl', 'syncSchedule'],
    });
    // Last, inside the transaction: a schedule Redis refuses (a bad cron) leaves the settings unsaved.
    try {
      await options.scheduler({ orgId: ctx.orgId, storeId, pattern: syncSchedule, timezone: store.timezone });
    } catch (err) {
      if (/cron|pattern|invalid|validation/i.test((err as Error).message)) {
        throw invalid('syncSchedule', 'is not a valid cron expression');
      }
      throw err;
    }
    return viewOf(saved, await latestSyncOfStore(trx, ctx.orgId, storeId));
  });
}

function viewOf(settings: PosSettingsRow, lastSync: CustomerSync | undefined): PosSettingsView {
  return {
    provider: settings.provider,
    baseUrl: settings.baseUrl,
    authUrl: settings.authUrl,
    syncSchedule: settings.syncSchedule,
    lastSync: lastSync ?? null,
  };
}

export async function getPosSettings(db: Db, ctx: ServiceContext): Promise<PosSettingsView> {
  const storeId = storeOf(ctx);
  return withTenant(db, { orgId: ctx.orgId }, async (trx) => {
    const settings = await findPosSettings(trx, ctx.orgId, storeId);
    if (!settings) throw notFound('POS settings');
    return viewOf(settings, await latestSyncOfStore(trx, ctx.orgId, storeId));
  });
}

/** The stored credentials, decrypted: only the sync job calls this, and never logs the result. */
export function decryptCredentials(settings: PosSettingsRow): unknown {
  return JSON.parse(decryptField(settings.credentialsCiphertext));
}
