import type { PosClientFactory } from '../pos-client.js';
import { PosError } from '../pos-errors.js';

// Placeholder so the registry compiles; the flowhub adapter replaces this file.
export const createFlowhubClient: PosClientFactory = () => {
  throw new PosError('pos_unavailable', 'flowhub adapter not built yet', { provider: 'flowhub', retryable: false });
};
