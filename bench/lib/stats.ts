/** Medians and spreads of repeated measurements. A shared machine is noisy: runs are interleaved and every
 * figure is read as a ratio to a baseline measured in the same rounds. */

export interface Figure {
  median: number;
  min: number;
  max: number;
  /** (max - min) / median, in percent. */
  spreadPct: number;
  values: number[];
}

export function figure(values: readonly number[]): Figure {
  if (values.length === 0) throw new Error('no measurements');
  const sorted = [...values].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  const median = sorted.length % 2 === 1 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
  const min = sorted[0]!;
  const max = sorted.at(-1)!;
  return { median, min, max, spreadPct: median === 0 ? 0 : ((max - min) / median) * 100, values: [...values] };
}

export interface RoundOptions {
  /** Rounds thrown away first (JIT, connections, caches). @default 1 */
  warmUp?: number;
  /** Measured rounds. @default BENCH_RUNS, else 5 */
  runs?: number;
}

export const DEFAULT_RUNS = Math.max(5, Number(process.env.BENCH_RUNS) || 5);

/**
 * Runs every case once per round, in the same order each round, and returns each case's measured values.
 * Interleaving puts a noisy moment of the machine on every case alike, not on one of them.
 */
export async function rounds<K extends string>(
  cases: Record<K, () => Promise<number>>,
  options: RoundOptions = {},
): Promise<Record<K, number[]>> {
  const warmUp = options.warmUp ?? 1;
  const runs = options.runs ?? DEFAULT_RUNS;
  const out = Object.fromEntries(Object.keys(cases).map((k) => [k, [] as number[]])) as Record<K, number[]>;
  for (let round = 0; round < warmUp + runs; round++) {
    for (const [name, run] of Object.entries(cases) as Array<[K, () => Promise<number>]>) {
      const value = await run();
      if (round >= warmUp) out[name].push(value);
    }
  }
  return out;
}

/** Milliseconds `work` takes. */
export async function timed(work: () => Promise<unknown>): Promise<number> {
  const start = performance.now();
  await work();
  return performance.now() - start;
}
