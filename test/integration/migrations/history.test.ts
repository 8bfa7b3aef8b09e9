import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createCrateHistory } from '../../../src/migrations/history.js';
import { startCrate, type CrateTarget } from '../../support/crate.js';
import { describeHistoryStore } from '../../unit/migrations/history-contract.js';
import { createProject, type TestProject } from './project.js';

let crate: CrateTarget;
let project: TestProject;
let n = 0;
beforeAll(async () => {
  crate = await startCrate();
  project = await createProject(crate);
});
afterAll(async () => {
  await project?.close();
  await crate?.close();
});

// Each store gets a table of its own, in a schema that close() drops.
describeHistoryStore('CrateDB', async () => createCrateHistory(project.client, { schema: `${project.schema}_migrate`, table: `history_${++n}` }));

describe('a history table made by cratedb-migrate 0.1 (without direction, lock_owner, statement_hashes, in_flight)', () => {
  it('is read as it is, and ensure() adds the columns, keeping the rows', async () => {
    const table = { schema: `${project.schema}_migrate`, table: 'legacy' };
    const name = `"${table.schema}"."${table.table}"`;
    await crate.sql(
      `CREATE TABLE ${name} (name TEXT PRIMARY KEY, version BIGINT, seq BIGINT, checksum TEXT, status TEXT, started_at TIMESTAMP WITH TIME ZONE, finished_at TIMESTAMP WITH TIME ZONE, duration_ms BIGINT, applied_by TEXT, statements_run INTEGER, statements_total INTEGER, error TEXT) CLUSTERED INTO 1 SHARDS WITH (number_of_replicas = '0-2')`,
    );
    await crate.sql(`INSERT INTO ${name} (name, version, seq, checksum, status, statements_run, statements_total) VALUES ('001_a', 1, 1, 'sum', 'applied', 2, 2), ('002_b', 2, 2, 'sum2', 'running', 1, 3)`);
    const store = createCrateHistory(project.client, table);
    const before = await store.list();
    expect(before.map((r) => [r.name, r.status, r.direction, r.statementHashes, r.inFlight])).toEqual([
      ['001_a', 'applied', null, null, false],
      // A running row of the old format may have had its last statement in flight.
      ['002_b', 'running', null, null, true],
    ]);
    await store.ensure();
    await store.markProgress('002_b', 2);
    const after = await store.list();
    expect(after.map((r) => [r.name, r.statementsRun, r.inFlight])).toEqual([
      ['001_a', 2, false],
      ['002_b', 2, true],
    ]);
  });
});
