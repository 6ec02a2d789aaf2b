import { AppError, notFound, versionConflict } from '../../config/errors.js';
import { checkWebhookUrl } from '../../integrations/events/webhook-url-guard.js';
import { recordAudit } from '../audit/audit-repository.js';
import type { ServiceContext } from '../context.js';
import { encryptField } from '../crypto/field-encryption.js';
import type { Db, Trx } from '../knex.js';
import type { Page } from '../pagination.js';
import { findForeignStoreIds } from '../stores/store-repository.js';
import { withTenant } from '../tenant.js';
import {
  failPendingDeliveries,
  findDelivery,
  listDeliveries,
  restartDelivery,
  type WebhookDelivery,
} from './webhook-delivery-repository.js';
import { findWebhook, insertWebhook, listWebhooks, updateWebhook, type Webhook } from './webhook-repository.js';
import {
  generateWebhookSecret,
  normaliseEventTypes,
  type DeliveryStatus,
  type WebhookEventType,
} from './webhook-rules.js';

export interface WebhookOptions {
  /** config.webhooks.allowPrivateTargets: development only. */
  allowPrivateTargets: boolean;
}

export interface NewWebhookInput {
  url: string;
  eventTypes: WebhookEventType[];
  description?: string | null;
  storeId?: string | null;
}

export interface WebhookPatch {
  url?: string;
  eventTypes?: WebhookEventType[];
  description?: string | null;
  active?: boolean;
}

/** The one time the secret is shown: the answer to its creation. */
export type CreatedWebhook = Webhook & { secret: string };

const invalid = (path: string, message: string) =>
  new AppError('validation_failed', `${path} ${message}`, { details: [{ path, message }] });

function assertUrl(url: string, options: WebhookOptions): void {
  const check = checkWebhookUrl(url, options);
  if (!check.ok) throw invalid('url', `is refused: ${check.reason}`);
}

async function assertStore(trx: Trx, orgId: string, storeId: string | null | undefined): Promise<void> {
  if (!storeId) return;
  const foreign = await findForeignStoreIds(trx, orgId, [storeId]);
  if (foreign.length > 0) throw invalid('storeId', 'is not a store of this organisation');
}

async function webhookOrNotFound(trx: Trx, orgId: string, webhookId: string): Promise<Webhook> {
  const webhook = await findWebhook(trx, orgId, webhookId);
  if (!webhook) throw notFound('webhook');
  return webhook;
}

/** Locks the webhook for the rest of the transaction and checks If-Match's version, when one was given. */
async function lockWebhook(trx: Trx, orgId: string, webhookId: string, expectedVersion?: number): Promise<Webhook> {
  const webhook = await findWebhook(trx, orgId, webhookId, { forUpdate: true });
  if (!webhook) throw notFound('webhook');
  if (expectedVersion !== undefined && expectedVersion !== webhook.version) {
    throw versionConflict('webhook', webhook.version);
  }
  return webhook;
}

const auditOf = (action: string, webhookId: string, changedFields?: string[]) => ({
  action,
  subjectType: 'webhook',
  subjectId: webhookId,
  storeId: null,
  changedFields,
});

export async function createWebhook(
  db: Db,
  ctx: ServiceContext,
  input: NewWebhookInput,
  options: WebhookOptions,
): Promise<CreatedWebhook> {
  assertUrl(input.url, options);
  const secret = generateWebhookSecret();
  return withTenant(db, { orgId: ctx.orgId }, async (trx) => {
    await assertStore(trx, ctx.orgId, input.storeId);
    const webhook = await insertWebhook(trx, ctx.orgId, {
      storeId: input.storeId ?? null,
      url: input.url,
      eventTypes: normaliseEventTypes(input.eventTypes),
      secretCiphertext: encryptField(secret),
      description: input.description || null,
      createdBy: ctx.actor.type === 'user' ? ctx.actor.id : null,
    });
    await recordAudit(trx, ctx, auditOf('webhook.created', webhook.id));
    return { ...webhook, secret };
  });
}

export async function listWebhooksOfOrganization(
  db: Db,
  ctx: ServiceContext,
  filter: { limit: number; cursor?: string },
): Promise<Page<Webhook>> {
  return withTenant(db, { orgId: ctx.orgId }, (trx) => listWebhooks(trx, ctx.orgId, filter));
}

export async function getWebhook(db: Db, ctx: ServiceContext, webhookId: string): Promise<Webhook> {
  return withTenant(db, { orgId: ctx.orgId }, (trx) => webhookOrNotFound(trx, ctx.orgId, webhookId));
}

