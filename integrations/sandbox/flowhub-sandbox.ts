import type { IncomingMessage, ServerResponse } from 'node:http';
import { setTimeout as sleep } from 'node:timers/promises';
import { localDate } from '../pos/store-time.js';
import {
  SANDBOX_STATE,
  created,
  flowhubRecordOf,
  flowhubTimestamp,
  flowhubUuid,
  replaced,
  writeProblems,
  type FlowhubRecord,
} from './flowhub-sandbox-data.js';
import { FaultSwitch, startSandboxServer, type SandboxPerson } from './sandbox-kit.js';

// A fake Flowhub speaking its public API as pos-apis.md §2 describes it: static `clientId` and `key`
// headers; GET /v0/clientsLocations `{status, data}`; GET /v1/customers/ client-wide by page (from 1) and
// page_size (silently capped at 500), oldest first unless order_by=desc, filtered by updated_/created_
// after/before as store-local dates (`after` inclusive, `before` exclusive: our reading) with a 404
// "must be in format yyyy-mm-dd" for anything but a date; the customer-model without status or documents
// (medId/stateId are stored but never answered: write-only, as documented); POST /v1/customer and a
// full-replace PUT /v1/customer/{id}, both needing a known store_id; 429s with no headers at all near
// 59 requests per second per clientId.

const CLIENT = { clientId: 'sandbox-flowhub-client', clientName: 'Sandbox Cannabis Co' };
const KEY = 'sandbox-flowhub-key';
export const FLOWHUB_SANDBOX_TIME_ZONE = 'America/Los_Angeles';
const MAX_PAGE_SIZE = 500;
const DEFAULT_PAGE_SIZE = 100;
const DATE_PARAMS = ['updated_after', 'updated_before', 'created_after', 'created_before'] as const;
const WRITE_ONLY = ['medId', 'medIdExpiration', 'stateId', 'stateIdExpiration'];
const CUSTOMER_PATH = /^\/v1\/customers\/([^/]+)$/;
const WRITE_PATH = /^\/v1\/customer(?:\/([^/]+))?$/;

export interface FlowhubSandboxOptions {
  people: SandboxPerson[];
  port?: number;
  production: boolean;
  /** Locations of the one client; a client with several needs `locationId` in its credentials. Default 1. */
  locations?: number;
  /** 429 past this many requests per second per clientId (seen near 59). 0 turns it off. Default 59. */
  rateLimitPerSecond?: number;
  /** The list envelope, which pos-apis.md leaves open: `{status, data}` (default) or a bare array. */
  envelope?: 'data' | 'array';
  now?: () => Date;
}

export interface SandboxRequest {
  method: string;
  path: string;
  query: Record<string, string>;
}

export interface FlowhubSandbox {
  url: string;
  faults: FaultSwitch;
  /** API.md "POS settings": flowhub `{clientId, key}`. */
  credentials: { clientId: string; key: string };
  /** The client's location ids (writes' `store_id`). */
  locationIds: string[];
  /** The store's time zone, which the filters use: give it to the client as deps.storeTimezone. */
  timeZone: string;
  /** Every request received, without headers or bodies. */
  requests: SandboxRequest[];
  /** The Flowhub id of the seeded person at `index`. */
  customerIdOf(index: number): string;
  /** Ids oldest first, as listed. */
  customerIds(): string[];
  /** The stored record, write-only fields included, or undefined. */
  customer(id: string): FlowhubRecord | undefined;
  /** Changes a customer at the POS, as staff at the counter would: bumps its updatedAt. */
  update(id: string, changes: Partial<FlowhubRecord>): void;
  close(): Promise<void>;
}

