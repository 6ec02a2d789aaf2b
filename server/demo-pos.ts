import type { Queue } from 'bullmq';
import { logger } from '../config/logger.js';
import { findDemoStores } from '../db/bootstrap/demo-stores.js';
import { systemActor } from '../db/context.js';
import type { Db } from '../db/knex.js';
import { putPosSettings, type PosSettingsInput } from '../db/pos/pos-settings-service.js';
import { startCustomerSync } from '../db/syncs/customer-sync-service.js';
import { storeSyncScheduler } from '../jobs/processors/customer-sync.js';
import { enqueueOptions, type QueuePayloads } from '../jobs/queues.js';
import { startBlazeSandbox } from '../integrations/sandbox/blaze-sandbox.js';
import { startCovasoftSandbox } from '../integrations/sandbox/covasoft-sandbox.js';
import { startFlowhubSandbox } from '../integrations/sandbox/flowhub-sandbox.js';
import { startLeaflogixSandbox } from '../integrations/sandbox/leaflogix-sandbox.js';
import { sandboxPeople } from '../integrations/sandbox/sandbox-kit.js';
import { startTreezSandbox } from '../integrations/sandbox/treez-sandbox.js';

// The laptop demo (`npm start` in development): the five fake POS vendors in this process on fixed
// loopback ports, the two demo stores pointed at two of them, and one sync per demo store at start so
// Bull Board shows a real run. Never in production: config refuses SANDBOX_VENDORS there, and every
// sandbox refuses to start when told it is production.

export const DEMO_SANDBOX_PEOPLE = 300;

interface Vendor {
  provider: PosSettingsInput['provider'];
  url: string;
  credentials: Record<string, unknown>;
  close(): Promise<void>;
}

export interface DemoSandboxes {
  vendors: Vendor[];
  close(): Promise<void>;
}

/**
 * Starts every sandbox vendor on 127.0.0.1, ports portBase (leaflogix), +1 (blaze), +2 (treez),
 * +3 (flowhub), +4 (covasoft). Fixed seeds: each restart serves the same people under the same ids.
 */
export async function startDemoSandboxes(options: { portBase: number; production: boolean }): Promise<DemoSandboxes> {
  if (options.production) throw new Error('sandbox vendors never run in production');
  const { portBase: base, production } = options;
  const people = (seed: number) => sandboxPeople(DEMO_SANDBOX_PEOPLE, seed);
  const started: Vendor[] = [];
  try {
    const leaflogix = await startLeaflogixSandbox({ people: people(101), port: base, production });
    started.push({ provider: 'leaflogix', ...leaflogix });
    const blaze = await startBlazeSandbox({ people: people(202), port: base + 1, production });
    started.push({ provider: 'blaze', ...blaze });
    const treez = await startTreezSandbox({ people: people(303), port: base + 2, production });
    started.push({ provider: 'treez', url: treez.url, credentials: { ...treez.credentials }, close: treez.close });
    const flowhub = await startFlowhubSandbox({ people: people(404), port: base + 3, production });
    started.push({ provider: 'flowhub', ...flowhub });
    const cova = await startCovasoftSandbox({ people: people(505), port: base + 4, production });
    started.push({ provider: 'covasoft', url: cova.url, credentials: { ...cova.credentials }, close: cova.close });
  } catch (err) {
    await Promise.allSettled(started.map((v) => v.close()));
    throw err;
  }
  return {
    vendors: started,
    close: async () => {
      await Promise.allSettled(started.map((v) => v.close()));
    },
  };
}

/** Which sandbox each demo store syncs from, in DEMO_STORES order (Downtown, Harbor). */
export const DEMO_STORE_PROVIDERS: ReadonlyArray<PosSettingsInput['provider']> = ['leaflogix', 'blaze'];

/**
 * Gives each demo store without POS settings the settings of its sandbox, as an admin's PUT /pos would
 * (credentials encrypted, scheduler upserted), then starts one sync per demo store (or finds the one
 * running). Settings made once stay: a later start, or an admin's change, is left alone.
 */
export async function connectDemoStores(
  db: Db,
  sandboxes: DemoSandboxes,
  queue: Queue<QueuePayloads['customer-sync']>,
): Promise<{ configured: number; syncs: string[] }> {
  const stores = await findDemoStores(db);
  let configured = 0;
  const syncs: string[] = [];
  for (const [i, store] of stores.slice(0, DEMO_STORE_PROVIDERS.length).entries()) {
    const ctx = { orgId: store.orgId, storeId: store.storeId, actor: systemActor };
    if (!store.hasPosSettings) {
      const vendor = sandboxes.vendors.find((v) => v.provider === DEMO_STORE_PROVIDERS[i])!;
      await putPosSettings(
        db,
        ctx,
        { provider: vendor.provider, credentials: vendor.credentials, baseUrl: vendor.url },
        { development: true, scheduler: storeSyncScheduler(queue) },
      );
      configured++;
    }
    const { sync } = await startCustomerSync(
      db,
      ctx,
      async (s) => {
        const data = { syncId: s.id, storeId: s.storeId, orgId: store.orgId };
        await queue.add('customer-sync', data, enqueueOptions('customer-sync', data));
      },
      'manual',
    );
    syncs.push(sync.id);
  }
  if (stores.length) logger.info('demo stores syncing from sandbox vendors', { configured, syncs: syncs.length });
  return { configured, syncs };
}
