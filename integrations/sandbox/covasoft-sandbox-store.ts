import { randomUUID } from 'node:crypto';
import {
  contactMethod,
  covaRecordOf,
  CUSTOMER_TYPES,
  customerGuid,
  dotNetUtc,
  seededMergeTarget,
  type CovaContactMethodRecord,
  type CovaRecord,
} from './covasoft-sandbox-data.js';
import type { SandboxPerson } from './sandbox-kit.js';

// The Cova sandbox's customers and the CustomerFull operations on them, answering as Cova's ASP.NET OData
// CRM would. The HTTP side (auth, gateway limits, faults) is in covasoft-sandbox.ts.

const FILTER = /^LastModifiedDateUtc\s+ge\s+datetime'([^']+)'$/i;
const GUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const INVALID = { Message: 'The request is invalid.' };

/** An answer before it is written: status, JSON body, extra headers. */
export class SandboxReply {
  constructor(
    readonly status: number,
    readonly body: unknown,
    readonly headers: Record<string, string> = {},
  ) {}
}

interface Stored {
  record: CovaRecord;
  modifiedAt: Date;
}

/** A .NET-ish UTC reading: a datetime without a zone is UTC. */
function parseUtc(text: string): Date | null {
  const at = new Date(/([zZ]|[+-]\d{2}:?\d{2})$/.test(text) ? text : `${text}Z`);
  return Number.isNaN(at.getTime()) ? null : at;
}

const invalidQuery = (detail: string) =>
  new SandboxReply(400, { Message: `The query specified in the URI is not valid. ${detail}` });

export class CovaStore {
  private readonly byId = new Map<string, Stored>();
  /** Key order, as ASP.NET OData's stable ordering for $skip/$top: a changed record keeps its place. */
  private order: string[];
  private lastStamp = 0;

  constructor(
    people: SandboxPerson[],
    private readonly clock: () => Date,
    private readonly maxTop: number,
  ) {
    for (const person of people) {
      const record = covaRecordOf(person);
      this.byId.set(record.Id, { record, modifiedAt: person.modifiedAt });
    }
    for (const person of people) {
      const target = seededMergeTarget(person.index);
      if (target !== null) this.merge(customerGuid(person.index), customerGuid(target), false);
    }
    this.order = [...this.byId.keys()].sort();
  }

  get(id: string): CovaRecord | undefined {
    return GUID.test(id) ? this.byId.get(id.toLowerCase())?.record : undefined;
  }

  ids(): string[] {
    return [...this.order];
  }

  /** GET …/CustomerFull: the bare array, $filter on LastModifiedDateUtc, $skip/$top capped at MaxTop. */
  list(query: URLSearchParams): SandboxReply {
    let since: Date | null = null;
    const filter = query.get('$filter');
    const plain = query.get('LastModifiedDateUtc'); // the docs also show this non-OData form
    if (filter !== null) {
      const match = FILTER.exec(filter.trim());
      if (!match) return invalidQuery(`Only "LastModifiedDateUtc ge datetime'…'" is supported.`);
      since = parseUtc(match[1]);
      if (!since) return invalidQuery(`Unrecognized 'Edm.DateTime' literal 'datetime'${match[1]}''.`);
    } else if (plain !== null) {
      since = parseUtc(plain);
      if (!since) return invalidQuery('LastModifiedDateUtc is not a date.');
    }
    const skip = Number(query.get('$skip') ?? 0);
    const top = query.has('$top') ? Number(query.get('$top')) : Infinity;
    if (!Number.isInteger(skip) || skip < 0) return invalidQuery('Invalid value for $skip.');
    if (top !== Infinity && (!Number.isInteger(top) || top < 0)) return invalidQuery('Invalid value for $top.');
    if (top !== Infinity && top > this.maxTop) {
      return invalidQuery(
        `The limit of '${this.maxTop}' for Top query has been exceeded. The value from the incoming request is '${top}'.`,
      );
    }
    const page: CovaRecord[] = [];
    let matched = 0;
    for (const id of this.order) {
      if (page.length >= top) break;
      const stored = this.byId.get(id)!;
      if (since && stored.modifiedAt < since) continue;
      if (matched++ >= skip) page.push(stored.record);
    }
    return new SandboxReply(200, page);
  }

