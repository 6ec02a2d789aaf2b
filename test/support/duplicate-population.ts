import { normalisePhone } from '../../db/customers/customer-normalise.js';
import type { CustomerSeed } from './customer-fixtures.js';

// A seeded, labelled population for the duplicate-quality test: realistic names (accents, common
// surnames), households sharing a phone or an email, twins, fathers and sons with one name, strangers
// sharing a birthday or a name, and injected true duplicates (typos, swapped names, accents dropped,
// email case, phone formats). Same seed, same population.

/** mulberry32: small, fast, deterministic. */
export function prng(seed: number) {
  let a = seed >>> 0;
  const next = () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  const int = (min: number, max: number) => min + Math.floor(next() * (max - min + 1));
  const pick = <T>(items: readonly T[]): T => items[Math.floor(next() * items.length)]!;
  const chance = (p: number) => next() < p;
  return { next, int, pick, chance };
}
type Rng = ReturnType<typeof prng>;

const FIRST = `James Mary Robert Patricia John Jennifer Michael Linda David Elizabeth William Barbara Richard Susan
Joseph Jessica Thomas Sarah Christopher Karen Charles Lisa Daniel Nancy Matthew Betty Anthony Sandra Mark Ashley
Donald Emily Steven Kimberly Andrew Donna Paul Michelle Joshua Carol Kenneth Amanda Kevin Melissa Brian Deborah
George Stephanie Timothy Rebecca Ronald Sharon Jason Laura Edward Cynthia Jeffrey Amy Ryan Kathleen Jacob Angela
Gary Shirley Nicholas Brenda Eric Emma Jonathan Anna Stephen Pamela Larry Nicole Justin Samantha Scott Katherine
Brandon Christine Benjamin Helen Samuel Debra Gregory Rachel Alexander Carolyn Patrick Janet Frank Maria Raymond
Olivia Jack Heather Dennis Diane Jerry Julie Tyler Joyce Aaron Victoria José María Jesús Lucía Sofía Mateo Martín
Valentina Camila Andrés Ramón Inés Raúl Verónica Renée Chloé Zoë François Hélène Amélie Benoît Jérôme Noémie
Björn Jürgen Søren Åsa Łukasz Małgorzata Zoltán Siobhán Seán Ciarán Dagný Thảo Minh Huỳnh Anh Priya Arjun Aisha
Omar Fatima Yusuf Mei Wei Hiroshi Yuki Kenji Chen Ngozi Chidi Kwame Ama Leilani Keanu Ana Ann Jon Ian Eva Ivy Lee`
  .split(/\s+/)
  .filter(Boolean);

const LAST = `Smith Johnson Williams Brown Jones García Miller Davis Rodríguez Martínez Hernández López González Wilson
Anderson Thomas Taylor Moore Jackson Martin Lee Pérez Thompson White Harris Sánchez Clark Ramírez Lewis Robinson
Walker Young Allen King Wright Scott Torres Nguyen Hill Flores Green Adams Nelson Baker Hall Rivera Campbell
Mitchell Carter Roberts Gómez Phillips Evans Turner Díaz Parker Cruz Edwards Collins Reyes Stewart Morris Morales
Murphy Cook Rogers Gutiérrez Ortiz Morgan Cooper Peterson Bailey Reed Kelly Howard Ramos Kim Cox Ward Richardson
Watson Brooks Chávez Wood James Bennett Gray Mendoza Ruiz Hughes Price Álvarez Castillo Sanders Patel Myers Long
Ross Foster Jiménez Powell Jenkins Perry Russell Sullivan Bell Coleman Butler Henderson Barnes Fisher Vásquez
Simmons Romero Jordan Patterson Alexander Hamilton Graham Reynolds Griffin Wallace Moreno West Cole Hayes Bryant
Herrera Gibson Ellis Tran Medina Aguilar Stevens Murray Ford Castro Marshall Owens Harrison Fernández McDonald
Woods Washington Kennedy Wells Vargas Henry Chen Freeman Webb Tucker Guzmán Burns Crawford Olson Simpson Porter
Hunter Gordon Mendez Silva Shaw Snyder Mason Dixon Muñoz Hunt Hicks Holmes Palmer Wagner Black Robertson Boyd Rose
Müller Schäfer Schröder Köhler Weiß Kowalski Nowak Wiśniewski Wójcik Dubois Lefèvre Côté Bélanger Gagné Lévesque
O'Brien O'Connor MacLeod Ó Súilleabháin Johansson Sørensen Ångström Järvinen Nieminen Yılmaz Şahin Öztürk
Đặng Phạm Hoàng Võ Trần Lê Nakamura Tanaka Suzuki Wang Zhang Liu Okafor Mensah Kahananui Dvořák Novák Horváth`
  .split(/\s+/)
  .filter(Boolean);

