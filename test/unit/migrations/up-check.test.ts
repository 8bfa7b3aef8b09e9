import { beforeEach, describe, expect, it } from 'vitest';
import { CheckError, CrateDbError, ExitCode } from '../../../src/errors.js';
import type { Finding } from '../../../src/migrations/check/types.js';
import { createMigrator } from '../../../src/migrations/runner.js';
import { caught } from '../../support/caught.js';
import { createMemoryHistory, createMemoryLock, fakeCheck, memoryFs, recordingClient, silent, testConfig } from './fakes.js';

const finding = (severity: Finding['severity']): Finding => ({
  severity,
  code: severity === 'error' ? 'CM_CHECK_ALTER_TYPE' : 'CM_CHECK_IRREVERSIBLE',
  migration: '002_authors',
  file: 'migrations/002_authors.sql',
  line: 2,
  message: `a finding (${severity})`,
  fix: 'write it otherwise',
});

let fs: ReturnType<typeof memoryFs>;
let client: ReturnType<typeof recordingClient>;
let history: ReturnType<typeof createMemoryHistory>;
const migrator = (check: ReturnType<typeof fakeCheck>) => createMigrator({ config: testConfig(), client, logger: silent, fs, history, lock: createMemoryLock(), check });

beforeEach(() => {
  fs = memoryFs({
    '001_books.sql': '-- migrate:up\nCREATE TABLE books (id TEXT);\n',
    '002_authors.sql': '-- migrate:up\nCREATE TABLE authors (id TEXT);\n',
  });
  client = recordingClient();
  history = createMemoryHistory();
});

describe('the check in up', () => {
  it('an error stops up before anything is written: no statement, no history row (CheckError, exit 2)', async () => {
    const check = fakeCheck([finding('error')]);
    const err = await caught(migrator(check).up(), CheckError);
    expect(err.exitCode).toBe(ExitCode.usage);
    expect(err.message).toContain('migrations/002_authors.sql:2: a finding (error)');
    expect(check.calls).toEqual([['001_books', '002_authors']]);
    expect(client.sent).toEqual([]);
    expect(history.rows.size).toBe(0);
  });

  it('warnings do not stop it: they come back with the result', async () => {
    const result = await migrator(fakeCheck([finding('warning')])).up();
    expect(result.steps.map((s) => s.status)).toEqual(['applied', 'applied']);
    expect(result.check?.findings.map((f) => f.message)).toEqual(['a finding (warning)']);
  });

  it('checks only what this up will run (to/step), and nothing when nothing is pending', async () => {
    const check = fakeCheck();
    await migrator(check).up({ to: '1' });
    await migrator(check).up();
    const idle = await migrator(check).up();
    expect(idle.steps).toEqual([]);
    expect(idle.check).toBeUndefined();
    expect(check.calls).toEqual([['001_books'], ['002_authors']]);
  });

  it('a cluster the check cannot read does not stop up (its statements then answer for themselves); a dry run says so', async () => {
    const unreadable = Object.assign(async () => {
      throw new CrateDbError('UnavailableShardsException[lost]', 5002, 500, 'fake', 'SELECT count(*) FROM books');
    }, { calls: [] as string[][] });
    await caught(migrator(unreadable).up({ dryRun: true }), CrateDbError);
    const result = await migrator(unreadable).up();
    expect(result.steps.map((s) => s.status)).toEqual(['applied', 'applied']);
    expect(result.check).toBeUndefined();
  });

  it('a dry run reports errors with the statements and does not throw', async () => {
    const result = await migrator(fakeCheck([finding('error')])).up({ dryRun: true });
    expect(result.steps.map((s) => s.status)).toEqual(['planned', 'planned']);
    expect(result.check?.errors).toBe(1);
    expect(client.sent).toEqual([]);
  });
});
