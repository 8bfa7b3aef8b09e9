import { createHash } from 'node:crypto';
import pino from 'pino';
import { afterEach, describe, expect, test } from 'vitest';
import { defaultConfig } from '../../../src/config/defaults.js';
import { ConnectionError, SeedError } from '../../../src/errors.js';
import { createSeeder } from '../../../src/seeds/seeder.js';
import type { SeedProgress, SeedResult, SeedRunOptions } from '../../../src/seeds/types.js';
import { FakeCrate } from './fake-crate.js';
import { BOOKS_YAML, makeProject, type Project } from './helpers.js';
import { seedOutcome as outcome } from '../../support/caught.js';

const BOOKS = { schema: 'doc', table: 'books' };
const BOOK_COLUMNS: Array<[string, string]> = [
  ['id', 'text'], ['publication_date', 'timestamp without time zone'], ['title', 'text'], ['author', 'text'],
  ['categories', 'text_array'],
];

let project: Project | undefined;
afterEach(async () => {
  await project?.remove();
  project = undefined;
});

async function setup(files: Record<string, string>) {
  project = await makeProject(files);
  const crate = new FakeCrate();
  crate.addTable(BOOKS, { columns: BOOK_COLUMNS, primaryKey: ['id'] });
  crate.history = new Map([['001_create_books', 'applied']]);
  const config = defaultConfig(['http://127.0.0.1:1'], project.root);
  const seeder = (extra: { progress?: SeedProgress; signal?: AbortSignal } = {}) =>
    createSeeder({ config, client: crate, logger: pino({ level: 'silent' }), ...extra });
  return { crate, config, seeder };
}


const bulkStatements = (crate: FakeCrate) => crate.statements.filter((s) => s.startsWith('INSERT INTO "doc"'));

describe('the tutorial seed', () => {
  test('writes the three books with converted values, refreshes, records, and skips an unchanged re-run', async () => {
    const { crate, seeder } = await setup({ 'seeds/books.yaml': BOOKS_YAML });
    const result = await seeder().run();
    expect(result.seeds).toEqual([expect.objectContaining({
      name: 'books', file: 'seeds/books.yaml', table: 'doc.books', mode: 'upsert', status: 'seeded',
      rows: 3, written: 3, unchanged: 0, skipped: 0, failed: 0, failures: [],
    })]);
    expect(crate.rowsOf(BOOKS).find((b) => b.id === '1')).toEqual({
      id: '1', title: "The Hitchhiker's Guide to the Galaxy", author: 'Douglas Adams',
      publication_date: 308534400000, categories: ['novel', 'documentation', 'comedy'],
    });
    expect(bulkStatements(crate)).toEqual([
      'INSERT INTO "doc"."books" ("author", "categories", "id", "publication_date", "title") VALUES (?, ?, ?, ?, ?) ' +
        'ON CONFLICT ("id") DO UPDATE SET "author" = excluded."author", "categories" = excluded."categories", ' +
        '"publication_date" = excluded."publication_date", "title" = excluded."title"',
    ]);
    expect(crate.refreshed.filter((t) => t === '"doc"."books"')).toHaveLength(1);
    expect(crate.tracking?.get('books')).toEqual(['books', result.seeds[0]!.checksum, 3, 0, 0, expect.any(Number), expect.any(Number)]);

    const before = crate.statements.length;
    const again = await seeder().run();
    expect(again.seeds[0]).toMatchObject({ status: 'skipped', written: 0 });
    expect(crate.statements.slice(before).filter((s) => s.startsWith('INSERT'))).toEqual([]);

    const forced = await seeder().run({ force: true });
    expect(forced.seeds[0]).toMatchObject({ status: 'seeded', written: 3 });
    expect(crate.rowsOf(BOOKS)).toHaveLength(3);
  });

  test('creates the tracking table when its read finds none, and not again once a read found it', async () => {
    const { crate, seeder } = await setup({ 'seeds/books.yaml': BOOKS_YAML });
    const creates = () => crate.statements.filter((s) => s.startsWith('CREATE TABLE IF NOT EXISTS "cratedb_migrate"."seeds"'));
    expect(crate.tracking).toBeUndefined();
    await seeder().run();
    expect(creates()).toHaveLength(1);
    const forced = await seeder().run({ force: true });
    expect(forced.seeds[0]).toMatchObject({ status: 'seeded', written: 3 });
    expect(creates()).toHaveLength(1);
    expect(crate.tracking?.get('books')).toEqual(['books', forced.seeds[0]!.checksum, 3, 0, 0, expect.any(Number), expect.any(Number)]);
  });
});

