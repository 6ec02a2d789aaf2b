import type { ServiceContext } from '../context.js';
import type { Db } from '../knex.js';
import type { Page } from '../pagination.js';
import { withTenant } from '../tenant.js';
import { listHistory, type HistoryEntry } from './customer-history-repository.js';
import { customerForRead, scopeOf } from './customer-subresource-access.js';
import { decodeTimeCursor, pageOfItems, type PageRequest } from '../time-cursor.js';

/** The customer's audit trail, newest first; it outlives an erasure, since it holds no personal values. */
export async function listCustomerHistory(
  db: Db,
  ctx: ServiceContext,
  customerId: string,
  request: PageRequest,
): Promise<Page<HistoryEntry>> {
  const scope = scopeOf(ctx);
  const after = decodeTimeCursor(request.cursor);
  const rows = await withTenant(db, { orgId: ctx.orgId }, async (trx) => {
    await customerForRead(trx, scope, customerId);
    return listHistory(trx, scope.orgId, customerId, { limit: request.limit, after });
  });
  return pageOfItems(rows, request.limit);
}
