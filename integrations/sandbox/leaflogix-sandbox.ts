import type { IncomingMessage, ServerResponse } from 'node:http';
import {
  COMPANY,
  FIRST_ID,
  leaflogixRecordOf,
  LOCATIONS,
  utcText,
  type LeaflogixRecord,
} from './leaflogix-sandbox-records.js';
import { FaultSwitch, startSandboxServer, type SandboxFault, type SandboxPerson } from './sandbox-kit.js';

// A fake Dutchie POS (Leaflogix) speaking its customer API as pos-apis.md describes it: Basic auth with a
// location key and a blank password (empty-bodied 401 otherwise), PascalCase whoami, bare-array pages of
// at most 100, fromLastModifiedDateUTC, a company-wide customer list (every location key sees the same
// people), a 1–5 minute data lag when asked for, 120 requests per minute per key and endpoint with
// {Message, TraceId} 429s, and POST /customer/customer as a sparse save (creates without customerId).

const MAX_PAGE_SIZE = 100;
// Per key and endpoint, per minute (Dutchie's published tiers).
const LIMITS: Record<string, number> = { '/whoami': 200, '/reporting/loyalty-snapshot': 60 };
const BASELINE_LIMIT = 120;
const WRITABLE = [
  'firstName',
  'middleName',
  'lastName',
  'dateOfBirth',
  'phone',
  'cellPhone',
  'emailAddress',
  'address1',
  'address2',
  'city',
  'state',
  'postalCode',
  'status',
  'customerType',
  'mmjidNumber',
  'mmjidExpirationDate',
  'isLoyaltyMember',
  'externalCustomerId',
  'notes',
  'gender',
] as const;

interface Version {
  record: LeaflogixRecord;
  modifiedAt: Date;
}

interface StoredCustomer {
  id: number;
  /** Oldest first. With a lag, listings show the newest version old enough to have reached the API. */
  versions: Version[];
  loyaltyBalance: number;
}

export type { LeaflogixRecord };

export interface LeaflogixSandboxOptions {
  people: SandboxPerson[];
  port?: number;
  production: boolean;
  /** Dutchie's API lags the POS by 1–5 minutes: a change younger than this is not listed yet. Default 0. */
  lagMs?: number;
  /** Enforce 120/min per key and endpoint (whoami 200, reporting 60). Default true. */
  rateLimit?: boolean;
  now?: () => Date;
}

export interface SandboxRequest {
  method: string;
  path: string;
  query: Record<string, string>;
}

export interface LeaflogixSandbox {
  url: string;
  faults: FaultSwitch;
  /** The first location's key (API.md "POS settings": leaflogix `{apiKey}`). */
  credentials: { apiKey: string };
  /** Another location of the same company: it lists the very same customers. */
  otherLocationCredentials: { apiKey: string };
  /** Every request received, without headers or bodies. */
  requests: SandboxRequest[];
  /** The newest version of a customer as the POS holds it (lag ignored), or undefined. */
  customer(customerId: number): LeaflogixRecord | undefined;
  customerIds(): number[];
  /** Changes a customer at the POS, as staff at the counter would: bumps its lastModifiedDateUTC. */
  update(customerId: number, changes: Partial<LeaflogixRecord>): void;
  /** Merges `loserId` into `survivorId` at the POS: the loser keeps its id and points at the survivor. */
  merge(loserId: number, survivorId: number): void;
  close(): Promise<void>;
}

