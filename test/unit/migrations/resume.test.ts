import { beforeEach, describe, expect, it } from 'vitest';
import pino from 'pino';
import { FailedStateError, FileFormatError, MigrationError, UsageError } from '../../../src/errors.js';
import { createMigrationContext } from '../../../src/migrations/context.js';
import { createVisibility } from '../../../src/migrations/visibility.js';
import type { HistoryRow } from '../../../src/migrations/history.js';
import { createMigrator } from '../../../src/migrations/runner.js';
import { statementHash } from '../../../src/migrations/sql-file.js';
import { caught } from '../../support/caught.js';
import { createMemoryHistory, fakeCheck, createMemoryLock, memoryFs, recordingClient, silent, testConfig } from './fakes.js';

const STATEMENTS = [
  'CREATE TABLE IF NOT EXISTS doc.t (id INT PRIMARY KEY, v TEXT)',
  "INSERT INTO doc.t (id, v) VALUES (1, 'a')",
  "UPDATE doc.t SET v = 'b' WHERE v = 'a'",
  'ALTER TABLE doc.t ADD COLUMN w TEXT',
];
const file = (statements = STATEMENTS, header = '') => `${header}-- migrate:up\n${statements.map((s) => `${s};\n`).join('')}`;

let fs: ReturnType<typeof memoryFs>;
let client: ReturnType<typeof recordingClient>;
let history: ReturnType<typeof createMemoryHistory>;
const migrator = () => createMigrator({ config: testConfig(), client, logger: silent, fs, history, lock: createMemoryLock() , check: fakeCheck() });

/** The row a runner that died leaves: `sent` statements sent, the last one in flight. */
function left(over: Partial<HistoryRow> & { sent: number }): void {
  const { sent, ...rest } = over;
  history.rows.set('001_t', {
    name: '001_t', version: 1, seq: 1, checksum: 'old', status: 'running', startedAt: new Date(), finishedAt: null, durationMs: null,
    appliedBy: 'a@b', statementsRun: sent, statementsTotal: STATEMENTS.length, error: null, direction: 'up', lockOwner: 'dead@host:1#0000',
    statementHashes: STATEMENTS.map(statementHash), inFlight: true, baseline: false, ...rest,
  });
}

beforeEach(() => {
  fs = memoryFs({ '001_t.sql': file() });
  client = recordingClient();
  history = createMemoryHistory();
});

describe('resuming a migration a dead runner left running', () => {
  it('re-runs the in-flight statement when its form makes it safe (IF NOT EXISTS) and continues', async () => {
    left({ sent: 1 });
    const result = await migrator().up();
    expect(result.steps.map((s) => [s.name, s.status, s.statementsRun])).toEqual([['001_t', 'applied', 4]]);
    expect(client.sent.map((s) => s.stmt)).toEqual(STATEMENTS);
    expect(history.rows.get('001_t')).toMatchObject({ status: 'applied', statementsRun: 4, inFlight: false, seq: 1 });
  });

  it('stops with exit 3 naming file:line and the two ways out when the in-flight statement is not safe to repeat', async () => {
    left({ sent: 2 });
    const err = await caught(migrator().up(), FailedStateError);
    expect(err.exitCode).toBe(3);
    expect(err.message).toContain('migrations/001_t.sql:3');
    expect(err.message).toContain('--in-flight done');
    expect(err.message).toContain('--in-flight rerun');
    expect(client.sent).toEqual([]);
    expect(history.rows.get('001_t')!.status).toBe('running');
  });

  it('--in-flight done continues after it; --in-flight rerun sends it again', async () => {
    left({ sent: 2 });
    await migrator().up({ inFlight: 'done' });
    expect(client.sent.map((s) => s.stmt)).toEqual(STATEMENTS.slice(2));
    client = recordingClient();
    left({ sent: 2 });
    await migrator().up({ inFlight: 'rerun' });
    expect(client.sent.map((s) => s.stmt)).toEqual(STATEMENTS.slice(1));
  });

  it('-- migrate:rerunnable makes every statement safe to repeat', async () => {
    fs.files['001_t.sql'] = file(STATEMENTS, '-- migrate:rerunnable\n');
    left({ sent: 4 });
    await migrator().up();
    expect(client.sent.map((s) => s.stmt)).toEqual(STATEMENTS.slice(3));
  });

  it('a clean stop between statements (aborted) resumes at the next statement without asking', async () => {
    left({ sent: 2, status: 'failed', inFlight: false, error: 'aborted: lost the migration lock (test)' });
    await migrator().up();
    expect(client.sent.map((s) => s.stmt)).toEqual(STATEMENTS.slice(2));
  });

  it('refuses when a statement that ran was edited since, and runs nothing', async () => {
    fs.files['001_t.sql'] = file([STATEMENTS[0]!, "INSERT INTO doc.t (id, v) VALUES (1, 'changed')", ...STATEMENTS.slice(2)]);
    left({ sent: 3 });
    const err = await caught(migrator().up(), FailedStateError);
    expect(err.message).toContain('line 3 differs');
    expect(client.sent).toEqual([]);
  });

  it('allows edits to the statements that did not run yet, and records the new checksum', async () => {
    fs.files['001_t.sql'] = file([...STATEMENTS.slice(0, 3), 'ALTER TABLE doc.t ADD COLUMN x TEXT']);
    left({ sent: 3, status: 'failed', inFlight: false, error: 'aborted' });
    await migrator().up();
    expect(client.sent.map((s) => s.stmt)).toEqual(['ALTER TABLE doc.t ADD COLUMN x TEXT']);
    expect(history.rows.get('001_t')!.checksum).not.toBe('old');
  });

  it('a statement CrateDB refused stays a failure a person must look at (exit 3), as before', async () => {
    left({ sent: 2, status: 'failed', inFlight: false, error: 'migrations/001_t.sql:3: SQLParseException[boom]' });
    const err = await caught(migrator().up(), FailedStateError);
    expect(err.message).toContain('repair');
    expect(client.sent).toEqual([]);
  });

  it('an interrupted down is not continued by up: up says to run down again', async () => {
    left({ sent: 1, direction: 'down' });
    const err = await caught(migrator().up(), FailedStateError);
    expect(err.message).toContain('run down again');
  });

  it('repair after a failed down records the migration applied again instead of pending', async () => {
    left({ sent: 1, direction: 'down', status: 'failed', inFlight: false, error: 'x' });
    const repaired = await migrator().repair();
    expect(repaired.restored).toEqual(['001_t']);
    expect(history.rows.get('001_t')).toMatchObject({ status: 'applied' });
    expect((await migrator().up()).steps).toEqual([]);
  });
});

