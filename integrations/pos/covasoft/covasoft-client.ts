import { createPosHttp, validateResponse, type PosHttpOptions, type VendorErrorResponse } from '../http.js';
import type { PosClientFactory } from '../pos-client.js';
import { isPosError, PosError } from '../pos-errors.js';
import type { NewPosCustomer, PosCustomer, PosCustomerPatch, PosCustomerRef } from '../pos-types.js';
import type { RateLimitSpec } from '../rate-limiter.js';
import { credentialKey, getCachedToken, sharedTokenCache, type PosToken } from '../token-cache.js';
import { applyPatch, customerFullQuery, toCustomerFullBody, toPosCustomer } from './covasoft-mappers.js';
import {
  covasoftCredentialsSchema,
  createdCustomerSchema,
  customerFullPageSchema,
  customerFullSchema,
  tokenResponseSchema,
  type CovasoftCredentials,
} from './covasoft-schemas.js';

const PROVIDER = 'covasoft';
const API_BASE = 'https://api.covasoft.net';
const AUTH_BASE = 'https://accounts.iqmetrix.net';
const TOKEN_PATH = '/v1/oauth2/token';
/**
 * Records asked for per CustomerFull page. Paging is undocumented; iQmetrix's CRM took OData $skip/$top
 * (pos-apis.md §4, [L]). Large pages keep a full sync well inside the per-minute limit.
 */
export const COVASOFT_PAGE_SIZE = 500;
// Limits are per service over 60 s; Cova's GetStarted sample shows COVA-APIM-RateLimit-Limit: 1000.
const RATE_LIMIT: RateLimitSpec = { limit: 1000, windowMs: 60_000 };
// OAuth2 error codes for credentials the token endpoint refuses (RFC 6749 §5.2): answered 400, not 401.
const CREDENTIAL_ERRORS = new Set(['invalid_grant', 'invalid_client', 'unauthorized_client']);
const GUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
// The 429 body of Cova's API gateway (Azure API Management): "Rate limit is exceeded. Try again in 23 seconds."
const TRY_AGAIN = /try again in (\d+) seconds?/i;

function parseCredentials(credentials: unknown): CovasoftCredentials {
  const { value, error } = covasoftCredentialsSchema.validate(credentials, { abortEarly: false });
  if (error) {
    const details = error.details.map((d) => ({ path: d.path.join('.'), type: d.type }));
    throw new PosError('pos_misconfigured', 'covasoft credentials are incomplete', { provider: PROVIDER, details });
  }
  return value;
}

function translateTokenError(response: VendorErrorResponse): PosError | undefined {
  const code = (response.data as { error?: unknown } | undefined)?.error;
  if (response.status === 400 && typeof code === 'string' && CREDENTIAL_ERRORS.has(code)) {
    return new PosError('pos_auth_failed', 'covasoft refused the credentials', {
      provider: PROVIDER,
      status: response.status,
    });
  }
  return undefined;
}

function translateApiError(response: VendorErrorResponse): PosError | undefined {
  if (response.status !== 429 || response.headers['retry-after'] !== undefined) return undefined;
  const message = (response.data as { message?: unknown } | undefined)?.message;
  const seconds = typeof message === 'string' ? TRY_AGAIN.exec(message)?.[1] : undefined;
  if (seconds === undefined) return undefined;
  return new PosError('pos_rate_limited', 'covasoft rate limit reached', {
    provider: PROVIDER,
    status: 429,
    retryAfterMs: Number(seconds) * 1000,
  });
}

const origin = (url: string) => url.replace(/\/+$/, '');

/**
 * Cova (Covasoft) CRM: OAuth2 password grant at iQmetrix's accounts host, the Bearer token reused through the
 * token cache (~12 h) until shortly before it expires; CustomerFull listed by OData $filter/$skip/$top.
 */
