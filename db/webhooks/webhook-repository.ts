import type { Trx } from '../knex.js';
import { cursorTimestamp, decodeCursor, toPage, type Page } from '../pagination.js';
import type { WebhookEventType } from './webhook-rules.js';

/** A webhook as the API shows it: never its secret. */
export interface Webhook {
  id: string;
  organizationId: string;
  storeId: string | null;
  url: string;
  eventTypes: WebhookEventType[];
  description: string | null;
  active: boolean;
  version: number;
  createdAt: Date;
  updatedAt: Date;
}

interface WebhookRow {
  id: string;
  organization_id: string;
  store_id: string | null;
  url: string;
  event_types: WebhookEventType[];
  description: string | null;
  active: boolean;
  version: number;
  created_at: Date;
  updated_at: Date;
  cursor_at?: string;
}

const COLUMNS = [
  'id',
  'organization_id',
  'store_id',
  'url',
  'event_types',
  'description',
  'active',
  'version',
  'created_at',
  'updated_at',
];

const toWebhook = (row: WebhookRow): Webhook => ({
  id: row.id,
  organizationId: row.organization_id,
  storeId: row.store_id,
  url: row.url,
  eventTypes: row.event_types,
  description: row.description,
  active: row.active,
  version: row.version,
  createdAt: row.created_at,
  updatedAt: row.updated_at,
});

export interface NewWebhook {
  storeId: string | null;
  url: string;
  eventTypes: WebhookEventType[];
  secretCiphertext: string;
  description: string | null;
  createdBy: string | null;
}

export async function insertWebhook(trx: Trx, orgId: string, webhook: NewWebhook): Promise<Webhook> {
  const [row] = await trx('webhooks')
    .insert({
      organization_id: orgId,
      store_id: webhook.storeId,
      url: webhook.url,
      event_types: webhook.eventTypes,
      secret_ciphertext: webhook.secretCiphertext,
      description: webhook.description,
      created_by: webhook.createdBy,
    })
    .returning(COLUMNS);
  return toWebhook(row);
}

export async function findWebhook(
  trx: Trx,
  orgId: string,
  webhookId: string,
  options: { forUpdate?: boolean } = {},
): Promise<Webhook | undefined> {
  const query = trx('webhooks')
    .select(COLUMNS)
    .where({ id: webhookId, organization_id: orgId })
    .whereNull('deleted_at')
    .first();
  if (options.forUpdate) query.forUpdate();
  const row: WebhookRow | undefined = await query;
  return row ? toWebhook(row) : undefined;
}

export async function listWebhooks(
  trx: Trx,
  orgId: string,
  filter: { limit: number; cursor?: string },
): Promise<Page<Webhook>> {
  const query = trx('webhooks')
    .select(...COLUMNS, trx.raw(cursorTimestamp()))
    .where({ organization_id: orgId })
    .whereNull('deleted_at')
    .orderBy([
      { column: 'created_at', order: 'asc' },
      { column: 'id', order: 'asc' },
    ])
    .limit(filter.limit + 1);
  if (filter.cursor) {
    const [at, id] = decodeCursor(filter.cursor);
    query.whereRaw('(created_at, id) > (?::timestamptz, ?::uuid)', [at, id]);
  }
  const rows: WebhookRow[] = await query;
  const { data, nextCursor } = toPage(rows, filter.limit, (r) => [r.cursor_at ?? null, r.id]);
  return { data: data.map(toWebhook), nextCursor };
}

export interface WebhookChanges {
  url?: string;
  eventTypes?: WebhookEventType[];
  description?: string | null;
  active?: boolean;
  deleted?: true;
}

/** Applies the change only if the row still has `version`; undefined means someone else got there first. */
export async function updateWebhook(
  trx: Trx,
  orgId: string,
  webhookId: string,
  version: number,
  changes: WebhookChanges,
): Promise<Webhook | undefined> {
  const columns: Record<string, unknown> = { version: version + 1, updated_at: trx.fn.now() };
  if (changes.url !== undefined) columns.url = changes.url;
  if (changes.eventTypes !== undefined) columns.event_types = changes.eventTypes;
  if (changes.description !== undefined) columns.description = changes.description;
  if (changes.active !== undefined) columns.active = changes.active;
  if (changes.deleted) columns.deleted_at = trx.fn.now();
  const [row] = await trx('webhooks')
    .where({ id: webhookId, organization_id: orgId, version })
    .whereNull('deleted_at')
    .update(columns)
    .returning(COLUMNS);
  return row ? toWebhook(row) : undefined;
}
