import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createCrateHistory } from '../../../src/migrations/history.js';
import { checksumOf } from '../../../src/migrations/source.js';
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
    await store.markBaseline({ name: '003_c', version: 3, seq: 3, checksum: 'sum3', appliedBy: 'me@host', finishedAt: new Date() });
    expect((await store.list()).map((r) => [r.name, r.baseline])).toEqual([['001_a', false], ['002_b', false], ['003_c', true]]);
  });
});

describe('a history table made before baselines (with in_flight, without baseline)', () => {
  it('keeps reading the columns it has (an interrupted row stays resumable), and ensure() adds baseline', async () => {
    const table = { schema: `${project.schema}_migrate`, table: 'before_baseline' };
    const name = `"${table.schema}"."${table.table}"`;
    await crate.sql(
      `CREATE TABLE ${name} (name TEXT PRIMARY KEY, version BIGINT, seq BIGINT, checksum TEXT, status TEXT, started_at TIMESTAMP WITH TIME ZONE, finished_at TIMESTAMP WITH TIME ZONE, duration_ms BIGINT, applied_by TEXT, statements_run INTEGER, statements_total INTEGER, error TEXT, direction TEXT, lock_owner TEXT, statement_hashes TEXT, in_flight BOOLEAN) CLUSTERED INTO 1 SHARDS WITH (number_of_replicas = '0-2')`,
    );
    await crate.sql(
      `INSERT INTO ${name} (name, version, seq, checksum, status, statements_run, statements_total, direction, lock_owner, statement_hashes, in_flight) VALUES ('001_a', 1, 1, 'sum', 'running', 1, 2, 'up', 'me@host:1#ab', '["aa","bb"]', false)`,
    );
    const store = createCrateHistory(project.client, table);
    expect((await store.list()).map((r) => [r.name, r.direction, r.lockOwner, r.statementHashes, r.inFlight, r.baseline])).toEqual([
      ['001_a', 'up', 'me@host:1#ab', ['aa', 'bb'], false, false],
    ]);
    await store.ensure();
    await store.markBaseline({ name: '002_b', version: 2, seq: 2, checksum: 'sum2', appliedBy: 'me@host', finishedAt: new Date() });
    expect((await store.list()).map((r) => [r.name, r.statementHashes, r.baseline])).toEqual([
      ['001_a', ['aa', 'bb'], false],
      ['002_b', null, true],
    ]);
  });
});

describe('a brief list()', () => {
  it('reads name, version, seq, checksum and status only, and ensure() after it still adds what an older table lacks', async () => {
    const table = { schema: `${project.schema}_migrate`, table: 'brief_before_baseline' };
    const name = `"${table.schema}"."${table.table}"`;
    await crate.sql(
      `CREATE TABLE ${name} (name TEXT PRIMARY KEY, version BIGINT, seq BIGINT, checksum TEXT, status TEXT, started_at TIMESTAMP WITH TIME ZONE, finished_at TIMESTAMP WITH TIME ZONE, duration_ms BIGINT, applied_by TEXT, statements_run INTEGER, statements_total INTEGER, error TEXT, direction TEXT, lock_owner TEXT, statement_hashes TEXT, in_flight BOOLEAN) CLUSTERED INTO 1 SHARDS WITH (number_of_replicas = '0-2')`,
    );
    await crate.sql(
      `INSERT INTO ${name} (name, version, seq, checksum, status, statements_run, statements_total, direction, lock_owner, statement_hashes, in_flight) VALUES ('001_a', 1, 1, 'sum', 'applied', 2, 2, 'up', 'me@host:1#ab', '["aa","bb"]', false)`,
    );
    const store = createCrateHistory(project.client, table);
    const [row] = await store.list({ brief: true });
    expect(row).toMatchObject({ name: '001_a', version: 1, seq: 1, checksum: 'sum', status: 'applied', statementHashes: null, lockOwner: null });
    await store.ensure();
    await store.markBaseline({ name: '002_b', version: 2, seq: 2, checksum: 'sum2', appliedBy: 'me@host', finishedAt: new Date() });
    expect((await store.list()).map((r) => [r.name, r.statementHashes, r.baseline])).toEqual([
      ['001_a', ['aa', 'bb'], false],
      ['002_b', null, true],
    ]);
  });
});

describe('up over a history table made before baselines', () => {
  it('applies a pending migration: its brief first read does not hide the missing baseline column from ensure()', async () => {
    const own = await createProject(crate);
    try {
      const { schema: s } = own.config.historyTable;
      const name = `"${s}"."migrations"`;
      await crate.sql(
        `CREATE TABLE ${name} (name TEXT PRIMARY KEY, version BIGINT, seq BIGINT, checksum TEXT, status TEXT, started_at TIMESTAMP WITH TIME ZONE, finished_at TIMESTAMP WITH TIME ZONE, duration_ms BIGINT, applied_by TEXT, statements_run INTEGER, statements_total INTEGER, error TEXT, direction TEXT, lock_owner TEXT, statement_hashes TEXT, in_flight BOOLEAN) CLUSTERED INTO 1 SHARDS WITH (number_of_replicas = '0-2')`,
      );
      const applied = `-- migrate:up\nCREATE TABLE "${own.schema}"."a" (id TEXT PRIMARY KEY);\n`;
      await own.write('001_a.sql', applied);
      await own.write('002_b.sql', `-- migrate:up\nCREATE TABLE "${own.schema}"."b" (id TEXT PRIMARY KEY);\n`);
      await crate.sql(`INSERT INTO ${name} (name, version, seq, checksum, status, statements_run, statements_total, in_flight) VALUES ('001_a', 1, 1, ?, 'applied', 1, 1, false)`, [checksumOf(new TextEncoder().encode(applied))]);
      const result = await own.migrator().up();
      expect(result.steps.map((st) => [st.name, st.status])).toEqual([['002_b', 'applied']]);
      expect((await own.migrator().status()).map((st) => [st.name, st.state])).toEqual([['001_a', 'applied'], ['002_b', 'applied']]);
    } finally {
      await own.close();
    }
  });
});
