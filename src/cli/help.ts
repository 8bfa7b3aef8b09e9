import { COMMANDS, GLOBAL_OPTIONS } from './catalog.js';
import type { CommandSpec, OptionSpec } from './spec.js';

const EXIT_CODES = 'Exit codes: 0 ok, 1 failure, 2 bad usage or config, 3 drift or a failed migration found.';

/** `--help`: the command list, or one command's positionals and flags; then the flags every command takes. */
export function helpText(command?: CommandSpec): string {
  const sections: string[] = [];
  if (command === undefined) {
    sections.push('cratedb-migrate <command> [options]\n\nSchema migrations and seeds for CrateDB.');
    sections.push(`Commands:\n${columns(COMMANDS.map((c) => [`cratedb-migrate ${usage(c)}`, c.describe]))}`);
  } else {
    sections.push(`cratedb-migrate ${usage(command)}\n\n${command.describe}`);
    if (command.positionals?.length) {
      sections.push(`Positionals:\n${columns(command.positionals.map((p) => [p.name, p.describe]))}`);
    }
    if (command.options) sections.push(`Options:\n${options(command.options)}`);
  }
  sections.push(`${command ? 'Global options' : 'Options'}:\n${options(GLOBAL_OPTIONS)}`);
  sections.push(EXIT_CODES);
  return sections.join('\n\n');
}

function usage(command: CommandSpec): string {
  const positionals = (command.positionals ?? []).map((p) => (p.required ? `<${p.name}>` : `[${p.name}${p.variadic ? '..' : ''}]`));
  return [command.name, ...positionals].join(' ');
}

function options(specs: Readonly<Record<string, OptionSpec>>): string {
  return columns(Object.entries(specs).map(([flag, spec]) => [
    `--${flag}${spec.short ? `, -${spec.short}` : ''}`,
    [
      spec.describe,
      spec.type === 'boolean' ? '' : `[${spec.type}${spec.multiple ? ', repeatable' : ''}]`,
      spec.choices ? `[choices: ${spec.choices.join(', ')}]` : '',
      spec.default === undefined || spec.default === false ? '' : `[default: ${String(spec.default)}]`,
    ].filter(Boolean).join(' '),
  ]));
}

function columns(rows: Array<[string, string]>): string {
  const width = Math.max(...rows.map(([left]) => left.length));
  return rows.map(([left, right]) => `  ${left.padEnd(width)}  ${right}`).join('\n');
}
