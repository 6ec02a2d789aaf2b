import { customerId, customerStatus } from './search-load.js';
import { personAt, type Person } from './search-people.js';
import { seededRandom, type Random } from './search-random.js';
import { typeName, typePrefix } from './search-typos.js';

// The query sets of bench/search: each query is typed for one known customer (its "intended" answer)
// in that customer's store, the way it would be typed at the counter.
export interface BenchQuery {
  q: string;
  storeIndex: number;
  intendedId: string;
}

export const QUERY_SETS = [
  'name, 1 typo',
  'name prefix',
  'phone, mixed formats',
  'email',
  'licence',
  'date of birth',
] as const;
export type QuerySet = (typeof QUERY_SETS)[number];
/** Sets that go to a btree index by identifier (goal p95 ≤ 3 ms); the others are name searches (≤ 20 ms). */
export const IDENTIFIER_SETS: ReadonlySet<QuerySet> = new Set([
  'phone, mixed formats',
  'email',
  'licence',
  'date of birth',
]);

function phoneAsTyped(random: Random, e164: string): string {
  const [a, e, l] = [e164.slice(2, 5), e164.slice(5, 8), e164.slice(8)];
  return random.pick([
    `+1 (${a}) ${e}-${l}`,
    `${a}.${e}.${l}`,
    `${a}${e}${l}`,
    `(${a}) ${e} ${l}`,
    `${a}-${e}-${l}`,
    e164,
  ]);
}

function emailAsTyped(random: Random, email: string): string {
  return random.chance(0.3)
    ? email.toUpperCase()
    : random.chance(0.3)
      ? email[0].toUpperCase() + email.slice(1)
      : email;
}

function licenceAsTyped(random: Random, number: string): string {
  const r = random.next();
  if (r < 0.4) return number;
  if (r < 0.6) return number.toLowerCase();
  if (r < 0.8) return `${number.slice(0, 3)}-${number.slice(3)}`;
  return `${number.slice(0, 1)} ${number.slice(1, 4)} ${number.slice(4)}`;
}

function birthdayAsTyped(random: Random, iso: string): string {
  const [y, m, d] = iso.split('-');
  return random.pick([iso, `${m}/${d}/${y}`, `${d}.${m}.${y}`]);
}

const TYPED: Record<QuerySet, (random: Random, p: Person) => string> = {
  'name, 1 typo': (random, p) => typeName(random, p, 1).query,
  'name prefix': (random, p) => typePrefix(random, p),
  'phone, mixed formats': (random, p) => phoneAsTyped(random, p.phone),
  email: (random, p) => emailAsTyped(random, p.email),
  licence: (random, p) => licenceAsTyped(random, p.driversLicense),
  'date of birth': (random, p) => birthdayAsTyped(random, p.birthday),
};

export function buildQuerySets(seed: number, customers: number, stores: number, perSet: number) {
  const random = seededRandom(seed ^ 0x5eed);
  const sets = new Map<QuerySet, BenchQuery[]>();
  for (const set of QUERY_SETS) {
    const queries: BenchQuery[] = [];
    while (queries.length < perSet) {
      const index = random.int(customers);
      if (customerStatus(index) === 'deleted') continue;
      const person = personAt(seed, index);
      queries.push({ q: TYPED[set](random, person), storeIndex: index % stores, intendedId: customerId(seed, index) });
    }
    sets.set(set, queries);
  }
  return sets;
}
