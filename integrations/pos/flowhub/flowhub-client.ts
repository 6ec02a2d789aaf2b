import { createPosHttp, validateResponse, type VendorErrorResponse } from '../http.js';
import type { PosClient, PosClientFactory } from '../pos-client.js';
import { PosError } from '../pos-errors.js';
import type { NewPosCustomer, PosCustomer, PosCustomerPatch, PosCustomerRef } from '../pos-types.js';
import { localDate } from '../store-time.js';
import { credentialKey } from '../token-cache.js';
import { toFlowhubCreate, toFlowhubUpdate, toPosCustomer } from './flowhub-mappers.js';
import {
  flowhubCredentials,
  flowhubCustomer,
  flowhubCustomerArray,
  flowhubCustomerEnvelope,
  flowhubCustomerPage,
  flowhubLocations,
  type FlowhubCustomer,
  type FlowhubLocation,
} from './flowhub-schemas.js';

const PROVIDER = 'flowhub';
const DEFAULT_BASE_URL = 'https://api.flowhub.co';
/** What integrators ask for and get ([M]); Flowhub publishes no maximum. */
export const FLOWHUB_PAGE_SIZE = 500;
// `updated_after` is a store-local date, and whether it includes its own day is undocumented: asking from
// the day before `since` covers both readings. The caller dedupes on externalId + lastModifiedAt.
const OVERLAP_MS = 24 * 60 * 60 * 1000;

export interface FlowhubClientOptions {
  /** Records per list request; tests use small pages to cross page boundaries with few people. */
  pageSize?: number;
}

/**
 * Flowhub's public API (pos-apis.md §2): static `clientId` and `key` headers on every call, ~45 requests
 * per second per clientId (429s come near 59/s, with no Retry-After: backoff with jitter then).
 * Lists `GET /v1/customers/` (client-wide) by `page` from 1 [ASSUMPTION: 1-based] and `page_size`,
 * oldest first, until a short page. Writes go to one location, `store_id` = its `locationId`
 * [ASSUMPTION: the spec names no source; clientsLocations is the only place location ids come from].
 */
export function flowhubClientFactory(options: FlowhubClientOptions = {}): PosClientFactory {
  const pageSize = options.pageSize ?? FLOWHUB_PAGE_SIZE;
  return (credentials, deps) => {
    const { value: creds, error } = flowhubCredentials.validate(credentials);
    if (error) throw new PosError('pos_misconfigured', 'flowhub credentials are incomplete', { provider: PROVIDER });
    try {
      localDate(new Date(0), deps.storeTimezone);
    } catch {
      throw new PosError('pos_misconfigured', 'flowhub needs the store time zone', { provider: PROVIDER });
    }

    const http = createPosHttp({
      ...deps,
      provider: PROVIDER,
      baseURL: deps.baseUrl ?? DEFAULT_BASE_URL,
      headers: { clientId: creds.clientId, key: creds.key },
      limiterKey: credentialKey(PROVIDER, creds.clientId),
      rateLimit: { perSecond: 45 },
      translateError,
    });

    async function* listCustomersChangedSince(since: Date | null): AsyncIterable<PosCustomer[]> {
      const filter = since
        ? { updated_after: localDate(new Date(since.getTime() - OVERLAP_MS), deps.storeTimezone) }
        : {};
      let previousFirstId: string | undefined;
      for (let page = 1; ; page++) {
        const params = { page, page_size: pageSize, order_by: 'asc', ...filter };
        const res = await http.get('/v1/customers/', { params });
        const records = readPage(res.data);
        // A vendor ignoring `page` would otherwise be listed forever.
        if (records.length > 0 && records[0].id === previousFirstId) {
          throw new PosError('pos_bad_response', 'flowhub answered the same page twice', { provider: PROVIDER });
        }
        previousFirstId = records[0]?.id;
        if (records.length > 0) yield records.map(toPosCustomer);
        if (records.length < pageSize) return;
      }
    }

    // Resolved once per client (one per sync or write), and again after a failure.
    let location: Promise<{ locationId: string; state: string | null }> | undefined;
    const resolveLocation = () =>
      (location ??= findLocation().catch((err: unknown) => {
        location = undefined;
        throw err;
      }));

    async function findLocation() {
      const res = await http.get('/v0/clientsLocations');
      const locations = validateResponse(flowhubLocations, res.data, PROVIDER).data as FlowhubLocation[];
      const found = creds.locationId
        ? locations.find((l) => l.locationId === creds.locationId)
        : locations.length === 1
          ? locations[0]
          : undefined;
      if (!found) {
        const message = creds.locationId
          ? 'flowhub has no location with the configured locationId'
          : `flowhub client has ${locations.length} locations: set locationId in the store's POS credentials`;
        throw new PosError('pos_misconfigured', message, { provider: PROVIDER });
      }
      return { locationId: found.locationId, state: found.address?.state ?? null };
    }

    async function createCustomer(customer: NewPosCustomer): Promise<PosCustomerRef> {
      const { locationId, state } = await resolveLocation();
      const body = toFlowhubCreate(customer, state);
      // A POST is never repeated once it may have been sent (http.ts): no duplicate customers.
      const res = await http.post('/v1/customer', body, { params: { store_id: locationId } });
      return { externalId: readCustomer(res.data).id };
    }

    // PUT replaces the customer, so the patch is laid over a fresh read. A change made at the POS between
    // the two requests to a field we carry over is lost; loyalty is never carried, so sales are safe.
    async function updateCustomer(ref: PosCustomerRef, patch: PosCustomerPatch): Promise<void> {
      if (Object.values(patch).every((v) => v === undefined)) return;
      const { locationId, state } = await resolveLocation();
      const id = encodeURIComponent(ref.externalId);
      const params = { store_id: locationId };
      const current = readCustomer((await http.get(`/v1/customers/${id}`, { params })).data);
      await http.put(`/v1/customer/${id}`, toFlowhubUpdate(current, patch, state), { params });
    }

    const client: PosClient = {
      provider: PROVIDER,
      capabilities: { create: true, update: true },
      listCustomersChangedSince,
      createCustomer,
      updateCustomer,
    };
    return client;
  };
}

export const createFlowhubClient: PosClientFactory = flowhubClientFactory();

function readPage(body: unknown): FlowhubCustomer[] {
  if (Array.isArray(body)) return validateResponse(flowhubCustomerArray, body, PROVIDER) as FlowhubCustomer[];
  return validateResponse(flowhubCustomerPage, body, PROVIDER).data as FlowhubCustomer[];
}

function readCustomer(body: unknown): FlowhubCustomer {
  const wrapped = typeof body === 'object' && body !== null && !('id' in body) && 'data' in body;
  if (wrapped) return validateResponse(flowhubCustomerEnvelope, body, PROVIDER).data as FlowhubCustomer;
  return validateResponse(flowhubCustomer.required(), body, PROVIDER);
}

/** Flowhub answers a date filter in the wrong format with a 404: our request is wrong, not the record. */
function translateError(response: VendorErrorResponse): PosError | undefined {
  if (response.status !== 404) return undefined;
  const body = typeof response.data === 'string' ? response.data : JSON.stringify(response.data ?? '');
  if (!/must be in format/i.test(body)) return undefined;
  return new PosError('pos_rejected', 'flowhub refused a date filter format', { provider: PROVIDER, status: 404 });
}
