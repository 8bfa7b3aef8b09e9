import path from 'node:path';
import { afterEach, describe, expect, test } from 'vitest';
import { CrateMigrateError } from '../../../src/errors.js';
import { createSeedFile } from '../../../src/seeds/create.js';
import { discoverSeeds, selectSeeds, type SeedFile } from '../../../src/seeds/discover.js';
import { openSeed } from '../../../src/seeds/open.js';
import { BOOKS_YAML, collect, makeProject, noContext, type Project } from './helpers.js';

let project: Project | undefined;
afterEach(async () => {
  await project?.remove();
  project = undefined;
});

async function open(relative: string, text: string, extra: Record<string, string> = {}) {
  project = await makeProject({ [relative]: text, ...extra });
  const seeds = await discoverSeeds(project.seedsDir, 'development');
  const seed = seeds.find((s) => path.join(project!.root, relative) === s.path)!;
  return openSeed(seed, project.root, 'doc', Promise.resolve('test'));
}

async function rejection(promise: Promise<unknown>): Promise<CrateMigrateError & { line?: number; file?: string }> {
  const err = await promise.then(() => undefined, (e: unknown) => e);
  if (!(err instanceof CrateMigrateError)) throw new Error(`expected a CrateMigrateError, got ${String(err)}`);
  return err;
}

describe('YAML and JSON seeds', () => {
  test('header keys and rows, each row with the line it starts on', async () => {
    const source = await open('seeds/books.yaml', BOOKS_YAML);
    expect(source.header).toMatchObject({ table: { schema: 'doc', table: 'books' }, requires: ['001_create_books'] });
    const rows = await collect(source.rows(noContext));
    expect(rows.map((r) => [r.row, r.line])).toEqual([[1, 5], [2, 10], [3, 15]]);
    expect(rows[2]!.values).toEqual({
      id: '3', title: "Monty Python's Big Red Book", author: 'Monty Python', publication_date: '1971-09-30', categories: ['comedy'],
    });
    expect(await source.countRows()).toBe(3);
  });

  test('JSON is read with line numbers too; schema.table and key lists are understood', async () => {
    const json = '{\n  "table": "shop.items",\n  "key": ["id"],\n  "mode": "skip-existing",\n  "batchSize": 2,\n  "rows": [\n    {"id": 1},\n    {"id": 2}\n  ]\n}\n';
    const source = await open('seeds/items.json', json);
    expect(source.header).toMatchObject({ table: { schema: 'shop', table: 'items' }, key: ['id'], mode: 'skip-existing', batchSize: 2 });
    expect((await collect(source.rows(noContext))).map((r) => r.line)).toEqual([7, 8]);
  });

  test('a bare list of rows seeds the table named by the file, without its numeric prefix', async () => {
    const source = await open('seeds/02_authors.yaml', '- id: 1\n  name: Douglas Adams\n- just a string\n');
    expect(source.header.table).toEqual({ schema: 'doc', table: 'authors' });
    const rows = await collect(source.rows(noContext));
    expect(rows[1]).toMatchObject({ row: 2, line: 3, problem: expect.stringMatching(/mapping/) });
  });

  test('an unknown header key is an error naming the file and line', async () => {
    const err = await rejection(open('seeds/books.yaml', 'tabel: books\nrows: []\n'));
    expect(err.code).toBe('CM_FILE');
    expect(err.line).toBe(1);
    expect(err.message).toMatch(/seeds\/books\.yaml.*tabel/);
  });

  test('a bad mode and a YAML syntax error are errors with their line', async () => {
    const mode = await rejection(open('seeds/a.yaml', 'table: t\nmode: merge\nrows: []\n'));
    expect([mode.code, mode.line]).toEqual(['CM_FILE', 2]);
    const syntax = await rejection(open('seeds/b.yaml', 'table: t\nrows: [\n  {id: 1\n'));
    expect(syntax.code).toBe('CM_FILE');
    expect(syntax.line).toBeGreaterThan(1);
    const noRows = await rejection(open('seeds/c.yaml', 'table: t\n'));
    expect(noRows.code).toBe('CM_FILE');
  });
});

