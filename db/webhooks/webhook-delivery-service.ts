import { decryptField } from '../crypto/field-encryption.js';
import type { Db } from '../knex.js';
import { withTenant } from '../tenant.js';
import {
  failPendingDeliveries,
  findDeliveryToSend,
  listDueDeliveries,
  recordAttempt,
  type AttemptRecord,
  type DeliveryToSend,
} from './webhook-delivery-repository.js';
import type { DeliveryStatus } from './webhook-rules.js';

/** A delivery with its webhook's secret in clear, for signing. */
export type DeliveryWithSecret = DeliveryToSend & { secret: string };

/** The delivery with its webhook's secret in clear, for signing; undefined when it does not exist. */
export async function loadWebhookDelivery(
  db: Db,
  orgId: string,
  deliveryId: string,
): Promise<DeliveryWithSecret | undefined> {
  const delivery = await withTenant(db, { orgId }, (trx) => findDeliveryToSend(trx, orgId, deliveryId));
  return delivery && { ...delivery, secret: decryptField(delivery.secretCiphertext) };
}

/** One attempt recorded and the delivery moved on; undefined when it was no longer pending. */
export async function recordWebhookAttempt(
  db: Db,
  orgId: string,
  deliveryId: string,
  attempt: AttemptRecord,
): Promise<DeliveryStatus | undefined> {
  return withTenant(db, { orgId }, (trx) => recordAttempt(trx, orgId, deliveryId, attempt));
}

/** A webhook deactivated or deleted while its delivery waited: nothing is sent, the delivery fails. */
export async function abandonWebhookDeliveries(
  db: Db,
  orgId: string,
  webhookId: string,
  reason: string,
): Promise<void> {
  await withTenant(db, { orgId }, (trx) => failPendingDeliveries(trx, orgId, webhookId, reason));
}

export { listDueDeliveries as listDueWebhookDeliveries };
