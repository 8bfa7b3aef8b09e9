/**
 * The shape of the command line as data: what each command and flag is, for the parser (parse.ts) and the
 * help text (help.ts). Nothing here imports a dependency, so `--help` and `--version` load only these few
 * modules; a command's code is imported when that command runs.
 */

export interface OptionSpec {
  type: 'string' | 'boolean' | 'number';
  describe: string;
  default?: string | boolean;
  choices?: readonly string[];
  /** May be given several times; the values are collected in order. */
  multiple?: boolean;
  short?: string;
}

export interface PositionalSpec {
  name: string;
  describe: string;
  required?: boolean;
  /** Takes every remaining positional argument. */
  variadic?: boolean;
}

/** Parsed flags and positionals, keyed by their command-line names (`dry-run`, `names`). */
export type ParsedArgs = Record<string, string | string[] | boolean | number | undefined>;

/** A command's code: returns the exit code (only main.ts sets it). */
export type CommandRun = (args: ParsedArgs, signal: AbortSignal) => Promise<number>;

export interface CommandSpec {
  name: string;
  describe: string;
  positionals?: readonly PositionalSpec[];
  options?: Readonly<Record<string, OptionSpec>>;
  /** Pairs of flags that cannot be given together. */
  conflicts?: ReadonlyArray<readonly [string, string]>;
  /** Streams many rows through this process (`seed`): main.ts keeps its heap small while it runs. */
  streamsRows?: boolean;
  /** Imports the command's module only when it runs. */
  load(): Promise<CommandRun>;
}
