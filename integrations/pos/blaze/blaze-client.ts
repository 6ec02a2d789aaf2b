import { createPosHttp, validateResponse } from '../http.js';
import type { PosClient, PosClientDeps, PosClientFactory } from '../pos-client.js';
import { PosError } from '../pos-errors.js';
import type { NewPosCustomer, PosCustomer, PosCustomerPatch, PosCustomerRef } from '../pos-types.js';
import { credentialKey } from '../token-cache.js';
import { applyBlazePatch, blazeChangedSince, blazeToPosCustomer, toBlazeAddRequest } from './blaze-mappers.js';
import { blazeCredentials, blazeMember, blazeMemberPage } from './blaze-schemas.js';

const PROVIDER = 'blaze';
/** No maximum is published; 100 keeps pages small, and 10,000 calls per 5 min leave ample room. */
export const BLAZE_PAGE_SIZE = 100;
const DEFAULT_HOST = 'https://api.partners.blaze.me';
// baseUrl replaces scheme and host only (API.md): the documented path stays.
const API_PATH = '/api/v1/partner';

/**
 * BLAZE: two static keys — the partner key (sent under both its names, `x-api-key` and the older
 * `partner_key`) and the store's key as the raw Authorization value. Members page by skip/limit until
 * skip ≥ total; the incremental window is startDate/endDate in epoch ms, and since the window may filter
 * on join date rather than `modified`, each record's `modified` is compared with `since` too. A member
 * whose join date is old but who changed since may not be in the window at all: the sync should sweep in
 * full from time to time. Blaze has no merge pointer. 400/401/403 are never retried.
 */
export const createBlazeClient = ((credentials: unknown, deps: PosClientDeps): PosClient => {
  const { value: creds, error } = blazeCredentials.validate(credentials);
  if (error) throw new PosError('pos_misconfigured', 'blaze credentials are incomplete', { provider: PROVIDER });
  const now = deps.now ?? (() => new Date());
  const http = createPosHttp({
    ...deps,
    provider: PROVIDER,
    baseURL: `${(deps.baseUrl ?? DEFAULT_HOST).replace(/\/+$/, '')}${API_PATH}`,
    headers: { 'x-api-key': creds.partnerKey, partner_key: creds.partnerKey, Authorization: creds.apiKey },
    // The contract's 10,000 calls per 5 minutes is per partner key, across every store using it.
    limiterKey: credentialKey(PROVIDER, creds.partnerKey),
    rateLimit: { per5Minutes: 10_000 },
  });

  async function* listCustomersChangedSince(since: Date | null): AsyncIterable<PosCustomer[]> {
    const window = since ? dateWindow(since, now()) : {};
    for (let skip = 0; ;) {
      const res = await http.get('/members', { params: { ...window, skip, limit: BLAZE_PAGE_SIZE } });
      const page = validateResponse(blazeMemberPage, res.data, PROVIDER);
      const changed = since ? page.values.filter((m) => blazeChangedSince(m, since)) : page.values;
      if (changed.length > 0) yield changed.map(blazeToPosCustomer);
      // Advance by what came back, not by the limit asked: a server-side cap must not skip records.
      skip += page.values.length;
      if (page.values.length === 0 || skip >= page.total) return;
    }
  }

  async function createCustomer(customer: NewPosCustomer): Promise<PosCustomerRef> {
    const res = await http.post('/members', toBlazeAddRequest(customer));
    return { externalId: validateResponse(blazeMember, res.data, PROVIDER).id };
  }

  // PUT takes a full Member: fetch, apply the patch, put it all back. Blaze offers no version check, so
  // a change made at the POS between the two calls is overwritten; the window is one round trip.
  async function updateCustomer(ref: PosCustomerRef, patch: PosCustomerPatch): Promise<void> {
    const path = `/members/${encodeURIComponent(ref.externalId)}`;
    const current = validateResponse(blazeMember, (await http.get(path)).data, PROVIDER);
    await http.put(path, applyBlazePatch(current, patch));
  }

  return {
    provider: PROVIDER,
    capabilities: { create: true, update: true },
    listCustomersChangedSince,
    createCustomer,
    updateCustomer,
  };
}) satisfies PosClientFactory;

/**
 * startDate/endDate in epoch ms, endDate now. Blaze refuses an endDate not after startDate, so a
 * watermark slightly ahead of our clock (taken from Blaze's own `modified`) still makes a valid window.
 */
export function dateWindow(since: Date, at: Date): { startDate: number; endDate: number } {
  const startDate = since.getTime();
  return { startDate, endDate: Math.max(at.getTime(), startDate + 1) };
}
