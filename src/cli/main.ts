#!/usr/bin/env node
/**
 * The `cratedb-migrate` command. The only place that sets the exit code: 0 ok, 1 failure, 2 bad usage or
 * config, 3 drift or a failed/interrupted migration found. It loads the parser and the catalog of
 * commands only; a command's code (and with it the client, config loader and logger) is imported when it
 * runs, so that `--help` and `--version` start as fast as node itself.
 */
import { readFileSync } from 'node:fs';
import { setFlagsFromString } from 'node:v8';
import { CrateMigrateError, ExitCode, MigrationError, SeedError } from '../errors.js';
import { helpText } from './help.js';
import { print, printJson } from './output.js';
import { parseCommandLine } from './parse.js';

async function main(argv: string[]): Promise<number> {
  // A reader that stops early (`cratedb-migrate status | head -1`) closes the pipe: the rest of the output
  // is not wanted, and the command's outcome and exit code stand. Any other stdout error still crashes.
  process.stdout.on('error', (error: NodeJS.ErrnoException) => {
    if (error.code !== 'EPIPE') throw error;
  });
  const json = argv.includes('--json');
  // First Ctrl-C: stop between two statements and record the migration as failed ("aborted"), because
  // CrateDB cannot undo what already ran. A second one leaves at once.
  const abort = new AbortController();
  const onSignal = () => {
    if (abort.signal.aborted) process.exit(130);
    process.stderr.write('\nStopping after the current statement (Ctrl-C again to quit at once)...\n');
    abort.abort();
  };
  try {
    const line = parseCommandLine(argv);
    if (line.kind === 'version') {
      print(packageVersion());
      return ExitCode.ok;
    }
    if (line.kind === 'help') {
      print(helpText(line.command));
      return ExitCode.ok;
    }
    process.on('SIGINT', onSignal);
    process.on('SIGTERM', onSignal);
    tierUpOnlyHotWasm();
    if (line.command.streamsRows) keepHeapSmall();
    const run = await line.command.load();
    return await run(line.args, abort.signal);
  } catch (error) {
    return reportError(error, json);
  } finally {
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
  }
}

/** V8's default budget for WebAssembly tier-up (flag `--wasm-tiering-budget`). */
const V8_WASM_TIERING_BUDGET = 1_800_000;

/**
 * undici parses HTTP with llhttp compiled to WebAssembly. With V8's default budget its parser is "hot"
 * after the first answer, and V8 recompiles its state machine (33 kB of wasm) with TurboFan on a
 * background thread, ~240 ms on this 2-core machine; node waits for that compilation before the process
 * exits, so every short command (`status`: 2 answers) ended with that much idle time. A budget 100 times
 * larger keeps a short command on the baseline (Liftoff) code; a long `up` or seed still gets the
 * optimized parser, after some 20 to 200 answers (measured with --trace-wasm-compilation-times). Set
 * before the first connection compiles llhttp; the CLI process is ours, so no application's is changed.
 */
function tierUpOnlyHotWasm(): void {
  setFlagsFromString(`--wasm-tiering-budget=${100 * V8_WASM_TIERING_BUDGET}`);
}

/**
 * A long seed allocates fast (rows, their JSON, request and response buffers) but keeps little: the live heap
 * stays at 13-16 MB. With V8's defaults the young generation keeps doubling under that rate (up to 16 MB
 * semi-spaces), and the old space grows by up to 4x between full collections, so a 1,000,000-row seed peaked at
 * 164-178 MB of RSS for ~15 MB of live data. A young generation that does not grow brought it to 133-154 MB,
 * not safely under the 150 MB target; with the old space held to 2x growth between full collections, 124 MB
 * (`npm run bench -- rss`, 5 runs). Held to 25% (as before) it was 126 MB, but its extra full collections
 * cost CPU: 4.1 s against 3.6 s over those rows (2.6 s with no flag; one run each), 0.60-0.64 s against
 * 0.55-0.61 s for 100,000 rows (0.45-0.48 s with none), which a seed sharing the machine with CrateDB pays
 * in throughput. The GC reads both flags as it runs, so setting them here takes effect; like the wasm
 * budget, only in the CLI's own process. Only for a command that streams rows (`seed`; `streamsRows` in
 * catalog.ts): a short command allocates its start-up (~12 MB of modules) into the young generation, and at
 * its first size that took 21 scavenges instead of 10, ~10 ms of `status`. Set here, before the command's
 * modules load: a young generation frozen later, at 4 or 8 MB, peaked higher (docs/performance.md).
 */
function keepHeapSmall(): void {
  setFlagsFromString('--semi-space-growth-factor=1');
  setFlagsFromString('--heap-growing-percent=100');
}

function packageVersion(): string {
  // src/cli/main.ts and dist/cli/main.js both sit two folders below package.json.
  return (JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as { version: string }).version;
}

/** Prints what went wrong (and the partial result of a failed run) and returns the exit code. */
async function reportError(error: unknown, json: boolean): Promise<number> {
  const known = error instanceof CrateMigrateError;
  const exitCode = known ? error.exitCode : ExitCode.failure;
  const message = error instanceof Error ? error.message : String(error);
  const result = error instanceof MigrationError || error instanceof SeedError ? error.result : undefined;
  if (json) {
    printJson({ error: { code: known ? error.code : 'CM_INTERNAL', message, ...(crateFields(error)) }, ...(result ? { result } : {}) });
  } else {
    if (error instanceof SeedError) {
      const { seedSummary } = await import('./commands/seed.js');
      print(seedSummary(error.result as Parameters<typeof seedSummary>[0]));
    }
    process.stderr.write(`error: ${message}\n`);
    if (!known && error instanceof Error && error.stack) process.stderr.write(`${error.stack}\n`);
  }
  return exitCode;
}

function crateFields(error: unknown): Record<string, unknown> {
  if (!(error instanceof Error)) return {};
  const { crateCode, httpStatus, server, keyPath, file, line } = error as unknown as Record<string, unknown>;
  return Object.fromEntries(Object.entries({ crateCode, httpStatus, server, keyPath, file, line }).filter(([, v]) => v !== undefined));
}

main(process.argv.slice(2)).then(
  (code) => {
    process.exitCode = code;
  },
  (error: unknown) => {
    process.stderr.write(`error: ${error instanceof Error ? error.stack : String(error)}\n`);
    process.exitCode = ExitCode.failure;
  },
);
