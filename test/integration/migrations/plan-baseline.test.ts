import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { CheckError, UsageError } from '../../../src/errors.js';
import { startCrate, type CrateTarget } from '../../support/crate.js';
import { caught } from '../../support/caught.js';
import { booksMigration, createProject, type TestProject } from './project.js';

let crate: CrateTarget;
let project: TestProject;
beforeAll(async () => {
  crate = await startCrate();
});
afterAll(() => crate?.close());
afterEach(() => project?.close());

async function tables(schema: string): Promise<string[]> {
  const res = await crate.sql('SELECT table_name FROM information_schema.tables WHERE table_schema = ? ORDER BY table_name', [schema]);
  return res.rows.map((r) => r[0] as string);
}

/** A migration CrateDB refuses (ALTER COLUMN TYPE) after one it runs. */
const ALTER_TYPE = '-- migrate:up\nCREATE TABLE ${schema}.notes (id TEXT);\nALTER TABLE ${schema}.books ALTER COLUMN author TYPE INTEGER;\n';

describe('the check in up', () => {
  it('a statement CrateDB would refuse stops up before anything is written, at its file:line', async () => {
    project = await createProject(crate);
    await project.write('001_create_books.sql', await booksMigration());
    await project.migrator().up();
    await project.write('002_author_type.sql', ALTER_TYPE);
    const err = await caught(project.migrator().up(), CheckError);
    expect(err.message).toContain('migrations/002_author_type.sql:3');
    expect(await tables(project.schema)).toEqual(['books']);
    expect((await project.migrator().status()).map((m) => [m.name, m.state])).toEqual([
      ['001_create_books', 'applied'],
      ['002_author_type', 'pending'],
    ]);
    // The dry run lists it with the statements instead of refusing.
    const dry = await project.migrator().up({ dryRun: true });
    expect(dry.check?.findings.map((f) => [f.code, f.line])).toEqual([['CM_CHECK_ALTER_TYPE', 3]]);
  });
});

describe('plan', () => {
  it("per pending migration: its statements with placeholders substituted and the check's findings; it creates nothing", async () => {
    project = await createProject(crate);
    const { schema } = project;
    await project.write('001_create_books.sql', await booksMigration());
    await project.migrator().up();
    await project.write('002_author_type.sql', ALTER_TYPE);
    await project.write('003_drop_notes.sql', '-- migrate:up\nDROP TABLE ${schema}.notes;\n-- migrate:down\nCREATE TABLE ${schema}.notes (id TEXT);\n');
    const plan = await project.migrator().plan();
    expect(plan.migrations.map((m) => [m.name, m.statements?.map((s) => [s.line, s.sql])])).toEqual([
      ['002_author_type', [[2, `CREATE TABLE ${schema}.notes (id TEXT)`], [3, `ALTER TABLE ${schema}.books ALTER COLUMN author TYPE INTEGER`]]],
      ['003_drop_notes', [[2, `DROP TABLE ${schema}.notes`]]],
    ]);
    expect(plan.migrations.map((m) => m.findings.map((f) => [f.severity, f.code, f.line]))).toEqual([
      [['error', 'CM_CHECK_ALTER_TYPE', 3]],
      [['warning', 'CM_CHECK_IRREVERSIBLE', 2]],
    ]);
    expect(plan.migrations.map((m) => m.rebuilds)).toEqual([[], []]);
    expect(plan.check).toMatchObject({ errors: 1, warnings: 1, checked: ['002_author_type', '003_drop_notes'] });
    expect(await tables(schema)).toEqual(['books']);
    expect((await project.migrator().status()).filter((m) => m.state === 'pending')).toHaveLength(2);
  });

  it('a -- migrate:rebuild step: what it will create, copy and swap, from the live table', async () => {
    project = await createProject(crate);
    const t = `"${project.schema}"."books"`;
    await project.write('001_books.sql', `-- migrate:up\nCREATE TABLE ${t} (id TEXT PRIMARY KEY, author TEXT);\nINSERT INTO ${t} (id, author) VALUES ('1', 'Douglas Adams'), ('2', 'Monty Python');\n`);
    await project.migrator().up();
    await project.write('002_author_fulltext.sql', `-- migrate:up\n-- migrate:rebuild ${t} keep_backup\nCREATE TABLE ${t} (id TEXT PRIMARY KEY, author TEXT INDEX USING FULLTEXT WITH (analyzer = 'english'));\n`);
    const [planned] = (await project.migrator().plan()).migrations;
    expect(planned!.rebuilds).toHaveLength(1);
    const rebuild = planned!.rebuilds[0]!;
    expect([rebuild.rows, rebuild.backup?.table, rebuild.copies.map((c) => c.column)]).toEqual([2, 'books__cm_backup', ['id', 'author']]);
    expect(rebuild.statements.some((s) => s.startsWith('ALTER CLUSTER SWAP TABLE'))).toBe(true);
    expect(planned!.unplannedRebuilds).toEqual([]);
    expect(await tables(project.schema)).toEqual(['books']);
  });

  it('a rebuild of a table an earlier pending migration creates is listed as not planned yet, the rest planned', async () => {
    project = await createProject(crate);
    const t = `"${project.schema}"."books"`;
    await project.write('001_books.sql', `-- migrate:up\nCREATE TABLE ${t} (id TEXT PRIMARY KEY, author TEXT);\n`);
    await project.write('002_author_fulltext.sql', `-- migrate:up\n-- migrate:rebuild ${t}\nCREATE TABLE ${t} (id TEXT PRIMARY KEY, author TEXT INDEX USING FULLTEXT WITH (analyzer = 'english'));\n`);
    const plan = await project.migrator().plan();
    expect(plan.migrations.map((m) => [m.name, m.statements?.length, m.rebuilds.length])).toEqual([['001_books', 1, 0], ['002_author_fulltext', 1, 0]]);
    expect(plan.migrations[1]!.unplannedRebuilds.map((u) => [u.file, u.line])).toEqual([['migrations/002_author_fulltext.sql', 2]]); // the directive's line
    expect(await tables(project.schema)).toEqual([]);
  });

  it('with nothing pending: no migrations and no check', async () => {
    project = await createProject(crate);
    expect(await project.migrator().plan()).toEqual({ migrations: [], check: null });
  });
});

