import { describe, expect, test } from 'vitest';
import { SEED_MODE_CHOICES } from '../../../src/cli/catalog.js';
import { helpText } from '../../../src/cli/help.js';
import { parseCommandLine, type CommandLine } from '../../../src/cli/parse.js';
import { SEED_MODES } from '../../../src/seeds/types.js';

function run(argv: string[]): Extract<CommandLine, { kind: 'run' }> {
  const line = parseCommandLine(argv);
  if (line.kind !== 'run') throw new Error(`expected a command, got ${line.kind}`);
  return line;
}

function usageError(argv: string[]): { code: string; message: string } {
  try {
    parseCommandLine(argv);
  } catch (err) {
    return err as { code: string; message: string };
  }
  throw new Error(`${argv.join(' ')} parsed without an error`);
}

describe('command line', () => {
  test('--url before the command is one URL; repeated --url adds servers; defaults are filled', () => {
    const before = run(['--url', 'http://a:4200', 'up']);
    expect(before.command.name).toBe('up');
    expect(before.args).toMatchObject({ url: ['http://a:4200'], json: false, 'log-level': 'info', 'dry-run': false });
    expect(run(['status', '--url', 'http://a', '--url=http://b', '--json']).args).toMatchObject({ url: ['http://a', 'http://b'], json: true });
  });

  test('numbers, choices and positionals are read as the catalog declares them', () => {
    expect(run(['up', '--step', '2']).args.step).toBe(2);
    expect(run(['seed', 'books', 'authors', '--mode', 'insert', '--batch-size=500']).args)
      .toMatchObject({ names: ['books', 'authors'], mode: 'insert', 'batch-size': 500 });
    expect(run(['seed']).args.names).toEqual([]);
    expect(run(['create', 'add-isbn', '--ts']).args).toMatchObject({ name: 'add-isbn', ts: true });
  });

  test('--help and --version answer without a command, and --help names one command', () => {
    expect(parseCommandLine(['--help'])).toEqual({ kind: 'help' });
    expect(parseCommandLine(['-h'])).toEqual({ kind: 'help' });
    expect(parseCommandLine(['--version'])).toEqual({ kind: 'version' });
    const seedHelp = parseCommandLine(['--url', 'http://a', 'seed', '--help']);
    expect(seedHelp).toMatchObject({ kind: 'help', command: { name: 'seed' } });
    const text = helpText((seedHelp as { command: Parameters<typeof helpText>[0] }).command);
    expect(text).toMatch(/cratedb-migrate seed \[names\.\.\]/);
    expect(text).toMatch(/--batch-size/);
    expect(helpText()).toMatch(/cratedb-migrate create-seed <name>/);
  });

  test('bad usage is a CM_USAGE error that names the flag or command and a near miss', () => {
    expect(usageError([])).toMatchObject({ code: 'CM_USAGE', message: expect.stringMatching(/Name a command/) });
    expect(usageError(['stauts']).message).toMatch(/Unknown command 'stauts'; did you mean 'status'\?/);
    expect(usageError(['up', '--dryrun']).message).toMatch(/Unknown flag --dryrun; did you mean 'dry-run'\?/);
    expect(usageError(['up', '--step', 'two']).message).toMatch(/--step expects a number, got 'two'/);
    expect(usageError(['up', '--to', '003', '--step', '1']).message).toMatch(/--to and --step cannot be given together/);
    expect(usageError(['seed', '--mode', 'merge']).message).toMatch(/--mode must be one of insert, upsert, skip-existing, replace/);
    expect(usageError(['create']).message).toMatch(/'create' needs <name>/);
    expect(usageError(['status', 'extra']).message).toMatch(/Unknown argument for 'status': extra/);
    expect(usageError(['create-seed', 'x', '--csv', '--yaml']).message).toMatch(/--yaml and --csv cannot be given together|--csv and --yaml/);
    expect(usageError(['status', '--url']).message).toMatch(/--url needs a value/);
  });

  test("the catalog's seed modes are the seeder's", () => {
    expect([...SEED_MODE_CHOICES].sort()).toEqual([...SEED_MODES].sort());
  });
});
