import { stringify } from 'csv-stringify';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import type { RowError } from '../../db/imports/import-repository.js';
import type { CustomerImport } from '../../db/imports/import-repository.js';
import { createImport, eachRowError, getImport } from '../../db/imports/import-service.js';
import { createQueue, enqueueOptions } from '../../jobs/queues.js';
import type { AppDeps } from '../app-deps.js';
import { customerFileStorage } from '../customers/customer-file-storage.js';
import { ctx } from '../http/locals.js';
import { API_PREFIX, defineRoutes, type RouteDef } from '../http/route.js';
import {
  customerImportErrorsSchema,
  customerImportResponse,
  getCustomerImportSchema,
  startCustomerImportSchema,
} from './customer-import-schemas.js';
import { csvUpload } from './csv-upload.js';

const base = `${API_PREFIX}/stores/:storeId/customer-imports`;
const tag = 'Customer imports';

export function presentImport(record: CustomerImport, errors: RowError[] = []) {
  return {
    id: record.id,
    storeId: record.storeId,
    status: record.status,
    format: record.format,
    counts: record.counts,
    progress: record.progress,
    errorsUrl: `${base.replace(':storeId', record.storeId)}/${record.id}/errors`,
    errors: errors.map((e) => ({ row: e.row, column: e.column, message: e.message, severity: e.severity })),
    error: record.error,
    createdAt: record.createdAt,
    startedAt: record.startedAt,
    finishedAt: record.finishedAt,
  };
}

// A spreadsheet runs a cell that starts with = + - @ (or a tab or CR) as a formula: prefix it with '.
const FORMULA_START = /^[=+\-@\t\r]/;
export const neutralise = (cell: string | number | null) =>
  typeof cell === 'string' && FORMULA_START.test(cell) ? `'${cell}` : cell;

export function customerImportRoutes(deps: AppDeps): RouteDef[] {
  const storage = customerFileStorage(deps);
  let queue: ReturnType<typeof createQueue<'customer-import'>> | undefined;
  const queueOf = () => (queue ??= createQueue('customer-import', deps.redis));

  return defineRoutes([
    {
      method: 'post',
      path: base,
      policy: 'customerImports.create',
      tag,
      summary:
        'Import customers from a CSV (multipart `file`, at most 50 MB and 1,000,000 rows): our template, or a ' +
        'Shopify, Square or Dutchie customer export as it is. Rows matching a customer (external id, licence, ' +
        'email, phone) update it',
      schema: startCustomerImportSchema,
      bodyType: 'multipart',
      before: csvUpload(storage),
      responses: {
        202: { description: 'The import, queued', schema: customerImportResponse },
        400: { description: 'Not a CSV, or a header of no known format (details name the columns expected)' },
        413: { description: 'Larger than 50 MB or 1,000,000 rows' },
      },
      handler: async (_req, res) => {
        const csv = res.locals.csv!;
        const record = await createImport(deps.db, ctx(res), { key: csv.key, bytes: csv.bytes, format: csv.format });
        const data = { importId: record.id, storeId: record.storeId, orgId: ctx(res).orgId };
        await queueOf().add('customer-import', data, enqueueOptions('customer-import', data));
        res.status(202).json(presentImport(record));
      },
    },
    {
      method: 'get',
      path: `${base}/:importId`,
      policy: 'customerImports.get',
      tag,
      summary: 'One import: status, progress, counts and its first row errors',
      schema: getCustomerImportSchema,
      responses: { 200: { description: 'The import', schema: customerImportResponse } },
      handler: async (_req, res) => {
        const { record, errors } = await getImport(deps.db, ctx(res), res.locals.valid.params.importId);
        res.json(presentImport(record, errors));
      },
    },
    {
      method: 'get',
      path: `${base}/:importId/errors`,
      policy: 'customerImports.errors',
      tag,
      summary: "Every row error of the import as CSV (row, column, message, severity); no cell's value",
      schema: customerImportErrorsSchema,
      responses: { 200: { description: 'CSV', contentType: 'text/csv' } },
      handler: async (_req, res) => {
        const { importId } = res.locals.valid.params;
        const errors = eachRowError(deps.db, ctx(res), importId);
        const first = await errors.next(); // a 404 answers before any CSV byte is sent
        res.status(200);
        res.type('text/csv; charset=utf-8');
        res.attachment(`customer-import-${importId}-errors.csv`);
        async function* rows() {
          for (let item = first; !item.done; item = await errors.next()) {
            const e = item.value;
            yield [e.row, neutralise(e.column), neutralise(e.message), e.severity];
          }
        }
        await pipeline(
          Readable.from(rows()),
          stringify({ header: true, columns: ['row', 'column', 'message', 'severity'] }),
          res,
        );
      },
    },
  ]);
}
