import type { Db } from '../knex.js';
import { withTenant } from '../tenant.js';

/**
 * Records when a key was last used, at most once a minute per key and process: `lastUsedAt` tells an
 * admin which keys are alive, and a write on every request would cost more than it tells.
 */
export function createApiKeyUsageRecorder(db: Db, everyMs = 60_000, now: () => number = Date.now) {
  const lastWritten = new Map<string, number>();
  return async (key: { id: string; organizationId: string }): Promise<void> => {
    const at = now();
    if (at - (lastWritten.get(key.id) ?? -Infinity) < everyMs) return;
    lastWritten.set(key.id, at);
    if (lastWritten.size > 10_000) lastWritten.delete(lastWritten.keys().next().value!);
    await withTenant(db, { orgId: key.organizationId }, (trx) =>
      trx('api_keys')
        .where({ id: key.id, organization_id: key.organizationId })
        .update({ last_used_at: new Date(at) }),
    );
  };
}