describe('checksums', () => {
  const sha256 = (text: string) => createHash('sha256').update(text).digest('hex');
  const NDJSON = '{"id":"1","title":"a"}\n{"id":"2","title":"b"}\n';

  test("every result carries the file's SHA-256: a seed that ran (hashed while its rows were written), a skipped one, a refused one", async () => {
    const { crate, seeder } = await setup({ 'seeds/books.ndjson': NDJSON });
    const ran = await seeder().run();
    expect(ran.seeds[0]).toMatchObject({ status: 'seeded', written: 2, checksum: sha256(NDJSON) });
    expect(crate.tracking?.get('books')?.[1]).toBe(sha256(NDJSON));
    expect((await seeder().run()).seeds[0]).toMatchObject({ status: 'skipped', checksum: sha256(NDJSON) });
    expect((await seeder().run({ dryRun: true, force: true })).seeds[0]).toMatchObject({ checksum: sha256(NDJSON) });

    const other = await setup({ 'seeds/nowhere.ndjson': '{"$seed":{"table":"doc.nowhere"}}\n{"id":"1"}\n' });
    const refused = await outcome(other.seeder().run());
    expect(refused.error?.code).toBe('CM_SEED');
    expect(refused.result.seeds[0]).toMatchObject({ status: 'failed', checksum: sha256('{"$seed":{"table":"doc.nowhere"}}\n{"id":"1"}\n') });
  });
});