  /** POST …/CustomerFull: nothing is required (Cova); CustomerTypeId defaults to Person. */
  create(body: Record<string, unknown>, companyId: number): SandboxReply {
    const id = randomUUID();
    const methods = contactMethodsOf(id, body.ContactMethods);
    if (!methods) return new SandboxReply(400, { ...INVALID, ModelState: { ContactMethods: ['invalid'] } });
    const typeId = typeof body.CustomerTypeId === 'number' ? body.CustomerTypeId : 2;
    const at = this.stamp();
    const record: CovaRecord = {
      ...body,
      Id: id,
      CustomerTypeId: typeId,
      CustomerType: CUSTOMER_TYPES[typeId] ?? 'None',
      Disabled: body.Disabled === true,
      Version: 1,
      MergedIntoCustomerId: null,
      MergedCustomers: [],
      LastModifiedDateUtc: dotNetUtc(at),
      ContactMethods: methods,
    };
    this.byId.set(id, { record, modifiedAt: at });
    this.order.splice(sortedIndex(this.order, id), 0, id);
    return new SandboxReply(201, record, { Location: `/crm/v1/Companies(${companyId})/CustomerFull(${id})` });
  }

  /**
   * PUT …/CustomerFull({Id}) (the update path is our assumption): a full replace that must carry the Version
   * it read (409 otherwise). Merge pointers are the server's and cannot be written.
   */
  replace(id: string, body: Record<string, unknown>): SandboxReply {
    const stored = this.byId.get(id.toLowerCase());
    if (!stored) return new SandboxReply(404, { Message: 'Not Found' });
    if (typeof body.Id === 'string' && body.Id.toLowerCase() !== stored.record.Id) {
      return new SandboxReply(400, { Message: 'The Id in the body does not match the Id in the URI.' });
    }
    if (body.Version !== stored.record.Version) {
      return new SandboxReply(409, { Message: 'Version conflict: the Customer was changed since it was read.' });
    }
    const methods = contactMethodsOf(stored.record.Id, body.ContactMethods);
    if (!methods) return new SandboxReply(400, { ...INVALID, ModelState: { ContactMethods: ['invalid'] } });
    const { Id, MergedIntoCustomerId, MergedCustomers, Version, LastModifiedDateUtc } = stored.record;
    stored.record = {
      ...body,
      Id,
      ContactMethods: methods,
      Disabled: body.Disabled === true,
      MergedIntoCustomerId,
      MergedCustomers,
      Version,
      LastModifiedDateUtc,
    };
    this.touch(stored);
    return new SandboxReply(200, stored.record);
  }

  /** A change made at the POS: bumps Version and LastModifiedDateUtc. */
  update(id: string, changes: Partial<CovaRecord>): void {
    const stored = this.byId.get(id.toLowerCase());
    if (!stored) throw new Error('unknown customer');
    Object.assign(stored.record, changes);
    this.touch(stored);
  }

  /** The loser is disabled and points at the survivor, which lists it in MergedCustomers. */
  merge(loserId: string, survivorId: string, bump = true): void {
    const loser = this.byId.get(loserId.toLowerCase());
    const survivor = this.byId.get(survivorId.toLowerCase());
    if (!loser || !survivor) throw new Error('merge needs two known customers');
    loser.record.MergedIntoCustomerId = survivor.record.Id;
    loser.record.Disabled = true;
    survivor.record.MergedCustomers = [...survivor.record.MergedCustomers, loser.record.Id];
    if (bump) [loser, survivor].forEach((s) => this.touch(s));
  }

  /** A modification time strictly after the previous one, so every change is seen by a later filter. */
  private stamp(): Date {
    this.lastStamp = Math.max(this.clock().getTime(), this.lastStamp + 1);
    return new Date(this.lastStamp);
  }

  private touch(stored: Stored): void {
    stored.modifiedAt = this.stamp();
    stored.record.LastModifiedDateUtc = dotNetUtc(stored.modifiedAt);
    stored.record.Version += 1;
  }
}

function contactMethodsOf(customerId: string, raw: unknown): CovaContactMethodRecord[] | null {
  if (raw === undefined || raw === null) return [];
  if (!Array.isArray(raw)) return null;
  const methods: CovaContactMethodRecord[] = [];
  for (const m of raw as Array<Record<string, unknown> | null>) {
    const category = m?.ContactMethodCategoryId;
    if (!m || typeof category !== 'number' || ![1, 2, 3].includes(category) || typeof m.Value !== 'string') return null;
    const type = typeof m.ContactMethodTypeId === 'number' ? m.ContactMethodTypeId : category === 2 ? 9 : 3;
    const isDefault = m.Default === true;
    const fresh = contactMethod(customerId, { category, type, value: m.Value, isDefault, seed: randomUUID() });
    methods.push({ ...fresh, ...(typeof m.Id === 'string' && GUID.test(m.Id) ? { Id: m.Id } : {}) });
  }
  return methods;
}

function sortedIndex(sorted: string[], value: string): number {
  let lo = 0;
  let hi = sorted.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (sorted[mid] < value) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}
