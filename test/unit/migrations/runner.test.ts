import { beforeEach, describe, expect, it } from 'vitest';
import {
  AbortedError,
  CrateMigrateError,
  DriftError,
  FailedStateError,
  FileFormatError,
  MigrationError,
  OutOfOrderError,
  UsageError,
} from '../../../src/errors.js';
import type { Lease, MigrationLock } from '../../../src/migrations/lock.js';
import { createMigrator } from '../../../src/migrations/runner.js';
import type { RunResult } from '../../../src/migrations/types.js';
import { createMemoryHistory, fakeCheck, memoryFs, recordingClient, silent, testConfig } from './fakes.js';
import { caught } from '../../support/caught.js';

const sql = (up: string[], down?: string[]) =>
  `-- migrate:up\n${up.map((s) => `${s};\n`).join('')}${down === undefined ? '' : `-- migrate:down\n${down.map((s) => `${s};\n`).join('')}`}`;

/** A lock that counts acquisitions and lets a test take the lease away. */
function countingLock(): MigrationLock & { acquired: number; lose(): void } {
  let controller = new AbortController();
  const lock = {
    acquired: 0,
    lose: () => controller.abort(new AbortedError('aborted: lost the migration lock (test)')),
    async acquire(): Promise<Lease> {
      lock.acquired++;
      controller = new AbortController();
      return { owner: 'test', signal: controller.signal, confirm: async () => {}, release: async () => {} };
    },
    async holder() {
      return null;
    },
  };
  return lock;
}


let fs: ReturnType<typeof memoryFs>;
let client: ReturnType<typeof recordingClient>;
let history: ReturnType<typeof createMemoryHistory>;
let lock: ReturnType<typeof countingLock>;
const migrator = (signal?: AbortSignal) =>
  createMigrator({ config: testConfig(), client, logger: silent, fs, history, lock, ...(signal ? { signal } : {}) , check: fakeCheck() });
const statuses = (r: RunResult) => r.steps.map((s) => [s.name, s.status]);

beforeEach(() => {
  fs = memoryFs({
    '001_books.sql': sql(['CREATE TABLE books (id TEXT)', "INSERT INTO books (id) VALUES ('1')"], ['DROP TABLE books']),
    '002_authors.sql': sql(['CREATE TABLE authors (id TEXT)'], ['DROP TABLE authors']),
    'README.md': 'not a migration',
  });
  client = recordingClient();
  history = createMemoryHistory();
  lock = countingLock();
});

