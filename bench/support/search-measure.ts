// Timing helpers for bench/search: a fixed number of workers pulling from one queue (fixed concurrency),
// and percentiles over the measured latencies.
export interface Timed<R> {
  ms: number;
  result: R;
}

export async function atConcurrency<T, R>(
  items: readonly T[],
  concurrency: number,
  work: (item: T) => Promise<R>,
): Promise<Array<Timed<R>>> {
  const out = new Array<Timed<R>>(items.length);
  let next = 0;
  const worker = async () => {
    while (next < items.length) {
      const i = next++;
      const started = performance.now();
      const result = await work(items[i]);
      out[i] = { ms: performance.now() - started, result };
    }
  };
  await Promise.all(Array.from({ length: Math.min(concurrency, items.length) }, worker));
  return out;
}

export function percentile(values: number[], p: number): number {
  if (values.length === 0) return NaN;
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil(p * sorted.length) - 1))];
}

export interface Summary {
  p50: number;
  p95: number;
  p99: number;
}

export const summarise = (ms: number[]): Summary => ({
  p50: percentile(ms, 0.5),
  p95: percentile(ms, 0.95),
  p99: percentile(ms, 0.99),
});
