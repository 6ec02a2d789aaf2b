import { notFound } from '../../config/errors.js';
import type { FileStorage, StoredFile } from '../../integrations/storage/file-storage.js';
import { recordAudit } from '../audit/audit-repository.js';
import type { ServiceContext } from '../context.js';
import type { Db } from '../knex.js';
import { writeOutboxEvent } from '../outbox/outbox-repository.js';
import { withTenant } from '../tenant.js';
import { setCustomerAvatar } from './customer-avatar-repository.js';
import { deleteFilesQuietly, newFileKey, withStoredFile, type UploadedFile } from './customer-files.js';
import { customerMetrics } from './customer-metrics.js';
import type { Customer } from './customer-model.js';
import { findCustomer } from './customer-repository.js';
import { customerForChange, customerForRead, scopeOf } from './customer-subresource-access.js';

/**
 * Replaces the customer's avatar with an image already checked by content. The new file is stored
 * first; the old one is deleted only once the switch committed.
 */
export async function setAvatar(
  db: Db,
  storage: FileStorage,
  ctx: ServiceContext,
  customerId: string,
  image: UploadedFile,
): Promise<Customer> {
  const scope = scopeOf(ctx);
  const upload = { key: newFileKey('avatars', ctx.orgId), file: image };
  const { customer, oldKey } = await withStoredFile(storage, upload, () =>
    withTenant(db, { orgId: ctx.orgId }, async (trx) => {
      const row = await customerForChange(trx, scope, customerId);
      await setCustomerAvatar(trx, scope, customerId, { key: upload.key, contentType: image.contentType });
      await recordAudit(trx, ctx, {
        action: 'customer.updated',
        subjectType: 'customer',
        subjectId: customerId,
        changedFields: ['avatar'],
      });
      await writeOutboxEvent(trx, ctx, {
        type: 'customer.updated',
        subject: { type: 'customer', id: customerId },
        data: { changedFields: ['avatar'] },
      });
      const updated = await findCustomer(trx, scope.orgId, scope.storeId, customerId);
      return { customer: updated!, oldKey: row.avatar_key as string | null };
    }),
  );
  customerMetrics.updated.inc();
  await deleteFilesQuietly(storage, [oldKey]);
  return customer;
}

/** The avatar image; 404 when the customer has none. */
export async function readAvatar(
  db: Db,
  storage: FileStorage,
  ctx: ServiceContext,
  customerId: string,
): Promise<StoredFile> {
  const scope = scopeOf(ctx);
  const row = await withTenant(db, { orgId: ctx.orgId }, (trx) => customerForRead(trx, scope, customerId));
  const file = row.avatar_key ? await storage.get(row.avatar_key) : undefined;
  if (!file) throw notFound('avatar');
  return file;
}