describe('up', () => {
  it('applies pending migrations in version order and records them', async () => {
    const result = await migrator().up();
    expect(statuses(result)).toEqual([
      ['001_books', 'applied'],
      ['002_authors', 'applied'],
    ]);
    expect(result.steps.map((s) => [s.statementsRun, s.statementsTotal])).toEqual([
      [2, 2],
      [1, 1],
    ]);
    expect(client.sent.map((s) => [s.stmt, s.origin?.file, s.origin?.line])).toEqual([
      ['CREATE TABLE books (id TEXT)', 'migrations/001_books.sql', 2],
      ["INSERT INTO books (id) VALUES ('1')", 'migrations/001_books.sql', 3],
      ['CREATE TABLE authors (id TEXT)', 'migrations/002_authors.sql', 2],
    ]);
    const rows = await history.list();
    expect(rows.map((r) => [r.name, r.version, r.seq, r.status, r.statementsRun, r.statementsTotal])).toEqual([
      ['001_books', 1, 1, 'applied', 2, 2],
      ['002_authors', 2, 2, 'applied', 1, 1],
    ]);
    expect(rows[0]!.checksum).toMatch(/^[0-9a-f]{64}$/);
    expect(rows[0]!.appliedBy).toMatch(/.@./);
    expect(rows[0]!.finishedAt).toBeInstanceOf(Date);
    // The INSERT's table is refreshed after its migration.
    expect(client.refreshed).toEqual([[{ schema: 'doc', table: 'books' }]]);
  });

  it('with nothing to do sends nothing and takes no lock', async () => {
    await migrator().up();
    const sent = client.sent.length;
    const acquired = lock.acquired;
    const again = await migrator().up();
    expect(again.steps).toEqual([]);
    expect(client.sent.length).toBe(sent);
    expect(lock.acquired).toBe(acquired);
  });

  it('honours to and step, and refuses both together', async () => {
    fs.files['003_c.sql'] = sql(['SELECT 3']);
    expect(statuses(await migrator().up({ step: 1 }))).toEqual([['001_books', 'applied']]);
    expect(statuses(await migrator().up({ to: '2' }))).toEqual([['002_authors', 'applied']]);
    expect((await migrator().up({ to: '002_authors' })).steps).toEqual([]);
    expect((await caught(migrator().up({ to: '3', step: 1 }), UsageError)).code).toBe('CM_USAGE');
    expect((await caught(migrator().up({ to: '9' }), UsageError)).code).toBe('CM_USAGE');
  });

  it('refuses a bad step also when there is nothing to do', async () => {
    await migrator().up();
    await caught(migrator().up({ step: 0 }), UsageError);
    await caught(migrator().up({ step: 1.5 }), UsageError);
    await caught(migrator().up({ to: '1', step: 1 }), UsageError);
  });

  it('records a failure halfway with statements_run, throws MigrationError with the result, and refuses the next up', async () => {
    fs.files['002_authors.sql'] = sql(['CREATE TABLE authors (id TEXT)', 'BOOM', 'SELECT 3'], ['DROP TABLE authors']);
    fs.files['003_c.sql'] = sql(['SELECT 4']);
    client.failOn('BOOM');
    const err = await caught(migrator().up(), MigrationError);
    expect(err.code).toBe('CM_MIGRATION');
    expect(err.migration).toBe('002_authors');
    expect(err.direction).toBe('up');
    const result = err.result as RunResult;
    expect(statuses(result)).toEqual([
      ['001_books', 'applied'],
      ['002_authors', 'failed'],
      ['003_c', 'not-run'],
    ]);
    expect(result.steps[1]!.statementsRun).toBe(1);
    expect(result.steps[1]!.error).toContain('migrations/002_authors.sql:3');

    const row = history.rows.get('002_authors')!;
    expect([row.status, row.statementsRun, row.statementsTotal]).toEqual(['failed', 1, 3]);
    expect(row.error).toContain('migrations/002_authors.sql:3');
    expect(row.error).toContain('SQLParseException[boom]');
    expect(history.rows.has('003_c')).toBe(false);

    const refused = await caught(migrator().up(), FailedStateError);
    expect(refused.code).toBe('CM_FAILED_STATE');
    expect(refused.exitCode).toBe(3);
    expect(refused.items).toEqual([{ name: '002_authors', status: 'failed', error: row.error }]);
    expect(refused.message).toContain('1 of 3 statements');
    expect(refused.message).toContain('repair');
  });

  it('refuses a running row left by a dead process of an older version (no statement hashes to check)', async () => {
    await history.markRunning({
      name: '001_books', version: 1, seq: 1, checksum: 'x', appliedBy: 'a@b', statementsTotal: 2, startedAt: new Date(),
      direction: null, lockOwner: null, statementHashes: null, statementsRun: 1, inFlight: true,
    });
    const err = await caught(migrator().up(), FailedStateError);
    expect(err.items[0]).toMatchObject({ name: '001_books', status: 'running' });
    expect(err.message).toContain('older version');
    expect(client.sent.filter((s) => s.stmt.startsWith('CREATE TABLE books'))).toEqual([]);
  });

  it('refuses a pending migration older than the newest applied one, unless allowed', async () => {
    delete fs.files['001_books.sql'];
    await migrator().up();
    fs.files['001_books.sql'] = sql(['CREATE TABLE books (id TEXT)'], ['DROP TABLE books']);
    const err = await caught(migrator().up(), OutOfOrderError);
    expect(err.names).toEqual(['001_books']);
    expect(err.message).toContain('002_authors');
    const result = await migrator().up({ allowOutOfOrder: true });
    expect(statuses(result)).toEqual([['001_books', 'applied']]);
    expect(history.rows.get('001_books')!.seq).toBe(2);
  });

  it('refuses drift (a changed or vanished applied file) unless forceChecksum', async () => {
    await migrator().up();
    fs.files['001_books.sql'] += '\n-- edited\n';
    delete fs.files['002_authors.sql'];
    fs.files['003_c.sql'] = sql(['SELECT 3']);
    const err = await caught(migrator().up(), DriftError);
    expect(err.exitCode).toBe(3);
    expect(err.items).toEqual([
      { name: '001_books', problem: 'changed' },
      { name: '002_authors', problem: 'missing' },
    ]);
    const forced = await migrator().up({ forceChecksum: true });
    expect(statuses(forced)).toEqual([['003_c', 'applied']]);
  });

  it('loads every file before running any: a bad placeholder stops the run with nothing sent', async () => {
    fs.files['002_authors.sql'] = sql(['CREATE TABLE ${nope} (id TEXT)']);
    const err = await caught(migrator().up(), FileFormatError);
    expect(err.line).toBe(2);
    expect(client.sent).toEqual([]);
    expect(await history.list()).toEqual([]);
  });

  it('stops between statements on abort and records the migration as failed "aborted"', async () => {
    const controller = new AbortController();
    const sqlOf = client.sql.bind(client);
    client.sql = async (stmt, args, options) => {
      const result = await sqlOf(stmt, args, options);
      if (stmt.startsWith('CREATE TABLE books')) controller.abort();
      return result;
    };
    const err = await caught(migrator(controller.signal).up(), MigrationError);
    expect(err.cause).toBeInstanceOf(AbortedError);
    expect(client.sent.map((s) => s.stmt)).toEqual(['CREATE TABLE books (id TEXT)']);
    const row = history.rows.get('001_books')!;
    expect([row.status, row.statementsRun, row.error]).toEqual(['failed', 1, 'aborted']);
    expect(statuses(err.result as RunResult)).toEqual([
      ['001_books', 'failed'],
      ['002_authors', 'not-run'],
    ]);
  });

  it('stops when the lease is lost', async () => {
    const sqlOf = client.sql.bind(client);
    client.sql = async (stmt, args, options) => {
      const result = await sqlOf(stmt, args, options);
      lock.lose();
      return result;
    };
    const err = await caught(migrator().up(), MigrationError);
    expect(client.sent).toHaveLength(1);
    expect(history.rows.get('001_books')!.error).toContain('lost the migration lock');
    expect(err.cause).toBeInstanceOf(AbortedError);
  });

  it('dry run returns the statements and changes nothing', async () => {
    const result = await migrator().up({ dryRun: true });
    expect(result.dryRun).toBe(true);
    expect(statuses(result)).toEqual([
      ['001_books', 'planned'],
      ['002_authors', 'planned'],
    ]);
    expect(result.steps[0]!.statements).toEqual([
      { sql: 'CREATE TABLE books (id TEXT)', file: 'migrations/001_books.sql', line: 2 },
      { sql: "INSERT INTO books (id) VALUES ('1')", file: 'migrations/001_books.sql', line: 3 },
    ]);
    expect(client.sent).toEqual([]);
    expect(lock.acquired).toBe(0);
    expect(await history.list()).toEqual([]);
  });
});

