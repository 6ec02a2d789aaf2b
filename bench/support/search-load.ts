import { createHash } from 'node:crypto';
import pg from 'pg';
import { blindIndex, encryptField, lastFour } from '../../db/crypto/field-encryption.js';
import { normaliseName } from '../../db/customers/customer-normalise.js';
import { copyFrom, copyValue } from './search-copy.js';
import { personAt } from './search-people.js';

// Loading a million customers for bench/search: rows are generated on the fly (personAt is
// deterministic, so a query target can be regenerated from its index) and streamed with COPY, with the
// secondary indexes of `customers` dropped during the load and rebuilt after it, as one would for a
// bulk import.

/** A stable random-looking UUID (v4 layout) for the customer number `index`. */
export function customerId(seed: number, index: number): string {
  const h = createHash('md5').update(`${seed}:${index}`).digest('hex');
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-4${h.slice(13, 16)}-${'89ab'[parseInt(h[16], 16) % 4]}${h.slice(17, 20)}-${h.slice(20, 32)}`;
}

/** Most customers are active; a few inactive or deleted, so the default status filter has work to do. */
export function customerStatus(index: number): 'active' | 'inactive' | 'deleted' {
  if (index % 101 === 3) return 'deleted';
  if (index % 40 === 7) return 'inactive';
  return 'active';
}

const COLUMNS = [
  'id',
  'organization_id',
  'store_id',
  'first_name',
  'last_name',
  'email',
  'phone',
  'birthday',
  'drivers_license_ciphertext',
  'drivers_license_bidx',
  'drivers_license_last4',
  'medical_card_ciphertext',
  'medical_card_bidx',
  'medical_card_last4',
  'status',
  'created_at',
  'updated_at',
];
const EPOCH = Date.parse('2024-01-01T00:00:00Z');

async function* rows(seed: number, orgId: string, storeIds: string[], count: number): AsyncIterable<string> {
  let chunk: string[] = [];
  for (let i = 0; i < count; i++) {
    const p = personAt(seed, i);
    const at = new Date(EPOCH + i * 30_000).toISOString();
    chunk.push(
      [
        customerId(seed, i),
        orgId,
        storeIds[i % storeIds.length],
        normaliseName(p.firstName),
        normaliseName(p.lastName),
        p.email,
        p.phone,
        p.birthday,
        encryptField(p.driversLicense),
        blindIndex('drivers_license', p.driversLicense),
        lastFour(p.driversLicense),
        p.medicalCard ? encryptField(p.medicalCard) : null,
        p.medicalCard ? blindIndex('medical_card', p.medicalCard) : null,
        p.medicalCard ? lastFour(p.medicalCard) : null,
        customerStatus(i),
        at,
        at,
      ]
        .map(copyValue)
        .join('\t'),
    );
    if (chunk.length === 2000) {
      yield chunk.join('\n') + '\n';
      chunk = [];
    }
  }
  if (chunk.length > 0) yield chunk.join('\n') + '\n';
}

export interface IndexDefinition {
  name: string;
  definition: string;
}

/** Drops every secondary index of `customers` (not the primary key) and returns their definitions. */
export async function dropCustomerIndexes(client: pg.Client): Promise<IndexDefinition[]> {
  const { rows: found } = await client.query<{ indexname: string; indexdef: string }>(
    `select indexname, indexdef from pg_indexes
      where schemaname = 'public' and tablename = 'customers'
        and indexname not in (select conname from pg_constraint where conrelid = 'customers'::regclass)`,
  );
  for (const index of found) await client.query(`drop index ${pg.escapeIdentifier(index.indexname)}`);
  return found.map((i) => ({ name: i.indexname, definition: i.indexdef }));
}

export async function loadCustomers(
  client: pg.Client,
  options: { seed: number; orgId: string; storeIds: string[]; count: number },
): Promise<number> {
  return copyFrom(client, 'customers', COLUMNS, rows(options.seed, options.orgId, options.storeIds, options.count));
}

/** Rebuilds the dropped indexes one by one, returning how long each took. */
export async function rebuildIndexes(client: pg.Client, indexes: IndexDefinition[]) {
  await client.query(`set maintenance_work_mem = '512MB'`);
  const timings: Array<{ name: string; seconds: number }> = [];
  for (const index of indexes) {
    const started = performance.now();
    await client.query(index.definition);
    timings.push({ name: index.name, seconds: (performance.now() - started) / 1000 });
  }
  return timings;
}