describe('modes', () => {
  const twoBooks = (mode: string, title = 'New title') =>
    `table: books\nmode: ${mode}\nrows:\n  - {id: "1", title: ${title}}\n  - {id: "9", title: Nine}\n`;

  test('upsert updates an existing row and counts it written (DO UPDATE answers 1)', async () => {
    const { crate, seeder } = await setup({ 'seeds/books.yaml': twoBooks('upsert') });
    crate.tables.get('"doc"."books"')!.rows.set('["1"]', { id: '1', title: 'Old', author: 'A' });
    const result = await seeder().run();
    expect(result.seeds[0]).toMatchObject({ written: 2, unchanged: 0, failed: 0 });
    expect(crate.rowsOf(BOOKS).find((b) => b.id === '1')).toEqual({ id: '1', title: 'New title', author: 'A' });
  });

  test('insert fails the existing key with its line, writes the others and throws SeedError', async () => {
    const { crate, seeder } = await setup({ 'seeds/books.yaml': twoBooks('insert') });
    crate.tables.get('"doc"."books"')!.rows.set('["1"]', { id: '1', title: 'Old' });
    const { result, error } = await outcome(seeder().run());
    expect(error?.code).toBe('CM_SEED');
    expect(result.seeds[0]).toMatchObject({
      status: 'failed', rows: 2, written: 1, failed: 1,
      failures: [{ row: 1, line: 4, code: 4091, message: expect.stringMatching(/DuplicateKeyException/), stage: 'write' }],
    });
    expect(crate.rowsOf(BOOKS).map((b) => b.title).sort()).toEqual(['Nine', 'Old']);
    expect(crate.refreshed).toContain('"doc"."books"');
    // A seed with failed rows is recorded as such and runs again next time, although its file is unchanged.
    expect(crate.tracking?.get('books')?.[4]).toBe(1);
    const next = await outcome(seeder().run());
    expect(next.result.seeds[0]!.status).toBe('failed');
  });

  test('skip-existing leaves existing rows as they are and counts them unchanged', async () => {
    const { crate, seeder } = await setup({ 'seeds/books.yaml': twoBooks('skip-existing') });
    crate.tables.get('"doc"."books"')!.rows.set('["1"]', { id: '1', title: 'Old' });
    const result = await seeder().run();
    expect(result.seeds[0]).toMatchObject({ status: 'seeded', written: 1, unchanged: 1 });
    expect(bulkStatements(crate)[0]).toMatch(/ON CONFLICT \("id"\) DO NOTHING$/);
    expect(crate.rowsOf(BOOKS).find((b) => b.id === '1')!.title).toBe('Old');
  });

  test('replace refreshes, deletes every row, then inserts', async () => {
    const { crate, seeder } = await setup({ 'seeds/books.yaml': twoBooks('replace') });
    crate.tables.get('"doc"."books"')!.rows.set('["7"]', { id: '7', title: 'Gone' });
    const result = await seeder().run();
    expect(result.seeds[0]).toMatchObject({ status: 'seeded', written: 2 });
    expect(crate.rowsOf(BOOKS).map((b) => b.id).sort()).toEqual(['1', '9']);
    const del = crate.statements.indexOf('DELETE FROM "doc"."books"');
    expect(del).toBeGreaterThan(-1);
    expect(bulkStatements(crate)[0]).not.toMatch(/ON CONFLICT/);
  });

  test('the run option mode overrides the file; batchSize splits the requests', async () => {
    const { crate, seeder } = await setup({ 'seeds/books.yaml': twoBooks('insert') });
    crate.tables.get('"doc"."books"')!.rows.set('["1"]', { id: '1', title: 'Old' });
    const result = await seeder().run({ mode: 'upsert', batchSize: 1 });
    expect(result.seeds[0]).toMatchObject({ mode: 'upsert', written: 2, failed: 0 });
    expect(crate.bulkSizes).toEqual([1, 1]);
    await expect(seeder().run({ batchSize: 0 })).rejects.toMatchObject({ code: 'CM_USAGE' });
    await expect(seeder().run({ mode: 'merge' as SeedRunOptions['mode'] })).rejects.toMatchObject({ code: 'CM_USAGE' });
  });
});