describe('down', () => {
  beforeEach(async () => {
    // Applied out of order: 002 first (seq 1), then 001 (seq 2).
    const late = fs.files['001_books.sql']!;
    delete fs.files['001_books.sql'];
    await migrator().up();
    fs.files['001_books.sql'] = late;
    await migrator().up({ allowOutOfOrder: true });
    client.sent.length = 0;
  });

  it('reverts the last APPLIED migration (highest seq), not the highest version', async () => {
    const result = await migrator().down();
    expect(statuses(result)).toEqual([['001_books', 'reverted']]);
    expect(client.sent.map((s) => s.stmt)).toEqual(['DROP TABLE books']);
    expect([...history.rows.keys()]).toEqual(['002_authors']);
  });

  it('to 0 reverts all in descending seq order; to a name stops after it', async () => {
    expect(statuses(await migrator().down({ to: '002_authors' }))).toEqual([
      ['001_books', 'reverted'],
      ['002_authors', 'reverted'],
    ]);
    // Re-applied in version order this time: 001 is seq 1, 002 seq 2.
    await migrator().up();
    expect(statuses(await migrator().down({ to: 0 }))).toEqual([
      ['002_authors', 'reverted'],
      ['001_books', 'reverted'],
    ]);
    expect(await history.list()).toEqual([]);
    expect((await migrator().down()).steps).toEqual([]);
  });

  it('refuses a migration without a down section before reverting anything', async () => {
    fs.files['002_authors.sql'] = sql(['CREATE TABLE authors (id TEXT)']);
    const err = await caught(migrator().down({ to: 0 }), FileFormatError);
    expect(err.file).toBe('migrations/002_authors.sql');
    expect(err.message).toContain('cannot be reverted');
    expect(client.sent).toEqual([]);
    expect(history.rows.size).toBe(2);
  });

  it('refuses to revert a migration whose file vanished', async () => {
    delete fs.files['001_books.sql'];
    const err = await caught(migrator().down(), DriftError);
    expect(err.items).toEqual([{ name: '001_books', problem: 'missing' }]);
  });

  it('reverts a failed migration, which is one way out of the failed state', async () => {
    history.rows.set('001_books', { ...history.rows.get('001_books')!, status: 'failed', error: 'x' });
    await caught(migrator().up(), FailedStateError);
    expect(statuses(await migrator().down())).toEqual([['001_books', 'reverted']]);
    expect((await migrator().up({ allowOutOfOrder: true })).steps.map((s) => s.name)).toEqual(['001_books']);
  });

  it('a failing down statement records failed and throws MigrationError', async () => {
    client.failOn('DROP TABLE books');
    const err = await caught(migrator().down(), MigrationError);
    expect(err.direction).toBe('down');
    const row = history.rows.get('001_books')!;
    expect([row.status, row.statementsRun]).toEqual(['failed', 0]);
    expect(row.error).toContain('migrations/001_books.sql:5');
  });

  it('dry run lists the down statements and reverts nothing', async () => {
    const result = await migrator().down({ to: 0, dryRun: true });
    expect(result.steps.map((s) => s.statements)).toEqual([
      [{ sql: 'DROP TABLE books', file: 'migrations/001_books.sql', line: 5 }],
      [{ sql: 'DROP TABLE authors', file: 'migrations/002_authors.sql', line: 4 }],
    ]);
    expect(client.sent).toEqual([]);
    expect(history.rows.size).toBe(2);
  });

  it('refuses an unknown target and step with to', async () => {
    await caught(migrator().down({ to: 'nope' }), UsageError);
    await caught(migrator().down({ to: 0, step: 2 }), UsageError);
    await caught(migrator().down({ step: 0 }), UsageError);
  });
});

