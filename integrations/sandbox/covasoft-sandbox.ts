import { randomBytes } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { setTimeout as sleep } from 'node:timers/promises';
import { customerGuid, type CovaRecord } from './covasoft-sandbox-data.js';
import { CovaStore, SandboxReply as Reply } from './covasoft-sandbox-store.js';
import { FaultSwitch, startSandboxServer, type SandboxPerson } from './sandbox-kit.js';

// A fake Cova (Covasoft) speaking its CRM as pos-apis.md §4 describes it: the OAuth2 password grant at the
// accounts host (form body, OAuth2 error codes, ~12 h tokens), Bearer-protected CustomerFull under
// /crm/v1/Companies({CompanyId}) answering bare arrays, OData $filter=LastModifiedDateUtc ge datetime'…' and
// $skip/$top in key order with a $top cap, COVA-APIM-RateLimit-Limit/Remaining on every CRM answer and the
// API gateway's JSON 429, POST create and the assumed PUT …/CustomerFull({Id}) with Version checks. Both
// hosts are served from one origin: point a client's baseUrl and authUrl at it.

const TOKEN_PATH = '/v1/oauth2/token';
const CRM_PATH = /^\/crm\/v1\/Companies\((\d+)\)\/CustomerFull(?:\(([^)]*)\))?$/;
const WINDOW_MS = 60_000;
const DENIED = { Message: 'Authorization has been denied for this request.' };

export interface CovasoftSandboxCredentials {
  companyId: number;
  username: string;
  password: string;
  clientId: string;
  clientSecret: string;
}

export interface CovasoftSandboxOptions {
  people: SandboxPerson[];
  port?: number;
  production: boolean;
  /** OData MaxTop: a larger $top is refused with 400, as ASP.NET OData does. Default 1000. */
  maxTop?: number;
  /** Calls per 60 s window to the CRM (Cova's sample: 1000). 0 turns the limit off. Default 1000. */
  rateLimit?: number;
  /** Token lifetime in seconds. Default 43199, as Cova answers. */
  tokenTtlSeconds?: number;
  now?: () => Date;
}

export interface SandboxRequest {
  method: string;
  path: string;
  query: Record<string, string>;
}

export interface CovasoftSandbox {
  url: string;
  faults: FaultSwitch;
  /** API.md "POS settings": covasoft `{companyId, username, password, clientId, clientSecret}`. */
  credentials: CovasoftSandboxCredentials;
  /** Every request received, without headers or bodies. */
  requests: SandboxRequest[];
  /** Tokens granted so far (token reuse shows as few grants). */
  tokenGrants(): number;
  /** Every token granted so far stops working (401), as after a password change. */
  revokeTokens(): void;
  /** The Cova Id of the seeded person at `index`. */
  customerIdOf(index: number): string;
  customer(id: string): CovaRecord | undefined;
  /** Every customer's Id, in listing order. */
  customerIds(): string[];
  /** Changes a customer at the POS, as staff at the counter would: bumps Version and LastModifiedDateUtc. */
  update(id: string, changes: Partial<CovaRecord>): void;
  /** Merges `loserId` into `survivorId`: the loser is disabled and points at the survivor. */
  merge(loserId: string, survivorId: string): void;
  close(): Promise<void>;
}

const SANDBOX_CREDENTIALS: CovasoftSandboxCredentials = {
  companyId: 101234,
  username: 'sandbox-api@cova.example',
  password: 'sandbox-cova-password',
  clientId: 'patron-sandbox',
  clientSecret: 'sandbox-cova-client-secret',
};

function send(res: ServerResponse, reply: Reply, extra: Record<string, string> = {}): void {
  const text = JSON.stringify(reply.body);
  res.writeHead(reply.status, {
    'Content-Type': 'application/json; charset=utf-8',
    'Content-Length': Buffer.byteLength(text),
    ...extra,
    ...reply.headers,
  });
  res.end(text);
}

async function readBody(req: IncomingMessage): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString('utf8');
}

async function readJson(req: IncomingMessage): Promise<Record<string, unknown> | null> {
  try {
    const value: unknown = JSON.parse(await readBody(req));
    return value && typeof value === 'object' && !Array.isArray(value) ? (value as Record<string, unknown>) : null;
  } catch {
    return null;
  }
}

const rateLimited = (seconds: number) =>
  new Reply(
    429,
    { statusCode: 429, message: `Rate limit is exceeded. Try again in ${seconds} seconds.` },
    { 'Retry-After': String(seconds) },
  );
const notAllowed = (method: string) =>
  new Reply(405, { Message: `The requested resource does not support http method '${method}'.` });
const invalidBody = new Reply(400, { Message: 'The request is invalid.' });

