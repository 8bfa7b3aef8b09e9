/** The books rebuild on three nodes (the test server's, or the real cluster at CRATEDB_URL): the client
 * spreads its statements over the nodes, and the progress record is read by key, so it is current on each. */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createRebuildTableStore } from '../../../src/migrations/rebuild/progress.js';
import { rebuildTable } from '../../../src/migrations/rebuild/rebuild.js';
import { startCrate, type CrateTarget } from '../../support/crate.js';
import { createProject, type TestProject } from './project.js';

let crate: CrateTarget;
let project: TestProject;
beforeAll(async () => {
  crate = await startCrate({ nodes: 3 });
  project = await createProject(crate);
});
afterAll(async () => {
  await project?.close();
  await crate?.close();
});

describe('a rebuild on a three-node cluster', () => {
  it('killed mid-copy, run again: every row is there and match(author) works', async () => {
    const t = `"${project.schema}"."books"`;
    await crate.sql(`CREATE TABLE ${t} (id TEXT PRIMARY KEY, title TEXT, author TEXT) CLUSTERED INTO 3 SHARDS WITH (number_of_replicas = '0-2')`);
    const rows = Array.from({ length: 30 }, (_, i) => [`${100 + i}`, `title ${i}`, i % 3 === 0 ? 'Douglas Adams' : `Author ${i}`]);
    for (const row of rows) await crate.sql(`INSERT INTO ${t} (id, title, author) VALUES (?, ?, ?)`, row);
    await crate.sql(`REFRESH TABLE ${t}`);
    const store = createRebuildTableStore(project.client, { schema: `${project.schema}_migrate`, table: 'rebuilds' });
    const spec = {
      table: { schema: project.schema, table: 'books' },
      definition: `CREATE TABLE ${t} (id TEXT PRIMARY KEY, title TEXT, author TEXT INDEX USING FULLTEXT WITH (analyzer = 'english')) CLUSTERED INTO 3 SHARDS WITH (number_of_replicas = '0-2')`,
      columns: {},
      keepBackup: true,
      copy: { by: 'key' as const, column: 'id', size: 7 },
    };
    let batches = 0;
    const kill = (point: string) => {
      if (point === 'copy-batch' && ++batches === 3) throw new Error('killed mid-copy');
    };
    await expect(rebuildTable({ client: project.client, store, hook: kill }, spec)).rejects.toThrow('killed mid-copy');
    const result = await rebuildTable({ client: project.client, store }, spec);
    expect(result).toMatchObject({ rows: 30, resumed: true });
    await crate.sql(`REFRESH TABLE ${t}`);
    expect((await crate.sql(`SELECT id, title, author FROM ${t} ORDER BY id`)).rows).toEqual(rows);
    const adams = await crate.sql(`SELECT count(*) FROM ${t} WHERE match(author, 'adams')`);
    expect(adams.rows).toEqual([[10]]);
  });
});
