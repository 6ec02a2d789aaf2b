import type { RequestHandler } from 'express';
import { fileTypeFromBuffer } from 'file-type';
import multer from 'multer';
import { AppError } from '../../config/errors.js';
import type { UploadedFile } from '../../db/customers/customer-files.js';

declare global {
  // eslint-disable-next-line @typescript-eslint/no-namespace
  namespace Express {
    interface Locals {
      /** The uploaded `file`, its type detected from its bytes (see fileUpload). */
      upload?: UploadedFile;
    }
  }
}

export interface FileRule {
  /** Content types accepted, as detected from the bytes, with the name shown in messages. */
  types: Record<string, string>;
  maxBytes: number;
  required: boolean;
  /** Also accept a JSON body (without a file) instead of multipart/form-data. */
  allowJson: boolean;
}

const FIELD = 'file';
const megabytes = (bytes: number) => `${Math.round((bytes / 1024 / 1024) * 10) / 10} MB`;

export function requireUploadBody(rule: Pick<FileRule, 'allowJson'>): RequestHandler {
  return (req, _res, next) => {
    const hasBody =
      req.get('content-length') !== undefined
        ? req.get('content-length') !== '0'
        : req.get('transfer-encoding') !== undefined;
    const accepted = rule.allowJson ? ['multipart/form-data', 'application/json'] : ['multipart/form-data'];
    if (hasBody && !req.is(accepted)) {
      throw new AppError('unsupported_media_type', `send the body as ${accepted.join(' or ')}`);
    }
    next();
  };
}

/**
 * Runs multer, turning its errors into ours: a client's mistake is never a 500. Files go to memory
 * unless `engine` streams them elsewhere (CSV imports); an engine may fail with an AppError of its own.
 */
export function parseMultipart(
  rule: Pick<FileRule, 'maxBytes'>,
  engine: multer.StorageEngine = multer.memoryStorage(),
  tooLarge: () => AppError = () =>
    new AppError('payload_too_large', `${FIELD} must be at most ${megabytes(rule.maxBytes)}`, {
      details: [{ path: FIELD, message: `must be at most ${megabytes(rule.maxBytes)}`, limit: rule.maxBytes }],
    }),
): RequestHandler {
  const parser = multer({
    storage: engine,
    limits: { fileSize: rule.maxBytes, files: 1, fields: 20, fieldSize: 8 * 1024, fieldNameSize: 100, parts: 21 },
  }).single(FIELD);
  return (req, res, next) => {
    parser(req, res, (err?: unknown) => {
      if (!err) return next();
      if (err instanceof AppError) return next(err);
      if (err instanceof multer.MulterError && err.code === 'LIMIT_FILE_SIZE') return next(tooLarge());
      const problem = err instanceof multer.MulterError ? err.message : 'is not a readable multipart/form-data body';
      const path = err instanceof multer.MulterError && err.field ? err.field : 'body';
      next(new AppError('validation_failed', `${path}: ${problem}`, { details: [{ path, message: problem }] }));
    });
  };
}

/** Decides the file's type from its first bytes (magic numbers), never from its name or declared type. */
function checkFileContent(rule: FileRule): RequestHandler {
  const names = Object.values(rule.types).join(', ');
  return async (req, res, next) => {
    const file = req.file;
    if (!file) {
      if (rule.required) {
        throw new AppError('validation_failed', `${FIELD} is required (multipart/form-data field "${FIELD}")`, {
          details: [{ path: FIELD, message: 'is required' }],
        });
      }
      return next();
    }
    const detected = await fileTypeFromBuffer(file.buffer);
    if (!detected || !(detected.mime in rule.types)) {
      throw new AppError('unsupported_media_type', `${FIELD} must be one of: ${names} (judged by its content)`, {
        details: [{ path: FIELD, message: `must be one of: ${names}` }],
      });
    }
    res.locals.upload = { bytes: file.buffer, contentType: detected.mime };
    next();
  };
}

/** The `before` middlewares of a route that takes one uploaded file in the field `file`. */
export function fileUpload(rule: FileRule): RequestHandler[] {
  return [requireUploadBody(rule), parseMultipart(rule), checkFileContent(rule)];
}

export const AVATAR_UPLOAD: FileRule = {
  types: { 'image/jpeg': 'JPEG', 'image/png': 'PNG', 'image/webp': 'WebP' },
  maxBytes: 1024 * 1024,
  required: true,
  allowJson: false,
};

export const DOCUMENT_UPLOAD: FileRule = {
  types: { 'image/jpeg': 'JPEG', 'image/png': 'PNG', 'application/pdf': 'PDF' },
  maxBytes: 5 * 1024 * 1024,
  required: false,
  allowJson: true,
};
