import axios, { type AxiosInstance } from 'axios';
import { createPosHttp, validateResponse, type PosHttpOptions, type VendorErrorResponse } from '../http.js';
import type { PosClient, PosClientDeps, PosClientFactory } from '../pos-client.js';
import { PosError, isPosError, type PosErrorOptions } from '../pos-errors.js';
import type { NewPosCustomer, PosCustomer, PosCustomerRef } from '../pos-types.js';
import { isoWithOffset } from '../store-time.js';
import { credentialKey, getCachedToken, sharedTokenCache, type PosToken } from '../token-cache.js';
import { signTreezToken, treezSigningKey } from './treez-auth.js';
import { toPosCustomer, toTreezNewCustomer } from './treez-mappers.js';
import {
  treezCreated,
  treezCredentials,
  treezCustomerPage,
  treezReasonCode,
  treezToken,
  type TreezCredentials,
  type TreezCustomer,
  type TreezV2Credentials,
  type TreezV3Credentials,
} from './treez-schemas.js';

const PROVIDER = 'treez';
const V3_HOST = 'https://api-prod.treez.io';
const V2_HOST = 'https://api.treez.io';
/** Treez answers 400 RESPONSE_LIMIT_EXCEEDS above 50. */
export const TREEZ_PAGE_SIZE = 50;
/**
 * [ASSUMPTION] One integrator numbers pages from 0, another from 1. Starting at 0 fails loudly if Treez
 * counts from 1 (page 0 is refused, or repeats page 1, which the repeat check below catches); starting
 * at 1 would silently skip the first 50 customers if it counts from 0.
 */
export const TREEZ_FIRST_PAGE = 0;
/** Treez has no unfiltered list: a full listing asks for everything changed after a date before any store. */
export const TREEZ_EPOCH = new Date('2000-01-01T00:00:00.000Z');
const TOKEN_LIFETIME_MS = 2 * 60 * 60_000;
// A list asking for changes after a date with none may answer 404 NOT_FOUND "Nothing was found", as the
// lookups do (documented for by-id/by-name reads; for lists only v2's `data: []` is known). Only these
// reasons inside Treez's envelope mean "empty"; a bare 404 still fails.
const EMPTY_LIST_REASONS = new Set(['NOT_FOUND', 'CUSTOMER_DOESNT_EXIST']);

function readCredentials(credentials: unknown): TreezCredentials {
  const { value, error } = treezCredentials.validate(credentials);
  if (error) {
    throw new PosError(
      'pos_misconfigured',
      'treez credentials need {dispensary, clientId, apiKey} or ' +
        '{dispensary, certificateId, organizationId, privateKey}',
      { provider: PROVIDER },
    );
  }
  return value;
}

/** Treez's envelope reason kept as a detail (a code, never resultDetail): 404 → not found, 4xx → rejected. */
function translateTreezError(response: VendorErrorResponse): PosError | undefined {
  const reason = treezReasonCode(response.data);
  const { status } = response;
  if (!reason || status === 401 || status === 403 || status === 408 || status === 429 || status >= 500) {
    return undefined;
  }
  const options: PosErrorOptions = { provider: PROVIDER, status, details: [{ type: reason }] };
  if (status === 404) return new PosError('pos_not_found', `treez answered 404 ${reason}`, options);
  return new PosError('pos_rejected', `treez answered ${status} ${reason}`, options);
}

const hasReason = (err: PosError, reasons: Set<string>) => err.details.some((d) => d.type && reasons.has(d.type));

const failed = (body: unknown) => (body as { resultCode?: unknown } | null)?.resultCode === 'FAIL';

/** Treez may say FAIL inside a 200: a refusal, not a malformed answer. */
function rejectIfFailed(body: unknown): void {
  if (!failed(body)) return;
  const reason = treezReasonCode(body);
  throw new PosError('pos_rejected', `treez answered FAIL${reason ? ` ${reason}` : ''}`, {
    provider: PROVIDER,
    details: reason ? [{ type: reason }] : [],
  });
}

/** A `baseUrl` replaces scheme and host; Treez's documented paths are kept. */
const origin = (url: string) => url.replace(/\/+$/, '');

type Common = Omit<PosHttpOptions, 'baseURL'>;

function v3Http(creds: TreezV3Credentials, deps: PosClientDeps, common: Common): AxiosInstance {
  const key = treezSigningKey(creds.privateKey);
  const now = deps.now ?? (() => new Date());
  return createPosHttp({
    ...common,
    baseURL: `${origin(deps.baseUrl ?? V3_HOST)}/dispensary/v3/${creds.dispensary}`,
    // Signed per attempt: a retry after Retry-After would otherwise carry a token past its 30 s.
    authorize: (config) => {
      const claims = { aud: axios.getUri(config), iss: creds.certificateId, oid: creds.organizationId };
      config.headers.set('Authorization', signTreezToken(claims, key, now()));
    },
  });
}