/** Given names people shorten when they sign up again. */
const NICKNAMES: Record<string, string> = {
  William: 'Bill',
  Robert: 'Bob',
  Elizabeth: 'Liz',
  Katherine: 'Kate',
  Michael: 'Mike',
  James: 'Jim',
  Jennifer: 'Jen',
  Christopher: 'Chris',
  Patricia: 'Pat',
  Anthony: 'Tony',
  Margaret: 'Peggy',
  Richard: 'Rick',
  Joseph: 'Joe',
  Thomas: 'Tom',
  Daniel: 'Dan',
  Matthew: 'Matt',
  Stephanie: 'Steph',
  Alexander: 'Alex',
  Samantha: 'Sam',
  Nicholas: 'Nick',
  Benjamin: 'Ben',
  Victoria: 'Vicky',
  Rebecca: 'Becky',
  Francisco: 'Paco',
};

const DOMAINS = ['gmail.com', 'yahoo.com', 'outlook.com', 'icloud.com', 'example.test'];
const AREA_CODES = ['415', '510', '650', '408', '212', '312', '213', '617', '206', '303', '720', '602'];
const KEYBOARD = 'qwertyuiopasdfghjklzxcvbnm';

/** Surnames are skewed (a few are very common), as in a real customer base. */
function skewedPick<T>(rng: Rng, items: readonly T[]): T {
  return items[Math.floor(Math.pow(rng.next(), 1.8) * items.length)]!;
}

const ascii = (s: string) =>
  s
    .normalize('NFD')
    .replace(/\p{M}/gu, '')
    .replace(/[^A-Za-z]/g, '')
    .toLowerCase();

function birthday(rng: Rng): string {
  const day = new Date(Date.UTC(1940, 0, 1) + rng.int(0, 66 * 365) * 86_400_000);
  return day.toISOString().slice(0, 10);
}

function phone(rng: Rng): string {
  for (;;) {
    const raw = `${rng.pick(AREA_CODES)}${rng.int(201, 989)}${String(rng.int(0, 9999)).padStart(4, '0')}`;
    if (raw.slice(3, 6) === '555') continue;
    if ('value' in normalisePhone(raw, 'US')) return raw;
  }
}

/** The same number as another person would type it. */
function reformatPhone(rng: Rng, digits: string): string {
  const [a, b, c] = [digits.slice(0, 3), digits.slice(3, 6), digits.slice(6)];
  return rng.pick([`(${a}) ${b}-${c}`, `${a}.${b}.${c}`, `+1 ${a} ${b} ${c}`, `1-${a}-${b}-${c}`, `${a}${b}${c}`]);
}

/** One typo of a kind people make: a neighbouring key, a dropped or doubled letter, two letters swapped. */
export function typo(rng: Rng, word: string): string {
  if (word.length < 3) return word + rng.pick(KEYBOARD.split(''));
  const i = rng.int(1, word.length - 2);
  switch (rng.int(0, 3)) {
    case 0:
      return word.slice(0, i) + rng.pick(KEYBOARD.split('')) + word.slice(i + 1);
    case 1:
      return word.slice(0, i) + word.slice(i + 1);
    case 2:
      return word.slice(0, i) + word[i] + word.slice(i);
    default:
      return word.slice(0, i - 1) + word[i] + word[i - 1] + word.slice(i + 1);
  }
}

