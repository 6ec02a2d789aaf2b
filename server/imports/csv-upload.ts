import type { Request, RequestHandler } from 'express';
import multer from 'multer';
import { randomUUID } from 'node:crypto';
import { Transform } from 'node:stream';
import { AppError } from '../../config/errors.js';
import { readCsv, storedDelimiter } from '../../db/imports/import-csv-reader.js';
import { detectImportFormat, TEMPLATE_COLUMNS, type DetectedFormat } from '../../db/imports/import-formats.js';
import { IMPORT_LIMITS } from '../../db/imports/import-limits.js';
import type { FileStorage } from '../../integrations/storage/file-storage.js';
import { parseMultipart, requireUploadBody } from '../customers/upload.js';

// The upload of a customer CSV: streamed into the file storage as it arrives (never whole in memory),
// its lines counted on the way, then its header read back to recognise the format. A file that is too
// big is 413 with both limits; one that is not CSV or has an unknown header is 400, and is deleted.

declare global {
  // eslint-disable-next-line @typescript-eslint/no-namespace
  namespace Express {
    interface Locals {
      /** The stored CSV of an import upload (see csvUpload). */
      csv?: { key: string; bytes: number; format: DetectedFormat['format'] };
    }
  }
}

const LIMITS_TEXT = `at most 50 MB and ${IMPORT_LIMITS.maxRows.toLocaleString('en-US')} rows`;

export const tooLarge = () =>
  new AppError('payload_too_large', `a customer import file must be ${LIMITS_TEXT}`, {
    details: [
      {
        path: 'file',
        message: `must be ${LIMITS_TEXT}`,
        maxBytes: IMPORT_LIMITS.maxBytes,
        maxRows: IMPORT_LIMITS.maxRows,
      },
    ],
  });

const notCsv = (message: string, expectedColumns: readonly string[] = TEMPLATE_COLUMNS) =>
  new AppError('validation_failed', message, {
    details: [{ path: 'file', message, expectedColumns: [...expectedColumns] }],
  });

/** Counts line ends as the bytes pass; refuses the upload past the row limit or at a NUL byte (not text). */
function lineCounter(): Transform {
  let lines = 0;
  return new Transform({
    transform(chunk: Buffer, _encoding, done) {
      if (chunk.includes(0)) return done(notCsv('file is not a CSV file (it holds binary data)'));
      for (let i = chunk.indexOf(10); i !== -1; i = chunk.indexOf(10, i + 1)) lines += 1;
      // The header line plus the data rows; a last line without its line end is not counted, so this errs towards letting through.
      if (lines > IMPORT_LIMITS.maxRows + 1) return done(tooLarge());
      done(null, chunk);
    },
  });
}

/** A multer engine that streams the file into `storage` under `imports/<org>/<uuid>`. */
function storageEngine(storage: FileStorage): multer.StorageEngine {
  return {
    _handleFile(req: Request, file, cb) {
      const orgId = (req.res?.locals.orgId ?? 'unknown').replace(/[^A-Za-z0-9_-]/g, '');
      const key = `imports/${orgId}/${randomUUID()}`;
      const counter = lineCounter();
      file.stream.on('error', (err) => counter.destroy(err));
      // The counter may refuse the file before putStream's pipeline is attached (it first makes the
      // directory); the pipeline still sees the errored stream and rejects, so this only stops a crash.
      counter.on('error', () => undefined);
      storage.putStream(key, file.stream.pipe(counter), 'text/csv').then(
        (size) => cb(null, { path: key, size }),
        (err: unknown) => cb(err as Error),
      );
    },
    _removeFile(_req, file, cb) {
      storage.delete(file.path).then(
        () => cb(null),
        (err: unknown) => cb(err as Error),
      );
    },
  };
}

async function headerOf(storage: FileStorage, key: string): Promise<string[] | undefined> {
  const delimiter = await storedDelimiter(storage, key);
  const source = delimiter && (await storage.getStream(key));
  if (!source) return undefined;
  try {
    for await (const record of readCsv(source, delimiter)) return record.cells;
    return undefined;
  } finally {
    source.destroy();
  }
}

/** Reads back the stored file's header: a known format goes on, anything else is deleted and refused. */
function recogniseFormat(storage: FileStorage): RequestHandler {
  return async (req, res, next) => {
    const file = req.file;
    if (!file) throw notCsv('file is required (multipart/form-data field "file")');
    let header: string[] | undefined;
    try {
      header = await headerOf(storage, file.path);
    } catch {
      header = undefined; // unreadable as CSV
    }
    const detected = header ? detectImportFormat(header) : undefined;
    if (!detected || 'error' in detected) {
      await storage.delete(file.path);
      if (!detected) throw notCsv('file is not a CSV file with a header row');
      throw notCsv(detected.error, detected.expectedColumns);
    }
    res.locals.csv = { key: file.path, bytes: file.size, format: detected.format };
    next();
  };
}

/** The `before` middlewares of the import upload route. */
export function csvUpload(storage: FileStorage): RequestHandler[] {
  return [
    requireUploadBody({ allowJson: false }),
    parseMultipart({ maxBytes: IMPORT_LIMITS.maxBytes }, storageEngine(storage), tooLarge),
    recogniseFormat(storage),
  ];
}
