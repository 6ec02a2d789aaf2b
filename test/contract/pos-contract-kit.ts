import { expect } from 'chai';
import Joi from 'joi';
import nock from 'nock';
import type { PosClient, PosClientDeps, PosRetryEvent } from '../../integrations/pos/pos-client.js';
import { PosError, type PosErrorCode } from '../../integrations/pos/pos-errors.js';
import type { PosCustomer } from '../../integrations/pos/pos-types.js';
import type { RateLimiter } from '../../integrations/pos/rate-limiter.js';
import { createMemoryTokenCache, type PosTokenCache } from '../../integrations/pos/token-cache.js';
import { expectPosError, listPages } from '../support/pos-test-helpers.js';

/** The clock every client in the suite sees (deps.now): token expiries, Retry-After dates, open windows. */
export const CONTRACT_NOW = new Date('2024-03-12T12:00:00.000Z');
/** The `since` of the incremental scenarios, and another one the vendor's mock must not accept. */
export const CONTRACT_SINCE = new Date('2024-03-10T17:45:30.250Z');
export const CONTRACT_OTHER_SINCE = new Date('2024-03-07T09:15:00.000Z');

export interface ContractPageRequest {
  since: Date | null;
  /** 0 for the adapter's first list request, whatever the vendor numbers it (page 1, skip 0…). */
  pageIndex: number;
}

/** What a vendor brings to the suite: its client, and nock mocks that speak its real shapes. */
export interface ContractVendor {
  name: string;
  /** Where the mocks live; given to createClient as deps.baseUrl (and authUrl when the vendor has one). */
  baseUrl: string;
  authUrl?: string;
  /** Default America/Denver; Flowhub and Treez filters depend on it. */
  storeTimezone?: string;
  /** Records per page the adapter asks for (at least 2). */
  pageSize: number;
  /** How the adapter knows the list is over: a short page, or a total in the answer (Blaze). */
  endOfList: 'short-page' | 'total';
  /** Builds the adapter with the suite's deps and the vendor's test credentials. */
  createClient(deps: PosClientDeps): PosClient;
  /** One vendor-shaped record; each index gives a distinct customer. */
  makeRecord(index: number): unknown;
  /** The externalId the mapper must give makeRecord(index). */
  externalIdOf(index: number): string;
  /** Nocks, once, whatever the adapter calls before listing (token exchange, whoami); omit if nothing. */
  mockAuth?(): void;
  /**
   * Intercepts one list request: the path and query the adapter must send for this page and this
   * `since`, the incremental filter in the vendor's exact format (none when since is null). It must not
   * match a request made for another page or another `since`: the suite checks that it does not.
   */
  listRequest(request: ContractPageRequest): nock.Interceptor;
  /** The vendor's answer for one page (envelope included); `total` for vendors that report it. */
  pageBody(page: { records: unknown[]; pageIndex: number; total: number }): nock.Body;
  /** The vendor's error body for a status (Treez resultCode envelope, Dutchie {Message, TraceId}); default ''. */
  errorBody?(status: number): nock.Body;
  /** Statuses its docs say not to retry (Dutchie: [500]). */
  nonRetryableStatuses?: number[];
  /** A page in the right envelope whose content breaks the response schema. */
  malformedPageBody(): nock.Body;
  /** The vendor's quirks from pos-apis.md, each a test of its own. */
  quirks?: ContractQuirk[];
}

export interface ContractQuirk {
  name: string;
  run(kit: ContractKit): Promise<void>;
}

/** One client as the suite builds it, with what it observed. */
export interface ContractRun {
  client: PosClient;
  retries: PosRetryEvent[];
  /** Requests that went through the client's rate limiter (retries included). */
  limited(): number;
  tokenCache: PosTokenCache & { size(): number };
  /** Every page the client yields for `since`. */
  list(since: Date | null): Promise<PosCustomer[][]>;
}

export interface ContractKit {
  start(overrides?: Partial<PosClientDeps>): ContractRun;
  expectPosError(work: Promise<unknown>, code: PosErrorCode): Promise<PosError>;
  /** Asserts our customer shape exactly: every key present, no placeholder left ("N/A", '', year 1900). */
  expectCustomer(customer: PosCustomer): void;
}

const text = Joi.string().min(1).invalid('N/A', 'n/a', 'NULL', 'null');
const isoDate = Joi.string()
  .pattern(/^\d{4}-\d{2}-\d{2}$/)
  .custom((v: string, helpers) => (v.startsWith('1900-') ? helpers.error('any.invalid') : v));
const document = Joi.object({ number: text, state: text.allow(null), expiresOn: isoDate.allow(null) }).allow(null);
const posCustomer = Joi.object({
  externalId: text,
  firstName: text.allow(null),
  middleName: text.allow(null),
  lastName: text.allow(null),
  birthday: isoDate.allow(null),
  email: text.allow(null),
  phone: text.allow(null),
  driversLicense: document,
  medicalCard: document,
  customerType: Joi.valid('recreational', 'medical', null),
  loyaltyPoints: Joi.number().allow(null),
  // A record pointing at its survivor is a merged one.
  status: Joi.when('mergedIntoExternalId', {
    is: Joi.string(),
    then: Joi.valid('merged'),
    otherwise: Joi.valid('active', 'inactive', 'merged'),
  }),
  mergedIntoExternalId: text.allow(null),
  lastModifiedAt: Joi.date().allow(null),
}).prefs({ presence: 'required', convert: false });

export function contractKit(vendor: ContractVendor): ContractKit {
  return {
    start(overrides = {}) {
      const retries: PosRetryEvent[] = [];
      let limited = 0;
      const rateLimiter: RateLimiter = { acquire: async () => void limited++, pauseFor: () => undefined };
      const memory = createMemoryTokenCache();
      let stored = 0;
      const tokenCache = {
        get: memory.get,
        set: async (key: string, token: Parameters<PosTokenCache['set']>[1]) => {
          if (!(await memory.get(key))) stored++;
          await memory.set(key, token);
        },
        delete: async (key: string) => {
          if (await memory.get(key)) stored--;
          await memory.delete(key);
        },
        size: () => stored,
      };
      const client = vendor.createClient({
        baseUrl: vendor.baseUrl,
        authUrl: vendor.authUrl,
        storeTimezone: vendor.storeTimezone ?? 'America/Denver',
        timeoutMs: 2_000,
        retry: { retries: 2, minDelayMs: 0, maxDelayMs: 0 },
        now: () => CONTRACT_NOW,
        tokenCache,
        rateLimiter,
        onRetry: (event) => retries.push(event),
        ...overrides,
      });
      const list = (since: Date | null) => listPages(client, since);
      return { client, retries, limited: () => limited, tokenCache, list };
    },
    expectPosError,
    expectCustomer(customer) {
      const { error } = posCustomer.validate(customer, { abortEarly: false });
      expect(error?.details.map((d) => `${d.path.join('.')}: ${d.type}`) ?? []).to.deep.equal([]);
    },
  };
}
