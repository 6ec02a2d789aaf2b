import type { IsoDate } from './pos-types.js';

// Vendors that filter by wall-clock time want the store's, not ours: Flowhub takes store-local dates,
// Treez an ISO timestamp with the store's offset.

const formatters = new Map<string, Intl.DateTimeFormat>();

function partsIn(at: Date, timeZone: string): Record<string, number> {
  let format = formatters.get(timeZone);
  if (!format) {
    format = new Intl.DateTimeFormat('en-US', {
      timeZone,
      hourCycle: 'h23',
      year: 'numeric',
      month: '2-digit',
      day: '2-digit',
      hour: '2-digit',
      minute: '2-digit',
      second: '2-digit',
    });
    formatters.set(timeZone, format);
  }
  const parts: Record<string, number> = {};
  for (const p of format.formatToParts(at)) if (p.type !== 'literal') parts[p.type] = Number(p.value);
  return parts;
}

const pad = (n: number, width = 2) => String(Math.abs(n)).padStart(width, '0');

/** The store's calendar date at `at`, 'YYYY-MM-DD'. */
export function localDate(at: Date, timeZone: string): IsoDate {
  const p = partsIn(at, timeZone);
  return `${pad(p.year, 4)}-${pad(p.month)}-${pad(p.day)}`;
}

/** `at` as the store's wall clock with its offset: 'yyyy-MM-ddTHH:mm:ss.SSS±HH:MM' (Treez's format). */
export function isoWithOffset(at: Date, timeZone: string): string {
  const p = partsIn(at, timeZone);
  const ms = at.getUTCMilliseconds();
  const wall = Date.UTC(p.year, p.month - 1, p.day, p.hour, p.minute, p.second, ms);
  const offset = Math.round((wall - at.getTime()) / 60_000);
  const sign = offset < 0 ? '-' : '+';
  const date = `${pad(p.year, 4)}-${pad(p.month)}-${pad(p.day)}`;
  const time = `${pad(p.hour)}:${pad(p.minute)}:${pad(p.second)}.${pad(ms, 3)}`;
  return `${date}T${time}${sign}${pad(Math.trunc(offset / 60))}:${pad(offset % 60)}`;
}