/** A birthday as a slip of the keyboard changes it: day and month swapped, or one digit. */
function birthdayTypo(rng: Rng, day: string): string {
  const [y, m, d] = day.split('-');
  if (Number(d) <= 12 && d !== m && rng.chance(0.5)) return `${y}-${d}-${m}`;
  for (;;) {
    const i = rng.pick([2, 3, 6, 8, 9]);
    const typed = day.slice(0, i) + String(rng.int(0, 9)) + day.slice(i + 1);
    const parsed = new Date(`${typed}T00:00:00Z`);
    if (typed !== day && !Number.isNaN(parsed.getTime()) && parsed.toISOString().startsWith(typed)) return typed;
  }
}

const dropAccents = (s: string) => s.normalize('NFD').replace(/\p{M}/gu, '').normalize('NFC');

export type Relation = 'household' | 'twins' | 'junior' | 'same-name' | 'same-birthday';
interface Person extends Omit<CustomerSeed, 'orgId' | 'storeId'> {
  key: number;
}

export interface Population {
  people: Person[];
  /** Keys of the true duplicate pairs, as `lowKey:highKey`. */
  truth: Set<string>;
  /** Why two different people look alike (hard negatives), by pair key. */
  lookalikes: Map<string, Relation>;
  /** How each true duplicate was made, by pair key. */
  variants: Map<string, string>;
}

export const pairKey = (a: number, b: number) => (a < b ? `${a}:${b}` : `${b}:${a}`);

