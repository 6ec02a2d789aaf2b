import type { Trx } from '../knex.js';
import type { CustomerScope } from './customer-subresource-access.js';
import { keysetPage, type TimeCursor } from '../time-cursor.js';

export interface CustomerNote {
  id: string;
  content: string;
  authorId: string | null;
  createdAt: Date;
}

const COLUMNS = ['id', 'content', 'author_id', 'created_at'];

// eslint-disable-next-line @typescript-eslint/no-explicit-any
const noteFromRow = (r: Record<string, any>): CustomerNote => ({
  id: r.id,
  content: r.content,
  authorId: r.author_id,
  createdAt: r.created_at,
});

export async function insertNote(
  trx: Trx,
  scope: CustomerScope,
  customerId: string,
  note: { content: string; authorId: string | null },
): Promise<CustomerNote> {
  const [row] = await trx('customer_notes')
    .insert({
      organization_id: scope.orgId,
      store_id: scope.storeId,
      customer_id: customerId,
      content: note.content,
      author_id: note.authorId,
    })
    .returning(COLUMNS);
  return noteFromRow(row);
}

/** A page of the customer's notes, newest first. */
export async function listNotes(
  trx: Trx,
  scope: CustomerScope,
  customerId: string,
  page: { limit: number; after?: TimeCursor },
): Promise<Array<{ item: CustomerNote; cursorAt: string }>> {
  const query = trx('customer_notes')
    .select(COLUMNS)
    .where({ organization_id: scope.orgId, store_id: scope.storeId, customer_id: customerId });
  const rows = await keysetPage(trx, query, page, 'desc');
  return rows.map((r: Record<string, string>) => ({ item: noteFromRow(r), cursorAt: r.cursor_at }));
}

/** Every note of the customer, oldest first (the GDPR export). */
export async function listAllNotes(trx: Trx, scope: CustomerScope, customerId: string): Promise<CustomerNote[]> {
  const rows = await trx('customer_notes')
    .select(COLUMNS)
    .where({ organization_id: scope.orgId, store_id: scope.storeId, customer_id: customerId })
    .orderBy([{ column: 'created_at' }, { column: 'id' }]);
  return rows.map(noteFromRow);
}
