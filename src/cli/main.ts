#!/usr/bin/env node
/**
 * The `cratedb-migrate` command: yargs wiring over the public API. The only place that sets the exit code:
 * 0 ok, 1 failure, 2 bad usage or config, 3 drift or a failed/interrupted migration found.
 */
import yargs, { type Argv } from 'yargs';
import { hideBin } from 'yargs/helpers';
import { CrateMigrateError, ExitCode, MigrationError, SeedError, UsageError } from '../errors.js';
import type { SeedRunResult } from '../index.js';
import type { CliCommand } from './command.js';
import { createCommand, createSeedCommand } from './commands/create.js';
import { down, up } from './commands/migrate.js';
import { seedCommand, seedSummary } from './commands/seed.js';
import { repairCommand, statusCommand, validateCommand } from './commands/status.js';
import { globalOptions, type GlobalArgs } from './options.js';
import { print, printJson } from './output.js';

const COMMANDS: CliCommand<any>[] = [up, down, statusCommand, createCommand, validateCommand, repairCommand, seedCommand, createSeedCommand];

async function main(argv: string[]): Promise<number> {
  // First Ctrl-C: stop between two statements and record the migration as failed ("aborted"), because
  // CrateDB cannot undo what already ran. A second one leaves at once.
  const abort = new AbortController();
  const onSignal = () => {
    if (abort.signal.aborted) process.exit(130);
    process.stderr.write('\nStopping after the current statement (Ctrl-C again to quit at once)...\n');
    abort.abort();
  };
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);

  let code: number = ExitCode.ok;
  let json = argv.includes('--json');
  const parser = globalOptions(yargs(argv) as Argv<GlobalArgs>)
    .scriptName('cratedb-migrate')
    .usage('$0 <command> [options]\n\nSchema migrations and seeds for CrateDB.')
    .strict()
    .demandCommand(1, 'Name a command.')
    .recommendCommands()
    .exitProcess(false)
    .fail((message, error) => {
      throw error ?? new UsageError(message);
    })
    .epilogue('Exit codes: 0 ok, 1 failure, 2 bad usage or config, 3 drift or a failed migration found.')
    .help()
    .version();
  for (const command of COMMANDS) {
    parser.command(command.command, command.describe, (y) => command.builder(y), async (args) => {
      json = (args as unknown as GlobalArgs).json;
      code = await command.run(args as never, abort.signal);
    });
  }
  try {
    await parser.parseAsync();
    return code;
  } catch (error) {
    return reportError(error, json);
  } finally {
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
  }
}

/** Prints what went wrong (and the partial result of a failed run) and returns the exit code. */
function reportError(error: unknown, json: boolean): number {
  const known = error instanceof CrateMigrateError;
  const exitCode = known ? error.exitCode : ExitCode.failure;
  const message = error instanceof Error ? error.message : String(error);
  const result = error instanceof MigrationError || error instanceof SeedError ? error.result : undefined;
  if (json) {
    printJson({ error: { code: known ? error.code : 'CM_INTERNAL', message, ...(crateFields(error)) }, ...(result ? { result } : {}) });
  } else {
    if (error instanceof SeedError) print(seedSummary(error.result as SeedRunResult));
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

main(hideBin(process.argv)).then(
  (code) => {
    process.exitCode = code;
  },
  (error: unknown) => {
    process.stderr.write(`error: ${error instanceof Error ? error.stack : String(error)}\n`);
    process.exitCode = ExitCode.failure;
  },
);
