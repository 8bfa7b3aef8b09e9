import type CliProgress from 'cli-progress';
import { createRequire } from 'node:module';
import type { SeedProgress } from '../index.js';

/**
 * A progress bar on stderr (rows, rows/s, ETA when the seed's size is known), for terminals only: in CI
 * the seeder logs a line per group of batches instead, which reads better in a log.
 */
export function terminalProgress(stream: NodeJS.WriteStream = process.stderr): SeedProgress | undefined {
  if (!stream.isTTY) return undefined;
  // Loaded here, on a terminal only: a seed in CI or a pipe never draws a bar, and need not pay its load
  // (~10 ms) at start-up. It is CommonJS, so a synchronous require keeps this function synchronous.
  const cliProgress = createRequire(import.meta.url)('cli-progress') as typeof CliProgress;
  let bar: CliProgress.SingleBar | undefined;
  let started = 0;
  return {
    start(seed, totalRows) {
      started = performance.now();
      const known = totalRows !== undefined;
      bar = new cliProgress.SingleBar(
        {
          stream,
          format: known
            ? `${seed.name} [{bar}] {value}/{total} rows | {rate} rows/s | ETA {eta_formatted}`
            : `${seed.name} {value} rows | {rate} rows/s`,
          hideCursor: true,
          clearOnComplete: false,
        },
        cliProgress.Presets.shades_classic,
      );
      bar.start(totalRows ?? 0, 0, { rate: 0 });
    },
    batch(rowsDone) {
      const seconds = (performance.now() - started) / 1000;
      bar?.update(rowsDone, { rate: seconds > 0 ? Math.round(rowsDone / seconds) : 0 });
    },
    end() {
      bar?.stop();
      bar = undefined;
    },
  };
}
