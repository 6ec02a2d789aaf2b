import type { PosClientFactory } from '../pos-client.js';
import { PosError } from '../pos-errors.js';

// Placeholder so the registry compiles; the blaze adapter replaces this file.
export const createBlazeClient: PosClientFactory = () => {
  throw new PosError('pos_unavailable', 'blaze adapter not built yet', { provider: 'blaze', retryable: false });
};
