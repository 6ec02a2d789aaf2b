import type { Readable } from 'node:stream';

/** A stored file: its bytes and the content type detected when it was uploaded. */
export interface StoredFile {
  bytes: Buffer;
  contentType: string;
}

/**
 * Where uploaded files live (avatars, identity documents). Small on purpose, so an object store can
 * replace the local directory. Keys are ids the service generates, never names a user sent.
 */
export interface FileStorage {
  put(key: string, bytes: Buffer, contentType: string): Promise<void>;
  /** undefined when there is no file under the key. */
  get(key: string): Promise<StoredFile | undefined>;
  /** Stores what `source` yields without holding it in memory (CSV imports); resolves to the byte count. */
  putStream(key: string, source: Readable, contentType: string): Promise<number>;
  /** The file as a stream, for reading large files piece by piece; undefined when there is no file. */
  getStream(key: string): Promise<Readable | undefined>;
  /** Deleting a key that holds nothing is not an error (erasure and retries delete twice). */
  delete(key: string): Promise<void>;
}

// Segments of letters, digits, `_` and `-` joined by `/`: no dots, so no `..`, no hidden files and no
// clash with the `.type` sidecar files of the local storage.
const KEY = /^[A-Za-z0-9_-]{1,100}(\/[A-Za-z0-9_-]{1,100}){0,5}$/;

export function assertValidKey(key: string): void {
  if (!KEY.test(key)) throw new Error('invalid storage key');
}