export async function startCovasoftSandbox(options: CovasoftSandboxOptions): Promise<CovasoftSandbox> {
  const credentials = { ...SANDBOX_CREDENTIALS };
  const limit = options.rateLimit ?? 1000;
  const ttl = options.tokenTtlSeconds ?? 43_199;
  const clock = options.now ?? (() => new Date());
  const store = new CovaStore(options.people, clock, options.maxTop ?? 1000);
  const faults = new FaultSwitch();
  const requests: SandboxRequest[] = [];
  const tokens = new Map<string, number>();
  let grants = 0;
  let window = { start: -Infinity, count: 0 };

  function grantToken(form: URLSearchParams): Reply {
    if (form.get('grant_type') !== 'password') return new Reply(400, { error: 'unsupported_grant_type' });
    if (form.get('client_id') !== credentials.clientId || form.get('client_secret') !== credentials.clientSecret) {
      return new Reply(400, { error: 'invalid_client', error_description: 'The client credentials are invalid.' });
    }
    if (form.get('username') !== credentials.username || form.get('password') !== credentials.password) {
      return new Reply(400, { error: 'invalid_grant', error_description: 'The user name or password is incorrect.' });
    }
    const token = randomBytes(24).toString('base64url');
    tokens.set(token, clock().getTime() + ttl * 1000);
    grants++;
    return new Reply(200, {
      access_token: token,
      token_type: 'bearer',
      expires_in: ttl,
      refresh_token: randomBytes(24).toString('base64url'),
    });
  }

  function authorized(req: IncomingMessage): boolean {
    const token = /^Bearer (.+)$/.exec(req.headers.authorization ?? '')?.[1];
    const expiresAt = token ? tokens.get(token) : undefined;
    return expiresAt !== undefined && expiresAt > clock().getTime();
  }

  /** The API gateway's fixed window: counts the call, names the limit and what is left, refuses past it. */
  function meter(): { headers: Record<string, string>; refused?: Reply } {
    if (limit <= 0) return { headers: {} };
    const now = clock().getTime();
    if (now - window.start >= WINDOW_MS) window = { start: now, count: 0 };
    window.count++;
    const headers = {
      'COVA-APIM-RateLimit-Limit': String(limit),
      'COVA-APIM-RateLimit-Remaining': String(Math.max(0, limit - window.count)),
    };
    if (window.count <= limit) return { headers };
    return { headers, refused: rateLimited(Math.max(1, Math.ceil((window.start + WINDOW_MS - now) / 1000))) };
  }

  async function crm(req: IncomingMessage, companyId: number, key: string | undefined, query: URLSearchParams) {
    if (companyId !== credentials.companyId) return new Reply(403, DENIED);
    const method = req.method ?? 'GET';
    if (key === undefined) {
      if (method === 'GET') return store.list(query);
      if (method !== 'POST') return notAllowed(method);
      const body = await readJson(req);
      return body ? store.create(body, companyId) : invalidBody;
    }
    const record = store.get(key);
    if (!record) return new Reply(404, { Message: 'Not Found' });
    if (method === 'GET') return new Reply(200, record);
    if (method !== 'PUT') return notAllowed(method);
    const body = await readJson(req);
    return body ? store.replace(key, body) : invalidBody;
  }

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = new URL(req.url ?? '/', 'http://sandbox.invalid');
    requests.push({ method: req.method ?? 'GET', path: url.pathname, query: Object.fromEntries(url.searchParams) });
    if (faults.current === 'slow') await sleep(faults.slowMs);
    if (faults.current === 'down')
      return send(res, new Reply(503, { statusCode: 503, message: 'Service Unavailable' }));

    if (url.pathname === TOKEN_PATH && req.method === 'POST') {
      if (!(req.headers['content-type'] ?? '').startsWith('application/x-www-form-urlencoded')) {
        return send(res, new Reply(400, { error: 'invalid_request' }));
      }
      return send(res, grantToken(new URLSearchParams(await readBody(req))));
    }
    const match = CRM_PATH.exec(url.pathname);
    if (!match)
      return send(res, new Reply(404, { Message: 'No HTTP resource was found that matches the request URI.' }));

    const { headers, refused } = meter();
    if (!authorized(req)) return send(res, new Reply(401, DENIED, { 'WWW-Authenticate': 'Bearer' }), headers);
    if (refused) return send(res, refused, headers);
    const fault = faults.take();
    if (fault === 'rate-limit') return send(res, rateLimited(1), headers);
    if (fault === 'error-then-ok') return send(res, new Reply(500, { Message: 'An error has occurred.' }), headers);
    const reply = await crm(req, Number(match[1]), match[2], url.searchParams);
    if (fault === 'malformed' && reply.status < 300) {
      // A vendor change: an OData v4 envelope in place of the bare array; ids that are not GUIDs.
      const body = Array.isArray(reply.body)
        ? { '@odata.context': '$metadata#CustomerFull', value: reply.body }
        : { Id: 1 };
      return send(res, new Reply(reply.status, body), headers);
    }
    send(res, reply, headers);
  }

  const running = await startSandboxServer(
    (req, res) => {
      handle(req, res).catch(() => {
        if (!res.headersSent) send(res, new Reply(500, { Message: 'An error has occurred.' }));
        else res.destroy();
      });
    },
    { port: options.port, production: options.production },
  );

  return {
    url: running.url,
    faults,
    credentials,
    requests,
    tokenGrants: () => grants,
    revokeTokens: () => tokens.clear(),
    customerIdOf: customerGuid,
    customer: (id) => store.get(id),
    customerIds: () => store.ids(),
    update: (id, changes) => store.update(id, changes),
    merge: (loserId, survivorId) => store.merge(loserId, survivorId),
    close: running.close,
  };
}