describe('accounting for rows CrateDB refuses', () => {
  const fiveBooks = 'table: books\nbatchSize: 5\nrows:\n' +
    [1, 2, 3, 4, 5].map((i) => `  - {id: "${i}", title: "${i === 3 ? 'POISON' : `T${i}`}"}\n`).join('');

  test('a whole-batch HTTP 400 is bisected: good rows written, the bad one reported with its line', async () => {
    const { crate, seeder } = await setup({ 'seeds/books.yaml': fiveBooks });
    crate.uncastable.add('POISON');
    const { result, error } = await outcome(seeder().run());
    expect(error).toBeInstanceOf(SeedError);
    expect(result.seeds[0]).toMatchObject({
      rows: 5, written: 4, failed: 1,
      failures: [{ row: 3, line: 6, code: 4000, message: expect.stringMatching(/Cannot cast value `POISON`/), stage: 'write' }],
    });
    expect(crate.rowsOf(BOOKS).map((b) => b.id).sort()).toEqual(['1', '2', '4', '5']);
    expect(crate.bulkSizes[0]).toBe(5);
  });

  test('a batch where every row fails with the same message stops the seed instead of sending row by row', async () => {
    // 4 batches: the first two are in flight together; the third waits for one of them and is not sent, and
    // the rows after it are not read (not counted in `rows`).
    const rows = Array.from({ length: 40 }, (_, i) => `  - {id: "${i}", title: POISON}\n`).join('');
    const { crate, seeder } = await setup({ 'seeds/books.yaml': `table: books\nbatchSize: 10\nrows:\n${rows}` });
    crate.uncastable.add('POISON');
    const { result, error } = await outcome(seeder().run());
    expect(error?.code).toBe('CM_SEED');
    const r = result.seeds[0]!;
    expect(r).toMatchObject({ status: 'failed', written: 0, error: { code: 'CM_CRATEDB' } });
    expect(r.rows).toBeLessThan(40);
    expect(r.failed + r.skipped).toBe(r.rows);
    expect(r.skipped).toBeGreaterThanOrEqual(10);
    // Row-by-row bisection of all 40 rows would take 40 single-row requests.
    expect(crate.bulkSizes.filter((n) => n === 1).length).toBeLessThanOrEqual(20);
  });

  test('-2 items without an error object (after the first 10 per shard) say "no error detail"', async () => {
    const { crate, seeder } = await setup({ 'seeds/books.yaml': fiveBooks });
    // What the client makes of 5.10's `error` objects, of older `error_message` strings, and of bare -2 items.
    crate.rewriteResults = (items) => items.map((item, i) =>
      i === 0 ? { rowcount: -2, error: { code: 4091, message: 'DuplicateKeyException[x]' } }
        : i === 1 ? { rowcount: -2, error: { message: 'VersionConflictEngineException[y]' } }
          : i === 2 ? { rowcount: -2 } : item);
    const { result } = await outcome(seeder().run());
    expect(result.seeds[0]!.failures).toEqual([
      { row: 1, line: 4, code: 4091, message: 'DuplicateKeyException[x]', stage: 'write' },
      { row: 2, line: 5, code: undefined, message: 'VersionConflictEngineException[y]', stage: 'write' },
      { row: 3, line: 6, code: undefined, message: 'no error detail', stage: 'write' },
    ]);
    expect(result.seeds[0]).toMatchObject({ written: 2, failed: 3 });
  });

  test('a value that does not fit is reported with file, line and column, and never sent', async () => {
    const yaml = 'table: books\nrows:\n  - {id: "1", publication_date: 1979-10-12}\n  - {id: "2", publication_date: not a date}\n' +
      '  - {id: "3", isbn: "x"}\n  - {title: no id}\n';
    const { crate, seeder } = await setup({ 'seeds/books.yaml': yaml });
    const { result, error } = await outcome(seeder().run());
    expect(error?.message).toMatch(/seeds\/books\.yaml:4 column "publication_date"/);
    expect(result.seeds[0]).toMatchObject({
      file: 'seeds/books.yaml', rows: 4, written: 1, failed: 3,
      failures: [
        { row: 2, line: 4, column: 'publication_date', stage: 'validate', message: expect.stringMatching(/timestamp without time zone/) },
        { row: 3, line: 5, column: 'isbn', stage: 'validate', message: expect.stringMatching(/does not exist in doc\.books/) },
        { row: 4, line: 6, column: 'id', stage: 'validate', message: expect.stringMatching(/primary key/) },
      ],
    });
    expect(crate.bulkSizes).toEqual([1]);
  });

  test('a request without an answer stops the run: its rows are "outcome unknown", later seeds stay pending', async () => {
    const { crate, seeder } = await setup({ 'seeds/a_books.yaml': fiveBooks.replace('POISON', 'T3'), 'seeds/b_more.yaml': 'table: books\nrows: []\n' });
    crate.failNextBulk = new ConnectionError('socket hang up', 'http://127.0.0.1:1', true);
    const { result, error } = await outcome(seeder().run());
    expect((error?.cause as { code?: string }).code).toBe('CM_CONNECTION');
    expect(result.seeds[0]).toMatchObject({ status: 'failed', written: 0, failed: 5, error: { code: 'CM_CONNECTION' } });
    expect(result.seeds[0]!.failures[0]!.message).toMatch(/outcome unknown/);
    expect(result.seeds[1]!.status).toBe('pending');
    expect(crate.tracking?.has('a_books')).toBe(false);
  });
});

