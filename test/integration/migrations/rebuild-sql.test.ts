/**
 * The rebuild directive of a SQL migration, run by `up` and reverted by `down` (docs/rebuild.md), against
 * the test server or the real CrateDB at CRATEDB_URL.
 */
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { FileFormatError } from '../../../src/errors.js';
import { caught } from '../../support/caught.js';
import { startCrate, type CrateTarget } from '../../support/crate.js';
import { createProject, type TestProject } from './project.js';

let crate: CrateTarget;
let project: TestProject;
beforeAll(async () => {
  crate = await startCrate();
});
afterAll(() => crate?.close());
afterEach(() => project?.close());

const books = (s: string) => `"${s}"."books"`;

describe('-- migrate:rebuild in a SQL migration', () => {
  it('up adds an english fulltext index to author by a rebuild; every row kept; down swaps the backup back', async () => {
    project = await createProject(crate);
    const t = books(project.schema);
    await project.write(
      '001_books.sql',
      `-- migrate:up\nCREATE TABLE ${t} (id TEXT PRIMARY KEY, title TEXT, author TEXT);\nINSERT INTO ${t} (id, title, author) VALUES ('1', 'The Hitchhiker''s Guide to the Galaxy', 'Douglas Adams'), ('2', 'The Restaurant at the End of the Universe', 'Douglas Adams'), ('3', 'Monty Python''s Big Red Book', 'Monty Python');\n-- migrate:down\nDROP TABLE IF EXISTS ${t};\n`,
    );
    await project.write(
      '002_author_fulltext.sql',
      `-- migrate:up\n-- migrate:rebuild ${t} keep_backup\nCREATE TABLE ${t} (id TEXT PRIMARY KEY, title TEXT, author TEXT INDEX USING FULLTEXT WITH (analyzer = 'english'));\n\n-- migrate:down\n-- migrate:rebuild-revert ${t}\n`,
    );
    const migrator = project.migrator();
    const up = await migrator.up();
    expect(up.steps.map((s) => [s.name, s.status, s.statementsRun, s.statementsTotal])).toEqual([
      ['001_books', 'applied', 2, 2],
      ['002_author_fulltext', 'applied', 1, 1],
    ]);
    await crate.sql(`REFRESH TABLE ${t}`);
    expect((await crate.sql(`SELECT id FROM ${t} WHERE match(author, 'adams') ORDER BY id`)).rows).toEqual([['1'], ['2']]);
    expect((await crate.sql(`SELECT id, title FROM ${t} ORDER BY id`)).rows).toEqual([
      ['1', "The Hitchhiker's Guide to the Galaxy"],
      ['2', 'The Restaurant at the End of the Universe'],
      ['3', "Monty Python's Big Red Book"],
    ]);

    const down = await migrator.down();
    expect(down.steps.map((s) => [s.name, s.status])).toEqual([['002_author_fulltext', 'reverted']]);
    await crate.sql(`REFRESH TABLE ${t}`);
    // The old table is back: author is a plain column again, = finds it.
    expect((await crate.sql(`SELECT count(*) FROM ${t} WHERE author = 'Douglas Adams'`)).rows).toEqual([[2]]);
  });

  it('a directive without its CREATE TABLE is refused before anything runs, naming the line', async () => {
    project = await createProject(crate);
    await project.write('001_bad.sql', `-- migrate:up\n-- migrate:rebuild books\n`);
    const err = await caught(project.migrator().up(), FileFormatError);
    expect(err.message).toContain('migrations/001_bad.sql:2');
    expect(err.exitCode).toBe(2);
  });
});
