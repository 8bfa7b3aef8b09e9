import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { CrateDbError, FileFormatError } from '../../../src/errors.js';
import { createMigrator } from '../../../src/migrations/runner.js';
import { createMemoryHistory, createMemoryLock, recordingClient, silent, testConfig } from './fakes.js';

let root: string;
let dir: string;
beforeEach(async () => {
  root = await mkdtemp(path.join(os.tmpdir(), 'cm-code-'));
  dir = path.join(root, 'migrations');
  await mkdir(dir);
});
afterEach(() => rm(root, { recursive: true, force: true }));

function setup() {
  const client = recordingClient();
  const history = createMemoryHistory();
  const migrator = createMigrator({
    config: testConfig({ rootDir: root, migrationsDir: dir }),
    client,
    logger: silent,
    history,
    lock: createMemoryLock(),
  });
  return { client, history, migrator };
}

describe('code migrations', () => {
  it('runs up(ctx)/down(ctx) of .mjs and .ts modules and counts their statements', async () => {
    await writeFile(
      path.join(dir, '001_js.mjs'),
      `export async function up(ctx) { await ctx.sql('CREATE TABLE js (a INT)'); await ctx.bulk('INSERT INTO js (a) VALUES (?)', [[1], [2]]); }
       export async function down(ctx) { await ctx.sql('DROP TABLE js'); }`,
    );
    await writeFile(
      path.join(dir, '002_ts.ts'),
      `import type { MigrationContext } from '../../src/context.js';
       const table: string = 'ts';
       export async function up(ctx: MigrationContext): Promise<void> { await ctx.sql(\`CREATE TABLE \${table} (a INT)\`); await ctx.refresh('ts'); }
       export default { nothing: true };`,
    );
    const { client, history, migrator } = setup();
    const result = await migrator.up();
    expect(result.steps.map((s) => [s.name, s.status, s.statementsRun, s.statementsTotal])).toEqual([
      ['001_js', 'applied', 2, null],
      ['002_ts', 'applied', 1, null],
    ]);
    expect(client.sent.map((s) => s.stmt)).toEqual(['CREATE TABLE js (a INT)', 'CREATE TABLE ts (a INT)']);
    // 001_js's bulk INSERT is refreshed at its end (the rows must be visible to the next migration); 002_ts
    // refreshed its own table, so nothing is left to refresh after it.
    expect(client.refreshed).toEqual([[{ schema: 'doc', table: 'js' }], [{ schema: 'doc', table: 'ts' }]]);
    expect(history.rows.get('002_ts')!.statementsTotal).toBeNull();

    const err = await migrator.down().then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(err).toBeInstanceOf(FileFormatError);
    expect((err as FileFormatError).message).toContain('exports no down(ctx)');
  });

  it('reads up/down from a default export', async () => {
    await writeFile(path.join(dir, '001_default.mjs'), `export default { async up(ctx) { await ctx.sql('SELECT 1'); } };`);
    const { client, migrator } = setup();
    await migrator.up();
    expect(client.sent.map((s) => s.stmt)).toEqual(['SELECT 1']);
  });

  it('a module without up() is a FileFormatError naming it', async () => {
    await writeFile(path.join(dir, '001_empty.mjs'), `export const nothing = 1;`);
    const { migrator } = setup();
    const err = await migrator.up().then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(err).toBeInstanceOf(FileFormatError);
    expect((err as FileFormatError).file).toBe('migrations/001_empty.mjs');
  });

  it('a module that does not load is a FileFormatError', async () => {
    await writeFile(path.join(dir, '001_broken.ts'), `export async function up( {`);
    const { migrator, client } = setup();
    const err = await migrator.up().then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(err).toBeInstanceOf(FileFormatError);
    expect(client.sent).toEqual([]);
  });

  it('ctx.bulk throws when a row came back -2, and the migration is recorded failed', async () => {
    await writeFile(path.join(dir, '001_bulk.mjs'), `export async function up(ctx) { await ctx.bulk('INSERT INTO t (a) VALUES (?)', [[1], [1]]); }`);
    const { client, history, migrator } = setup();
    client.bulk = async () => ({
      results: [{ rowcount: 1 }, { rowcount: -2, error: { code: 4091, message: 'DuplicateKeyException[A document with the same primary key exists already]' } }],
      durationMs: 0,
    });
    const err = await migrator.up().then(
      () => undefined,
      (e: unknown) => e as Error,
    );
    expect((err as Error & { cause: unknown }).cause).toBeInstanceOf(CrateDbError);
    expect(((err as Error & { cause: CrateDbError }).cause).crateCode).toBe(4091);
    expect((err as Error).message).toMatch(/1 of 2 bulk rows failed; first, row 2 of the rows given: DuplicateKeyException/);
    const row = history.rows.get('001_bulk')!;
    expect(row.status).toBe('failed');
    expect(row.error).toContain('1 of 2 bulk rows failed');
    expect(row.statementsRun).toBe(1);
  });

  it('an edited module is loaded afresh in the same process', async () => {
    const file = path.join(dir, '001_edit.mjs');
    await writeFile(file, `export async function up(ctx) { await ctx.sql('SELECT 1'); } export async function down(ctx) {}`);
    const { client, migrator } = setup();
    await migrator.up();
    await migrator.down();
    await writeFile(file, `export async function up(ctx) { await ctx.sql('SELECT 2'); } export async function down(ctx) {}`);
    await migrator.up();
    expect(client.sent.map((s) => s.stmt)).toEqual(['SELECT 1', 'SELECT 2']);
  });
});