describe('baseline', () => {
  it('adopts a cluster that already has the books table: recorded without running, up runs the rest, down stops at the baseline', async () => {
    project = await createProject(crate);
    const { schema } = project;
    await crate.sql(`CREATE TABLE "${schema}".books (id TEXT PRIMARY KEY, title TEXT)`);
    await crate.sql(`INSERT INTO "${schema}".books (id, title) VALUES ('1', 'kept')`);
    await crate.sql(`REFRESH TABLE "${schema}".books`);
    await project.write('001_create_books.sql', '-- migrate:up\nCREATE TABLE books (id TEXT PRIMARY KEY, title TEXT);\n-- migrate:down\nDROP TABLE books;\n');
    await project.write('002_notes.sql', '-- migrate:up\nCREATE TABLE notes (id TEXT);\n-- migrate:down\nDROP TABLE notes;\n');
    const migrator = project.migrator();

    const result = await migrator.baseline({ to: '001_create_books' });
    expect(result.baselined.map((b) => [b.name, b.seq])).toEqual([['001_create_books', 1]]);
    expect((await migrator.status()).map((m) => [m.name, m.state, m.statementsRun])).toEqual([
      ['001_create_books', 'baseline', 0],
      ['002_notes', 'pending', null],
    ]);
    expect((await migrator.up()).steps.map((s) => [s.name, s.status])).toEqual([['002_notes', 'applied']]);
    expect(await tables(schema)).toEqual(['books', 'notes']);

    await migrator.down();
    await caught(migrator.down(), UsageError);
    const rows = await crate.sql(`SELECT title FROM "${schema}".books`);
    expect(rows.rows).toEqual([['kept']]);
    expect((await migrator.down({ includeBaseline: true })).steps.map((s) => [s.name, s.status])).toEqual([['001_create_books', 'reverted']]);
    expect(await tables(schema)).toEqual([]);
  });

  it('refuses past an applied migration, writing nothing', async () => {
    project = await createProject(crate);
    await project.write('002_notes.sql', '-- migrate:up\nCREATE TABLE notes (id TEXT);\n');
    await project.migrator().up();
    await project.write('001_books.sql', '-- migrate:up\nCREATE TABLE books (id TEXT);\n');
    const err = await caught(project.migrator().baseline({ to: '1' }), UsageError);
    expect(err.message).toContain('002_notes is already applied, past 001_books');
    expect((await project.migrator().status()).map((m) => [m.name, m.state])).toEqual([
      ['001_books', 'pending'],
      ['002_notes', 'applied'],
    ]);
  });
});
