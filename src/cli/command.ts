import type { Argv } from 'yargs';
import type { GlobalArgs } from './options.js';

/** One CLI command: its yargs definition and a `run` that returns the exit code (only main.ts sets it). */
export interface CliCommand<A extends GlobalArgs = GlobalArgs> {
  command: string;
  describe: string;
  builder(y: Argv<GlobalArgs>): Argv<A>;
  run(args: A, signal: AbortSignal): Promise<number>;
}

/** Declares a command with its argument type inferred from the builder. */
export function defineCommand<A extends GlobalArgs>(command: CliCommand<A>): CliCommand<A> {
  return command;
}