describe('NDJSON seeds', () => {
  test('rows come many to a chunk, in order, with their lines, across the reads of a large file', async () => {
    const lines = Array.from({ length: 3000 }, (_, i) => JSON.stringify({ id: `e${i}`, title: 'x'.repeat(60) }));
    const source = await open('seeds/events.ndjson', `{"$seed": {"table": "events"}}\n${lines.join('\n')}\n`);
    const chunks: number[] = [];
    const rows = [];
    for await (const chunk of source.rows(noContext)) {
      chunks.push(chunk.length);
      rows.push(...chunk);
    }
    expect(rows.map((r) => r.row)).toEqual(Array.from({ length: 3000 }, (_, i) => i + 1));
    expect(rows.map((r) => r.line)).toEqual(Array.from({ length: 3000 }, (_, i) => i + 2));
    expect(rows[2999]!.values).toEqual({ id: 'e2999', title: 'x'.repeat(60) });
    expect(chunks.length).toBeGreaterThan(1); // ~230 KB: more than one read
    expect(chunks.length).toBeLessThan(3000 / 100);
    expect(chunks.every((n) => n > 0)).toBe(true);
  });

  test('an optional $seed header line, blank lines skipped, a bad line is a failed row with its line', async () => {
    const text = '{"$seed": {"table": "books", "mode": "insert"}}\n{"id": "1"}\n\n{"id": 2\n[1]\n{"id": "3"}';
    const source = await open('seeds/books.ndjson', text);
    expect(source.header).toMatchObject({ table: { table: 'books' }, mode: 'insert' });
    const rows = await collect(source.rows(noContext));
    expect(rows.map((r) => [r.row, r.line, r.values ?? r.problem])).toEqual([
      [1, 2, { id: '1' }],
      [2, 4, 'not valid JSON'],
      [3, 5, expect.stringMatching(/JSON object/)],
      [4, 6, { id: '3' }],
    ]);
    expect(await source.countRows()).toBe(4);
  });

  test('without a header line the table is the file name', async () => {
    const source = await open('seeds/events.jsonl', '{"id": 1}\n');
    expect(source.header.table).toEqual({ schema: 'doc', table: 'events' });
    expect(await collect(source.rows(noContext))).toEqual([{ row: 1, line: 1, values: { id: 1 } }]);
  });
});

describe('CSV seeds', () => {
  test('a header row; empty unquoted is NULL, quoted empty is an empty string; lines kept', async () => {
    const csv = 'id,title,categories\n1,Guide,"[""novel"",""comedy""]"\n2,,""\n\n3,"multi\nline",\n4,short\n';
    const source = await open('seeds/books.csv', csv);
    expect(source.header.table).toEqual({ schema: 'doc', table: 'books' });
    const rows = await collect(source.rows(noContext));
    expect(rows.map((r) => [r.row, r.line, r.values ?? r.problem])).toEqual([
      [1, 2, { id: '1', title: 'Guide', categories: '["novel","comedy"]' }],
      [2, 3, { id: '2', title: null, categories: '' }],
      [3, 6, { id: '3', title: 'multi\nline', categories: null }],
      [4, 7, expect.stringMatching(/expected 3 fields/)],
    ]);
  });

  test('a <name>.csv.yaml sidecar holds the header; it is not a seed of its own', async () => {
    const source = await open('seeds/books.csv', 'id\n1\n', {
      'seeds/books.csv.yaml': 'table: library.books\nmode: replace\nrequires: [001_create_books]\ncolumns:\n  id: text\n',
    });
    expect(source.header).toMatchObject({ table: { schema: 'library', table: 'books' }, mode: 'replace', requires: ['001_create_books'] });
    expect((await discoverSeeds(project!.seedsDir, 'development')).map((s) => s.name)).toEqual(['books']);
  });

  test('a broken quote is an error naming the file and line; a duplicate column name too', async () => {
    const source = await open('seeds/bad.csv', 'id,title\n1,ok\n2,"broken\n');
    const err = await rejection(collect(source.rows(noContext)));
    expect(err.code).toBe('CM_FILE');
    expect(err.message).toMatch(/seeds\/bad\.csv/);
    const dup = await open('seeds/dup.csv', 'id,id\n1,2\n');
    expect((await rejection(collect(dup.rows(noContext)))).code).toBe('CM_FILE');
  });
});

