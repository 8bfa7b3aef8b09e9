/**
 * The CLI end to end, as a user runs it: the built `cratedb-migrate` bin against the test server (or the real
 * CrateDB at CRATEDB_URL), with the project's own tutorial migration and seed. `npm test` builds first.
 */
import { copyFile, mkdir, mkdtemp, readFile, readdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli, type ProcessRun } from '../../support/cli-process.js';
import { startCrate, type CrateTarget } from '../../support/crate.js';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../..');

let target: CrateTarget;
let dir: string;

/** Runs the bin in the project dir with the test environment of its crate.config.yaml (not CRATEDB_URL:
 * the config file names the server, and that path is what this tests). */
const cli = (...args: string[]): Promise<ProcessRun> => runCli(dir, [...args, '--log-level', 'warn'], { CRATE_ENV: 'test', NODE_ENV: 'test' });

async function writeProject(): Promise<void> {
  dir = await mkdtemp(path.join(tmpdir(), 'cm-cli-'));
  for (const folder of ['migrations', 'seeds']) {
    await mkdir(path.join(dir, folder));
    for (const file of await readdir(path.join(root, folder))) {
      if (/\.(sql|ya?ml|json|ndjson|csv|ts|js)$/.test(file)) await copyFile(path.join(root, folder, file), path.join(dir, folder, file));
    }
  }
  const tracking = `${target.schema}_cm`;
  await writeFile(
    path.join(dir, 'crate.config.yaml'),
    [
      'environments:',
      '  test:',
      `    url: ${target.url}`,
      `    schema: ${target.schema}`,
      `    history_table: ${tracking}.migrations`,
      `    lock_table: ${tracking}.lock`,
      `    seeds_table: ${tracking}.seeds`,
      '',
    ].join('\n'),
  );
}

beforeAll(async () => {
  target = await startCrate();
  await writeProject();
});

afterAll(async () => {
  await target?.close();
  if (dir) await rm(dir, { recursive: true, force: true });
});

const books = () => `"${target.schema}"."books"`;

describe('cratedb-migrate, the tutorial end to end', () => {
  it('dry run prints the statements and changes nothing', async () => {
    const run = await cli('up', '--dry-run');
    expect(run.stderr).toBe('');
    expect(run.code).toBe(0);
    expect(run.stdout).toMatch(/CREATE TABLE IF NOT EXISTS books/);
    expect(run.stdout).toMatch(/001_create_books\.sql:\d+/);
    expect(run.stdout).toMatch(/002_books_author_fulltext/);
    const tables = await target.sql('SELECT table_name FROM information_schema.tables WHERE table_schema IN (?, ?)', [
      target.schema,
      `${target.schema}_cm`,
    ]);
    expect(tables.rows).toEqual([]);
  });

  it('up creates the books table with the fulltext index and the array column, then rebuilds it for a fulltext author', async () => {
    const run = await cli('up');
    expect(run.code, run.stderr).toBe(0);
    expect(run.stdout).toMatch(/applied\s+001_create_books/);
    expect(run.stdout).toMatch(/applied\s+002_books_author_fulltext/);
    const cols = await target.sql(
      'SELECT column_name, data_type FROM information_schema.columns WHERE table_schema = ? AND table_name = ? ORDER BY ordinal_position',
      [target.schema, 'books'],
    );
    expect(Object.fromEntries(cols.rows as [string, string][])).toMatchObject({
      id: 'text',
      title: 'text',
      author: 'text',
      publication_date: 'timestamp without time zone',
      categories: 'text_array',
    });
    const ddl = await target.sql(`SHOW CREATE TABLE ${books()}`);
    expect(String(ddl.rows[0]![0])).toMatch(/"title" TEXT INDEX USING FULLTEXT WITH \(\s*analyzer = 'english'\s*\)/);
    expect(String(ddl.rows[0]![0])).toMatch(/"author" TEXT INDEX USING FULLTEXT WITH \(\s*analyzer = 'english'\s*\)/);
    // keep_backup: the table as 001 made it stays beside, for the down of 002.
    const tables = await target.sql('SELECT table_name FROM information_schema.tables WHERE table_schema = ? ORDER BY 1', [target.schema]);
    expect(tables.rows).toEqual([['books'], ['books__cm_backup']]);
  });

  it('status lists it applied with checksum and duration; a second up has nothing to do', async () => {
    const status = await cli('status', '--json');
    expect(status.code, status.stderr).toBe(0);
    const report = JSON.parse(status.stdout) as { migrations: Array<Record<string, unknown>> };
    expect(report.migrations).toEqual([
      expect.objectContaining({ name: '001_create_books', state: 'applied', checksum: expect.stringMatching(/^[0-9a-f]{64}$/), durationMs: expect.any(Number) }),
      expect.objectContaining({ name: '002_books_author_fulltext', state: 'applied', statementsRun: 1, statementsTotal: 1 }),
    ]);
    const again = await cli('up');
    expect(again.code).toBe(0);
    expect(again.stdout).toMatch(/Nothing to migrate/);
  });

  it('seed makes the tutorial queries answer at once; a second seed writes nothing', async () => {
    const run = await cli('seed');
    expect(run.code, run.stderr).toBe(0);
    expect(run.stdout).toMatch(/books\s.*seeded/);
    const monty = await target.sql(`SELECT title FROM ${books()} WHERE match(title, ?)`, ['monty']);
    expect(monty.rows).toEqual([["Monty Python's Big Red Book"]]);
    // Counted from the stored values: with its fulltext index (002) GROUP BY author groups tokens on 6.x.
    const authors = (await target.sql(`SELECT author FROM ${books()}`)).rows.map((r) => String(r[0]));
    const byAuthor = [...new Set(authors)].sort().map((a) => [a, authors.filter((x) => x === a).length]);
    expect(byAuthor).toEqual([
      ['Douglas Adams', 2],
      ['Monty Python', 1],
    ]);
    const adams = await target.sql(`SELECT id FROM ${books()} WHERE match(author, ?) ORDER BY id`, ['adams']);
    expect(adams.rows).toEqual([['1'], ['2']]);
    const categories = await target.sql(`SELECT categories FROM ${books()} WHERE match(title, ?)`, ['monty']);
    expect(categories.rows).toEqual([[['comedy']]]);
    const again = await cli('seed', '--json');
    expect(again.code).toBe(0);
    expect(JSON.parse(again.stdout).seeds).toEqual([expect.objectContaining({ name: 'books', status: 'skipped', written: 0 })]);
  });

  it('editing an applied file is drift: status, up and validate exit 3 until repair', async () => {
    const file = path.join(dir, 'migrations', '001_create_books.sql');
    const original = await readFile(file, 'utf8');
    await writeFile(file, `${original}\n-- an edit after it was applied\n`);
    try {
      expect((await cli('status')).code).toBe(3);
      const up = await cli('up');
      expect(up.code).toBe(3);
      expect(up.stderr).toMatch(/001_create_books/);
      const validate = await cli('validate', '--json');
      expect(validate.code).toBe(3);
      expect(JSON.parse(validate.stdout).drift).toEqual([expect.objectContaining({ name: '001_create_books', problem: 'changed' })]);
      expect((await cli('repair')).code).toBe(0);
      expect((await cli('validate')).code).toBe(0);
    } finally {
      await writeFile(file, original);
      await cli('repair');
    }
  });

  it('down --to 0 removes the table; up again recreates it', async () => {
    const down = await cli('down', '--to', '0');
    expect(down.code, down.stderr).toBe(0);
    expect(down.stdout).toMatch(/reverted\s+002_books_author_fulltext[\s\S]*reverted\s+001_create_books/);
    const gone = await target.sql('SELECT count(*) FROM information_schema.tables WHERE table_schema = ?', [target.schema]);
    expect(gone.rows).toEqual([[0]]);
    expect((await cli('up')).code).toBe(0);
  });
});

