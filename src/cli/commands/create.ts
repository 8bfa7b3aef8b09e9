import { UsageError } from '../../errors.js';
import { createMigration, createSeed, type SeedFormat } from '../../index.js';
import { defineCommand } from '../command.js';
import { apiOptions } from '../options.js';
import { print, printJson } from '../output.js';

export const createCommand = defineCommand({
  command: 'create <name>',
  describe: 'Write a new migration file with the next version number',
  builder: (y) =>
    y
      .positional('name', { type: 'string', demandOption: true, describe: 'What it does, e.g. add-isbn' })
      .option('sql', { type: 'boolean', describe: 'An SQL file with up and down sections (default)' })
      .option('ts', { type: 'boolean', describe: 'A TypeScript module with up(ctx) and down(ctx)' })
      .conflicts('sql', 'ts'),
  async run(args, signal) {
    const file = await createMigration({ ...apiOptions(args, signal), name: args.name, kind: args.ts ? 'ts' : 'sql' });
    if (args.json) printJson({ file });
    else print(`created ${file}`);
    return 0;
  },
});

const FORMATS: readonly SeedFormat[] = ['yaml', 'json', 'ndjson', 'csv', 'ts'];

export const createSeedCommand = defineCommand({
  command: 'create-seed <name>',
  describe: 'Write a new seed file template',
  builder: (y) => {
    let out = y.positional('name', { type: 'string', demandOption: true, describe: 'Seed name (usually the table)' });
    for (const format of FORMATS) out = out.option(format, { type: 'boolean', describe: `A ${format.toUpperCase()} seed${format === 'yaml' ? ' (default)' : ''}` });
    return out as typeof out & { [K in SeedFormat]?: boolean };
  },
  async run(args, signal) {
    const chosen = FORMATS.filter((f) => (args as unknown as Record<string, unknown>)[f] === true);
    if (chosen.length > 1) throw new UsageError(`Choose one format, not ${chosen.map((f) => `--${f}`).join(' and ')}.`);
    const file = await createSeed({ ...apiOptions(args, signal), name: args.name, format: chosen[0] ?? 'yaml' });
    if (args.json) printJson({ file });
    else print(`created ${file}`);
    return 0;
  },
});