export function generatePopulation(seed: number, size: number, duplicates: number): Population {
  const rng = prng(seed);
  const people: Person[] = [];
  const lookalikes = new Map<string, Relation>();
  const add = (p: Omit<Person, 'key'>) => {
    const person = { ...p, key: people.length };
    people.push(person);
    return person;
  };
  // An address belongs to one person (households share one on purpose, below).
  const emails = new Set<string>();
  const email = (first: string, last: string) => {
    for (;;) {
      const e = `${ascii(first)}${rng.pick(['.', '', '_'])}${ascii(last)}${rng.chance(0.5) ? rng.int(1, 99) : ''}@${rng.pick(DOMAINS)}`;
      if (!emails.has(e)) return emails.add(e) && e;
    }
  };
  const contact = (first: string, last: string) => ({
    email: rng.chance(0.75) ? email(first, last) : undefined,
    phone: rng.chance(0.8) ? phone(rng) : undefined,
    driversLicense: rng.chance(0.6)
      ? `${rng.pick('ABCDEFGHJKLMNPRSTUVWXYZ'.split(''))}${rng.int(1_000_000, 9_999_999)}`
      : undefined,
    medicalCard: rng.chance(0.25) ? `MC${rng.int(10_000_000, 99_999_999)}` : undefined,
  });
  const person = (last = skewedPick(rng, LAST)) => {
    const first = rng.pick(FIRST);
    return add({
      firstName: first,
      lastName: last,
      birthday: rng.chance(0.95) ? birthday(rng) : undefined,
      ...contact(first, last),
    });
  };

  while (people.length < size) {
    if (!rng.chance(0.2)) {
      person();
      continue;
    }
    // A household: one family name, a shared home phone, sometimes one shared email.
    const last = skewedPick(rng, LAST);
    const home = phone(rng);
    const sharedEmail = rng.chance(0.2) ? `the${ascii(last)}family@${rng.pick(DOMAINS)}` : undefined;
    const members: Person[] = [];
    for (let i = rng.int(2, 4); i > 0; i--) {
      const m = person(last);
      if (rng.chance(0.7)) m.phone = home;
      if (sharedEmail && rng.chance(0.7)) m.email = sharedEmail;
      members.push(m);
    }
    if (rng.chance(0.08)) {
      const twin = person(last);
      Object.assign(twin, { birthday: members[0]!.birthday ?? birthday(rng), phone: home });
      while (twin.firstName === members[0]!.firstName) twin.firstName = rng.pick(FIRST);
      lookalikes.set(pairKey(members[0]!.key, twin.key), 'twins');
      members.push(twin);
    }
    if (rng.chance(0.06)) {
      const junior = person(last);
      Object.assign(junior, { firstName: members[0]!.firstName, phone: home });
      lookalikes.set(pairKey(members[0]!.key, junior.key), 'junior');
      members.push(junior);
    }
    for (const a of members)
      for (const b of members)
        if (a.key < b.key && !lookalikes.has(pairKey(a.key, b.key))) lookalikes.set(pairKey(a.key, b.key), 'household');
  }

  // Strangers that look alike: one name and another birthday; one birthday and another name.
  const originals = people.length;
  for (let i = 0; i < size / 40; i++) {
    const model = people[rng.int(0, originals - 1)]!;
    const twinName = add({
      firstName: model.firstName,
      lastName: model.lastName,
      birthday: birthday(rng),
      ...contact(model.firstName, model.lastName),
    });
    lookalikes.set(pairKey(model.key, twinName.key), 'same-name');
    const other = people[rng.int(0, originals - 1)]!;
    const sameDay = person();
    sameDay.birthday = other.birthday ?? birthday(rng);
    lookalikes.set(pairKey(other.key, sameDay.key), 'same-birthday');
  }

  // True duplicates: the same person entered again, the way people re-enter themselves.
  const truth = new Set<string>();
  const variants = new Map<string, string>();
  const used = new Set<number>();
  while (truth.size < duplicates) {
    const original = people[rng.int(0, originals - 1)]!;
    if (used.has(original.key)) continue;
    used.add(original.key);
    let first = original.firstName;
    let last = original.lastName;
    const kinds: string[] = [];
    const roll = rng.next();
    if (roll < 0.2) kinds.push('exact');
    else if (roll < 0.35) {
      [first, last] = [dropAccents(first).toUpperCase(), dropAccents(last).toLowerCase()];
      kinds.push('accents/case');
    } else if (roll < 0.6) {
      if (rng.chance(0.5)) first = typo(rng, first);
      else last = typo(rng, last);
      kinds.push('1 typo');
    } else if (roll < 0.72) {
      if (rng.chance(0.5)) [first, last] = [typo(rng, first), typo(rng, last)];
      else last = typo(rng, typo(rng, last));
      kinds.push('2 typos');
    } else if (roll < 0.9) {
      [first, last] = [last, first];
      kinds.push('swapped');
    } else if (roll < 0.95 || !NICKNAMES[first]) {
      [first, last] = [dropAccents(last), typo(rng, first)];
      kinds.push('swapped+typo');
    } else {
      first = NICKNAMES[first]!;
      kinds.push('nickname');
    }
    const dup: Omit<Person, 'key'> = { firstName: first, lastName: last, birthday: original.birthday };
    if (rng.chance(0.1)) {
      dup.birthday = undefined;
      kinds.push('no birthday');
    } else if (original.birthday && rng.chance(0.06)) {
      dup.birthday = birthdayTypo(rng, original.birthday);
      kinds.push('birthday typo');
    }
    const e = rng.next();
    if (original.email && e < 0.5) {
      dup.email = rng.chance(0.6) ? original.email.toUpperCase() : original.email;
      kinds.push('email');
    } else if (e < 0.65) dup.email = email(first, last);
    const p = rng.next();
    if (original.phone && p < 0.45) {
      dup.phone = reformatPhone(rng, original.phone);
      kinds.push('phone');
    } else if (p < 0.65) dup.phone = phone(rng);
    if (original.driversLicense && rng.chance(0.3)) {
      dup.driversLicense = original.driversLicense.toLowerCase().replace(/^(.)/, '$1-');
      kinds.push('licence');
    }
    // Nobody could find a duplicate that shares nothing; people re-entered at a counter show their ID,
    // so the birthday comes back when no identifier is shared.
    const sharesIdentifier = ['email', 'phone', 'licence'].some((k) => kinds.includes(k));
    if (!sharesIdentifier && !original.birthday) continue;
    if (!sharesIdentifier && dup.birthday !== original.birthday) {
      dup.birthday = original.birthday;
      kinds.splice(
        kinds.findIndex((k) => k.includes('birthday')),
        1,
      );
    }
    const copy = add(dup);
    truth.add(pairKey(original.key, copy.key));
    variants.set(pairKey(original.key, copy.key), kinds.join(', '));
  }
  for (const key of truth) lookalikes.delete(key);
  return { people, truth, lookalikes, variants };
}
