import { createPosHttp, parseRetryAfter, validateResponse, type VendorErrorResponse } from '../http.js';
import type { PosClient, PosClientDeps, PosClientFactory } from '../pos-client.js';
import { PosError, isPosError } from '../pos-errors.js';
import type { NewPosCustomer, PosCustomer, PosCustomerPatch, PosCustomerRef } from '../pos-types.js';
import { credentialKey } from '../token-cache.js';
import {
  leaflogixBalances,
  leaflogixModifiedFilter,
  leaflogixSavedId,
  leaflogixToPosCustomer,
  toLeaflogixCreate,
  toLeaflogixSave,
} from './leaflogix-mappers.js';
import {
  leaflogixCredentials,
  leaflogixCustomerPage,
  leaflogixErrorBody,
  leaflogixLoyaltySnapshot,
  leaflogixSaveResponse,
  leaflogixWhoami,
} from './leaflogix-schemas.js';

const PROVIDER = 'leaflogix';
/** The documented maximum (one integrator used 1000; we stay within the docs). */
export const LEAFLOGIX_PAGE_SIZE = 100;
const DEFAULT_BASE_URL = 'https://api.pos.dutchie.com'; // no /v1: some clients add one wrongly

/** Which location and company the key belongs to. */
export interface LeaflogixIdentity {
  locationId: number;
  locationName: string | null;
  companyId: number;
  companyName: string | null;
}

/**
 * The Dutchie client also says who its key is. Worth knowing for the sync: Dutchie's customer list is
 * company-wide, so every location key of one company lists the same people under the same ids — two
 * Patron stores of one company each receive all of them (dedupe on companyId + externalId if needed).
 */
export interface LeaflogixClient extends PosClient {
  identify(): Promise<LeaflogixIdentity>;
}

/**
 * Dutchie POS (formerly LeafLogix): HTTP Basic with the location key as username and a blank password;
 * 120 requests per minute per key and endpoint; `customers-paginated` pages with a 60 s overlap on the
 * modified filter; a 500 is not retried (its docs say so), 502/503 are.
 */
export const createLeaflogixClient = ((credentials: unknown, deps: PosClientDeps): LeaflogixClient => {
  const { value: creds, error } = leaflogixCredentials.validate(credentials);
  if (error) throw new PosError('pos_misconfigured', 'leaflogix credentials are incomplete', { provider: PROVIDER });
  const now = deps.now ?? (() => new Date());
  const http = createPosHttp({
    ...deps,
    provider: PROVIDER,
    baseURL: (deps.baseUrl ?? DEFAULT_BASE_URL).replace(/\/+$/, ''),
    headers: { Authorization: `Basic ${Buffer.from(`${creds.apiKey}:`).toString('base64')}` },
    limiterKey: credentialKey(PROVIDER, creds.apiKey),
    // Dutchie counts per endpoint (whoami 200, reporting 60); one 120 window over all of them is simpler and safe.
    rateLimit: { perMinute: 120 },
    isRetryableStatus: (status) => status !== 500,
    translateError: (response) => rateLimited(response, now()),
  });

  async function identify(): Promise<LeaflogixIdentity> {
    const res = await http.get('/whoami');
    const who = validateResponse(leaflogixWhoami, res.data, PROVIDER);
    return {
      locationId: who.LocationId,
      locationName: who.LocationName || null,
      companyId: who.CompanyId,
      companyName: who.CompanyName || null,
    };
  }

  // Balances live in a reporting endpoint, not on the customer. A key without the reporting scope (403)
  // or an account without loyalty (404) still syncs, with loyalty unknown.
  async function loyaltyBalances(): Promise<Map<number, number>> {
    try {
      const res = await http.get('/reporting/loyalty-snapshot');
      return leaflogixBalances(validateResponse(leaflogixLoyaltySnapshot, res.data, PROVIDER));
    } catch (err) {
      if (isPosError(err) && (err.status === 403 || err.status === 404)) return new Map();
      throw err;
    }
  }

  async function* listCustomersChangedSince(since: Date | null): AsyncIterable<PosCustomer[]> {
    // Fails fast on a revoked key (an empty-bodied 401) before any paging, on the cheaper whoami budget.
    await identify();
    let balances: Map<number, number> | undefined;
    for (let page = 1; ; page++) {
      const params = {
        PageNumber: page,
        PageSize: LEAFLOGIX_PAGE_SIZE,
        ...(since ? { fromLastModifiedDateUTC: leaflogixModifiedFilter(since) } : {}),
      };
      const res = await http.get('/customer/customers-paginated', { params });
      const records = validateResponse(leaflogixCustomerPage, res.data, PROVIDER);
      if (records.length === 0) return;
      // Fetched once per listing, and only when a page holds a loyalty member.
      if (!balances && records.some((r) => r.isLoyaltyMember)) balances = await loyaltyBalances();
      yield records.map((r) => leaflogixToPosCustomer(r, balances));
      if (records.length < LEAFLOGIX_PAGE_SIZE) return;
    }
  }

  // Without customerId the save creates [ASSUMPTION: the create contract is undocumented]. Not retried
  // after a possible send: a second create would make a second customer.
  async function createCustomer(customer: NewPosCustomer): Promise<PosCustomerRef> {
    const { patronId, ...fields } = customer;
    const res = await http.post('/customer/customer', toLeaflogixCreate(fields, patronId));
    return { externalId: leaflogixSavedId(validateResponse(leaflogixSaveResponse, res.data, PROVIDER)) };
  }

  // A sparse save by id: repeating it changes nothing, so it may be retried like a read.
  async function updateCustomer(ref: PosCustomerRef, patch: PosCustomerPatch): Promise<void> {
    const customerId = Number(ref.externalId);
    if (!/^\d+$/.test(ref.externalId) || !Number.isSafeInteger(customerId)) {
      throw new PosError('pos_not_found', 'not a leaflogix customer id', { provider: PROVIDER });
    }
    await http.post('/customer/customer', { ...toLeaflogixSave(patch), customerId }, { posRetrySafe: true });
  }

  return {
    provider: PROVIDER,
    capabilities: { create: true, update: true },
    identify,
    listCustomersChangedSince,
    createCustomer,
    updateCustomer,
  };
}) satisfies PosClientFactory;

/** Dutchie's 429 carries a TraceId in its body, worth keeping for a support ticket. */
function rateLimited(response: VendorErrorResponse, at: Date): PosError | undefined {
  if (response.status !== 429) return undefined;
  const { value } = leaflogixErrorBody.validate(response.data, { allowUnknown: true });
  const traceId = typeof value?.TraceId === 'string' && value.TraceId ? value.TraceId.slice(0, 100) : undefined;
  return new PosError('pos_rate_limited', `${PROVIDER} rate limit reached`, {
    provider: PROVIDER,
    status: 429,
    retryAfterMs: parseRetryAfter(response.headers['retry-after'], at),
    vendorRequestId: traceId,
  });
}
