import { beforeEach, describe, expect, it } from 'vitest';
import { FileFormatError, MigrationError } from '../../../src/errors.js';
import { createMigrator } from '../../../src/migrations/runner.js';
import { discoverSources } from '../../../src/migrations/source.js';
import { caught } from '../../support/caught.js';
import { createMemoryHistory, createMemoryLock, DIR, fakeCheck, memoryFs, recordingClient, ROOT, silent, testConfig } from './fakes.js';

const VIEW = (where: string) => `-- migrate:up\nCREATE OR REPLACE VIEW recent AS SELECT * FROM books WHERE ${where};\n`;

let fs: ReturnType<typeof memoryFs>;
let client: ReturnType<typeof recordingClient>;
let history: ReturnType<typeof createMemoryHistory>;
let check: ReturnType<typeof fakeCheck>;
const migrator = () => createMigrator({ config: testConfig(), client, logger: silent, fs, history, lock: createMemoryLock(), check });
const sent = () => client.sent.map((s) => s.stmt);

beforeEach(() => {
  fs = memoryFs({
    'R__views.sql': VIEW('year > 2000'),
    '001_books.sql': '-- migrate:up\nCREATE TABLE books (id TEXT, year INT);\n-- migrate:down\nDROP TABLE books;\n',
  });
  client = recordingClient();
  history = createMemoryHistory();
  check = fakeCheck();
});

describe('repeatable migrations (R__<name>.sql)', () => {
  it('run after the versioned ones, are recorded, and run again only when their file changes', async () => {
    const first = await migrator().up();
    expect(first.steps.map((s) => [s.name, s.status])).toEqual([['001_books', 'applied'], ['R__views', 'applied']]);
    expect(sent()).toEqual(['CREATE TABLE books (id TEXT, year INT)', 'CREATE OR REPLACE VIEW recent AS SELECT * FROM books WHERE year > 2000']);
    // The check reads the versioned migrations only.
    expect(check.calls).toEqual([['001_books']]);

    client.sent.length = 0;
    expect((await migrator().up()).steps).toEqual([]);
    expect(sent()).toEqual([]);
    expect((await migrator().status()).map((m) => [m.name, m.state, m.repeatable])).toEqual([['001_books', 'applied', undefined], ['R__views', 'applied', true]]);

    fs.files['R__views.sql'] = VIEW('year > 2010');
    expect((await migrator().status()).map((m) => [m.name, m.state])).toEqual([['001_books', 'applied'], ['R__views', 'pending']]);
    const again = await migrator().up();
    expect(again.steps.map((s) => [s.name, s.status])).toEqual([['R__views', 'applied']]);
    expect(sent()).toEqual(['CREATE OR REPLACE VIEW recent AS SELECT * FROM books WHERE year > 2010']);
    expect(history.rows.get('R__views')).toMatchObject({ status: 'applied', version: 0, statementsRun: 1 });
  });

  it('wait for a plain up while --to/--step leave versioned migrations pending', async () => {
    fs.files['002_authors.sql'] = '-- migrate:up\nCREATE TABLE authors (id TEXT);\n';
    expect((await migrator().up({ step: 1 })).steps.map((s) => s.name)).toEqual(['001_books']);
    expect((await migrator().up({ dryRun: true })).steps.map((s) => [s.name, s.status])).toEqual([['002_authors', 'planned'], ['R__views', 'planned']]);
    expect((await migrator().up()).steps.map((s) => s.name)).toEqual(['002_authors', 'R__views']);
  });

  it('one that failed is applied again by the next up, without repair; down never reverts it', async () => {
    client.failOn('CREATE OR REPLACE VIEW');
    await caught(migrator().up(), MigrationError);
    expect(history.rows.get('R__views')?.status).toBe('failed');
    client = recordingClient();
    expect((await migrator().up()).steps.map((s) => [s.name, s.status])).toEqual([['R__views', 'applied']]);
    const down = await migrator().down({ to: 0 });
    expect(down.steps.map((s) => s.name)).toEqual(['001_books']);
    expect(history.rows.has('R__views')).toBe(true);
  });

  it('refuse a down section and a code file', async () => {
    fs.files['R__views.sql'] += '-- migrate:down\nDROP VIEW recent;\n';
    const err = await caught(migrator().up(), FileFormatError);
    expect(err.message).toContain("migrations/R__views.sql: a repeatable migration has no '-- migrate:down' section");
    expect(sent()).toEqual([]);
    const code = memoryFs({ 'R__grants.ts': 'export async function up() {}' });
    const refused = await caught(discoverSources(DIR, { fs: code, rootDir: ROOT }), FileFormatError);
    expect(refused.message).toContain('migrations/R__grants.ts: a repeatable migration (R__<name>) must be a .sql file');
  });
});
