import type { Trx } from '../knex.js';
import { keysetPage, type TimeCursor } from '../time-cursor.js';

/** One line of a customer's audit trail: who did what to which fields, never the values. */
export interface HistoryEntry {
  id: string;
  action: string;
  actorType: string;
  actorId: string | null;
  changedFields: string[];
  createdAt: Date;
}

const COLUMNS = ['id', 'action', 'actor_type', 'actor_id', 'changed_fields', 'created_at'];

// eslint-disable-next-line @typescript-eslint/no-explicit-any
const entryFromRow = (r: Record<string, any>): HistoryEntry => ({
  id: r.id,
  action: r.action,
  actorType: r.actor_type,
  actorId: r.actor_id,
  changedFields: r.changed_fields ?? [],
  createdAt: r.created_at,
});

const ofCustomer = (orgId: string, customerId: string) => ({
  organization_id: orgId,
  subject_type: 'customer',
  subject_id: customerId,
});

/** A page of the customer's audit trail, newest first. */
export async function listHistory(
  trx: Trx,
  orgId: string,
  customerId: string,
  page: { limit: number; after?: TimeCursor },
): Promise<Array<{ item: HistoryEntry; cursorAt: string }>> {
  const query = trx('audit_log').select(COLUMNS).where(ofCustomer(orgId, customerId));
  const rows = await keysetPage(trx, query, page, 'desc');
  return rows.map((r: Record<string, string>) => ({ item: entryFromRow(r), cursorAt: r.cursor_at }));
}

/** The whole trail, oldest first (the GDPR export). */
export async function listAllHistory(trx: Trx, orgId: string, customerId: string): Promise<HistoryEntry[]> {
  const rows = await trx('audit_log')
    .select(COLUMNS)
    .where(ofCustomer(orgId, customerId))
    .orderBy([{ column: 'created_at' }, { column: 'id' }]);
  return rows.map(entryFromRow);
}