export const createCovasoftClient: PosClientFactory = (credentials, deps) => {
  const creds = parseCredentials(credentials);
  const now = deps.now ?? (() => new Date());
  const authBase = origin(deps.authUrl ?? AUTH_BASE);
  const customers = `/crm/v1/Companies(${creds.companyId})/CustomerFull`;
  const limiterKey = credentialKey(PROVIDER, String(creds.companyId), creds.clientId);
  const tokens = {
    cache: deps.tokenCache ?? sharedTokenCache,
    // Every part of the grant: changed settings must not reuse the old user's token.
    key: credentialKey(PROVIDER, authBase, creds.clientId, creds.clientSecret, creds.username, creds.password),
    now,
  };
  const common: Omit<PosHttpOptions, 'baseURL' | 'limiterKey'> = {
    provider: PROVIDER,
    rateLimit: RATE_LIMIT,
    timeoutMs: deps.timeoutMs,
    retry: deps.retry,
    now,
    onRetry: deps.onRetry,
    development: deps.development,
    rateLimiter: deps.rateLimiter,
  };
  const authHttp = createPosHttp({
    ...common,
    baseURL: authBase,
    limiterKey: `${limiterKey}:auth`,
    translateError: translateTokenError,
  });

  async function fetchToken(): Promise<PosToken> {
    const form = new URLSearchParams({
      grant_type: 'password',
      username: creds.username,
      password: creds.password,
      client_id: creds.clientId,
      client_secret: creds.clientSecret,
    });
    // A second token exchange is harmless, so a 5xx or timeout may repeat it.
    const res = await authHttp.post(TOKEN_PATH, form, { posRetrySafe: true });
    const body = validateResponse(tokenResponseSchema, res.data, PROVIDER);
    return { value: body.access_token, expiresAt: new Date(now().getTime() + body.expires_in * 1000) };
  }

  const http = createPosHttp({
    ...common,
    baseURL: origin(deps.baseUrl ?? API_BASE),
    limiterKey,
    translateError: translateApiError,
    authorize: async (config) => {
      config.headers.set('Authorization', `Bearer ${await getCachedToken(tokens, fetchToken)}`);
    },
    onAuthRejected: () => tokens.cache.delete(tokens.key),
  });

  async function* listCustomersChangedSince(since: Date | null): AsyncIterable<PosCustomer[]> {
    let previousFirstId: string | undefined;
    for (let skip = 0; ; skip += COVASOFT_PAGE_SIZE) {
      const res = await http.get(`${customers}?${customerFullQuery(since, skip, COVASOFT_PAGE_SIZE)}`);
      const records = validateResponse(customerFullPageSchema, res.data, PROVIDER);
      // Guards against a gateway that drops $skip: the same page again would loop for ever.
      if (records.length > 0 && records[0].Id === previousFirstId) {
        throw new PosError('pos_bad_response', 'covasoft repeated a page: $skip was ignored', { provider: PROVIDER });
      }
      previousFirstId = records[0]?.Id;
      if (records.length > 0) yield records.map(toPosCustomer);
      // A short page ends the list; a page longer than asked means $top was ignored and it held everything.
      if (records.length !== COVASOFT_PAGE_SIZE) return;
    }
  }

  async function createCustomer(customer: NewPosCustomer): Promise<PosCustomerRef> {
    // Not repeated after a possible send (http.ts): Cova marks nothing unique, a second POST is a duplicate.
    const res = await http.post(customers, toCustomerFullBody(customer));
    const created = validateResponse(createdCustomerSchema, res.data, PROVIDER);
    return { externalId: created.Id.toLowerCase() };
  }

  /**
   * [ASSUMPTION] Cova's update path is not documented (pos-apis.md §4). iQmetrix's CRM, which Cova's derives
   * from, documents GET …/CustomerFull({Id}) and a full-replace PUT …/Customers({Id}) that requires Version;
   * we PUT the whole CustomerFull back to …/CustomerFull({Id}): read, apply the patch, write with the Version
   * read. A 409 (someone else wrote, or our own earlier PUT landed but its answer was lost) re-reads and
   * applies the patch again; a record that already holds the patch needs no write.
   */
  async function updateCustomer(ref: PosCustomerRef, patch: PosCustomerPatch): Promise<void> {
    if (!GUID.test(ref.externalId)) {
      throw new PosError('pos_not_found', 'covasoft customer ids are GUIDs', { provider: PROVIDER });
    }
    const path = `${customers}(${ref.externalId})`;
    for (let attempt = 1; ; attempt++) {
      const current = validateResponse(customerFullSchema, (await http.get(path)).data, PROVIDER);
      const { body, changed } = applyPatch(current, patch);
      if (!changed) return;
      try {
        await http.put(path, body);
        return;
      } catch (err) {
        if (attempt < 3 && isPosError(err, 'pos_rejected') && err.status === 409) continue;
        throw err;
      }
    }
  }

  return {
    provider: PROVIDER,
    capabilities: { create: true, update: true },
    listCustomersChangedSince,
    createCustomer,
    updateCustomer,
  };
};
