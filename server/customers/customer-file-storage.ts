import type { FileStorage } from '../../integrations/storage/file-storage.js';
import { createLocalFileStorage } from '../../integrations/storage/local-file-storage.js';
import type { AppDeps } from '../app-deps.js';

const byDeps = new WeakMap<AppDeps, FileStorage>();

/**
 * The file storage of the customer routes (avatars, documents, erasure). Until AppDeps carries a
 * storage, it is built here from the configuration, once per app.
 */
export function customerFileStorage(deps: AppDeps): FileStorage {
  let storage = byDeps.get(deps);
  if (!storage) {
    storage = createLocalFileStorage(deps.config.storage.dir);
    byDeps.set(deps, storage);
  }
  return storage;
}
