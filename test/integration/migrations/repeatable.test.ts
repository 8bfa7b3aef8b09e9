import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { startCrate, type CrateTarget } from '../../support/crate.js';
import { createProject, type TestProject } from './project.js';

let crate: CrateTarget;
let project: TestProject;
beforeAll(async () => {
  crate = await startCrate();
});
afterAll(() => crate?.close());
afterEach(() => project?.close());

const view = (year: number) => `-- migrate:up\nCREATE OR REPLACE VIEW \${schema}.recent AS SELECT id FROM \${schema}.books WHERE year > ${year};\n`;

describe('a repeatable migration against CrateDB', () => {
  it('defines a view after the versioned migrations and redefines it when the file changes', async () => {
    project = await createProject(crate);
    const { schema } = project;
    await project.write('001_books.sql', "-- migrate:up\nCREATE TABLE ${schema}.books (id TEXT PRIMARY KEY, year INT);\nINSERT INTO ${schema}.books (id, year) VALUES ('a', 1999), ('b', 2005), ('c', 2015);\n");
    await project.write('R__views.sql', view(2000));
    const first = await project.migrator().up();
    expect(first.steps.map((s) => [s.name, s.status])).toEqual([['001_books', 'applied'], ['R__views', 'applied']]);
    await crate.sql(`REFRESH TABLE "${schema}".books`);
    const ids = async () => (await crate.sql(`SELECT id FROM "${schema}".recent ORDER BY id`)).rows.map((r) => r[0]);
    expect(await ids()).toEqual(['b', 'c']);

    expect((await project.migrator().up()).steps).toEqual([]);
    await project.write('R__views.sql', view(2010));
    expect((await project.migrator().status()).map((m) => [m.name, m.state])).toEqual([['001_books', 'applied'], ['R__views', 'pending']]);
    expect((await project.migrator().up()).steps.map((s) => s.name)).toEqual(['R__views']);
    expect(await ids()).toEqual(['c']);
  });
});