describe('counting statements and refreshing before searches', () => {
  it('records each statement as sent before it goes out: never under-counts', async () => {
    client.failOn('UPDATE doc.t', 4000);
    await caught(migrator().up(), MigrationError);
    // The UPDATE was refused by CrateDB: it did not run, so 2 ran; nothing in flight.
    expect(history.rows.get('001_t')).toMatchObject({ status: 'failed', statementsRun: 2, inFlight: false });
  });

  it('refreshes a table written earlier in the migration before a statement searches it, and only then', async () => {
    const order: string[] = [];
    const { sql, refresh } = client;
    client.sql = async (stmt, args, options) => (order.push(stmt.split(' ')[0]!), sql(stmt, args, options));
    client.refresh = async (tables) => (order.push('REFRESH'), refresh(tables));
    await migrator().up();
    // The UPDATE searches doc.t after the INSERT wrote it; the ALTER counts its rows after the UPDATE
    // wrote it again; nothing is left unrefreshed at the end, so no final REFRESH.
    expect(order).toEqual(['CREATE', 'INSERT', 'REFRESH', 'UPDATE', 'REFRESH', 'ALTER']);
    expect(client.refreshed).toEqual([[{ schema: 'doc', table: 't' }], [{ schema: 'doc', table: 't' }]]);
  });

  it('sends no REFRESH for a migration of plain INSERTs until its end', async () => {
    fs.files['001_t.sql'] = file([STATEMENTS[0]!, ...Array.from({ length: 5 }, (_, i) => `INSERT INTO doc.t (id) VALUES (${i})`)]);
    await migrator().up();
    expect(client.refreshed).toEqual([[{ schema: 'doc', table: 't' }]]);
  });

  it('refuses SET in a migration before anything is sent (exit 2), naming file:line', async () => {
    fs.files['002_s.sql'] = file(['SET search_path TO elsewhere', 'CREATE TABLE unq2 (id INT)']);
    const err = await caught(migrator().up(), FileFormatError);
    expect(err.exitCode).toBe(2);
    expect(err.message).toContain('migrations/002_s.sql:2');
    expect(err.message).toContain('schema-qualify');
    expect(client.sent).toEqual([]);
  });

  it('an empty file is refused before the lock and history tables are created', async () => {
    fs.files['002_e.sql'] = '';
    await caught(migrator().up(), FileFormatError);
    expect(client.sent).toEqual([]);
  });
});