describe('status, validate, repair', () => {
  it('reports every state, by version', async () => {
    fs.files['003_c.sql'] = sql(['SELECT 3', 'BOOM']);
    fs.files['004_d.sql'] = sql(['SELECT 4']);
    fs.files['005_e.sql'] = sql(['SELECT 5']);
    client.failOn('BOOM');
    await migrator().up({ to: '2' });
    await caught(migrator().up(), MigrationError);
    fs.files['001_books.sql'] += '\n';
    delete fs.files['002_authors.sql'];
    const status = await migrator().status();
    expect(status.map((s) => [s.name, s.state])).toEqual([
      ['001_books', 'changed'],
      ['002_authors', 'missing'],
      ['003_c', 'failed'],
      ['004_d', 'pending'],
      ['005_e', 'pending'],
    ]);
    const books = status[0]!;
    expect(books.checksum).not.toBe(books.appliedChecksum);
    expect([books.seq, books.statementsRun, books.statementsTotal]).toEqual([1, 2, 2]);
    expect(books.appliedAt).toBeInstanceOf(Date);
    expect(typeof books.durationMs).toBe('number');
    expect(status[2]!.error).toContain('migrations/003_c.sql:3');
    expect(status[2]!.statementsRun).toBe(1);
    expect(status[1]!.file).toBeNull();
    expect(status[3]!.seq).toBeNull();

    const drift = await migrator().validate();
    expect(drift.map((d) => [d.name, d.problem])).toEqual([
      ['001_books', 'changed'],
      ['002_authors', 'missing'],
    ]);

    const repaired = await migrator().repair();
    expect(repaired).toEqual({ checksumsUpdated: ['001_books'], removedMissing: ['002_authors'], removedFailed: ['003_c'], restored: [] });
    expect(await migrator().validate()).toEqual([]);
    expect((await migrator().status()).map((s) => s.state)).toEqual(['applied', 'pending', 'pending', 'pending']);
    expect(await migrator().repair()).toEqual({ checksumsUpdated: [], removedMissing: [], removedFailed: [], restored: [] });
  });

  it('errors carry codes from the one hierarchy', async () => {
    fs.files['0001_dup.sql'] = sql(['SELECT 1']);
    const err = await caught(migrator().status(), CrateMigrateError);
    expect(err.code).toBe('CM_FILE');
  });
});

describe('history writes that fail', () => {
  it('a failed progress write is reported as the history\'s problem, not as the statement\'s', async () => {
    history.markProgress = async () => {
      throw new CrateMigrateError('CM_CONNECTION', 'no answer from any server');
    };
    const err = await caught(migrator().up(), MigrationError);
    // The CREATE TABLE at line 2 succeeded: the message must not blame it with its line.
    expect(err.message).not.toMatch(/001_books\.sql:2/);
    expect(err.message).toMatch(/1 statements ran, then recording that in .* failed: no answer from any server/);
    expect(err.message).toMatch(/the history marks it failed/);
    expect(history.rows.get('001_books')).toMatchObject({ status: 'failed', statementsRun: 1 });
  });

  it('says so when the failure itself could not be recorded', async () => {
    client.failOn('INSERT INTO books');
    history.markFailed = async () => {
      throw new CrateMigrateError('CM_CONNECTION', 'no answer from any server');
    };
    const err = await caught(migrator().up(), MigrationError);
    expect(err.message).toMatch(/001_books\.sql:3/);
    expect(err.message).toMatch(/recording the failure in the history failed too, so it may still say running/);
    expect(history.rows.get('001_books')).toMatchObject({ status: 'running' });
  });

  it('a running row that cannot be written means nothing of the migration ran', async () => {
    history.markRunning = async () => {
      throw new CrateMigrateError('CM_CONNECTION', 'no answer from any server');
    };
    const err = await caught(migrator().up(), MigrationError);
    expect(client.sent).toEqual([]);
    expect(err.message).toMatch(/Nothing of it ran/);
  });
});
