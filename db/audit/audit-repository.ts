import type { ServiceContext } from '../context.js';
import type { Trx } from '../knex.js';

export interface AuditEntry {
  action: string;
  subjectType: string;
  subjectId: string;
  /** Names of the fields that changed; never their values. */
  changedFields?: string[];
  storeId?: string | null;
}

/** The audit_log row of an entry: for set-based writers (the POS sync) that insert many at once. */
export function auditRowOf(ctx: ServiceContext, entry: AuditEntry) {
  return {
    organization_id: ctx.orgId,
    store_id: entry.storeId === undefined ? (ctx.storeId ?? null) : entry.storeId,
    actor_type: ctx.actor.type,
    actor_id: ctx.actor.id,
    action: entry.action,
    subject_type: entry.subjectType,
    subject_id: entry.subjectId,
    changed_fields: entry.changedFields ?? [],
    request_id: ctx.requestId ?? null,
  };
}

/** Writes an audit row in the caller's transaction, so it exists exactly when the change does. */
export async function recordAudit(trx: Trx, ctx: ServiceContext, entry: AuditEntry): Promise<void> {
  await trx('audit_log').insert(auditRowOf(ctx, entry));
}

export interface AuditRow {
  id: string;
  action: string;
  actorType: string;
  actorId: string | null;
  changedFields: string[];
  requestId: string | null;
  createdAt: Date;
}

export async function listAuditForSubject(
  trx: Trx,
  orgId: string,
  subjectType: string,
  subjectId: string,
): Promise<AuditRow[]> {
  const rows = await trx('audit_log')
    .where({ organization_id: orgId, subject_type: subjectType, subject_id: subjectId })
    .orderBy([
      { column: 'created_at', order: 'asc' },
      { column: 'id', order: 'asc' },
    ]);
  return rows.map((r) => ({
    id: r.id,
    action: r.action,
    actorType: r.actor_type,
    actorId: r.actor_id,
    changedFields: r.changed_fields,
    requestId: r.request_id,
    createdAt: r.created_at,
  }));
}
