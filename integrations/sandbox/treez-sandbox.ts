import { createPublicKey, generateKeyPairSync, randomBytes, verify, type KeyObject } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { setTimeout as sleep } from 'node:timers/promises';
import type { TreezTokenClaims } from '../pos/treez/treez-auth.js';
import type { TreezV2Credentials, TreezV3Credentials } from '../pos/treez/treez-schemas.js';
import { FaultSwitch, startSandboxServer, type SandboxPerson } from './sandbox-kit.js';
import { TreezCustomerBook, renderTreezCustomer, zonedIso } from './treez-sandbox-book.js';

// A fake Treez speaking both APIs: v3 (/dispensary/v3/{d}, self-signed RSA tokens checked against the
// public key of the store's private key) and legacy v2 (/v2.0/dispensary/{d}, token exchange then
// `authorization` + `client_id` headers). Quirks: the resultCode envelope, lastUpdated/after with the
// exact date format (400 INVALID_DATE_FORMAT), 50 per page (400 RESPONSE_LIMIT_EXCEEDS), 404
// CUSTOMER_DOESNT_EXIST, "N/A" placeholders, three date formats, merges, and 10 TPS per location.

export interface TreezSandboxOptions {
  people: SandboxPerson[];
  port?: number;
  production: boolean;
  /** PEM of the key the "certificate" was issued for; generated (RSA-2048, quick to make) when absent. */
  privateKey?: string;
  dispensary?: string;
  /** The store's zone: last_update and signup_date carry its offset. */
  timeZone?: string;
  /** Which page number is the first: integrators disagree (0 or 1), so both can be served. */
  firstPage?: 0 | 1;
  /** Requests per second per location before 429; null turns the limit off. Treez documents 10. */
  tps?: number | null;
  now?: () => Date;
}

export interface TreezSandbox {
  url: string;
  faults: FaultSwitch;
  /** v3 credentials, as a store's POS settings hold them. */
  credentials: TreezV3Credentials;
  /** Legacy v2 credentials for the same location. */
  legacyCredentials: TreezV2Credentials;
  customers: TreezCustomerBook;
  stats: { requests: number; tokenExchanges: number; rateLimited: number };
  /** Forgets every v2 token, as Treez does when a key is rotated. */
  revokeTokens(): void;
  close(): Promise<void>;
}

type Answer = { status: number; body: unknown; headers?: Record<string, string> };

const MAX_PAGE_SIZE = 50;
const TOKEN_TTL_MS = 30_000;
const V2_TOKEN_LIFETIME_MS = 2 * 3_600_000;
// Java's yyyy-MM-dd'T'HH:mm:ss.SSSXXX: milliseconds required, offset as ±HH:MM or Z.
const DATE_TIME = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}(?:Z|[+-]\d{2}:\d{2})$/;
const UNAUTHENTICATED = 'Full authentication is required to access this resource';

const fail = (status: number, reason: string, detail: string | null = null): Answer => ({
  status,
  body: { resultCode: 'FAIL', resultReason: reason, resultDetail: detail },
});
const ok = (data: unknown): Answer => ({
  status: 200,
  body: { resultCode: 'SUCCESS', resultReason: null, resultDetail: null, data },
});

async function readBody(req: IncomingMessage): Promise<Record<string, unknown>> {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  const raw = Buffer.concat(chunks).toString('utf8');
  if (!raw) return {};
  if ((req.headers['content-type'] ?? '').includes('application/x-www-form-urlencoded')) {
    return Object.fromEntries(new URLSearchParams(raw));
  }
  try {
    const parsed: unknown = JSON.parse(raw);
    return typeof parsed === 'object' && parsed !== null ? (parsed as Record<string, unknown>) : {};
  } catch {
    return {};
  }
}

function send(res: ServerResponse, answer: Answer): void {
  const html = typeof answer.body === 'string';
  res.writeHead(answer.status, {
    'Content-Type': html ? 'text/html' : 'application/json',
    ...answer.headers,
  });
  res.end(html ? answer.body : JSON.stringify(answer.body));
}