/**
 * `expectedVersion` comes from If-Match. Deactivating a webhook fails its pending deliveries (they are
 * not sent later by surprise); an admin can retry any of them once it is active again.
 */
export async function changeWebhook(
  db: Db,
  ctx: ServiceContext,
  webhookId: string,
  patch: WebhookPatch,
  options: WebhookOptions,
  expectedVersion?: number,
): Promise<Webhook> {
  if (patch.url !== undefined) assertUrl(patch.url, options);
  return withTenant(db, { orgId: ctx.orgId }, async (trx) => {
    const current = await lockWebhook(trx, ctx.orgId, webhookId, expectedVersion);
    const eventTypes = patch.eventTypes && normaliseEventTypes(patch.eventTypes);
    const description = patch.description === undefined ? undefined : patch.description || null;
    const changed = [
      patch.url !== undefined && patch.url !== current.url && 'url',
      eventTypes && eventTypes.join() !== current.eventTypes.join() && 'eventTypes',
      description !== undefined && description !== current.description && 'description',
      patch.active !== undefined && patch.active !== current.active && 'active',
    ].filter((field): field is string => typeof field === 'string');
    if (changed.length === 0) return current;
    const updated = await updateWebhook(trx, ctx.orgId, webhookId, current.version, {
      ...patch,
      eventTypes,
      description,
    });
    if (!updated) throw versionConflict('webhook', current.version + 1);
    if (changed.includes('active') && !updated.active) {
      await failPendingDeliveries(trx, ctx.orgId, webhookId, 'webhook was deactivated');
    }
    await recordAudit(trx, ctx, auditOf('webhook.updated', webhookId, changed));
    return updated;
  });
}

/** Soft delete: deliveries stay for the record, pending ones fail, nothing more is sent. */
export async function deleteWebhook(
  db: Db,
  ctx: ServiceContext,
  webhookId: string,
  expectedVersion?: number,
): Promise<void> {
  await withTenant(db, { orgId: ctx.orgId }, async (trx) => {
    const current = await lockWebhook(trx, ctx.orgId, webhookId, expectedVersion);
    const deleted = await updateWebhook(trx, ctx.orgId, webhookId, current.version, { deleted: true });
    if (!deleted) throw versionConflict('webhook', current.version + 1);
    await failPendingDeliveries(trx, ctx.orgId, webhookId, 'webhook was deleted');
    await recordAudit(trx, ctx, auditOf('webhook.deleted', webhookId));
  });
}

export async function listWebhookDeliveries(
  db: Db,
  ctx: ServiceContext,
  webhookId: string,
  filter: { limit: number; cursor?: string; status?: DeliveryStatus },
): Promise<Page<WebhookDelivery>> {
  return withTenant(db, { orgId: ctx.orgId }, async (trx) => {
    await webhookOrNotFound(trx, ctx.orgId, webhookId);
    return listDeliveries(trx, ctx.orgId, webhookId, filter);
  });
}

/**
 * Sends a failed delivery again, with the whole retry schedule ahead of it. The caller enqueues the job
 * (`enqueue`) after the commit; if that enqueue is lost the sweeper finds the pending delivery.
 */
export async function retryWebhookDelivery(
  db: Db,
  ctx: ServiceContext,
  webhookId: string,
  deliveryId: string,
  enqueue: (job: { orgId: string; deliveryId: string }) => Promise<void>,
): Promise<WebhookDelivery> {
  const delivery = await withTenant(db, { orgId: ctx.orgId }, async (trx) => {
    const webhook = await webhookOrNotFound(trx, ctx.orgId, webhookId);
    const current = await findDelivery(trx, ctx.orgId, webhookId, deliveryId, { forUpdate: true });
    if (!current) throw notFound('delivery');
    if (current.status !== 'failed') {
      throw new AppError('conflict', `only a failed delivery can be retried; this one is ${current.status}`, {
        details: [{ path: 'status', message: `is ${current.status}` }],
      });
    }
    if (!webhook.active) {
      throw new AppError('conflict', 'the webhook is inactive: activate it first', {
        details: [{ path: 'active', message: 'is false' }],
      });
    }
    const nextAttemptAt = await restartDelivery(trx, ctx.orgId, deliveryId);
    await recordAudit(trx, ctx, auditOf('webhook.delivery_retried', webhookId));
    // The locked row with the restart applied: attempts are only added to a pending delivery, so its list is whole.
    return { ...current, status: 'pending' as const, nextAttemptAt };
  });
  await enqueue({ orgId: ctx.orgId, deliveryId });
  return delivery;
}
