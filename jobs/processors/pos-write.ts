import type { Job } from 'bullmq';
import { config } from '../../config/env.js';
import { logger } from '../../config/logger.js';
import type { Customer } from '../../db/customers/customer-model.js';
import type { Db } from '../../db/knex.js';
import { assertPosUrl, decryptCredentials } from '../../db/pos/pos-settings-service.js';
import { completePosWrite, failPosWrite, loadPosWrite, type PosWrite } from '../../db/pos/pos-write-service.js';
import {
  isPosError,
  posClientFactories,
  PosError,
  type NewPosCustomer,
  type PosClient,
  type PosClientDeps,
  type PosDocument,
} from '../../integrations/pos/index.js';
import type { QueuePayloads } from '../queues.js';
import { isPermanent } from '../run-job.js';

export interface PosWriteOptions {
  /** Development and test: sandbox vendors on loopback. Defaults to config.env !== 'production'. */
  development?: boolean;
  /** Extra client deps (tests: an unlimited rate limiter, retries without waiting). */
  clientDeps?: Partial<PosClientDeps>;
}

function documentOf(doc: Customer['driversLicense']): PosDocument | null {
  return doc?.number ? { number: doc.number, state: doc.state, expiresOn: doc.expiresOn } : null;
}

/** The customer's current values as the POS takes them: every write pushes the whole, latest state. */
export function posCustomerOf(customer: Customer): NewPosCustomer {
  return {
    patronId: customer.id,
    firstName: customer.firstName ?? '',
    middleName: customer.middleName,
    lastName: customer.lastName,
    birthday: customer.birthday,
    email: customer.email,
    phone: customer.phone,
    driversLicense: documentOf(customer.driversLicense),
    medicalCard: documentOf(customer.medicalCard),
    customerType: customer.customerType,
  };
}

async function clientOf(write: PosWrite, options: PosWriteOptions): Promise<PosClient> {
  const development = options.development ?? config.env !== 'production';
  const { provider, baseUrl, authUrl } = write.settings;
  try {
    // Checked again at run time: the allow-list or DNS may have changed since the settings were saved.
    await assertPosUrl(provider, 'baseUrl', baseUrl, { development, allowedHosts: config.posAllowedHosts });
    await assertPosUrl(provider, 'authUrl', authUrl, { development, allowedHosts: config.posAllowedHosts });
    return posClientFactories[provider](decryptCredentials(write.settings), {
      baseUrl: baseUrl ?? undefined,
      authUrl: authUrl ?? undefined,
      storeTimezone: write.store.timezone,
      development,
      onRetry: (event) => logger.warn('POS call retried', { customerId: write.customer.id, ...event }),
      ...options.clientDeps,
    });
  } catch (err) {
    if (isPosError(err)) throw err;
    throw new PosError('pos_misconfigured', `the store's ${provider} settings are unusable`, { provider });
  }
}

async function push(client: PosClient, write: PosWrite): Promise<{ externalId: string } | undefined> {
  const values = posCustomerOf(write.customer);
  if (write.operation === 'create') return client.createCustomer!(values);
  const { patronId: _patronId, ...patch } = values;
  await client.updateCustomer!({ externalId: write.externalId! }, patch);
  return undefined;
}

/**
 * Writes one pending customer to its store's POS: a create (the POS id is then attached) or an update
 * with the current values. A retryable failure (POS down, rate limited) rethrows for BullMQ's backoff
 * and the customer stays `pending`; a permanent one, or the last attempt, marks it `failed`. Logs carry
 * ids and error codes only.
 */
export function posWriteProcessor(db: Db, options: PosWriteOptions = {}) {
  return async (job: Job<QueuePayloads['pos-write']>) => {
    const { orgId, storeId, customerId } = job.data;
    const write = await loadPosWrite(db, orgId, storeId, customerId);
    if (!write) return { customerId, skipped: 'nothing to write' };
    try {
      const client = await clientOf(write, options);
      const created = await push(client, write);
      const status = await completePosWrite(db, write, created);
      logger.info('customer written to POS', { customerId, provider: client.provider, operation: write.operation });
      return { customerId, operation: write.operation, status };
    } catch (err) {
      const lastAttempt = job.attemptsMade + 1 >= (job.opts.attempts ?? 1);
      if (isPermanent(err) || lastAttempt) {
        await failPosWrite(db, orgId, storeId, customerId);
        const code = isPosError(err) ? err.code : 'internal';
        logger.error('customer POS write failed', { customerId, operation: write.operation, code });
      }
      throw err;
    }
  };
}