export async function startTreezSandbox(options: TreezSandboxOptions): Promise<TreezSandbox> {
  if (options.production) throw new Error('sandbox vendors never run in production');
  const now = options.now ?? (() => new Date());
  const local = zonedIso(options.timeZone ?? 'America/Los_Angeles');
  const dispensary = options.dispensary ?? 'partnersandbox3';
  const firstPage = options.firstPage ?? 0;
  const tps = options.tps === undefined ? 10 : options.tps;
  const privateKeyPem =
    options.privateKey ??
    generateKeyPairSync('rsa', { modulusLength: 2048 }).privateKey.export({ type: 'pkcs8', format: 'pem' }).toString();
  const publicKey: KeyObject = createPublicKey(privateKeyPem);
  const credentials: TreezV3Credentials = {
    dispensary,
    certificateId: 'sandbox-certificate-1',
    organizationId: '7d4c2b9e-1f3a-4c5d-8e6f-0a1b2c3d4e5f',
    privateKey: privateKeyPem,
  };
  const legacyCredentials: TreezV2Credentials = {
    dispensary,
    clientId: 'sandbox-partner',
    apiKey: 'sandbox-location-key',
  };
  const customers = new TreezCustomerBook(options.people);
  const faults = new FaultSwitch();
  const stats = { requests: 0, tokenExchanges: 0, rateLimited: 0 };
  const v2Tokens = new Map<string, number>();
  const seenJti = new Map<string, number>();
  const arrivals: number[] = [];

  /** Verifies a v3 token as Treez does: signature, 30 s TTL (400 otherwise), expiry, exact aud, iss, oid. */
  function checkV3(req: IncomingMessage): Answer | undefined {
    const [payload, signature, extra] = (req.headers.authorization ?? '').split('.');
    if (!payload || !signature || extra !== undefined) return fail(401, UNAUTHENTICATED);
    let claims: Partial<TreezTokenClaims>;
    try {
      if (!verify('sha256', Buffer.from(payload), publicKey, Buffer.from(signature, 'base64'))) {
        return fail(401, UNAUTHENTICATED);
      }
      claims = JSON.parse(Buffer.from(payload, 'base64url').toString('utf8')) as Partial<TreezTokenClaims>;
    } catch {
      return fail(401, UNAUTHENTICATED);
    }
    const { iat, exp, aud, iss, oid, jti } = claims;
    if (typeof iat !== 'number' || typeof exp !== 'number' || exp - iat !== TOKEN_TTL_MS) {
      return fail(400, 'INVALID_TOKEN_TTL', 'exp must be iat + 30000 ms');
    }
    const at = now().getTime();
    if (at > exp || at < iat - TOKEN_TTL_MS) return fail(401, UNAUTHENTICATED);
    if (aud !== `http://${req.headers.host}${req.url}` || iss !== credentials.certificateId) {
      return fail(401, UNAUTHENTICATED);
    }
    if (oid !== credentials.organizationId) return fail(403, 'Access is denied');
    if (typeof jti === 'string') {
      if (seenJti.has(jti)) return fail(401, UNAUTHENTICATED);
      if (seenJti.size > 10_000) for (const [id, until] of seenJti) if (until < at) seenJti.delete(id);
      seenJti.set(jti, exp);
    }
    return undefined;
  }

  function checkV2(req: IncomingMessage): Answer | undefined {
    const token = req.headers.authorization ?? '';
    const until = v2Tokens.get(token);
    if (until === undefined || until < now().getTime() || req.headers.client_id !== legacyCredentials.clientId) {
      return fail(401, UNAUTHENTICATED);
    }
    return undefined;
  }

  function exchangeToken(body: Record<string, unknown>): Answer {
    if (body.client_id !== legacyCredentials.clientId || body.apikey !== legacyCredentials.apiKey) {
      return fail(401, UNAUTHENTICATED);
    }
    stats.tokenExchanges++;
    const token = randomBytes(24).toString('hex');
    const expiresAt = now().getTime() + V2_TOKEN_LIFETIME_MS;
    v2Tokens.set(token, expiresAt);
    return {
      status: 200,
      body: { resultCode: 'SUCCESS', access_token: token, expires_at: new Date(expiresAt).toISOString() },
    };
  }

  /** 10 TPS per location: arrivals in the last 900 ms (100 ms spared for loopback jitter). */
  function overLimit(): boolean {
    if (tps === null) return false;
    const at = Date.now();
    while (arrivals.length > 0 && arrivals[0] <= at - 900) arrivals.shift();
    if (arrivals.length >= tps) return true;
    arrivals.push(at);
    return false;
  }

  function listChanged(rawAfter: string, rawPage: string, rawSize: string): Answer {
    let afterText: string;
    try {
      afterText = decodeURIComponent(rawAfter);
    } catch {
      afterText = '';
    }
    const after = new Date(afterText);
    if (!DATE_TIME.test(afterText) || Number.isNaN(after.getTime())) {
      return fail(400, 'INVALID_DATE_FORMAT', "date_time must match yyyy-MM-dd'T'HH:mm:ss.SSSXXX");
    }
    if (!/^\d+$/.test(rawSize) || Number(rawSize) < 1) return fail(400, 'INVALID_PAGE_SIZE', 'page_size must be 1-50');
    if (Number(rawSize) > MAX_PAGE_SIZE) return fail(400, 'RESPONSE_LIMIT_EXCEEDS', 'Do not exceed 50');
    const index = /^\d+$/.test(rawPage) ? Number(rawPage) - firstPage : -1;
    if (index < 0) return fail(400, 'INVALID_PAGE_NUMBER', `pages start at ${firstPage}`);
    const size = Number(rawSize);
    // Deactivated profiles are listed too. The docs say deactivated customers "cannot be listed", yet a
    // merged-away profile is DEACTIVATED with its pointer: hidden, a merge would never reach a sync.
    return ok(customers.changedAfter(after, index * size, size).map((c) => renderTreezCustomer(c, local)));
  }

  async function route(req: IncomingMessage, api: 'v2' | 'v3', rest: string): Promise<Answer> {
    const body = req.method === 'POST' ? await readBody(req) : {};
    if (api === 'v2' && req.method === 'POST' && rest === '/config/api/gettokens') return exchangeToken(body);
    const refused = api === 'v3' ? checkV3(req) : checkV2(req);
    if (refused) return refused;
    let match = /^\/customer\/lastUpdated\/after\/([^/]+)\/page\/([^/]+)\/pagesize\/([^/]+)$/.exec(rest);
    if (match && req.method === 'GET') return listChanged(match[1], match[2], match[3]);
    if (rest === '/customer/detailcustomer' && req.method === 'POST') {
      const outcome = customers.create(body, now());
      return 'reason' in outcome
        ? fail(400, outcome.reason, outcome.detail)
        : ok(renderTreezCustomer(outcome.customer, local));
    }
    match = /^\/customer\/(\d+)$/.exec(rest);
    if (match && req.method === 'GET') {
      const customer = customers.get(Number(match[1]));
      return customer
        ? ok(renderTreezCustomer(customer, local))
        : fail(404, 'CUSTOMER_DOESNT_EXIST', `Unable to find customer with id: ${match[1]}`);
    }
    return fail(404, 'NOT_FOUND', 'Nothing was found');
  }

  async function answer(req: IncomingMessage): Promise<Answer> {
    stats.requests++;
    const fault = faults.take();
    if (fault === 'down')
      return { status: 503, body: '<html><body><h1>503 Service Temporarily Unavailable</h1></body></html>' };
    if (fault === 'slow') await sleep(faults.slowMs);
    // Treez documents no 429; this one is [ASSUMPTION]: its envelope, and a Retry-After in seconds.
    const tooMany = () => ({
      ...fail(429, 'TOO_MANY_REQUESTS', 'Rate limit exceeded'),
      headers: { 'Retry-After': '1' },
    });
    if (fault === 'rate-limit') return tooMany();
    if (fault === 'error-then-ok') return fail(500, 'INTERNAL_SERVER_ERROR', 'Unexpected error');
    const path = (req.url ?? '/').split('?')[0];
    const match = /^\/(?:dispensary\/v3|(v2\.0)\/dispensary)\/([^/]+)(\/.*)$/.exec(path);
    if (!match) return fail(404, 'NOT_FOUND', 'Nothing was found');
    if (match[2] !== dispensary) return fail(403, 'Access is denied');
    if (overLimit()) {
      stats.rateLimited++;
      return tooMany();
    }
    const result = await route(req, match[1] ? 'v2' : 'v3', match[3]);
    if (fault === 'malformed' && result.status === 200) {
      return ok([{ customer_id: { broken: true }, status: 'UNKNOWN' }]);
    }
    return result;
  }

  const running = await startSandboxServer(
    (req, res) => {
      answer(req).then(
        (result) => send(res, result),
        () => send(res, fail(500, 'INTERNAL_SERVER_ERROR')),
      );
    },
    { port: options.port, production: options.production },
  );
  return {
    url: running.url,
    faults,
    credentials,
    legacyCredentials,
    customers,
    stats,
    revokeTokens: () => v2Tokens.clear(),
    close: running.close,
  };
}
