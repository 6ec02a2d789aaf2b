import { asciiFold } from './search-people.js';
import type { Random } from './search-random.js';

// How a name gets typed at a busy counter: sometimes last name first, often without accents or capitals,
// with typos of the four classic kinds — an extra letter, a missing one, a wrong one (usually a neighbour
// on the keyboard) and two letters swapped.
const KEYBOARD = ['qwertyuiop', 'asdfghjkl', 'zxcvbnm'];
const NEIGHBOURS: Record<string, string> = {};
KEYBOARD.forEach((row, r) => {
  [...row].forEach((key, c) => {
    const near = [row[c - 1], row[c + 1], KEYBOARD[r - 1]?.[c], KEYBOARD[r - 1]?.[c + 1], KEYBOARD[r + 1]?.[c]];
    NEIGHBOURS[key] = near.filter(Boolean).join('');
  });
});

export type TypoKind = 'insert' | 'delete' | 'substitute' | 'transpose';
export const TYPO_KINDS: TypoKind[] = ['insert', 'delete', 'substitute', 'transpose'];

const isLetter = (ch: string) => /\p{L}/u.test(ch);

function nearbyLetter(random: Random, ch: string): string {
  const near = NEIGHBOURS[asciiFold(ch).toLowerCase()];
  return near && random.chance(0.8) ? random.pick([...near]) : random.pick([...'abcdefghijklmnopqrstuvwxyz']);
}

/** One typo of the given kind at a random letter; the word it hits keeps at least two letters. */
export function applyTypo(random: Random, text: string, kind: TypoKind): string {
  const chars = [...text];
  const letters = chars.map((ch, i) => (isLetter(ch) ? i : -1)).filter((i) => i >= 0);
  for (let attempt = 0; attempt < 20; attempt++) {
    const i = random.pick(letters);
    const out = [...chars];
    if (kind === 'insert') out.splice(i + (random.chance(0.5) ? 1 : 0), 0, nearbyLetter(random, chars[i]));
    else if (kind === 'substitute') out[i] = nearbyLetter(random, chars[i]);
    else if (kind === 'delete') {
      const word = wordAround(chars, i);
      if (word.length <= 2) continue;
      out.splice(i, 1);
    } else {
      if (!isLetter(chars[i + 1] ?? '') || chars[i].toLowerCase() === chars[i + 1].toLowerCase()) continue;
      [out[i], out[i + 1]] = [out[i + 1], out[i]];
    }
    const result = out.join('');
    if (result.toLowerCase() !== text.toLowerCase()) return result;
  }
  return text;
}

function wordAround(chars: string[], i: number): string {
  let start = i;
  let end = i;
  while (start > 0 && isLetter(chars[start - 1])) start--;
  while (end < chars.length - 1 && isLetter(chars[end + 1])) end++;
  return chars.slice(start, end + 1).join('');
}

export interface TypedName {
  query: string;
  typos: TypoKind[];
  swapped: boolean;
}

/** A name as typed: order, accents and case vary; `typos` typos (1 or 2) of random kinds are applied. */
export function typeName(random: Random, person: { firstName: string; lastName: string }, typos: number): TypedName {
  const swapped = random.chance(0.2);
  let query = swapped ? `${person.lastName} ${person.firstName}` : `${person.firstName} ${person.lastName}`;
  if (random.chance(0.6)) query = asciiFold(query);
  if (random.chance(0.7)) query = query.toLowerCase();
  const kinds: TypoKind[] = [];
  for (let n = 0; n < typos; n++) {
    const kind = random.pick(TYPO_KINDS);
    const next = applyTypo(random, query, kind);
    if (next !== query) kinds.push(kind);
    query = next;
  }
  return { query, typos: kinds, swapped };
}

/**
 * A name as a clerk types it before the list narrows: the first name and the start (3–5 letters) of the
 * last, the same the other way round, or the start of the last name alone (4–6 letters).
 */
export function typePrefix(random: Random, person: { firstName: string; lastName: string }): string {
  const first = asciiFold(person.firstName).toLowerCase();
  const last = asciiFold(person.lastName).toLowerCase();
  const start = (s: string, min: number) => s.slice(0, Math.min(s.length, min + random.int(3)));
  const r = random.next();
  if (r < 0.6) return `${first} ${start(last, 3)}`;
  if (r < 0.8) return `${last} ${start(first, 3)}`;
  return start(last, 4);
}
