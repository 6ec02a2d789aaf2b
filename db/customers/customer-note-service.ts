import { recordAudit } from '../audit/audit-repository.js';
import type { ServiceContext } from '../context.js';
import type { Db } from '../knex.js';
import { writeOutboxEvent } from '../outbox/outbox-repository.js';
import type { Page } from '../pagination.js';
import { withTenant } from '../tenant.js';
import { customerMetrics } from './customer-metrics.js';
import { insertNote, listNotes, type CustomerNote } from './customer-note-repository.js';
import { customerForChange, customerForRead, scopeOf } from './customer-subresource-access.js';
import { decodeTimeCursor, pageOfItems, type PageRequest } from '../time-cursor.js';

/** The customer's internal notes, newest first. */
export async function listCustomerNotes(
  db: Db,
  ctx: ServiceContext,
  customerId: string,
  request: PageRequest,
): Promise<Page<CustomerNote>> {
  const scope = scopeOf(ctx);
  const after = decodeTimeCursor(request.cursor);
  const rows = await withTenant(db, { orgId: ctx.orgId }, async (trx) => {
    await customerForRead(trx, scope, customerId);
    return listNotes(trx, scope, customerId, { limit: request.limit, after });
  });
  return pageOfItems(rows, request.limit);
}

/** Adds an internal note; its author is the caller. The event and the audit row never carry the text. */
export async function addCustomerNote(
  db: Db,
  ctx: ServiceContext,
  customerId: string,
  content: string,
): Promise<CustomerNote> {
  const scope = scopeOf(ctx);
  const note = await withTenant(db, { orgId: ctx.orgId }, async (trx) => {
    await customerForChange(trx, scope, customerId);
    const created = await insertNote(trx, scope, customerId, { content, authorId: ctx.actor.id });
    await recordAudit(trx, ctx, {
      action: 'customer.note_added',
      subjectType: 'customer',
      subjectId: customerId,
      changedFields: ['notes'],
    });
    await writeOutboxEvent(trx, ctx, {
      type: 'customer.note_added',
      subject: { type: 'customer', id: customerId },
      data: { noteId: created.id },
    });
    return created;
  });
  customerMetrics.notesAdded.inc();
  return note;
}
