import { addCustomerNote, listCustomerNotes } from '../../db/customers/customer-note-service.js';
import type { AppDeps } from '../app-deps.js';
import { ctx } from '../http/locals.js';
import { API_PREFIX, defineRoutes, type RouteDef } from '../http/route.js';
import { addNoteSchema, listNotesSchema, notePage, noteResponse } from './customer-note-schemas.js';

const base = `${API_PREFIX}/stores/:storeId/customers/:id/notes`;

export function customerNoteRoutes(deps: AppDeps): RouteDef[] {
  return defineRoutes([
    {
      method: 'get',
      path: base,
      policy: 'customers.notes.list',
      summary: "The customer's internal notes, newest first (managers and up)",
      tag: 'Customers',
      schema: listNotesSchema,
      responses: { 200: { description: 'A page of notes', schema: notePage } },
      handler: async (_req, res) => {
        const { params, query } = res.locals.valid;
        res.json(await listCustomerNotes(deps.db, ctx(res), params.id, { limit: query.limit, cursor: query.cursor }));
      },
    },
    {
      method: 'post',
      path: base,
      policy: 'customers.notes.create',
      summary: 'Add an internal note (at most 500 characters); the caller is recorded as its author',
      tag: 'Customers',
      schema: addNoteSchema,
      responses: { 201: { description: 'The note', schema: noteResponse } },
      handler: async (_req, res) => {
        const { params, body } = res.locals.valid;
        res.status(201).json(await addCustomerNote(deps.db, ctx(res), params.id, body.content));
      },
    },
  ]);
}
