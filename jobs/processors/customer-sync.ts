import type { Job, Queue } from 'bullmq';
import { config } from '../../config/env.js';
import { logger } from '../../config/logger.js';
import type { Db } from '../../db/knex.js';
import { assertPosUrl, decryptCredentials, type SyncScheduler } from '../../db/pos/pos-settings-service.js';
import {
  applySyncPage,
  beginSyncRun,
  failSync,
  finishSync,
  mapSyncPage,
  openScheduledSync,
  type SyncRun,
} from '../../db/syncs/customer-sync-service.js';
import { latestModified, listSince } from '../../db/syncs/customer-sync-rules.js';
import type { PosCustomer } from '../../integrations/pos/pos-types.js';
import { isPosError, posClientFactories, type PosClient, type PosClientDeps } from '../../integrations/pos/index.js';
import { jobId, type QueuePayloads } from '../queues.js';
import { isPermanent } from '../run-job.js';
import { readingAhead } from './reading-ahead.js';
import { syncProgress } from './sync-progress.js';
import { createStatisticsRefresher } from '../../db/syncs/sync-statistics.js';

/** The syncId of a job fired by a store's scheduler: the processor opens the run (trigger 'schedule'). */
export const SCHEDULED_SYNC = 'scheduled';

/** One scheduler per store, upserted by id: saving the settings again moves it, never doubles it. */
export function storeSyncScheduler(queue: Queue<QueuePayloads['customer-sync']>): SyncScheduler {
  return async ({ orgId, storeId, pattern, timezone }) => {
    await queue.upsertJobScheduler(
      jobId('customer-sync', storeId),
      { pattern, tz: timezone },
      { name: 'customer-sync', data: { syncId: SCHEDULED_SYNC, storeId, orgId } },
    );
  };
}

export interface CustomerSyncOptions {
  /** Development and test: sandbox vendors on loopback. Defaults to config.env !== 'production'. */
  development?: boolean;
  /** Extra client deps (tests: an unlimited rate limiter, retries without waiting). */
  clientDeps?: Partial<PosClientDeps>;
}

async function clientOf(run: SyncRun, options: CustomerSyncOptions): Promise<PosClient> {
  const development = options.development ?? config.env !== 'production';
  const { provider, baseUrl, authUrl } = run.settings;
  // Checked again at run time: the allow-list or DNS may have changed since the settings were saved.
  await assertPosUrl(provider, 'baseUrl', baseUrl, { development, allowedHosts: config.posAllowedHosts });
  await assertPosUrl(provider, 'authUrl', authUrl, { development, allowedHosts: config.posAllowedHosts });
  return posClientFactories[provider](decryptCredentials(run.settings), {
    baseUrl: baseUrl ?? undefined,
    authUrl: authUrl ?? undefined,
    storeTimezone: run.store.timezone,
    development,
    onRetry: (event) => logger.warn('POS call retried', { syncId: run.sync.id, ...event }),
    ...options.clientDeps,
  });
}

/** What a failed run records: a code and a message, never a record's data or a vendor payload. */
function errorOf(err: unknown): { code: string; message: string } {
  if (isPosError(err)) return { code: err.code, message: err.message };
  const { code, message } = err as { code?: unknown; message?: unknown };
  if (code === 'validation_failed') return { code: 'pos_misconfigured', message: String(message) };
  if (typeof code === 'string' && /^[a-z_]+$/.test(code)) return { code, message: String(message) };
  return { code: 'internal', message: 'the sync stopped on an internal error' };
}

async function* mappedPages(pages: AsyncIterable<PosCustomer[]>, storeCountry: string) {
  for await (const page of pages) yield { page, mapped: mapSyncPage(page, storeCountry) };
}

/**
 * Runs one customer sync: pages from the POS since the store's watermark, each written in its own
 * transaction. A retryable failure (POS down, rate limited, a dropped connection) leaves the run in
 * progress and rethrows for BullMQ's backoff; the retry lists again from the unchanged watermark and
 * finds the committed pages unchanged. A permanent failure, or the last attempt, fails the run.
 */
export function customerSyncProcessor(db: Db, options: CustomerSyncOptions = {}) {
  return async (job: Job<QueuePayloads['customer-sync']>) => {
    const { orgId, storeId } = job.data;
    let syncId = job.data.syncId;
    if (syncId === SCHEDULED_SYNC) {
      const opened = await openScheduledSync(db, orgId, storeId);
      if (!opened) return { skipped: 'no POS settings' };
      syncId = opened.id;
    }
    const run = await beginSyncRun(db, orgId, storeId, syncId);
    if (!run) return { syncId, skipped: 'not running' };

    try {
      const client = await clientOf(run, options);
      let latest = run.settings.syncWatermark;
      let pages = 0;
      const refreshStatistics = createStatisticsRefresher(db);
      const listed = client.listCustomersChangedSince(listSince(run.settings.provider, latest));
      for await (const { page, mapped } of readingAhead(mappedPages(listed, run.store.country))) {
        await applySyncPage(db, run, page, mapped);
        await refreshStatistics(run.counts.created);
        latest = latestModified(page, latest);
        await job.updateProgress(syncProgress(++pages));
      }
      await finishSync(db, run, latest);
      await job.updateProgress(100);
      logger.info('customer sync finished', { syncId, provider: run.settings.provider, ...run.counts });
      return { syncId, counts: run.counts };
    } catch (err) {
      const lastAttempt = job.attemptsMade + 1 >= (job.opts.attempts ?? 1);
      if (isPermanent(err) || lastAttempt) {
        const error = errorOf(err);
        await failSync(db, orgId, storeId, syncId, error);
        logger.error('customer sync failed', { syncId, provider: run.settings.provider, code: error.code });
      }
      throw err;
    }
  };
}
