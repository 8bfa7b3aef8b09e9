import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import pino from 'pino';
import { parse } from 'yaml';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { TableRef } from '../../../src/client/types.js';
import { RebuildError } from '../../../src/errors.js';
import { checkMigrations } from '../../../src/migrations/check/check.js';
import { createTableReader } from '../../../src/migrations/check/cluster.js';
import { parseSqlMigration } from '../../../src/migrations/sql-file.js';
import { createMigrationContext } from '../../../src/migrations/context.js';
import { loadSqlGrammar } from '../../../src/migrations/sql-grammar.js';
import { createRebuildTableStore, type RebuildStore } from '../../../src/migrations/rebuild/progress.js';
import { abandonRebuild, planRebuild, rebuildTable, revertRebuild, type RebuildPoint } from '../../../src/migrations/rebuild/rebuild.js';
import type { RebuildSpec } from '../../../src/migrations/rebuild/spec.js';
import { caught } from '../../support/caught.js';
import { startCrate, type CrateTarget } from '../../support/crate.js';
import { createProject, type TestProject } from './project.js';

const REPO = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../..');

let crate: CrateTarget;
let project: TestProject;
let store: RebuildStore;
beforeAll(async () => {
  crate = await startCrate();
});
afterAll(() => crate?.close());
beforeEach(async () => {
  project = await createProject(crate);
  store = createRebuildTableStore(project.client, { schema: `${project.schema}_migrate`, table: 'rebuilds' });
});
afterEach(() => project?.close());

const q = (table: string) => `"${project.schema}"."${table}"`;
const ref = (table: string): TableRef => ({ schema: project.schema, table });

/** The books table of migrations/001_create_books.sql with the rows of seeds/books.yaml. */
async function seededBooks(table = 'books'): Promise<void> {
  const create = (await readFile(path.join(REPO, 'migrations/001_create_books.sql'), 'utf8')).split('-- migrate:up')[1]!.split('-- migrate:down')[0]!;
  await crate.sql(create.trim().replace(/;$/, '').replace('books', q(table)));
  const seed = parse(await readFile(path.join(REPO, 'seeds/books.yaml'), 'utf8')) as { rows: Array<Record<string, unknown>> };
  for (const row of seed.rows) {
    await crate.sql(`INSERT INTO ${q(table)} (id, title, author, publication_date, categories) VALUES (?, ?, ?, ?, ?)`, [
      row.id,
      row.title,
      row.author,
      String(row.publication_date),
      row.categories,
    ]);
  }
  await crate.sql(`REFRESH TABLE ${q(table)}`);
}

/** Every row and value, by key (a primary-key-ordered scan after REFRESH). */
async function rowsOf(table: string): Promise<unknown[][]> {
  await crate.sql(`REFRESH TABLE ${q(table)}`);
  return (await crate.sql(`SELECT id, title, author, publication_date, categories FROM ${q(table)} ORDER BY id`)).rows;
}

async function tablesNamed(prefix: string): Promise<string[]> {
  const found = await crate.sql('SELECT table_name FROM information_schema.tables WHERE table_schema = ? ORDER BY 1', [project.schema]);
  return found.rows.map((r) => String(r[0])).filter((n) => n.startsWith(prefix));
}

async function matchAuthor(table: string, word: string): Promise<unknown[]> {
  return (await crate.sql(`SELECT id FROM ${q(table)} WHERE match(author, ?) ORDER BY id`, [word])).rows.map((r) => r[0]);
}

const authorFulltext = (table: string): RebuildSpec => ({
  table: ref(table),
  definition: `CREATE TABLE ${q(table)} (id TEXT PRIMARY KEY, title TEXT INDEX USING FULLTEXT WITH (analyzer = 'english'), author TEXT INDEX USING FULLTEXT WITH (analyzer = 'english'), publication_date TIMESTAMP, categories ARRAY(TEXT))`,
  columns: {},
  keepBackup: true,
  copy: { by: 'key', column: 'id', size: 1 },
});

const deps = (hook?: (point: RebuildPoint) => void) => ({ client: project.client, store, ...(hook ? { hook } : {}) });

