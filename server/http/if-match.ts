import type { Request } from 'express';
import { AppError } from '../../config/errors.js';

// Versions are integers; accept them bare or quoted as an entity tag (`3`, `"3"`, `W/"3"`).
const VERSION = /^(?:W\/)?"?(\d{1,9})"?$/;

/** The version named by If-Match, or undefined when the header is absent or `*`. */
export function ifMatchVersion(req: Request): number | undefined {
  const header = req.get('if-match')?.trim();
  if (header === undefined || header === '' || header === '*') return undefined;
  const match = VERSION.exec(header);
  if (!match) {
    throw new AppError('validation_failed', 'If-Match must be the version number of the resource', {
      details: [{ path: 'If-Match', message: 'must be an integer version, e.g. 3' }],
    });
  }
  return Number(match[1]);
}