export async function startFlowhubSandbox(options: FlowhubSandboxOptions): Promise<FlowhubSandbox> {
  const now = options.now ?? (() => new Date());
  const limit = options.rateLimitPerSecond ?? 59;
  const faults = new FaultSwitch();
  const requests: SandboxRequest[] = [];
  const locations = Array.from({ length: options.locations ?? 1 }, (_, n) => locationOf(n));
  // Creation order is list order, so listing needs no sort; a query's matches are kept until a write.
  const ordered: FlowhubRecord[] = options.people.map(flowhubRecordOf);
  const byId = new Map(ordered.map((r) => [r.id, r]));
  let version = 0;
  let cached: { key: string; version: number; matches: FlowhubRecord[] } | undefined;
  let createdCount = 0;
  const windows = new Map<string, number[]>();

  const send = (res: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}) => {
    const text = typeof body === 'string' ? body : JSON.stringify(body);
    const type = typeof body === 'string' ? 'text/html' : 'application/json; charset=utf-8';
    res.writeHead(status, { 'Content-Type': type, 'x-request-id': flowhubUuid(`req-${requests.length}`), ...headers });
    res.end(text);
  };
  const answer = (record: FlowhubRecord, extra: Record<string, unknown> = {}) => {
    const view: Record<string, unknown> = { ...record, ...extra };
    for (const field of WRITE_ONLY) delete view[field];
    return view;
  };
  const store = (record: FlowhubRecord) => {
    const at = ordered.findIndex((r) => r.id === record.id);
    if (at >= 0) ordered[at] = record;
    else ordered.push(record);
    byId.set(record.id, record);
    version++;
  };

  function throttled(clientId: string): boolean {
    if (limit <= 0) return false;
    const at = Date.now();
    const log = (windows.get(clientId) ?? []).filter((t) => t > at - 1_000);
    windows.set(clientId, log);
    if (log.length >= limit) return true;
    log.push(at);
    return false;
  }

  function matches(query: URLSearchParams): FlowhubRecord[] {
    const bounds = DATE_PARAMS.map((p) => query.get(p));
    const key = bounds.join('|');
    if (cached?.key === key && cached.version === version) return cached.matches;
    const [updatedAfter, updatedBefore, createdAfter, createdBefore] = bounds;
    const day = (stamp: unknown) => localDate(new Date(String(stamp)), FLOWHUB_SANDBOX_TIME_ZONE);
    const found = ordered.filter((r) => {
      const updated = day(r.updatedAt);
      const createdOn = day(r.createdAt);
      return (
        (!updatedAfter || updated >= updatedAfter) &&
        (!updatedBefore || updated < updatedBefore) &&
        (!createdAfter || createdOn >= createdAfter) &&
        (!createdBefore || createdOn < createdBefore)
      );
    });
    cached = { key, version, matches: found };
    return found;
  }

  function listCustomers(res: ServerResponse, query: URLSearchParams, malformed: boolean) {
    for (const param of DATE_PARAMS) {
      const value = query.get(param);
      // Flowhub's own answer to a full ISO timestamp: a 404, worded like this.
      if (value !== null && !/^\d{4}-\d{2}-\d{2}$/.test(value)) {
        return send(res, 404, { status: 404, message: `${param} must be in format yyyy-mm-dd` });
      }
    }
    const page = Math.max(1, Number(query.get('page') ?? 1) || 1);
    const size = Math.min(MAX_PAGE_SIZE, Math.max(1, Number(query.get('page_size') ?? DEFAULT_PAGE_SIZE) || 1));
    const all = matches(query);
    const sorted = query.get('order_by') === 'desc' ? [...all].reverse() : all;
    let data: unknown[] = sorted.slice((page - 1) * size, page * size).map((r) => answer(r));
    if (malformed) data = data.map((r) => ({ ...(r as object), id: 12345, name: { first: 'broken' } }));
    send(res, 200, options.envelope === 'array' ? data : { status: 'success', data });
  }

  async function readBody(req: IncomingMessage): Promise<Record<string, unknown> | undefined> {
    const chunks: Buffer[] = [];
    for await (const chunk of req) chunks.push(chunk as Buffer);
    try {
      const body: unknown = JSON.parse(Buffer.concat(chunks).toString('utf8'));
      return body && typeof body === 'object' && !Array.isArray(body) ? (body as Record<string, unknown>) : undefined;
    } catch {
      return undefined;
    }
  }

  async function write(req: IncomingMessage, res: ServerResponse, query: URLSearchParams, id: string | undefined) {
    const storeId = query.get('store_id');
    if (!storeId) return send(res, 400, { status: 400, message: 'store_id is required' });
    if (!locations.some((l) => l.locationId === storeId)) {
      return send(res, 400, { status: 400, message: 'store_id does not belong to this client' });
    }
    const current = id === undefined ? undefined : byId.get(id);
    if (id !== undefined && !current) return send(res, 404, { status: 404, message: 'Customer not found' });
    const body = await readBody(req);
    if (!body) return send(res, 400, { status: 400, message: 'Request body must be a JSON object' });
    const problems = writeProblems(body);
    if (problems.length) return send(res, 422, { status: 422, message: 'Validation failed', errors: problems });
    const record = current
      ? replaced(current, body, now())
      : created(flowhubUuid(`flowhub-created-${++createdCount}`), body, now());
    store(record);
    send(res, 200, answer(record));
  }

  async function handle(req: IncomingMessage, res: ServerResponse) {
    const url = new URL(req.url ?? '/', 'http://sandbox');
    const path = url.pathname;
    requests.push({ method: req.method ?? 'GET', path, query: Object.fromEntries(url.searchParams) });

    const fault = faults.take();
    if (fault === 'down')
      return send(res, 503, '<html><body><h1>503 Service Temporarily Unavailable</h1></body></html>');
    if (fault === 'slow') await sleep(faults.slowMs);
    if (fault === 'rate-limit') return send(res, 429, { status: 429, message: 'Too Many Requests' });
    if (fault === 'error-then-ok') return send(res, 500, { status: 500, message: 'Internal Server Error' });

    if (req.headers.clientid !== CLIENT.clientId || req.headers.key !== KEY) {
      return send(res, 401, { status: 401, message: 'Unauthorized' });
    }
    // No Retry-After, no X-RateLimit-*: what integrators report seeing.
    if (throttled(CLIENT.clientId)) return send(res, 429, { status: 429, message: 'Too Many Requests' });

    const malformed = fault === 'malformed';
    if (req.method === 'GET' && path === '/v0/clientsLocations') {
      return send(res, 200, { status: 'success', data: malformed ? { locations } : locations });
    }
    if (req.method === 'GET' && path === '/v1/customers/') return listCustomers(res, url.searchParams, malformed);
    if (req.method === 'GET' && path === '/v1/customers/findByPhoneNumber') {
      const digits = (url.searchParams.get('phone_number') ?? '').replace(/\D/g, '').slice(-10);
      const found = ordered.find((r) => String(r.phone ?? '').replace(/\D/g, '') === digits);
      return found ? send(res, 200, answer(found)) : send(res, 404, { status: 404, message: 'Customer not found' });
    }
    const one = req.method === 'GET' ? CUSTOMER_PATH.exec(path) : null;
    if (one) {
      const found = byId.get(decodeURIComponent(one[1]));
      if (!found) return send(res, 404, { status: 404, message: 'Customer not found' });
      // Only with a store_id, and only for members, as the Swagger notes.
      const pennies =
        url.searchParams.get('store_id') && found.isLoyal
          ? { loyaltyPointsInPennies: Number(found.loyaltyPoints) }
          : {};
      return send(res, 200, malformed ? { ...answer(found), id: null } : answer(found, pennies));
    }
    const writePath = WRITE_PATH.exec(path);
    if (writePath && req.method === 'POST' && writePath[1] === undefined)
      return write(req, res, url.searchParams, undefined);
    if (writePath && req.method === 'PUT' && writePath[1] !== undefined) {
      return write(req, res, url.searchParams, decodeURIComponent(writePath[1]));
    }
    send(res, 404, { status: 404, message: 'Not Found' });
  }

  const running = await startSandboxServer(
    (req, res) =>
      void handle(req, res).catch(() => {
        if (!res.headersSent) send(res, 500, { status: 500, message: 'Internal Server Error' });
      }),
    { port: options.port, production: options.production },
  );

  return {
    url: running.url,
    faults,
    credentials: { clientId: CLIENT.clientId, key: KEY },
    locationIds: locations.map((l) => l.locationId),
    timeZone: FLOWHUB_SANDBOX_TIME_ZONE,
    requests,
    customerIdOf: (index) => flowhubUuid(`flowhub-customer-${index}`),
    customerIds: () => ordered.map((r) => r.id),
    customer: (id) => {
      const record = byId.get(id);
      return record && { ...record };
    },
    update: (id, changes) => {
      const current = byId.get(id);
      if (!current) throw new Error(`no sandbox customer ${id}`);
      store({ ...current, ...changes, id, updatedAt: flowhubTimestamp(now()) });
    },
    close: running.close,
  };
}

function locationOf(n: number) {
  return {
    locationId: flowhubUuid(`flowhub-location-${n}`),
    importId: flowhubUuid(`flowhub-import-${n}`).replace(/-/g, '').slice(0, 24),
    locationName: `Sandbox Dispensary ${n === 0 ? 'Mission' : `Location ${n + 1}`}`,
    timeZone: FLOWHUB_SANDBOX_TIME_ZONE,
    ...CLIENT,
    email: `store${n + 1}@sandbox.example`,
    phoneNumber: '(415) 555-0100',
    website: 'https://sandbox.example',
    hoursOfOperation: null,
    locationLogoURL: null,
    licenseType: ['medical', 'recreational'],
    address: {
      streetAddress1: `${500 + n} Valencia St`,
      streetAddress2: null,
      city: 'San Francisco',
      state: SANDBOX_STATE,
      zip: '94110',
      country: 'US',
      county: 'San Francisco',
    },
  };
}