describe('table rebuilds against CrateDB', () => {
  it('the books example: an english fulltext index on author, every seeded row and value kept, and its down', async () => {
    await seededBooks();
    const before = await rowsOf('books');
    expect(before).toHaveLength(3);
    const example = (await import(path.join(REPO, 'examples/migrations/002_books_author_fulltext.ts'))) as {
      up(ctx: unknown): Promise<void>;
      down(ctx: unknown): Promise<void>;
    };
    const ctx = createMigrationContext({ client: project.client, config: project.config, logger: pino({ level: 'silent' }), signal: new AbortController().signal });
    await example.up(ctx);

    expect(await matchAuthor('books', 'adams')).toEqual(['1', '2']);
    expect(await rowsOf('books')).toEqual(before);
    const ddl = String((await crate.sql(`SHOW CREATE TABLE ${q('books')}`)).rows[0]![0]);
    expect(ddl).toMatch(/"author" TEXT INDEX USING FULLTEXT WITH \(\s*analyzer = 'english'/);
    expect(await tablesNamed('books')).toEqual(['books', 'books__cm_backup']);
    expect(await rowsOf('books__cm_backup')).toEqual(before);
    // Writes go to the new table (the write block was on the old one only).
    await crate.sql(`INSERT INTO ${q('books')} (id, author) VALUES ('4', 'Terry Pratchett')`);

    await example.down(ctx);
    expect(await tablesNamed('books')).toEqual(['books']);
    expect(await rowsOf('books')).toEqual(before);
    const reverted = String((await crate.sql(`SHOW CREATE TABLE ${q('books')}`)).rows[0]![0]);
    expect(reverted).not.toMatch(/"author" TEXT INDEX USING FULLTEXT/);
    expect(ctx.statementsRun).toBe(2);
  });

  const points: RebuildPoint[] = ['create', 'block', 'copy-batch', 'verify', 'swap', 'finish'];
  for (const point of points) {
    it(`killed before "${point}", run again: it resumes, and the live table was never missing`, async () => {
      await seededBooks();
      const before = await rowsOf('books');
      let seen = 0;
      // copy-batch: the second batch, so that one batch is already copied when it dies.
      const kill = (p: RebuildPoint) => {
        if (p === point && ++seen === (point === 'copy-batch' ? 2 : 1)) throw new Error(`killed before ${p}`);
      };
      await expect(rebuildTable(deps(kill), authorFulltext('books'))).rejects.toThrow(`killed before ${point}`);
      expect(await rowsOf('books')).toEqual(before);

      const result = await rebuildTable(deps(), authorFulltext('books'));
      expect(result).toMatchObject({ rows: 3, resumed: true, backup: ref('books__cm_backup') });
      expect(await rowsOf('books')).toEqual(before);
      expect(await matchAuthor('books', 'adams')).toEqual(['1', '2']);
      expect(await tablesNamed('books')).toEqual(['books', 'books__cm_backup']);
      expect(await store.read(`"${project.schema}"."books"`)).toBeNull();
    });
  }

  it('a crash right after the swap, before it was recorded, does not swap back', async () => {
    await seededBooks();
    const before = await rowsOf('books');
    let failed = false;
    const flaky: RebuildStore = {
      ...store,
      async write(progress) {
        if (progress.step === 'swapped' && !failed) {
          failed = true;
          throw new Error('killed after the swap');
        }
        return store.write(progress);
      },
    };
    await expect(rebuildTable({ client: project.client, store: flaky }, { ...authorFulltext('books'), keepBackup: false })).rejects.toThrow('killed after the swap');
    expect(await matchAuthor('books', 'adams')).toEqual(['1', '2']); // the new table is live already
    await rebuildTable({ client: project.client, store }, { ...authorFulltext('books'), keepBackup: false });
    expect(await matchAuthor('books', 'adams')).toEqual(['1', '2']);
    expect(await rowsOf('books')).toEqual(before);
    expect(await tablesNamed('books')).toEqual(['books']); // no backup asked: the old table is dropped
  });

  it('an interrupted rebuild is undone cleanly: the temporary table dropped, writes allowed again', async () => {
    await seededBooks();
    const before = await rowsOf('books');
    await expect(rebuildTable(deps((p) => { if (p === 'verify') throw new Error('killed'); }), authorFulltext('books'))).rejects.toThrow('killed');
    expect(await tablesNamed('books')).toEqual(['books', 'books__cm_rebuild']);
    // From the copy to the swap, writes to the live table are blocked, so that the counts can match.
    const read = createTableReader(project.client, await loadSqlGrammar());
    expect(await read(ref('books'))).toMatchObject({ blocksWrite: true });
    expect((await caught(crate.sql(`INSERT INTO ${q('books')} (id, author) VALUES ('4', 'Terry Pratchett')`), Error)).message).toMatch(/doesn't support or allow INSERT operations/);
    expect(await abandonRebuild(deps(), ref('books'))).toBe(true);
    expect(await read(ref('books'))).toMatchObject({ blocksWrite: false });
    expect(await tablesNamed('books')).toEqual(['books']);
    expect(await rowsOf('books')).toEqual(before);
    await crate.sql(`INSERT INTO ${q('books')} (id, author) VALUES ('4', 'Terry Pratchett')`);
    expect(await abandonRebuild(deps(), ref('books'))).toBe(false);
  });

  it('refuses to swap when the new table got fewer rows (a key that repeats), and drops it', async () => {
    await seededBooks();
    const before = await rowsOf('books');
    const byAuthor = { ...authorFulltext('books'), copy: { by: 'all' as const }, definition: `CREATE TABLE ${q('books')} (id TEXT, title TEXT, author TEXT PRIMARY KEY, publication_date TIMESTAMP, categories ARRAY(TEXT))` };
    const error = await caught(rebuildTable(deps(), byAuthor), RebuildError);
    expect(error.code).toBe('CM_REBUILD_COUNT');
    expect(error.message).toContain('3 rows, the new one got 2');
    expect(await tablesNamed('books')).toEqual(['books']);
    expect(await rowsOf('books')).toEqual(before);
    await crate.sql(`INSERT INTO ${q('books')} (id, author) VALUES ('4', 'Terry Pratchett')`); // not left write-blocked
  });

  it('refuses to swap when the new definition refuses rows (a NOT NULL column the copy leaves empty)', async () => {
    await seededBooks();
    const before = await rowsOf('books');
    const strict = { ...authorFulltext('books'), copy: { by: 'all' as const }, definition: `CREATE TABLE ${q('books')} (id TEXT PRIMARY KEY, title TEXT, author TEXT, isbn TEXT NOT NULL, publication_date TIMESTAMP, categories ARRAY(TEXT))` };
    const error = await caught(rebuildTable(deps(), strict), RebuildError);
    expect(error.code).toBe('CM_REBUILD_COUNT');
    expect(error.message).toContain('3 rows, the new one got 0');
    expect(await tablesNamed('books')).toEqual(['books']);
    expect(await rowsOf('books')).toEqual(before);
  });

  it('refuses a definition of another table, a missing table, and a revert without backup', async () => {
    await seededBooks();
    const other = { ...authorFulltext('books'), definition: `CREATE TABLE ${q('authors')} (id TEXT PRIMARY KEY)` };
    expect((await caught(rebuildTable(deps(), other), RebuildError)).message).toContain('creates');
    expect((await caught(rebuildTable(deps(), authorFulltext('nope')), RebuildError)).message).toContain('does not exist');
    expect((await caught(revertRebuild(deps(), ref('books')), RebuildError)).message).toContain('no backup');
    expect(await tablesNamed('books')).toEqual(['books']);
  });

  it('a revert killed before dropping the rebuilt table finishes when run again', async () => {
    await seededBooks();
    const before = await rowsOf('books');
    await rebuildTable(deps(), authorFulltext('books'));
    await expect(revertRebuild(deps((p) => { if (p === 'revert-finish') throw new Error('killed'); }), ref('books'))).rejects.toThrow('killed');
    expect(await rowsOf('books')).toEqual(before);
    await revertRebuild(deps(), ref('books'));
    expect(await tablesNamed('books')).toEqual(['books']);
    expect(await rowsOf('books')).toEqual(before);
  });

  it('copies a partitioned table partition by partition, with a column mapping', async () => {
    await crate.sql(`CREATE TABLE ${q('events')} (id INT, day TEXT, v INT, PRIMARY KEY (id, day)) PARTITIONED BY (day) WITH (number_of_replicas = 0)`);
    await crate.sql(`INSERT INTO ${q('events')} (id, day, v) VALUES (1, '2024-01-01', 1), (2, '2024-01-02', 2), (3, '2024-01-02', 3)`);
    await crate.sql(`REFRESH TABLE ${q('events')}`);
    const spec: RebuildSpec = {
      table: ref('events'),
      definition: `CREATE TABLE ${q('events')} (id INT, day TEXT, v BIGINT, v10 BIGINT, PRIMARY KEY (id, day)) PARTITIONED BY (day) WITH (number_of_replicas = 0)`,
      columns: { v10: 'v * 10' },
      keepBackup: false,
      copy: { by: 'partition' },
    };
    let batches = 0;
    await rebuildTable(deps((p) => { if (p === 'copy-batch') batches++; }), spec);
    expect(batches).toBe(2);
    await crate.sql(`REFRESH TABLE ${q('events')}`);
    expect((await crate.sql(`SELECT id, day, v, v10 FROM ${q('events')} ORDER BY id`)).rows).toEqual([
      [1, '2024-01-01', 1, 10],
      [2, '2024-01-02', 2, 20],
      [3, '2024-01-02', 3, 30],
    ]);
    const types = await crate.sql('SELECT data_type FROM information_schema.columns WHERE table_schema = ? AND table_name = ? AND column_name = ?', [project.schema, 'events', 'v']);
    expect(types.rows).toEqual([['bigint']]);
  });

  it('plans a rebuild without changing anything: its statements, what it copies, the rows', async () => {
    await seededBooks();
    const plan = await planRebuild(project.client, { ...authorFulltext('books'), columns: { title: 'upper(title)' } });
    expect(plan.rows).toBe(3);
    expect(plan.copies).toEqual([
      { column: 'id', from: '"id"' },
      { column: 'title', from: 'upper(title)' },
      { column: 'author', from: '"author"' },
      { column: 'publication_date', from: '"publication_date"' },
      { column: 'categories', from: '"categories"' },
    ]);
    expect(plan.statements[0]).toMatch(/^CREATE TABLE IF NOT EXISTS "[^"]+"\."books__cm_rebuild" \(id TEXT PRIMARY KEY/);
    expect(plan.statements).toContain(`ALTER CLUSTER SWAP TABLE ${q('books__cm_rebuild')} TO ${q('books')}`);
    expect(plan.backup).toEqual(ref('books__cm_backup'));
    expect(await tablesNamed('books')).toEqual(['books']);
    expect(await store.read(`"${project.schema}"."books"`)).toBeNull();
  });

  it("the check's fix for a refused change is a definition the rebuild takes", async () => {
    await seededBooks();
    const before = await rowsOf('books');
    const text = "-- migrate:up\nALTER TABLE ${schema}.books ALTER COLUMN author SET (analyzer = 'english');";
    const parsed = await parseSqlMigration(text, { file: 'x.sql', placeholders: { schema: project.schema }, defaultSchema: project.schema });
    const result = await checkMigrations({
      migrations: [{ name: '002', file: 'x.sql', kind: 'sql', up: parsed.up, hasDown: false }],
      readTable: createTableReader(project.client, await loadSqlGrammar()),
      defaultSchema: project.schema,
    });
    const [finding] = result.findings;
    expect(finding).toMatchObject({ code: 'CM_CHECK_ANALYZER', severity: 'error', line: 2 });
    await rebuildTable(deps(), { table: ref('books'), definition: finding!.definition!, columns: {}, keepBackup: false, copy: { by: 'all' } });
    expect(await matchAuthor('books', 'adams')).toEqual(['1', '2']);
    expect(await rowsOf('books')).toEqual(before);
  });
});
