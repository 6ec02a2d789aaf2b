import { createBlazeClient } from './blaze/blaze-client.js';
import { createCovasoftClient } from './covasoft/covasoft-client.js';
import { createFlowhubClient } from './flowhub/flowhub-client.js';
import { createLeaflogixClient } from './leaflogix/leaflogix-client.js';
import type { PosClientFactory } from './pos-client.js';
import type { PosProvider } from './pos-types.js';
import { createTreezClient } from './treez/treez-client.js';

/** One factory per provider: a provider without an adapter fails to compile. */
export const posClientFactories: Record<PosProvider, PosClientFactory> = {
  treez: createTreezClient,
  flowhub: createFlowhubClient,
  leaflogix: createLeaflogixClient,
  covasoft: createCovasoftClient,
  blaze: createBlazeClient,
};

export type { PosClient, PosClientDeps, PosClientFactory, PosRetryEvent, PosRetryOptions } from './pos-client.js';
export { PosError, isPosError, type PosErrorCode } from './pos-errors.js';
export * from './pos-types.js';
