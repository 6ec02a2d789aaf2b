import { createHash } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { FaultSwitch, startSandboxServer, type SandboxFault, type SandboxPerson } from './sandbox-kit.js';

// A fake BLAZE partner API speaking its member endpoints as pos-apis.md describes them: the partner key
// under `x-api-key` or the older `partner_key`, the store key as the raw Authorization; GET /members with
// skip/limit and an epoch-ms startDate/endDate window answering {values, skip, limit, total}; GET, POST
// and PUT (a full replace: what the body leaves out is gone) of one member; {error, message, status}
// errors; 10,000 calls per 5 minutes per partner key.
//
// Where Blaze's behaviour is unknown the sandbox picks, and says so: the window filters on `modified` by
// default, from the start of startDate's UTC day (so it returns records older than startDate, which the
// adapter must drop), or on the join date (`created`) when asked, the case that needs a full sweep.

const BASE = '/api/v1/partner';
const COMPANY_ID = '5e1a0b2c3d4e5f6a7b8c9d0e';
const SHOP_ID = '5e1a0b2c3d4e5f6a7b8c9d0f';
const PARTNER_KEY = 'sandbox-blaze-partner-key';
const READ_ONLY_PARTNER_KEY = 'sandbox-blaze-read-only-partner-key';
const STORE_KEY = 'sandbox-blaze-store-key';
const DAY_MS = 86_400_000;

export type BlazeSandboxMember = Record<string, unknown> & { id: string; created: number; modified: number };

export interface BlazeSandboxOptions {
  people: SandboxPerson[];
  port?: number;
  production: boolean;
  /** What the members window filters on. Default 'modified'. */
  windowField?: 'modified' | 'created';
  /** The largest `limit` served; a larger one is cut down (and the answer's `limit` says so). Default 500. */
  maxLimit?: number;
  /** Calls per 5 minutes per partner key before 429s; false for none. Default 10,000 (the contract's). */
  rateLimitPer5Minutes?: number | false;
  now?: () => Date;
}

export interface BlazeSandboxRequest {
  method: string;
  path: string;
  query: Record<string, string>;
}

export interface BlazeSandbox {
  url: string;
  faults: FaultSwitch;
  /** API.md "POS settings": blaze `{partnerKey, apiKey}`. */
  credentials: { partnerKey: string; apiKey: string };
  /** A partner key without the ACCEPT_MEMBER permission: reads work, writes are 403. */
  readOnlyCredentials: { partnerKey: string; apiKey: string };
  /** Every request received, without headers or bodies. */
  requests: BlazeSandboxRequest[];
  member(id: string): BlazeSandboxMember | undefined;
  memberIds(): string[];
  /** Changes a member at the POS, as staff would: bumps `modified`. */
  update(id: string, changes: Record<string, unknown>): void;
  close(): Promise<void>;
}

const hexId = (seed: string) => createHash('sha256').update(seed).digest('hex').slice(0, 24);
const dateMs = (isoDate: string, hourUtc = 0) => {
  const [y, m, d] = isoDate.split('-').map(Number);
  return Date.UTC(y, m - 1, d, hourUtc);
};

/** A sandbox person as a Blaze Member, with the quirks seeded deterministically by index. */
export function blazeMemberOf(person: SandboxPerson): BlazeSandboxMember {
  const i = person.index;
  const modified = person.modifiedAt.getTime();
  const licence = {
    licenseNumber: person.driversLicense,
    expirationDate: Date.UTC(2028, i % 12, 1),
    state: 'CA',
    type: 'Drivers',
    verified: true,
  };
  const passport = { licenseNumber: `P${9000000 + i}`, expirationDate: Date.UTC(2030, 0, 1), type: 'Passport' };
  return {
    id: hexId(`member-${i}`),
    companyId: COMPANY_ID,
    shopId: SHOP_ID,
    created: modified - 30 * DAY_MS, // joined a month before its last change
    modified,
    deleted: i % 29 === 13,
    firstName: person.firstName,
    middleName: '',
    lastName: person.lastName,
    nickname: null,
    // Midnight in the shop's zone (Pacific standard time), as Blaze's screens enter it.
    dob: dateMs(person.birthday, 8),
    birthdate: person.birthday,
    email: person.email,
    primaryPhone: i % 6 === 1 ? '' : person.phone,
    cpn: i % 6 === 1 ? person.phone : '',
    sex: i % 2 ? 'FEMALE' : 'MALE',
    status: i % 19 === 7 ? 'Pending' : i % 23 === 11 ? 'Inactive' : 'Active',
    consumerType: person.medical
      ? i % 2
        ? 'MedicinalState'
        : 'MedicinalThirdParty'
      : i % 10 === 9
        ? 'Other'
        : 'AdultUse',
    medical: person.medical,
    identifications: i % 8 === 0 ? [passport, licence] : [licence],
    recommendations: person.medicalCard
      ? [
          {
            recommendationNumber: person.medicalCard,
            issueDate: modified - 200 * DAY_MS,
            expirationDate: Date.UTC(2027, i % 12, 15),
            state: 'CA',
            verified: true,
            doctorFirstName: 'Sandbox',
            doctorLastName: 'Physician',
          },
        ]
      : [],
    address: {
      address: `${100 + i} Sandbox Way`,
      addressLine2: '',
      city: 'Oakland',
      state: 'CA',
      zipCode: '94601',
      country: 'US',
    },
    addresses: [],
    loyaltyPoints: person.loyaltyPoints,
    lifetimePoints: person.loyaltyPoints + (i % 50),
    enableLoyalty: true,
    textOptIn: i % 3 === 0,
    emailOptIn: i % 4 === 0,
    tags: i % 5 === 0 ? ['vip'] : [],
    lastVisitDate: modified,
    startDate: modified - 30 * DAY_MS,
    banPatient: false,
    notes: [],
    metadata: [],
  };
}