function v2Http(creds: TreezV2Credentials, deps: PosClientDeps, common: Common): AxiosInstance {
  const now = deps.now ?? (() => new Date());
  const authBase = `${origin(deps.authUrl ?? deps.baseUrl ?? V2_HOST)}/v2.0/dispensary/${creds.dispensary}`;
  const cache = deps.tokenCache ?? sharedTokenCache;
  // Treez certifies partners only if they reuse the 2 h token, so it is cached across clients and runs.
  const tokens = { cache, now, key: credentialKey(PROVIDER, 'v2', authBase, creds.clientId, creds.apiKey) };
  const authHttp = createPosHttp({ ...common, baseURL: authBase });

  async function fetchToken(): Promise<PosToken> {
    const form = new URLSearchParams({ client_id: creds.clientId, apikey: creds.apiKey });
    const res = await authHttp.post('/config/api/gettokens', form, { posRetrySafe: true });
    if (failed(res.data)) {
      throw new PosError('pos_auth_failed', 'treez refused the token exchange', { provider: PROVIDER, status: 200 });
    }
    const body = validateResponse(treezToken, res.data, PROVIDER);
    return { value: body.access_token, expiresAt: expiryOf(body.expires_at, now()) };
  }

  return createPosHttp({
    ...common,
    baseURL: `${origin(deps.baseUrl ?? V2_HOST)}/v2.0/dispensary/${creds.dispensary}`,
    authorize: async (config) => {
      const token = await getCachedToken(tokens, fetchToken);
      config.headers.set('authorization', token);
      config.headers.set('client_id', creds.clientId);
    },
    onAuthRejected: () => cache.delete(tokens.key),
  });
}

/** expires_at as epoch seconds, epoch ms or a timestamp; unreadable → the documented 2 h. */
export function expiryOf(expiresAt: number | string | null | undefined, now: Date): Date {
  const fallback = new Date(now.getTime() + TOKEN_LIFETIME_MS);
  if (expiresAt === null || expiresAt === undefined || expiresAt === '') return fallback;
  const numeric = typeof expiresAt === 'number' ? expiresAt : /^\d+$/.test(expiresAt) ? Number(expiresAt) : NaN;
  const at = Number.isNaN(numeric) ? new Date(expiresAt) : new Date(numeric < 1e11 ? numeric * 1000 : numeric);
  return Number.isNaN(at.getTime()) || at.getTime() <= now.getTime() ? fallback : at;
}

export const createTreezClient: PosClientFactory = (credentials, deps) => {
  const creds = readCredentials(credentials);
  const common: Common = {
    ...deps,
    provider: PROVIDER,
    // 10 TPS per location, whichever auth the location uses.
    limiterKey: credentialKey(PROVIDER, creds.dispensary),
    rateLimit: { perSecond: 10 },
    translateError: translateTreezError,
  };
  const http = 'privateKey' in creds ? v3Http(creds, deps, common) : v2Http(creds, deps, common);

  async function fetchPage(path: string): Promise<TreezCustomer[]> {
    let data: unknown;
    try {
      data = (await http.get(path)).data;
    } catch (err) {
      if (isPosError(err, 'pos_not_found') && hasReason(err, EMPTY_LIST_REASONS)) return [];
      throw err;
    }
    rejectIfFailed(data);
    return validateResponse(treezCustomerPage, data, PROVIDER).data ?? [];
  }

  async function* listCustomersChangedSince(since: Date | null): AsyncIterable<PosCustomer[]> {
    // yyyy-MM-dd'T'HH:mm:ss.SSSXXX in the store's offset, URL-encoded; anything else is 400 INVALID_DATE_FORMAT.
    const after = encodeURIComponent(isoWithOffset(since ?? TREEZ_EPOCH, deps.storeTimezone));
    let previousFirst: string | undefined;
    for (let page = TREEZ_FIRST_PAGE; ; page++) {
      const records = await fetchPage(`/customer/lastUpdated/after/${after}/page/${page}/pagesize/${TREEZ_PAGE_SIZE}`);
      if (records.length === 0) return;
      // No total and no next link: a vendor ignoring the page number would loop for ever.
      const first = String(records[0].customer_id);
      if (first === previousFirst) {
        throw new PosError('pos_bad_response', `treez answered page ${page} with the previous page`, {
          provider: PROVIDER,
        });
      }
      previousFirst = first;
      yield records.map(toPosCustomer);
      if (records.length < TREEZ_PAGE_SIZE) return;
    }
  }

  async function createCustomer(customer: NewPosCustomer): Promise<PosCustomerRef> {
    const body = toTreezNewCustomer(customer);
    // Not posRetrySafe: Treez has no idempotency key, and a repeated create makes a duplicate profile.
    const res = await http.post('/customer/detailcustomer', body);
    rejectIfFailed(res.data);
    return { externalId: String(validateResponse(treezCreated, res.data, PROVIDER).data.customer_id) };
  }

  // Update stays unsupported: Treez is replacing its full-record POST (omitted fields are wiped) with a
  // PATCH whose path was never published (pos-apis.md "Still unknown"). A sparse patch cannot be sent
  // safely through the deprecated full replace, and a guessed PATCH path would fail every edit.
  const client: PosClient = {
    provider: PROVIDER,
    capabilities: { create: true, update: false },
    listCustomersChangedSince,
    createCustomer,
  };
  return client;
};