describe('code seeds', () => {
  test('a .ts module is loaded through tsx; its default export is the seed, rows can be a generator', async () => {
    const ts = `
      interface Book { id: string; n: number }
      const make = (n: number): Book => ({ id: String(n), n });
      export default {
        table: 'numbers',
        requires: ['001_create_numbers'],
        *rows() { for (let i = 1; i <= 3; i++) yield make(i); },
      };
    `;
    const source = await open('seeds/numbers.ts', ts);
    expect(source.header).toMatchObject({ table: { table: 'numbers' }, requires: ['001_create_numbers'] });
    expect((await collect(source.rows(noContext))).map((r) => r.values)).toEqual([
      { id: '1', n: 1 }, { id: '2', n: 2 }, { id: '3', n: 3 },
    ]);
  });

  test('a .mjs module with named exports and an async iterable; run(ctx) is kept', async () => {
    const js = `export const table = 'x';
      export async function* rows(ctx) { yield { id: ctx.marker }; }
      export async function run(ctx) { ctx.ran = true; }`;
    const source = await open('seeds/x.mjs', js);
    const ctx = { marker: 'm' } as unknown as typeof noContext;
    expect((await collect(source.rows(ctx))).map((r) => r.values)).toEqual([{ id: 'm' }]);
    await source.run!(ctx);
    expect((ctx as unknown as { ran: boolean }).ran).toBe(true);
  });

  test('a module with neither rows nor run, or with unknown keys, is an error', async () => {
    expect((await rejection(open('seeds/empty.mjs', 'export default { table: "x" };'))).code).toBe('CM_FILE');
    expect((await rejection(open('seeds/typo.mjs', 'export default { table: "x", row: [] };'))).code).toBe('CM_FILE');
    expect((await rejection(open('seeds/broken.mjs', 'export default {'))).code).toBe('CM_FILE');
  });
});

describe('discovery', () => {
  test('seeds/ and seeds/<env>/ in name order; other environments, READMEs and dotfiles ignored', async () => {
    project = await makeProject({
      'seeds/02_books.yaml': 'rows: []', 'seeds/README.md': '#', 'seeds/.hidden.yaml': 'x',
      'seeds/development/01_users.csv': 'id\n', 'seeds/production/00_prod.yaml': 'rows: []',
      'seeds/03_code.ts': '', 'seeds/types.d.ts': '',
    });
    const seeds = await discoverSeeds(project.seedsDir, 'development');
    expect(seeds.map((s) => [s.name, s.format])).toEqual([['01_users', 'csv'], ['02_books', 'yaml'], ['03_code', 'code']]);
    expect(await discoverSeeds(path.join(project.root, 'nothing-here'), 'development')).toEqual([]);
  });

  test('a name found twice is an error; an orphan sidecar too', async () => {
    project = await makeProject({ 'seeds/books.yaml': 'rows: []', 'seeds/development/books.csv': 'id\n' });
    expect((await rejection(discoverSeeds(project.seedsDir, 'development'))).code).toBe('CM_FILE');
    await project.remove();
    project = await makeProject({ 'seeds/gone.csv.yaml': 'mode: insert' });
    expect((await rejection(discoverSeeds(project.seedsDir, 'development'))).code).toBe('CM_FILE');
  });

  test('a seeds "directory" that is a file is a file error naming it, not a raw ENOTDIR', async () => {
    project = await makeProject({ 'seeds.yaml': 'rows: []' });
    const notADir = path.join(project.root, 'seeds.yaml');
    expect(await rejection(discoverSeeds(notADir, 'development'))).toMatchObject({ code: 'CM_FILE', file: notADir });
  });

  test('only picks by name; an unknown name is a usage error listing the available ones', () => {
    const seeds = ['authors', 'books'].map((name) => ({ name, path: `/p/${name}.yaml`, format: 'yaml' }) as SeedFile);
    expect(selectSeeds(seeds, ['books']).map((s) => s.name)).toEqual(['books']);
    let err: unknown;
    try {
      selectSeeds(seeds, ['bookz']);
    } catch (e) {
      err = e;
    }
    expect(err).toMatchObject({ code: 'CM_USAGE', message: expect.stringMatching(/bookz.*authors, books/) });
  });
});

describe('createSeedFile', () => {
  test('writes a template of each format that reads back as a valid seed, and never overwrites', async () => {
    project = await makeProject();
    for (const format of ['yaml', 'json', 'ndjson', 'csv', 'ts'] as const) {
      const file = await createSeedFile({ dir: project.seedsDir, name: `${format}_items`, format });
      expect(path.basename(file)).toBe(`${format}_items.${format}`);
    }
    const seeds = await discoverSeeds(project.seedsDir, 'development');
    for (const seed of seeds) {
      const source = await openSeed(seed, project.root, 'doc', Promise.resolve('test'));
      expect(source.header.table?.table).toBe(`${seed.name}`);
      expect(await collect(source.rows(noContext))).toEqual([]);
    }
    const again = await createSeedFile({ dir: project.seedsDir, name: 'yaml_items', format: 'yaml' }).catch((e: unknown) => e);
    expect(again).toMatchObject({ code: 'CM_USAGE' });
    expect(await createSeedFile({ dir: project.seedsDir, name: '../evil', format: 'yaml' }).catch((e: unknown) => e)).toMatchObject({ code: 'CM_USAGE' });
  });
});
