import type { PosProvider } from '../../integrations/pos/pos-types.js';
import type { Trx } from '../knex.js';

/** A store's POS settings as stored; the credentials stay encrypted until the sync decrypts them. */
export interface PosSettingsRow {
  storeId: string;
  organizationId: string;
  provider: PosProvider;
  credentialsCiphertext: string;
  baseUrl: string | null;
  authUrl: string | null;
  syncSchedule: string;
  syncWatermark: Date | null;
  version: number;
  createdAt: Date;
  updatedAt: Date;
}

export interface PosSettingsWrite {
  provider: PosProvider;
  credentialsCiphertext: string;
  baseUrl: string | null;
  authUrl: string | null;
  syncSchedule: string;
}

type Row = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any

function toSettings(row: Row): PosSettingsRow {
  return {
    storeId: row.store_id,
    organizationId: row.organization_id,
    provider: row.provider,
    credentialsCiphertext: row.credentials_ciphertext,
    baseUrl: row.base_url,
    authUrl: row.auth_url,
    syncSchedule: row.sync_schedule,
    syncWatermark: row.sync_watermark,
    version: row.version,
    createdAt: row.created_at,
    updatedAt: row.updated_at,
  };
}

export async function findPosSettings(
  trx: Trx,
  orgId: string,
  storeId: string,
  options: { forUpdate?: boolean } = {},
): Promise<PosSettingsRow | undefined> {
  const query = trx('pos_settings').where({ organization_id: orgId, store_id: storeId }).first();
  if (options.forUpdate) query.forUpdate();
  const row = await query;
  return row ? toSettings(row) : undefined;
}

/** Inserts or replaces the store's settings; the watermark survives a change of credentials, not of provider. */
export async function upsertPosSettings(
  trx: Trx,
  orgId: string,
  storeId: string,
  fields: PosSettingsWrite,
): Promise<PosSettingsRow> {
  const columns = {
    provider: fields.provider,
    credentials_ciphertext: fields.credentialsCiphertext,
    base_url: fields.baseUrl,
    auth_url: fields.authUrl,
    sync_schedule: fields.syncSchedule,
  };
  const [row] = await trx('pos_settings')
    .insert({ organization_id: orgId, store_id: storeId, ...columns })
    .onConflict('store_id')
    .merge({
      ...columns,
      sync_watermark: trx.raw(
        'case when pos_settings.provider = excluded.provider then pos_settings.sync_watermark else null end',
      ),
      version: trx.raw('pos_settings.version + 1'),
      updated_at: trx.fn.now(),
    })
    .returning('*');
  return toSettings(row);
}

/** Moves the watermark forward only: a run that saw older records never moves it back. */
export async function advanceWatermark(trx: Trx, orgId: string, storeId: string, to: Date): Promise<void> {
  await trx('pos_settings')
    .where({ organization_id: orgId, store_id: storeId })
    .update({ sync_watermark: trx.raw('greatest(sync_watermark, ?::timestamptz)', [to.toISOString()]) });
}
