import { randomUUID } from 'node:crypto';
import { createReadStream, createWriteStream } from 'node:fs';
import { access, mkdir, readFile, rename, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { Transform } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { assertValidKey, type FileStorage } from './file-storage.js';

const CONTENT_TYPE_SUFFIX = '.type';

function isMissing(err: unknown): boolean {
  return (err as NodeJS.ErrnoException).code === 'ENOENT';
}

/**
 * Files in a local directory: `<dir>/<key>` holds the bytes, `<dir>/<key>.type` the content type.
 * Keys are checked against a strict pattern and the resolved path must stay inside the directory,
 * so a key can never reach another file.
 */
export function createLocalFileStorage(dir: string): FileStorage {
  const root = path.resolve(dir);

  function pathOf(key: string): string {
    assertValidKey(key);
    const full = path.resolve(root, key);
    if (!full.startsWith(root + path.sep)) throw new Error('invalid storage key');
    return full;
  }

  // Written to a temporary name and renamed, so a reader never sees half a file.
  async function writeAtomically(target: string, data: Buffer | string): Promise<void> {
    const temporary = `${target}.${randomUUID()}.tmp`;
    await writeFile(temporary, data, { mode: 0o600 });
    await rename(temporary, target);
  }

  return {
    async put(key, bytes, contentType) {
      const target = pathOf(key);
      await mkdir(path.dirname(target), { recursive: true, mode: 0o700 });
      await writeAtomically(target + CONTENT_TYPE_SUFFIX, contentType);
      await writeAtomically(target, bytes);
    },

    async get(key) {
      const target = pathOf(key);
      try {
        const [bytes, contentType] = await Promise.all([
          readFile(target),
          readFile(target + CONTENT_TYPE_SUFFIX, 'utf8'),
        ]);
        return { bytes, contentType };
      } catch (err) {
        if (isMissing(err)) return undefined;
        throw err;
      }
    },

    async putStream(key, source, contentType) {
      const target = pathOf(key);
      await mkdir(path.dirname(target), { recursive: true, mode: 0o700 });
      const temporary = `${target}.${randomUUID()}.tmp`;
      let bytes = 0;
      const count = new Transform({
        transform(chunk: Buffer, _encoding, done) {
          bytes += chunk.length;
          done(null, chunk);
        },
      });
      try {
        await pipeline(source, count, createWriteStream(temporary, { mode: 0o600 }));
      } catch (err) {
        await rm(temporary, { force: true });
        throw err;
      }
      await writeAtomically(target + CONTENT_TYPE_SUFFIX, contentType);
      await rename(temporary, target);
      return bytes;
    },

    async getStream(key) {
      const target = pathOf(key);
      try {
        // Checked first, so a missing file is an answer here and not an error event on the stream later.
        await access(target);
        return createReadStream(target);
      } catch (err) {
        if (isMissing(err)) return undefined;
        throw err;
      }
    },

    async delete(key) {
      const target = pathOf(key);
      await rm(target, { force: true });
      await rm(target + CONTENT_TYPE_SUFFIX, { force: true });
    },
  };
}
