import type { PosClientFactory } from '../pos-client.js';
import { PosError } from '../pos-errors.js';

// Placeholder so the registry compiles; the covasoft adapter replaces this file.
export const createCovasoftClient: PosClientFactory = () => {
  throw new PosError('pos_unavailable', 'covasoft adapter not built yet', { provider: 'covasoft', retryable: false });
};
