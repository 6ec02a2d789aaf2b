import { randomUUID } from 'node:crypto';
import { logger } from '../../config/logger.js';
import type { FileStorage } from '../../integrations/storage/file-storage.js';

// Files and transactions: a new file is written before the transaction that points at it, and removed
// again if that transaction fails; an old file is deleted only after the transaction that let go of it
// committed. A crash in between leaves an orphan file, never a row pointing at nothing.

export interface UploadedFile {
  bytes: Buffer;
  /** Detected from the content (magic bytes), never taken from the client. */
  contentType: string;
}

/** A generated key, so a stored file never carries a name the client chose. */
export function newFileKey(kind: 'avatars' | 'documents', orgId: string): string {
  return `${kind}/${orgId}/${randomUUID()}`;
}

/** Stores `file` under `key` (when there is one), runs `work`, and removes the file if `work` fails. */
export async function withStoredFile<T>(
  storage: FileStorage,
  upload: { key: string; file: UploadedFile } | undefined,
  work: () => Promise<T>,
): Promise<T> {
  if (!upload) return work();
  await storage.put(upload.key, upload.file.bytes, upload.file.contentType);
  try {
    return await work();
  } catch (err) {
    await deleteFilesQuietly(storage, [upload.key]);
    throw err;
  }
}

/** Best effort, after a commit: the change stands; a file that could not go is logged (its key only). */
export async function deleteFilesQuietly(storage: FileStorage, keys: Array<string | null | undefined>): Promise<void> {
  for (const key of keys) {
    if (!key) continue;
    try {
      await storage.delete(key);
    } catch (err) {
      logger.warn('could not delete a stored file; it is now an orphan', { fileKey: key, err });
    }
  }
}