describe('checks before the first write, and COPY FROM', () => {
  const long = `INSERT INTO doc.t (id, v) VALUES (1, '${'x'.repeat(262_145)}')`;

  it('a statement over 262,144 characters is refused on CrateDB 6.x before anything is written, naming its line', async () => {
    fs.files['001_t.sql'] = file([STATEMENTS[0]!, long]);
    const err = await caught(migrator().up(), FileFormatError);
    expect(err.message).toContain('migrations/001_t.sql:3');
    expect(err.message).toContain('statement_max_length');
    expect(client.sent).toEqual([]);
  });

  it('CrateDB 5.10 has no such limit: the statement is sent', async () => {
    fs.files['001_t.sql'] = file([STATEMENTS[0]!, long]);
    client.ping = async () => ({ server: 'fake', version: '5.10.16' });
    await migrator().up();
    expect(client.sent.some((s) => s.stmt === long)).toBe(true);
  });

  it('warns when COPY FROM loaded nothing (CrateDB answers 200 anyway)', async () => {
    const warnings: string[] = [];
    const logger = pino({ level: 'warn' }, { write: (line: string) => void warnings.push(JSON.parse(line).msg as string) });
    fs.files['001_t.sql'] = file([STATEMENTS[0]!, "COPY doc.t FROM 'file:///nothing/*.json'"]);
    const { sql } = client;
    client.sql = async (stmt, args, options) => (stmt.startsWith('COPY') ? { cols: [], rows: [], rowcount: 0, durationMs: 0 } : sql(stmt, args, options));
    await createMigrator({ config: testConfig(), client, logger, fs, history, lock: createMemoryLock() , check: fakeCheck() }).up();
    expect(warnings.some((w) => w.includes('migrations/001_t.sql:3: COPY FROM loaded 0 rows'))).toBe(true);
    // Its target is refreshed at the end like any other write.
    expect(client.refreshed).toEqual([[{ schema: 'doc', table: 't' }]]);
  });

  it('warns when COPY FROM ... RETURN SUMMARY reports errors', async () => {
    const warnings: string[] = [];
    const logger = pino({ level: 'warn' }, { write: (line: string) => void warnings.push(JSON.parse(line).msg as string) });
    fs.files['001_t.sql'] = file(["COPY doc.t FROM 'file:///data/*.json' RETURN SUMMARY"]);
    client.sql = async () => ({
      cols: ['node', 'uri', 'success_count', 'error_count', 'errors'],
      rows: [[{ name: 'n1' }, 'file:///data/a.json', 2, 1, { 'failed to parse': { count: 1, line_numbers: [3] } }]],
      rowcount: 1,
      durationMs: 0,
    });
    await createMigrator({ config: testConfig(), client, logger, fs, history, lock: createMemoryLock() , check: fakeCheck() }).up();
    expect(warnings.some((w) => w.includes('COPY FROM loaded 2 rows and failed 1'))).toBe(true);
  });
});

describe('code migrations: ctx.sql', () => {
  it('refreshes a table it wrote before a search of it, and refuses SET', async () => {
    const order: string[] = [];
    const { sql, refresh } = client;
    client.sql = async (stmt, args, options) => (order.push(stmt.split(' ')[0]!), sql(stmt, args, options));
    client.refresh = async (tables) => (order.push('REFRESH'), refresh(tables));
    const ctx = createMigrationContext({ client, config: testConfig(), logger: silent, signal: new AbortController().signal, visibility: createVisibility(client, 'doc', silent) });
    await ctx.sql("INSERT INTO doc.t (id, v) VALUES (1, 'a')");
    await ctx.sql("UPDATE doc.t SET v = 'b' WHERE v = 'a'");
    await ctx.sql("INSERT INTO doc.t (id, v) VALUES (2, 'a')");
    expect(order).toEqual(['INSERT', 'REFRESH', 'UPDATE', 'INSERT']);
    const err = await caught(ctx.sql('SET search_path TO elsewhere'), UsageError);
    expect(err.exitCode).toBe(2);
    expect(order).toHaveLength(4);
  });
});

describe('status of a running row', () => {
  const withHolder = (holder: { owner: string; live: boolean } | null) =>
    createMigrator({
      config: testConfig(), client, logger: silent, fs, history,
      lock: { acquire: () => Promise.reject(new Error('status takes no lock')), holder: async () => holder && { ...holder, acquiredAt: null, expiresAt: new Date(Date.UTC(2026, 11, 2, 3, 0)) } },
    });

  it("is 'running' with the lease holder while its runner holds the lock, else 'interrupted'", async () => {
    left({ sent: 2 });
    const live = await withHolder({ owner: 'dead@host:1#0000', live: true }).status();
    expect(live.map((m) => [m.name, m.state, m.direction, m.lease?.owner])).toEqual([['001_t', 'running', 'up', 'dead@host:1#0000']]);
    const gone = await withHolder(null).status();
    expect(gone.map((m) => [m.name, m.state, m.lease])).toEqual([['001_t', 'interrupted', undefined]]);
    // Another process holds the lock now: the row's own runner is gone all the same.
    const other = await withHolder({ owner: 'other@host:2#1111', live: true }).status();
    expect(other[0]!.state).toBe('interrupted');
  });
});

describe('COPY FROM ... RETURN SUMMARY with a file that could not be read', () => {
  it('warns although another file loaded rows', async () => {
    const warnings: string[] = [];
    const logger = pino({ level: 'warn' }, { write: (line: string) => void warnings.push(JSON.parse(line).msg as string) });
    fs.files['001_t.sql'] = file(["COPY doc.t FROM 'file:///data/*.json' RETURN SUMMARY"]);
    client.sql = async () => ({
      cols: ['node', 'uri', 'success_count', 'error_count', 'errors'],
      rows: [
        [{ name: 'n1' }, 'file:///data/a.json', 5, 0, {}],
        [{ name: 'n1' }, 'file:///data/b.json', null, null, { '/data/b.json (No such file or directory)': { count: 1, line_numbers: [] } }],
      ],
      rowcount: 2,
      durationMs: 0,
    });
    await createMigrator({ config: testConfig(), client, logger, fs, history, lock: createMemoryLock() }).up();
    expect(warnings.some((w) => w.includes('COPY FROM loaded 5 rows and failed 1'))).toBe(true);
  });
});
