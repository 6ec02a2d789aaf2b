import type { PosClientFactory } from '../pos-client.js';
import { PosError } from '../pos-errors.js';

// Placeholder so the registry compiles; the leaflogix adapter replaces this file.
export const createLeaflogixClient: PosClientFactory = () => {
  throw new PosError('pos_unavailable', 'leaflogix adapter not built yet', { provider: 'leaflogix', retryable: false });
};
