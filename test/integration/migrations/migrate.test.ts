import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { DriftError, FailedStateError, FileFormatError, MigrationError } from '../../../src/errors.js';
import type { RunResult } from '../../../src/migrations/types.js';
import { startCrate, type CrateTarget } from '../../support/crate.js';
import { booksMigration, createProject, type TestProject } from './project.js';
import { caught } from '../../support/caught.js';

let crate: CrateTarget;
let project: TestProject;
beforeAll(async () => {
  crate = await startCrate();
});
afterAll(() => crate?.close());
afterEach(() => project?.close());

const statuses = (r: RunResult) => r.steps.map((s) => [s.name, s.status]);

async function tables(schema: string): Promise<string[]> {
  const res = await crate.sql('SELECT table_name FROM information_schema.tables WHERE table_schema = ? ORDER BY table_name', [schema]);
  return res.rows.map((r) => r[0] as string);
}


describe('migrations against CrateDB', () => {
  it('up creates the books table, status shows it applied, a second up does nothing, down --to 0 removes it', async () => {
    project = await createProject(crate);
    const { schema } = project;
    await project.write('001_create_books.sql', await booksMigration());
    const migrator = project.migrator();

    const result = await migrator.up();
    expect(statuses(result)).toEqual([['001_create_books', 'applied']]);

    const columns = await crate.sql(
      'SELECT column_name, data_type FROM information_schema.columns WHERE table_schema = ? AND table_name = ? ORDER BY ordinal_position',
      [schema, 'books'],
    );
    expect(columns.rows).toEqual([
      ['id', 'text'],
      ['title', 'text'],
      ['author', 'text'],
      ['publication_date', 'timestamp without time zone'],
      ['categories', 'text_array'],
    ]);
    // The fulltext index with the english analyzer: match() finds a stemmed word, = finds nothing.
    await crate.sql(`INSERT INTO "${schema}"."books" (id, title, categories) VALUES ('1', 'The Monty Python Guides', ['comedy'])`);
    await crate.sql(`REFRESH TABLE "${schema}"."books"`);
    const matched = await crate.sql(`SELECT id FROM "${schema}"."books" WHERE match(title, 'guide')`);
    expect(matched.rows).toEqual([['1']]);
    const equal = await crate.sql(`SELECT id FROM "${schema}"."books" WHERE title = 'The Monty Python Guides'`);
    expect(equal.rows).toEqual([]);

    const [status] = await migrator.status();
    expect(status).toMatchObject({ name: '001_create_books', state: 'applied', seq: 1, statementsRun: 1, statementsTotal: 1 });
    expect(status!.appliedChecksum).toBe(status!.checksum);
    expect(status!.checksum).toMatch(/^[0-9a-f]{64}$/);
    expect(status!.durationMs).toBeGreaterThanOrEqual(0);
    expect(status!.appliedAt).toBeInstanceOf(Date);
    expect(status!.appliedBy).toMatch(/.@./);

    const before = project.client.requests;
    expect((await migrator.up()).steps).toEqual([]);
    // One SELECT of the history (status refreshed it just now): no REFRESH, no lock, no DDL.
    expect(project.client.requests - before).toBe(1);

    expect(statuses(await migrator.down({ to: 0 }))).toEqual([['001_create_books', 'reverted']]);
    expect(await tables(schema)).toEqual([]);
    expect(await migrator.status()).toMatchObject([{ state: 'pending', seq: null }]);
    // The lock was released: no row left behind.
    expect((await crate.sql(`SELECT count(*) FROM "${schema}_migrate"."lock"`)).rows).toEqual([[0]]);
  });

  it('a migration applied a moment ago, its history row not refreshed yet, is not run again by the next start-up', async () => {
    project = await createProject(crate);
    const t = `"${project.schema}"."once"`;
    await project.write('001_t.sql', `-- migrate:up\nCREATE TABLE ${t} (id INT PRIMARY KEY);\n`);
    await project.migrator().up();
    // A fixed key: run a second time, it fails with a duplicate key.
    await project.write('002_row.sql', `-- migrate:up\nINSERT INTO ${t} (id) VALUES (1);\n`);
    expect(statuses(await project.migrator().up())).toEqual([['002_row', 'applied']]);
    // At once, as a replica starting beside it: the first read (no REFRESH) may not see 002's row yet; it
    // then reads again refreshed, under the lock, and finds it applied.
    expect((await project.migrator().up()).steps).toEqual([]);
    expect((await crate.sql(`SELECT count(*) FROM ${t}`)).rows).toEqual([[1]]);
    expect((await project.migrator().status()).map((m) => [m.name, m.state])).toEqual([['001_t', 'applied'], ['002_row', 'applied']]);
  });

  it('a statement failing halfway records failed with statements_run, and the next up refuses', async () => {
    project = await createProject(crate);
    const { schema } = project;
    await project.write(
      '001_half.sql',
      `-- migrate:up
CREATE TABLE "${schema}"."a" (id TEXT PRIMARY KEY);
INSERT INTO "${schema}"."a" (id) VALUES ('1');
INSERT INTO "${schema}"."a" (id) VALUES ('1');
CREATE TABLE "${schema}"."b" (id TEXT);
-- migrate:down
DROP TABLE IF EXISTS "${schema}"."b";
DROP TABLE IF EXISTS "${schema}"."a";
`,
    );
    const migrator = project.migrator();
    const err = await caught(migrator.up(), MigrationError);
    const step = (err.result as RunResult).steps[0]!;
    expect([step.status, step.statementsRun, step.statementsTotal]).toEqual(['failed', 2, 4]);
    expect(err.message).toContain('migrations/001_half.sql:4');

    // The runner writes its history by primary key (real-time) without REFRESH: a search must refresh first.
    await crate.sql(`REFRESH TABLE "${schema}_migrate"."migrations"`);
    const history = await crate.sql(`SELECT status, statements_run, statements_total, error FROM "${schema}_migrate"."migrations"`);
    const [status, run, total, error] = history.rows[0]!;
    expect([status, run, total]).toEqual(['failed', 2, 4]);
    expect(error).toContain('migrations/001_half.sql:4');
    expect(error).toContain('DuplicateKeyException');
    expect(await tables(schema)).toEqual(['a']);

    const refused = await caught(migrator.up(), FailedStateError);
    expect(refused.items).toEqual([{ name: '001_half', status: 'failed', error }]);

    // Way out: down runs the (idempotent) down section and the migration is pending again.
    expect(statuses(await migrator.down())).toEqual([['001_half', 'reverted']]);
    expect(await tables(schema)).toEqual([]);
  });

  it('refuses drift after an applied file is edited; repair accepts it', async () => {
    project = await createProject(crate);
    await project.write('001_create_books.sql', await booksMigration());
    const migrator = project.migrator();
    await migrator.up();
    await project.write('001_create_books.sql', `${await booksMigration()}\n-- edited\n`);
    await project.write('002_more.sql', `-- migrate:up\nCREATE TABLE "${project.schema}"."more" (a INT);\n`);

    expect(await migrator.validate()).toMatchObject([{ name: '001_create_books', problem: 'changed' }]);
    const err = await caught(migrator.up(), DriftError);
    expect(err.items).toEqual([{ name: '001_create_books', problem: 'changed' }]);
    expect(err.exitCode).toBe(3);
    expect(await tables(project.schema)).toEqual(['books']);

    expect(await migrator.repair()).toEqual({ checksumsUpdated: ['001_create_books'], removedMissing: [], removedFailed: [], restored: [] });
    expect(statuses(await migrator.up())).toEqual([['002_more', 'applied']]);
  });

  it('a dry run returns the statements and changes nothing, not even the history table', async () => {
    project = await createProject(crate);
    await project.write('001_create_books.sql', await booksMigration());
    const result = await project.migrator().up({ dryRun: true });
    expect(result.steps).toMatchObject([{ name: '001_create_books', status: 'planned' }]);
    expect(result.steps[0]!.statements).toHaveLength(1);
    expect(result.steps[0]!.statements![0]).toMatchObject({ file: 'migrations/001_create_books.sql', line: 7 });
    expect(result.steps[0]!.statements![0]!.sql).toMatch(/^CREATE TABLE IF NOT EXISTS books \(/);
    expect(await tables(project.schema)).toEqual([]);
    expect(await tables(`${project.schema}_migrate`)).toEqual([]);
  });

  it('an UPDATE with a non-key WHERE right after an INSERT in the same migration sees the rows (refreshed before it)', async () => {
    project = await createProject(crate);
    const t = `"${project.schema}"."t"`;
    await project.write('001_t.sql', `-- migrate:up\nCREATE TABLE ${t} (id INT PRIMARY KEY, v TEXT);\nINSERT INTO ${t} (id, v) VALUES (1, 'a'), (2, 'a');\nUPDATE ${t} SET v = 'b' WHERE v = 'a';\nINSERT INTO ${t} (id, v) SELECT id + 10, v FROM ${t};\n`);
    expect(statuses(await project.migrator().up())).toEqual([['001_t', 'applied']]);
    await crate.sql(`REFRESH TABLE ${t}`);
    expect((await crate.sql(`SELECT id, v FROM ${t} ORDER BY id`)).rows).toEqual([
      [1, 'b'],
      [2, 'b'],
      [11, 'b'],
      [12, 'b'],
    ]);
  });

  it('SET in a migration, or an empty file, is refused before anything is written: no lock or history table', async () => {
    project = await createProject(crate);
    await project.write('001_ok.sql', `-- migrate:up\nCREATE TABLE "${project.schema}"."ok" (id INT);\n`);
    await project.write('002_set.sql', `-- migrate:up\nSET search_path TO elsewhere;\nCREATE TABLE unq2 (id INT);\n`);
    const err = await caught(project.migrator().up(), FileFormatError);
    expect(err.exitCode).toBe(2);
    expect(err.message).toContain('migrations/002_set.sql:2');
    await project.write('002_set.sql', '');
    await caught(project.migrator().up(), FileFormatError);
    expect(await tables(project.schema)).toEqual([]);
    expect(await tables(`${project.schema}_migrate`)).toEqual([]);
  });
});