describe('cratedb-migrate, failures and usage', () => {
  it('a failing statement exits 1 naming file:line, records failed, and the next up exits 3', async () => {
    await writeFile(
      path.join(dir, 'migrations', '003_broken.sql'),
      `-- migrate:up\nCREATE TABLE IF NOT EXISTS "${target.schema}"."t_ok" (a INTEGER);\n\nINSERT INTO "${target.schema}"."no_such_table" (a) VALUES (1);\n-- migrate:down\nDROP TABLE IF EXISTS "${target.schema}"."t_ok";\n`,
    );
    try {
      const up = await cli('up');
      expect(up.code).toBe(1);
      expect(up.stderr).toMatch(/003_broken\.sql:4/);
      expect(up.stderr).toMatch(/4041|unknown/);
      const status = await cli('status', '--json');
      expect(status.code).toBe(3);
      const broken = (JSON.parse(status.stdout).migrations as Array<Record<string, unknown>>).find((m) => m.name === '003_broken');
      expect(broken).toMatchObject({ state: 'failed', statementsRun: 1 });
      expect((await cli('up')).code).toBe(3);
    } finally {
      await rm(path.join(dir, 'migrations', '003_broken.sql'));
      await cli('repair');
    }
  });

  it('create writes the next version with up and down sections', async () => {
    const run = await cli('create', 'add-isbn', '--sql');
    expect(run.code, run.stderr).toBe(0);
    const created = run.stdout.match(/created (.+)/)?.[1]?.trim();
    expect(created && path.basename(created)).toMatch(/^003_add[-_]isbn\.sql$/);
    const text = await readFile(path.resolve(dir, created!), 'utf8');
    expect(text).toMatch(/-- migrate:up/);
    expect(text).toMatch(/-- migrate:down/);
    await rm(path.resolve(dir, created!));
  });

  it('an unknown config key exits 2 naming the key path and line', async () => {
    const config = path.join(dir, 'bad.yaml');
    await writeFile(config, `environments:\n  test:\n    url: ${target.url}\n    histroy_table: x.y\n`);
    const run = await cli('status', '--config', config);
    expect(run.code).toBe(2);
    expect(run.stderr).toMatch(/environments\.test\.histroy_table/);
    expect(run.stderr).toMatch(/line 4|:4/);
  });

  it('an unknown flag is a usage error with exit 2', async () => {
    const run = await cli('up', '--no-such-flag');
    expect(run.code).toBe(2);
  });

  it('--url before the command is one URL, not a list that swallows the command; repeated --url adds servers', async () => {
    const before = await cli('--url', target.url, 'status', '--json');
    expect(before.code, before.stderr).toBe(0);
    expect(JSON.parse(before.stdout).migrations).toEqual(expect.any(Array));
    const repeated = await cli('status', '--url', 'http://127.0.0.1:1', '--url', target.url, '--json');
    expect(repeated.code, repeated.stderr).toBe(0);
  });

  it('--json failures carry the error code', async () => {
    const run = await cli('seed', 'no-such-seed', '--json');
    expect(run.code).toBe(2);
    expect(JSON.parse(run.stdout).error.code).toBe('CM_USAGE');
  });
});
