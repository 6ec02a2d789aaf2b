import type { StagedColumn, StagedRow } from './import-staging.js';

// Rows of one batch that share an identifier (external id, licence, medical card, email, phone; or, for
// rows with none, the same names and birthday) are one person: they collapse into one staged row, later
// cells winning, tags added up. Across batches the database match does the same job.

/**
 * One staged row per person. A row folded into an earlier one is tallied on it (`folded_updated` when it
 * brought something new within the batch, else `folded_unchanged`); the database outcome of the person
 * decides how those rows count (an unchanged person's rows are all unchanged).
 */
export interface CollapsedBatch {
  rows: StagedRow[];
  /**
   * What the batch may match or create, so that two batches written side by side never race for one
   * person: every identifier of its rows. Rows with no identifier all share one key ('n:'): their names
   * are compared folded by PostgreSQL, whose folding this process does not reproduce exactly.
   */
  identifiers: Set<string>;
}

const fold = (value: string | number | boolean | null) =>
  typeof value === 'string' ? value.normalize('NFD').replace(/\p{M}/gu, '').toLowerCase() : '';

function keysOf(row: StagedRow): string[] {
  const keys: string[] = [];
  if (row.external_id !== null) keys.push(`x:${row.external_provider}:${row.external_id}`);
  if (row.drivers_license_bidx !== null) keys.push(`d:${row.drivers_license_bidx}`);
  if (row.medical_card_bidx !== null) keys.push(`m:${row.medical_card_bidx}`);
  if (row.email !== null) keys.push(`e:${row.email}`);
  if (row.phone !== null) keys.push(`p:${row.phone}`);
  if (keys.length === 0) keys.push(`n:${fold(row.first_name)}|${fold(row.last_name)}|${row.birthday ?? ''}`);
  return keys;
}

// An identity number's columns travel together: a later licence replaces the whole licence.
const IDENTITY_GROUPS: StagedColumn[][] = [
  ['drivers_license_ciphertext', 'drivers_license_bidx', 'drivers_license_last4'],
  ['medical_card_ciphertext', 'medical_card_bidx', 'medical_card_last4'],
];
const GROUPED = new Set(IDENTITY_GROUPS.flat());

/** Folds `next` into `into`; answers whether anything changed. */
function foldInto(into: StagedRow, next: StagedRow): boolean {
  let changed = false;
  for (const column of Object.keys(next) as StagedColumn[]) {
    if (column === 'row_no' || column.startsWith('folded_') || GROUPED.has(column) || column === 'tags') continue;
    const value = next[column];
    if (value !== null && value !== into[column]) {
      into[column] = value;
      changed = true;
    }
  }
  for (const group of IDENTITY_GROUPS) {
    const bidx = group[1]!;
    if (next[bidx] !== null && next[bidx] !== into[bidx]) {
      for (const column of group) into[column] = next[column];
      changed = true;
    }
  }
  if (next.tags !== null) {
    const have = String(into.tags ?? '')
      .split('|')
      .filter(Boolean);
    const known = new Set(have.map((t) => t.toLowerCase()));
    const added = String(next.tags)
      .split('|')
      .filter((t) => !known.has(t.toLowerCase()) && Boolean(known.add(t.toLowerCase())));
    if (added.length > 0) {
      into.tags = [...have, ...added].join('|');
      changed = true;
    }
  }
  into.row_no = next.row_no;
  return changed;
}

/** Rows in file order → one staged row per person in the batch. */
export function collapseBatch(rows: readonly StagedRow[]): CollapsedBatch {
  const owner = new Map<string, StagedRow>();
  const out: StagedRow[] = [];
  for (const row of rows) {
    const keys = keysOf(row);
    const target = keys.map((k) => owner.get(k)).find((r) => r !== undefined);
    if (!target) {
      const copy = { ...row, folded_updated: 0, folded_unchanged: 0 };
      out.push(copy);
      for (const k of keys) owner.set(k, copy);
      continue;
    }
    if (foldInto(target, row)) target.folded_updated = Number(target.folded_updated) + 1;
    else target.folded_unchanged = Number(target.folded_unchanged) + 1;
    for (const k of keysOf(target)) owner.set(k, target);
  }
  const identifiers = new Set<string>();
  for (const key of owner.keys()) identifiers.add(key.startsWith('n:') ? 'n:' : key);
  return { rows: out, identifiers };
}

export function shareIdentifier(a: ReadonlySet<string>, b: ReadonlySet<string>): boolean {
  const [small, large] = a.size <= b.size ? [a, b] : [b, a];
  for (const key of small) if (large.has(key)) return true;
  return false;
}