export async function startBlazeSandbox(options: BlazeSandboxOptions): Promise<BlazeSandbox> {
  const now = options.now ?? (() => new Date());
  const windowField = options.windowField ?? 'modified';
  const maxLimit = options.maxLimit ?? 500;
  const callLimit = options.rateLimitPer5Minutes ?? 10_000;
  const faults = new FaultSwitch();
  const requests: BlazeSandboxRequest[] = [];
  const members = new Map<string, BlazeSandboxMember>(); // insertion order is list order
  for (const person of options.people) {
    const member = blazeMemberOf(person);
    members.set(member.id, member);
  }
  let created = 0;
  const calls = new Map<string, number[]>();

  const send = (res: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}) => {
    const html = typeof body === 'string';
    res.writeHead(status, { 'Content-Type': html ? 'text/html' : 'application/json', ...headers });
    res.end(html ? body : JSON.stringify(body));
  };
  const fail = (res: ServerResponse, status: number, error: string, message: string, headers = {}) =>
    send(res, status, { error, message, status }, headers);

  function partnerOf(req: IncomingMessage): string | undefined {
    const key = req.headers['x-api-key'] ?? req.headers['partner_key'];
    return key === PARTNER_KEY || key === READ_ONLY_PARTNER_KEY ? key : undefined;
  }

  function overLimit(partner: string): number | undefined {
    if (callLimit === false) return undefined;
    const at = Date.now();
    const log = (calls.get(partner) ?? []).filter((t) => t > at - 300_000);
    calls.set(partner, log);
    if (log.length >= callLimit) return Math.max(1, Math.ceil((log[0] + 300_000 - at) / 1000));
    log.push(at);
    return undefined;
  }

  async function readJson(req: IncomingMessage): Promise<Record<string, unknown> | undefined> {
    const chunks: Buffer[] = [];
    for await (const chunk of req) chunks.push(chunk as Buffer);
    try {
      const body: unknown = JSON.parse(Buffer.concat(chunks).toString('utf8'));
      return body && typeof body === 'object' && !Array.isArray(body) ? (body as Record<string, unknown>) : undefined;
    } catch {
      return undefined;
    }
  }

  function list(res: ServerResponse, query: URLSearchParams, fault: SandboxFault) {
    const skip = Number(query.get('skip') ?? 0);
    const asked = Number(query.get('limit') ?? 100);
    if (!Number.isInteger(skip) || skip < 0 || !Number.isInteger(asked) || asked < 1) {
      return fail(res, 400, 'Bad Request', 'skip and limit must be non-negative integers');
    }
    const limit = Math.min(asked, maxLimit);
    const [startText, endText] = [query.get('startDate'), query.get('endDate')];
    let matching = [...members.values()];
    if (startText !== null || endText !== null) {
      const [start, end] = [Number(startText), Number(endText)];
      if (!startText || !endText || !Number.isFinite(start) || !Number.isFinite(end)) {
        return fail(res, 400, 'Bad Request', 'startDate and endDate must both be epoch milliseconds');
      }
      if (end <= start) return fail(res, 400, 'Bad Request', 'endDate must be after startDate');
      const from = Math.floor(start / DAY_MS) * DAY_MS;
      matching = matching.filter((m) => m[windowField] >= from && m[windowField] <= end);
    }
    const values = matching.slice(skip, skip + limit);
    if (fault === 'malformed') return send(res, 200, { values: values.map((m) => ({ ...m, id: 12345 })), skip, limit });
    send(res, 200, { values, skip, limit, total: matching.length });
  }

  async function handle(req: IncomingMessage, res: ServerResponse) {
    const url = new URL(req.url ?? '/', 'http://sandbox');
    const path = url.pathname.replace(/\/+$/, '');
    requests.push({ method: req.method ?? 'GET', path, query: Object.fromEntries(url.searchParams) });

    const fault = faults.take();
    if (fault === 'down')
      return send(res, 503, '<html><body><h1>503 Service Temporarily Unavailable</h1></body></html>');
    if (fault === 'slow') await new Promise((resolve) => setTimeout(resolve, faults.slowMs));
    if (fault === 'rate-limit') {
      return fail(res, 429, 'Too Many Requests', 'Rate limit exceeded. Please retry later.', { 'Retry-After': '1' });
    }
    if (fault === 'error-then-ok') return fail(res, 500, 'Internal Server Error', 'An unexpected error occurred.');

    if (!path.startsWith(`${BASE}/`)) return fail(res, 404, 'Not Found', 'No such endpoint');
    const partner = partnerOf(req);
    if (!partner || req.headers.authorization !== STORE_KEY) {
      return fail(res, 401, 'Unauthorized', 'Invalid partner key or developer key.');
    }
    const wait = overLimit(partner);
    if (wait) return fail(res, 429, 'Too Many Requests', 'Rate limit exceeded.', { 'Retry-After': String(wait) });

    const rest = path.slice(BASE.length);
    const one = /^\/members\/([^/]+)$/.exec(rest);
    const writes = req.method === 'POST' || req.method === 'PUT';
    if (writes && partner === READ_ONLY_PARTNER_KEY) {
      return fail(res, 403, 'Forbidden', 'Partner does not have the ACCEPT_MEMBER permission.');
    }
    if (req.method === 'GET' && rest === '/members') return list(res, url.searchParams, fault);
    if (req.method === 'POST' && rest === '/members') {
      const body = await readJson(req);
      if (!body) return fail(res, 400, 'Bad Request', 'Request body must be a JSON object');
      const at = now().getTime();
      const member: BlazeSandboxMember = {
        status: 'Active',
        deleted: false,
        identifications: [],
        recommendations: [],
        loyaltyPoints: 0,
        ...body,
        id: hexId(`created-${++created}-${at}`),
        companyId: COMPANY_ID,
        shopId: SHOP_ID,
        created: at,
        modified: at,
      };
      members.set(member.id, member);
      return send(res, 200, member);
    }
    if (one && (req.method === 'GET' || req.method === 'PUT')) {
      const id = decodeURIComponent(one[1]);
      const current = members.get(id);
      if (!current) return fail(res, 404, 'Not Found', 'Member not found');
      if (req.method === 'GET') return send(res, 200, fault === 'malformed' ? { ...current, id: 12345 } : current);
      const body = await readJson(req);
      if (!body) return fail(res, 400, 'Bad Request', 'Request body must be a JSON object');
      if (body.id !== undefined && body.id !== id) return fail(res, 400, 'Bad Request', 'Member id does not match');
      // A full replace: whatever the body leaves out is gone.
      const replaced: BlazeSandboxMember = {
        ...body,
        id,
        companyId: COMPANY_ID,
        shopId: SHOP_ID,
        created: current.created,
        modified: now().getTime(),
      };
      members.set(id, replaced);
      return send(res, 200, replaced);
    }
    fail(res, 404, 'Not Found', 'No such endpoint');
  }

  const running = await startSandboxServer(
    (req, res) =>
      void handle(req, res).catch(() => {
        if (!res.headersSent) fail(res, 500, 'Internal Server Error', 'An unexpected error occurred.');
      }),
    { port: options.port, production: options.production },
  );

  return {
    url: running.url,
    faults,
    credentials: { partnerKey: PARTNER_KEY, apiKey: STORE_KEY },
    readOnlyCredentials: { partnerKey: READ_ONLY_PARTNER_KEY, apiKey: STORE_KEY },
    requests,
    member: (id) => {
      const m = members.get(id);
      return m && structuredClone(m);
    },
    memberIds: () => [...members.keys()],
    update: (id, changes) => {
      const current = members.get(id);
      if (!current) throw new Error(`no sandbox member ${id}`);
      members.set(id, { ...current, ...changes, id, modified: now().getTime() });
    },
    close: running.close,
  };
}
