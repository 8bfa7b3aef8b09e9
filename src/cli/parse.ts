import { parseArgs, type ParseArgsConfig } from 'node:util';
import { didYouMean } from '../config/problems.js';
import { UsageError } from '../errors.js';
import { COMMANDS, GLOBAL_OPTIONS } from './catalog.js';
import type { CommandSpec, OptionSpec, ParsedArgs } from './spec.js';

/** What the command line asks for. */
export type CommandLine =
  | { kind: 'help'; command?: CommandSpec }
  | { kind: 'version' }
  | { kind: 'run'; command: CommandSpec; args: ParsedArgs };

const HINT = "Run 'cratedb-migrate --help' for the commands and flags.";

/** Reads argv (without node and the script) against the catalog; bad usage is a `UsageError`. */
export function parseCommandLine(argv: readonly string[]): CommandLine {
  const name = commandName(argv);
  const command = name === undefined ? undefined : COMMANDS.find((c) => c.name === name);
  if (argv.includes('--version')) return { kind: 'version' };
  const wantsHelp = argv.includes('--help') || argv.includes('-h');
  if (name === undefined) {
    if (wantsHelp) return { kind: 'help' };
    throw new UsageError(`Name a command.\n${HINT}`);
  }
  if (command === undefined) {
    throw new UsageError(`Unknown command '${name}'${didYouMean(name, COMMANDS.map((c) => c.name))}\n${HINT}`);
  }
  if (wantsHelp) return { kind: 'help', command };
  return { kind: 'run', command, args: commandArgs(command, argv) };
}

/** The first argument that is neither a flag nor the value of a string flag given as `--flag value`. */
function commandName(argv: readonly string[]): string | undefined {
  const takesValue = new Set<string>();
  for (const spec of [GLOBAL_OPTIONS, ...COMMANDS.map((c) => c.options ?? {})]) {
    for (const [flag, option] of Object.entries(spec)) if (option.type !== 'boolean') takesValue.add(flag);
  }
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i]!;
    if (arg === '--') return argv[i + 1];
    if (!arg.startsWith('-')) return arg;
    if (!arg.includes('=') && takesValue.has(arg.replace(/^--?/, ''))) i++;
  }
  return undefined;
}

function commandArgs(command: CommandSpec, argv: readonly string[]): ParsedArgs {
  const specs: Record<string, OptionSpec> = { ...GLOBAL_OPTIONS, ...command.options };
  const options: NonNullable<ParseArgsConfig['options']> = {};
  for (const [flag, spec] of Object.entries(specs)) {
    options[flag] = {
      type: spec.type === 'boolean' ? 'boolean' : 'string',
      ...(spec.multiple ? { multiple: true } : {}),
      ...(spec.short ? { short: spec.short } : {}),
    };
  }
  let parsed;
  try {
    parsed = parseArgs({ args: [...argv], options, strict: true, allowPositionals: true });
  } catch (err) {
    throw new UsageError(`${usageMessage(err, Object.keys(specs))}\n${HINT}`);
  }
  const args: ParsedArgs = {};
  for (const [flag, spec] of Object.entries(specs)) {
    const value = parsed.values[flag] ?? spec.default;
    if (value !== undefined) args[flag] = checked(flag, spec, value);
  }
  for (const [a, b] of command.conflicts ?? []) {
    if (parsed.values[a] !== undefined && parsed.values[b] !== undefined) throw new UsageError(`--${a} and --${b} cannot be given together.`);
  }
  Object.assign(args, positionals(command, parsed.positionals.slice(1)));
  return args;
}

function checked(flag: string, spec: OptionSpec, value: string | boolean | (string | boolean)[]): ParsedArgs[string] {
  if (spec.type === 'number') {
    const n = Number(value);
    if (typeof value !== 'string' || value.trim() === '' || !Number.isFinite(n)) {
      throw new UsageError(`--${flag} expects a number, got '${String(value)}'.`);
    }
    return n;
  }
  if (spec.choices && !spec.choices.includes(value as string)) {
    throw new UsageError(`--${flag} must be one of ${spec.choices.join(', ')}; got '${String(value)}'.`);
  }
  return value as ParsedArgs[string];
}

function positionals(command: CommandSpec, given: string[]): ParsedArgs {
  const args: ParsedArgs = {};
  const specs = command.positionals ?? [];
  for (const spec of specs) {
    if (spec.variadic) {
      args[spec.name] = given.splice(0);
      continue;
    }
    const value = given.shift();
    if (value === undefined && spec.required) throw new UsageError(`'${command.name}' needs <${spec.name}>: ${spec.describe}.`);
    if (value !== undefined) args[spec.name] = value;
  }
  if (given.length > 0) throw new UsageError(`Unknown argument${given.length > 1 ? 's' : ''} for '${command.name}': ${given.join(' ')}\n${HINT}`);
  return args;
}

/** node:util's parse errors, said with the flag and a near miss. */
function usageMessage(err: unknown, flags: string[]): string {
  const message = err instanceof Error ? err.message : String(err);
  const unknown = /Unknown option '(-{1,2})([^']+)'/.exec(message);
  if (unknown) return `Unknown flag ${unknown[1]}${unknown[2]}${didYouMean(unknown[2]!, flags)}`;
  const missing = /Option '(?:-\w, )?--([^ ]+) <value>' argument missing/.exec(message);
  if (missing) return `--${missing[1]} needs a value.`;
  return message;
}