describe('checks before anything is written', () => {
  test('every seed is planned at once: all tracking rows are asked for before any table is read', async () => {
    const { crate, seeder } = await setup({
      'seeds/a.yaml': BOOKS_YAML, 'seeds/b.yaml': 'table: books\nrows: [{id: "5"}]\n', 'seeds/c.yaml': 'table: books\nrows: [{id: "6"}]\n',
    });
    const result = await seeder().run();
    expect(result.seeds.map((s) => [s.name, s.status, s.written])).toEqual([['a', 'seeded', 3], ['b', 'seeded', 1], ['c', 'seeded', 1]]);
    expect(crate.statements.slice(0, 3)).toEqual(Array(3).fill(
      'SELECT name, checksum, rows_written, rows_unchanged, rows_failed, seeded_at, duration_ms FROM "cratedb_migrate"."seeds" WHERE name = ?',
    ));
    // Their one table is read once for the three of them.
    expect(crate.statements.filter((s) => s.includes('information_schema.columns'))).toHaveLength(1);
  });

  test('when several seeds cannot be opened, the error is the first one in name order, and nothing is written', async () => {
    // a is a code seed of 8 MB: it is hashed before it is imported, so its error comes after b's.
    const { crate, seeder } = await setup({
      'seeds/a.mjs': `// ${'x'.repeat(8_000_000)}\nexport default 42;\n`,
      'seeds/b.ndjson': '{"$seed": {"table": "books", "mode": "sideways"}}\n{"id":"1"}\n',
    });
    const err = await seeder().run().then(() => undefined, (e: unknown) => e as Error);
    expect(err?.message).toMatch(/seeds\/a\.mjs/);
    expect(crate.statements.filter((s) => /^(INSERT|CREATE|DELETE)/.test(s))).toEqual([]);
  });

  test('a required migration that is not applied names both, and nothing is written', async () => {
    const { crate, seeder } = await setup({ 'seeds/books.yaml': BOOKS_YAML, 'seeds/other.yaml': 'table: books\nrows: [{id: "5"}]\n' });
    crate.history = new Map([['001_create_books', 'failed']]);
    const { result, error } = await outcome(seeder().run());
    expect(error?.code).toBe('CM_SEED');
    expect(error?.message).toMatch(/"books" requires migration "001_create_books"/);
    expect(result.seeds.find((s) => s.name === 'books')).toMatchObject({
      status: 'failed', missingRequires: ['001_create_books'], error: { code: 'CM_SEED_REQUIRES' },
    });
    expect(crate.statements.filter((s) => /^(INSERT|CREATE|DELETE)/.test(s))).toEqual([]);

    crate.history = undefined; // no history table at all: nothing is applied
    expect((await outcome(seeder().run())).result.seeds[0]!.error?.code).toBe('CM_SEED_REQUIRES');
  });

  test('several required migrations are read in one request; only those not applied are named', async () => {
    const requires = 'requires: [001_create_books, 002_add_isbn, 003_add_tags, 002_add_isbn]';
    const { crate, seeder } = await setup({ 'seeds/books.yaml': BOOKS_YAML.replace('requires: 001_create_books', requires) });
    crate.history = new Map([['001_create_books', 'applied'], ['002_add_isbn', 'applied'], ['003_add_tags', 'failed']]);
    const { result } = await outcome(seeder().run());
    expect(result.seeds[0]).toMatchObject({ status: 'failed', missingRequires: ['003_add_tags'], error: { code: 'CM_SEED_REQUIRES' } });
    expect(crate.statements.filter((s) => s.includes('FROM "cratedb_migrate"."migrations"'))).toEqual([
      'SELECT name, status FROM "cratedb_migrate"."migrations" WHERE name = ? OR name = ? OR name = ?',
    ]);
    crate.history.set('003_add_tags', 'applied');
    expect((await seeder().run()).seeds[0]).toMatchObject({ status: 'seeded', written: 3 });
  });

  test('a missing table, a key that is not the primary key, and upsert on a table without one', async () => {
    const { crate, seeder } = await setup({
      'seeds/a.yaml': 'table: nope\nrows: []\n',
      'seeds/b.yaml': 'table: books\nkey: title\nrows: []\n',
      'seeds/c.yaml': 'table: logs\nrows: [{msg: hi}]\n',
      'seeds/d.yaml': 'table: logs\nmode: insert\nrows: [{msg: hi}]\n',
    });
    crate.addTable({ schema: 'doc', table: 'logs' }, { columns: [['msg', 'text']], primaryKey: [] });
    const { result } = await outcome(seeder().run());
    expect(result.seeds.map((s) => [s.name, s.status, s.error?.code])).toEqual([
      ['a', 'failed', 'CM_SEED_TABLE'], ['b', 'failed', 'CM_SEED_KEY'], ['c', 'failed', 'CM_SEED_KEY'], ['d', 'pending', undefined],
    ]);
    expect(crate.statements.filter((s) => s.startsWith('INSERT'))).toEqual([]);
    const d = await seeder().run({ only: ['d'] });
    expect(d.seeds[0]).toMatchObject({ status: 'seeded', written: 1 });
  });
});

