import type { PosClientFactory } from '../pos-client.js';
import { PosError } from '../pos-errors.js';

// Placeholder so the registry compiles; the treez adapter replaces this file.
export const createTreezClient: PosClientFactory = () => {
  throw new PosError('pos_unavailable', 'treez adapter not built yet', { provider: 'treez', retryable: false });
};
