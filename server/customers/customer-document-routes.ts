import {
  addCustomerDocument,
  listCustomerDocuments,
  readCustomerDocumentFile,
  removeCustomerDocument,
} from '../../db/customers/customer-document-service.js';
import type { AppDeps } from '../app-deps.js';
import { ctx } from '../http/locals.js';
import { API_PREFIX, defineRoutes, type RouteDef } from '../http/route.js';
import {
  addDocumentSchema,
  documentPage,
  documentResponse,
  listDocumentsSchema,
  removeDocumentSchema,
} from './customer-document-schemas.js';
import { customerFileStorage } from './customer-file-storage.js';
import { presentDocument } from './customer-subresource-presenter.js';
import { DOCUMENT_UPLOAD, fileUpload } from './upload.js';

const base = `${API_PREFIX}/stores/:storeId/customers/:id/documents`;

export function customerDocumentRoutes(deps: AppDeps): RouteDef[] {
  const storage = customerFileStorage(deps);
  return defineRoutes([
    {
      method: 'get',
      path: base,
      policy: 'customers.documents.list',
      summary: "The customer's identity documents (numbers masked for staff)",
      tag: 'Customers',
      schema: listDocumentsSchema,
      responses: { 200: { description: 'A page of documents', schema: documentPage } },
      handler: async (_req, res) => {
        const { params, query } = res.locals.valid;
        const page = await listCustomerDocuments(deps.db, ctx(res), params.id, {
          limit: query.limit,
          cursor: query.cursor,
        });
        const role = res.locals.principal!.role;
        res.json({ data: page.data.map((d) => presentDocument(d, role)), nextCursor: page.nextCursor });
      },
    },
    {
      method: 'post',
      path: base,
      policy: 'customers.documents.create',
      summary:
        'Record an identity document. multipart/form-data with an optional `file` (JPEG, PNG or PDF up to 5 MB, ' +
        'judged by its content), or a JSON body when there is no file',
      tag: 'Customers',
      schema: addDocumentSchema,
      bodyType: 'multipart',
      before: fileUpload(DOCUMENT_UPLOAD),
      responses: {
        201: { description: 'The document', schema: documentResponse },
        413: { description: 'The file is larger than 5 MB' },
        415: { description: 'The file is not a JPEG, PNG or PDF' },
      },
      handler: async (_req, res) => {
        const { params, body } = res.locals.valid;
        const document = await addCustomerDocument(deps.db, storage, ctx(res), params.id, body, res.locals.upload);
        res.status(201).json(presentDocument(document, res.locals.principal!.role));
      },
    },
    {
      method: 'delete',
      path: `${base}/:documentId`,
      policy: 'customers.documents.delete',
      summary: 'Delete a document and its file',
      tag: 'Customers',
      schema: removeDocumentSchema,
      responses: { 204: { description: 'Deleted' } },
      handler: async (_req, res) => {
        const { params } = res.locals.valid;
        await removeCustomerDocument(deps.db, storage, ctx(res), params.id, params.documentId);
        res.status(204).end();
      },
    },
    {
      method: 'get',
      path: `${base}/:documentId/file`,
      policy: 'customers.documents.file',
      summary: "The scan of an identity document (managers; each viewing is recorded in the customer's history)",
      tag: 'Customers',
      schema: removeDocumentSchema,
      responses: { 200: { description: 'The file, with its content type', contentType: 'application/octet-stream' } },
      handler: async (_req, res) => {
        const { params } = res.locals.valid;
        const file = await readCustomerDocumentFile(deps.db, storage, ctx(res), params.id, params.documentId);
        res.setHeader('Cache-Control', 'private, no-store');
        res.type(file.contentType).send(file.bytes);
      },
    },
  ]);
}