export async function startLeaflogixSandbox(options: LeaflogixSandboxOptions): Promise<LeaflogixSandbox> {
  const now = options.now ?? (() => new Date());
  const lagMs = options.lagMs ?? 0;
  const faults = new FaultSwitch();
  const requests: SandboxRequest[] = [];
  const customers = new Map<number, StoredCustomer>();
  for (const person of options.people) {
    const record = leaflogixRecordOf(person);
    const id = FIRST_ID + person.index;
    customers.set(id, {
      id,
      versions: [{ record, modifiedAt: person.modifiedAt }],
      loyaltyBalance: person.loyaltyPoints,
    });
  }
  let nextId = Math.max(FIRST_ID - 1, ...customers.keys()) + 1;
  const windows = new Map<string, number[]>();
  let traceSeq = 0;

  const latest = (c: StoredCustomer) => c.versions[c.versions.length - 1];
  const visible = (c: StoredCustomer): Version | undefined => {
    const cutoff = now().getTime() - lagMs;
    for (let v = c.versions.length - 1; v >= 0; v--)
      if (c.versions[v].modifiedAt.getTime() <= cutoff) return c.versions[v];
    return undefined;
  };
  const save = (c: StoredCustomer, changes: Partial<LeaflogixRecord>) => {
    const at = now();
    c.versions.push({ record: { ...latest(c).record, ...changes, lastModifiedDateUTC: utcText(at) }, modifiedAt: at });
  };
  const mustFind = (id: number) => {
    const c = customers.get(id);
    if (!c) throw new Error(`no sandbox customer ${id}`);
    return c;
  };

  const traceId = () => `0HN7SANDBOX:${String(++traceSeq).padStart(8, '0')}`;
  const send = (res: ServerResponse, status: number, body?: unknown, headers: Record<string, string> = {}) => {
    const text = body === undefined ? '' : typeof body === 'string' ? body : JSON.stringify(body);
    const type = typeof body === 'string' ? 'text/html' : 'application/json; charset=utf-8';
    res.writeHead(status, { ...(text ? { 'Content-Type': type } : {}), ...headers });
    res.end(text);
  };
  const tooMany = (res: ServerResponse, limit: number, retryAfterS: number) =>
    send(
      res,
      429,
      { Message: `Too many requests - only ${limit} per minute allowed`, TraceId: traceId() },
      { 'Retry-After': String(retryAfterS) },
    );
  const validation = (res: ServerResponse, field: string, message: string) =>
    send(res, 400, {
      type: 'https://tools.ietf.org/html/rfc7231#section-6.5.1',
      title: 'One or more validation errors occurred.',
      status: 400,
      traceId: traceId(),
      errors: { [field]: [message] },
    });

  function keyOf(req: IncomingMessage): string | undefined {
    const header = req.headers.authorization ?? '';
    if (!header.startsWith('Basic ')) return undefined;
    const decoded = Buffer.from(header.slice(6), 'base64').toString('utf8');
    const colon = decoded.indexOf(':');
    if (colon < 0 || decoded.slice(colon + 1) !== '') return undefined; // the password must be blank
    const key = decoded.slice(0, colon);
    return LOCATIONS.some((l) => l.apiKey === key) ? key : undefined;
  }

  /** Seconds until the window lets one more through, or 0 when it already does. */
  function throttled(key: string, path: string): { limit: number; waitS: number } | undefined {
    if (options.rateLimit === false) return undefined;
    const limit = LIMITS[path] ?? BASELINE_LIMIT;
    const id = `${key} ${path}`;
    const at = Date.now();
    const log = (windows.get(id) ?? []).filter((t) => t > at - 60_000);
    windows.set(id, log);
    if (log.length >= limit) return { limit, waitS: Math.max(1, Math.ceil((log[0] + 60_000 - at) / 1000)) };
    log.push(at);
    return undefined;
  }

  async function readJson(req: IncomingMessage): Promise<unknown> {
    const chunks: Buffer[] = [];
    for await (const chunk of req) chunks.push(chunk as Buffer);
    return JSON.parse(Buffer.concat(chunks).toString('utf8') || 'null');
  }

  function listPage(res: ServerResponse, query: URLSearchParams, fault: SandboxFault) {
    const pageNumber = Number(query.get('PageNumber'));
    const pageSize = Number(query.get('PageSize'));
    if (!Number.isInteger(pageNumber) || pageNumber < 1) return validation(res, 'PageNumber', 'must be 1 or more');
    if (!Number.isInteger(pageSize) || pageSize < 1 || pageSize > MAX_PAGE_SIZE) {
      return validation(res, 'PageSize', `must be between 1 and ${MAX_PAGE_SIZE}`);
    }
    const fromText = query.get('fromLastModifiedDateUTC');
    const from = fromText === null ? null : Date.parse(fromText);
    if (from !== null && Number.isNaN(from)) return validation(res, 'fromLastModifiedDateUTC', 'is not a date');
    const matching: LeaflogixRecord[] = [];
    for (const c of [...customers.values()].sort((a, b) => a.id - b.id)) {
      const v = visible(c);
      if (v && (from === null || v.modifiedAt.getTime() >= from)) matching.push(v.record);
    }
    const page = matching.slice((pageNumber - 1) * pageSize, pageNumber * pageSize);
    send(
      res,
      200,
      fault === 'malformed' ? page.map((r) => ({ ...r, customerId: 'N/A', customerID: undefined })) : page,
    );
  }

  async function saveCustomer(req: IncomingMessage, res: ServerResponse) {
    let body: unknown;
    try {
      body = await readJson(req);
    } catch {
      return validation(res, '$', 'The JSON value could not be converted.');
    }
    if (!body || typeof body !== 'object' || Array.isArray(body)) return validation(res, '$', 'expected an object');
    const input = body as Record<string, unknown>;
    const changes: Partial<LeaflogixRecord> = {};
    for (const field of WRITABLE) if (field in input) changes[field] = input[field];
    const id = input.customerId ?? input.customerID;
    if (id !== undefined && id !== null) {
      const found = customers.get(Number(id));
      if (!found) return send(res, 404, { Message: 'Customer not found', TraceId: traceId() });
      save(found, changes);
      return send(res, 200, latest(found).record);
    }
    for (const field of ['firstName', 'lastName'] as const) {
      if (typeof changes[field] !== 'string' || !(changes[field] as string).trim()) {
        return validation(res, field, `The ${field} field is required.`);
      }
    }
    const newId = nextId++;
    const at = now();
    const record: LeaflogixRecord = {
      customerId: newId,
      firstName: null,
      middleName: null,
      lastName: null,
      dateOfBirth: null,
      phone: null,
      cellPhone: null,
      emailAddress: null,
      status: 'Active',
      customerType: 'Recreational',
      mmjidNumber: null,
      mmjidExpirationDate: null,
      isLoyaltyMember: false,
      springBigMemberId: 0,
      createdAtLocation: LOCATIONS[0].LocationName,
      createdByIntegrator: true,
      mergedIntoCustomerId: null,
      ...changes,
      creationDate: utcText(at),
      lastModifiedDateUTC: utcText(at),
    };
    customers.set(newId, { id: newId, versions: [{ record, modifiedAt: at }], loyaltyBalance: 0 });
    send(res, 200, record);
  }

  async function handle(req: IncomingMessage, res: ServerResponse) {
    const url = new URL(req.url ?? '/', 'http://sandbox');
    const path = url.pathname.replace(/\/+$/, '') || '/';
    requests.push({ method: req.method ?? 'GET', path, query: Object.fromEntries(url.searchParams) });

    const fault = faults.take();
    if (fault === 'down') return send(res, 503, '<html><body><h1>503 Service Unavailable</h1></body></html>');
    if (fault === 'slow') await new Promise((resolve) => setTimeout(resolve, faults.slowMs));
    if (fault === 'rate-limit') return tooMany(res, BASELINE_LIMIT, 1);
    if (fault === 'error-then-ok') return send(res, 500, { Message: 'An error has occurred.', TraceId: traceId() });

    const key = keyOf(req);
    if (!key) return send(res, 401); // Dutchie's 401 has no body
    const limited = throttled(key, path);
    if (limited) return tooMany(res, limited.limit, limited.waitS);

    const route = `${req.method} ${path}`;
    if (route === 'GET /whoami') {
      const location = LOCATIONS.find((l) => l.apiKey === key)!;
      const who = { LocationName: location.LocationName, LocationId: location.LocationId, ...COMPANY };
      // Malformed: the camelCase every other endpoint uses, which is exactly what whoami does not answer.
      return send(
        res,
        200,
        fault === 'malformed' ? { locationName: who.LocationName, locationId: who.LocationId } : who,
      );
    }
    if (route === 'GET /customer/customers-paginated') return listPage(res, url.searchParams, fault);
    if (route === 'GET /customer/customers') {
      return send(
        res,
        200,
        [...customers.values()].flatMap((c) => visible(c)?.record ?? []),
      );
    }
    if (route === 'GET /reporting/loyalty-snapshot') {
      const rows = [...customers.values()]
        .filter((c) => latest(c).record.isLoyaltyMember)
        .map((c) => ({
          customerId: c.id,
          loyaltyBalance: c.loyaltyBalance,
          loyaltySpent: 0,
          loyaltyEarned: c.loyaltyBalance,
        }));
      return send(res, 200, fault === 'malformed' ? { rows } : rows);
    }
    if (route === 'POST /customer/customer') return saveCustomer(req, res);
    send(res, 404);
  }

  const running = await startSandboxServer(
    (req, res) =>
      void handle(req, res).catch(() => {
        if (!res.headersSent) send(res, 500, { Message: 'An error has occurred.', TraceId: traceId() });
      }),
    { port: options.port, production: options.production },
  );

  return {
    url: running.url,
    faults,
    credentials: { apiKey: LOCATIONS[0].apiKey },
    otherLocationCredentials: { apiKey: LOCATIONS[1].apiKey },
    requests,
    customer: (id) => {
      const c = customers.get(id);
      return c && { ...latest(c).record };
    },
    customerIds: () => [...customers.keys()].sort((a, b) => a - b),
    update: (id, changes) => save(mustFind(id), changes),
    merge: (loserId, survivorId) => {
      mustFind(survivorId);
      save(mustFind(loserId), { mergedIntoCustomerId: survivorId, status: 'Merged' });
    },
    close: running.close,
  };
}