describe('defaults and generated columns', () => {
  test('a key column with a DEFAULT may be left out; a generated column is not SET by an upsert', async () => {
    const { crate, seeder } = await setup({ 'seeds/notes.yaml': 'table: notes\nrows:\n  - {id: "a", body: x, len: 1}\n  - {body: y}\n' });
    crate.addTable({ schema: 'doc', table: 'notes' }, {
      columns: [['id', 'text', { default: 'gen_random_text_uuid()' }], ['body', 'text'], ['len', 'integer', { generated: true }]],
      primaryKey: ['id'],
    });
    const result = await seeder().run();
    expect(result.seeds[0]).toMatchObject({ rows: 2, written: 2, failed: 0 });
    expect(crate.statements.filter((s) => s.startsWith('INSERT INTO "doc"."notes"'))).toEqual([
      'INSERT INTO "doc"."notes" ("body", "id", "len") VALUES (?, ?, ?) ON CONFLICT ("id") DO UPDATE SET "body" = excluded."body"',
      'INSERT INTO "doc"."notes" ("body") VALUES (?) ON CONFLICT ("id") DO UPDATE SET "body" = excluded."body"',
    ]);
  });
});

describe('dry run', () => {
  test('validates every row and returns what would be written, writing nothing', async () => {
    const { crate, seeder } = await setup({ 'seeds/books.yaml': BOOKS_YAML });
    const result = await seeder().run({ dryRun: true });
    expect(result.dryRun).toBe(true);
    expect(result.seeds[0]).toMatchObject({ status: 'planned', table: 'doc.books', mode: 'upsert', rows: 3, written: 0, skipped: 3 });
    expect(result.seeds[0]!.sample![2]).toEqual({
      id: '3', title: "Monty Python's Big Red Book", author: 'Monty Python', publication_date: 55036800000, categories: ['comedy'],
    });
    expect(crate.statements.filter((s) => /^(INSERT|CREATE|DELETE)/.test(s))).toEqual([]);
    expect(crate.refreshed).toEqual([]);
  });

  test('reports bad values (and throws), and plans a seed whose migration is still pending', async () => {
    const { crate, seeder } = await setup({
      'seeds/books.yaml': 'table: books\nrows:\n  - {id: "1", publication_date: 31.02.1979}\n',
      'seeds/later.yaml': 'table: later\nrequires: 002_later\ncolumns: {n: integer}\nrows:\n  - {n: "7"}\n  - {n: seven}\n',
    });
    const { result, error } = await outcome(seeder().run({ dryRun: true }));
    expect(error?.code).toBe('CM_SEED');
    expect(result.seeds[0]!.failures[0]).toMatchObject({ line: 3, column: 'publication_date', stage: 'validate' });
    expect(result.seeds[1]).toMatchObject({ missingRequires: ['002_later'], rows: 2, skipped: 1, failed: 1, sample: [{ n: 7 }] });
    expect(crate.statements.filter((s) => /^(INSERT|CREATE|DELETE)/.test(s))).toEqual([]);
  });
});

