import { createMigration, createSeed as createSeedFile } from '../../api.js';
import type { SeedFormat } from '../../index.js';
import { apiOptions, argsOf } from '../options.js';
import { print, printJson } from '../output.js';
import type { CommandRun } from '../spec.js';

export const create: CommandRun = async (parsed, signal) => {
  const args = argsOf<{ name: string; ts?: boolean }>(parsed);
  const file = await createMigration({ ...apiOptions(args, signal), name: args.name, kind: args.ts ? 'ts' : 'sql' });
  if (args.json) printJson({ file });
  else print(`created ${file}`);
  return 0;
};

const FORMATS: readonly SeedFormat[] = ['yaml', 'json', 'ndjson', 'csv', 'ts'];

/** The format flag given (the catalog lets through at most one). */
export const createSeed: CommandRun = async (parsed, signal) => {
  const args = argsOf<{ name: string }>(parsed);
  const format = FORMATS.find((f) => parsed[f] === true) ?? 'yaml';
  const file = await createSeedFile({ ...apiOptions(args, signal), name: args.name, format });
  if (args.json) printJson({ file });
  else print(`created ${file}`);
  return 0;
};
