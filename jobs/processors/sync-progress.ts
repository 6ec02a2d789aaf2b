/**
 * The percentage Bull Board draws for a running sync. Vendors do not say how many records a listing
 * holds, so after each page it moves half-way closer to 99 than a fixed stride would: monotonic, never
 * 100 before the run finishes (the processor reports 100 then). The counts themselves live in the
 * customer_syncs row.
 */
export function syncProgress(pagesDone: number): number {
  if (pagesDone <= 0) return 0;
  return Math.min(99, Math.round((100 * pagesDone) / (pagesDone + 4)));
}
