import { beforeEach, describe, expect, it } from 'vitest';
import { UsageError } from '../../../src/errors.js';
import { createMigrator } from '../../../src/migrations/runner.js';
import { caught } from '../../support/caught.js';
import { createMemoryHistory, createMemoryLock, fakeCheck, memoryFs, recordingClient, silent, testConfig } from './fakes.js';

const sql = (up: string, down: string) => `-- migrate:up\n${up};\n-- migrate:down\n${down};\n`;

let fs: ReturnType<typeof memoryFs>;
let client: ReturnType<typeof recordingClient>;
let history: ReturnType<typeof createMemoryHistory>;
const migrator = () => createMigrator({ config: testConfig(), client, logger: silent, fs, history, lock: createMemoryLock(), check: fakeCheck() });
const states = async () => (await migrator().status()).map((m) => [m.name, m.state]);

beforeEach(() => {
  fs = memoryFs({
    '001_books.sql': sql('CREATE TABLE books (id TEXT)', 'DROP TABLE books'),
    '002_authors.sql': sql('CREATE TABLE authors (id TEXT)', 'DROP TABLE authors'),
    '003_loans.sql': sql('CREATE TABLE loans (id TEXT)', 'DROP TABLE loans'),
  });
  client = recordingClient();
  history = createMemoryHistory();
});

describe('baseline', () => {
  it('records the migrations up to the target as applied without sending any of their statements', async () => {
    const result = await migrator().baseline({ to: '2' });
    expect(result.baselined.map((b) => [b.name, b.seq, b.file])).toEqual([
      ['001_books', 1, 'migrations/001_books.sql'],
      ['002_authors', 2, 'migrations/002_authors.sql'],
    ]);
    expect(client.sent).toEqual([]);
    expect(await states()).toEqual([
      ['001_books', 'baseline'],
      ['002_authors', 'baseline'],
      ['003_loans', 'pending'],
    ]);
    // up runs only what comes after; a second baseline to the same target has nothing to record.
    const up = await migrator().up();
    expect(up.steps.map((s) => [s.name, s.status])).toEqual([['003_loans', 'applied']]);
    expect(client.sent.map((s) => s.stmt)).toEqual(['CREATE TABLE loans (id TEXT)']);
    expect((await migrator().baseline({ to: '002_authors' })).baselined).toEqual([]);
  });

  it('checks baselined files for drift like applied ones', async () => {
    await migrator().baseline({ to: '1' });
    fs.files['001_books.sql'] += '\n-- edited';
    expect(await states()).toEqual([
      ['001_books', 'changed'],
      ['002_authors', 'pending'],
      ['003_loans', 'pending'],
    ]);
  });

  it('refuses, writing nothing, an unknown target, a broken migration, or one applied past the target', async () => {
    expect((await caught(migrator().baseline({ to: '9' }), UsageError)).message).toContain('no migration file has that name or version');
    const first = fs.files['001_books.sql']!;
    delete fs.files['001_books.sql'];
    await migrator().up({ to: '2' });
    fs.files['001_books.sql'] = first;
    client.sent.length = 0;
    const past = await caught(migrator().baseline({ to: '1' }), UsageError);
    expect(past.message).toContain('002_authors is already applied, past 001_books');
    history.rows.set('002_authors', { ...history.rows.get('002_authors')!, status: 'failed', error: 'x' });
    const broken = await caught(migrator().baseline({ to: '3' }), UsageError);
    expect(broken.message).toContain('002_authors is failed');
    expect([...history.rows.values()].map((r) => [r.name, r.baseline])).toEqual([['002_authors', false]]);
    expect(client.sent).toEqual([]);
  });

  it('records pending migrations below an applied target (adopting the tool midway)', async () => {
    const late = fs.files['001_books.sql']!;
    delete fs.files['001_books.sql'];
    await migrator().up({ to: '2' });
    fs.files['001_books.sql'] = late;
    expect((await migrator().baseline({ to: '2' })).baselined.map((b) => [b.name, b.seq])).toEqual([['001_books', 2]]);
  });
});

describe('down of a baselined migration', () => {
  beforeEach(async () => {
    await migrator().baseline({ to: '1' });
    await migrator().up({ to: '2' });
    client.sent.length = 0;
  });

  it('reverts what up ran, and refuses to go on into the baseline unless includeBaseline', async () => {
    expect((await migrator().down()).steps.map((s) => [s.name, s.status])).toEqual([['002_authors', 'reverted']]);
    const err = await caught(migrator().down(), UsageError);
    expect(err.message).toContain('001_books, recorded by baseline');
    expect(err.message).toContain('--include-baseline');
    await caught(migrator().down({ dryRun: true }), UsageError);
    expect(client.sent.map((s) => s.stmt)).toEqual(['DROP TABLE authors']);
    const result = await migrator().down({ includeBaseline: true });
    expect(result.steps.map((s) => [s.name, s.status])).toEqual([['001_books', 'reverted']]);
    expect(client.sent.map((s) => s.stmt)).toEqual(['DROP TABLE authors', 'DROP TABLE books']);
  });

  it('refuses down --to 0 whole, before reverting the migrations up ran', async () => {
    await caught(migrator().down({ to: 0 }), UsageError);
    expect(client.sent).toEqual([]);
    expect(history.rows.size).toBe(2);
  });
});