describe('streaming, batches and progress', () => {
  test('NDJSON rows go in batches of batchSize with at most 2 requests in flight; progress is reported', async () => {
    const lines = ['{"$seed": {"table": "books", "batchSize": 100}}'];
    for (let i = 0; i < 2500; i++) lines.push(JSON.stringify({ id: String(i), title: `t${i}` }));
    const { crate, seeder } = await setup({ 'seeds/many.ndjson': `${lines.join('\n')}\n` });
    crate.bulkDelayMs = 2;
    const events: Array<[string, unknown?]> = [];
    const progress: SeedProgress = {
      start: (seed, total) => events.push(['start', { ...seed, total }]),
      batch: (done) => events.push(['batch', done]),
      end: (r: SeedResult) => events.push(['end', r.written]),
    };
    const result = await seeder({ progress }).run();
    expect(result.seeds[0]).toMatchObject({ rows: 2500, written: 2500 });
    expect(crate.bulkSizes).toHaveLength(25);
    expect(crate.bulkSizes.every((n) => n === 100)).toBe(true);
    expect(crate.maxInFlight).toBe(2);
    expect(events[0]).toEqual(['start', { name: 'many', table: 'doc.books', mode: 'upsert', total: 2500 }]);
    const done = events.filter((e) => e[0] === 'batch').map((e) => e[1] as number);
    expect(done).toEqual([...done].sort((a, b) => a - b));
    expect(done.at(-1)).toBe(2500);
    expect(events.at(-1)).toEqual(['end', 2500]);
  });

  test('an abort stops between batches; what was sent is accounted, the rest skipped', async () => {
    const lines = ['{"$seed": {"table": "books"}}', ...Array.from({ length: 50 }, (_, i) => JSON.stringify({ id: String(i) }))];
    const { crate, seeder } = await setup({ 'seeds/many.ndjson': lines.join('\n') });
    crate.bulkDelayMs = 5;
    const controller = new AbortController();
    const progress: SeedProgress = { start() {}, batch: () => controller.abort(), end() {} };
    const { result, error } = await outcome(seeder({ progress, signal: controller.signal }).run({ batchSize: 10 }));
    expect((error?.cause as { code?: string }).code).toBe('CM_ABORTED');
    const r = result.seeds[0]!;
    expect(r.written).toBe(crate.rowsOf(BOOKS).length);
    expect(r.written + r.skipped + r.failed).toBe(r.rows);
    expect(r.written).toBe(20); // the two requests in flight when the first answer came
    expect(r.skipped).toBeGreaterThanOrEqual(10); // the batch that was ready but not sent, and any row read since
    expect(r.rows).toBeLessThan(50);
    expect(crate.tracking?.has('many')).toBe(false);
  });
});

describe('code seeds and status', () => {
  test('a code seed generates rows for its table; status shows pending, seeded, changed and missing', async () => {
    const code = `export default { table: 'books', requires: '001_create_books',
      async *rows() { for (const id of ['a', 'b']) yield { id, publication_date: new Date(0) }; } };`;
    const { crate, seeder, config } = await setup({ 'seeds/gen.mjs': code, 'seeds/books.yaml': BOOKS_YAML });
    expect((await seeder().status()).map((s) => [s.name, s.state])).toEqual([['books', 'pending'], ['gen', 'pending']]);
    const result = await seeder().run({ only: ['gen'] });
    expect(result.seeds.map((s) => [s.name, s.status, s.written])).toEqual([['gen', 'seeded', 2]]);
    expect(crate.rowsOf(BOOKS).find((b) => b.id === 'a')).toEqual({ id: 'a', publication_date: 0 });

    await project!.write('seeds/gen.mjs', `${code}\n// changed`);
    crate.tracking!.set('old', ['old', 'abc', 1, 0, 0, 0, 5]);
    const status = await seeder().status();
    expect(status.map((s) => [s.name, s.state])).toEqual([['books', 'pending'], ['gen', 'changed'], ['old', 'missing']]);
    expect(status[1]).toMatchObject({ file: 'seeds/gen.mjs', rowsWritten: 2, seededAt: expect.any(Date) });
    expect(config.seedsTable).toEqual({ schema: 'cratedb_migrate', table: 'seeds' });
  });
});
