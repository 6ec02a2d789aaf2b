import { randomUUID } from 'node:crypto';
import {
  contactMethod,
  covaRecordOf,
  CUSTOMER_TYPES,
  customerGuid,
  dotNetUtc,
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

/**
 * A customer as held: seeded ones keep only their person until first read or changed, and their CustomerFull
 * is built when listed. 100,000 full records would be a large live heap that every major GC walks.
 */
interface Stored {
  id: string;
  modifiedAt: Date;
  person?: SandboxPerson;
  record?: CovaRecord;
}
type Held = Stored & { record: CovaRecord };

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
  private readonly order: Stored[];
  private lastStamp = 0;

  constructor(
    people: SandboxPerson[],
    private readonly clock: () => Date,
    private readonly maxTop: number,
  ) {
    this.peopleCount = people.length;
    for (const person of people) {
      const id = customerGuid(person.index);
      this.byId.set(id, { id, modifiedAt: person.modifiedAt, person });
    }
    this.order = [...this.byId.values()].sort((a, b) => (a.id < b.id ? -1 : 1));
  }

  private readonly peopleCount: number;

  private recordOf(stored: Stored): CovaRecord {
    return stored.record ?? covaRecordOf(stored.person!, this.peopleCount, stored.id);
  }

  /** The record to change or hand out by reference: built once, then kept. */
  private held(id: string): Held | undefined {
    const stored = GUID.test(id) ? this.byId.get(id.toLowerCase()) : undefined;
    if (!stored) return undefined;
    stored.record ??= this.recordOf(stored);
    stored.person = undefined;
    return stored as Held;
  }

  get(id: string): CovaRecord | undefined {
    return this.held(id)?.record;
  }

  ids(): string[] {
    return this.order.map((s) => s.id);
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
    let page: Stored[];
    if (!since) page = this.order.slice(skip, skip + top);
    else {
      page = [];
      let matched = 0;
      for (const stored of this.order) {
        if (page.length >= top) break;
        if (stored.modifiedAt >= since && matched++ >= skip) page.push(stored);
      }
    }
    return new SandboxReply(
      200,
      page.map((s) => this.recordOf(s)),
    );
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
    const stored = { id, record, modifiedAt: at };
    this.byId.set(id, stored);
    this.order.splice(sortedIndex(this.order, id), 0, stored);
    return new SandboxReply(201, record, { Location: `/crm/v1/Companies(${companyId})/CustomerFull(${id})` });
  }

  /**
   * PUT …/CustomerFull({Id}) (the update path is our assumption): a full replace that must carry the Version
   * it read (409 otherwise). Merge pointers are the server's and cannot be written.
   */
  replace(id: string, body: Record<string, unknown>): SandboxReply {
    const stored = this.held(id);
    if (!stored) return new SandboxReply(404, { Message: 'Not Found' });
    if (typeof body.Id === 'string' && body.Id.toLowerCase() !== stored.id) {
      return new SandboxReply(400, { Message: 'The Id in the body does not match the Id in the URI.' });
    }
    if (body.Version !== stored.record.Version) {
      return new SandboxReply(409, { Message: 'Version conflict: the Customer was changed since it was read.' });
    }
    const methods = contactMethodsOf(stored.id, body.ContactMethods);
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
    const stored = this.held(id);
    if (!stored) throw new Error('unknown customer');
    Object.assign(stored.record, changes);
    this.touch(stored);
  }

  /** The loser is disabled and points at the survivor, which lists it in MergedCustomers. */
  merge(loserId: string, survivorId: string): void {
    const loser = this.held(loserId);
    const survivor = this.held(survivorId);
    if (!loser || !survivor) throw new Error('merge needs two known customers');
    loser.record.MergedIntoCustomerId = survivor.id;
    loser.record.Disabled = true;
    survivor.record.MergedCustomers = [...survivor.record.MergedCustomers, loser.id];
    [loser, survivor].forEach((s) => this.touch(s));
  }

  /** A modification time strictly after the previous one, so every change is seen by a later filter. */
  private stamp(): Date {
    this.lastStamp = Math.max(this.clock().getTime(), this.lastStamp + 1);
    return new Date(this.lastStamp);
  }

  private touch(stored: Held): void {
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
    const id = typeof m.Id === 'string' && GUID.test(m.Id) ? m.Id : randomUUID();
    methods.push(contactMethod(customerId, { id, category, type, value: m.Value, isDefault }));
  }
  return methods;
}

function sortedIndex(sorted: Stored[], id: string): number {
  let lo = 0;
  let hi = sorted.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (sorted[mid].id < id) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}
