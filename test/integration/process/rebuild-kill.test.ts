/**
 * The project's own books rebuild (migrations/002_books_author_fulltext.sql) on seeded data, with `kill -9`
 * of the runner in the middle of the rebuild and a plain `up` after it, as real processes. The crash is the
 * test-only hook CRATEDB_MIGRATE_TEST_CRASH=rebuild:<point>[:<n>] (src/migrations/crash-hook.ts); the server
 * is the test server or the real CrateDB at CRATEDB_URL.
 */
import { copyFile, mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli } from '../../support/cli-process.js';
import { startCrate, type CrateTarget } from '../../support/crate.js';
import { projectConfigYaml } from '../../support/project-config.js';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../..');
const REBUILD = '002_books_author_fulltext.sql';

let crate: CrateTarget;
const dirs: string[] = [];
beforeAll(async () => {
  crate = await startCrate();
});
afterAll(async () => {
  for (const d of dirs) await rm(d, { recursive: true, force: true });
  await crate?.close();
});

/** The repo's migrations and seeds in a project of their own, tables in `schema`, tracking in `schema_m`.
 * The rebuild copies one row a batch here (the file says `copy=key:id`), so that a kill can fall between
 * two batches of the three books. */
async function projectDir(schema: string): Promise<string> {
  const dir = await mkdtemp(path.join(tmpdir(), 'cm-rebuild-'));
  dirs.push(dir);
  await mkdir(path.join(dir, 'migrations'));
  await mkdir(path.join(dir, 'seeds'));
  await copyFile(path.join(root, 'migrations', '001_create_books.sql'), path.join(dir, 'migrations', '001_create_books.sql'));
  const rebuild = await readFile(path.join(root, 'migrations', REBUILD), 'utf8');
  expect(rebuild).toContain('-- migrate:rebuild books keep_backup copy=key:id\n');
  await writeFile(path.join(dir, 'migrations', REBUILD), rebuild.replace('copy=key:id\n', 'copy=key:id:1\n'));
  await copyFile(path.join(root, 'seeds', 'books.yaml'), path.join(dir, 'seeds', 'books.yaml'));
  await writeFile(path.join(dir, 'crate.config.yaml'), projectConfigYaml({ url: crate.url, schema, lock: { lease_ms: 1500, wait_ms: 60_000 } }));
  return dir;
}

const cli = (dir: string, args: string[], env: Record<string, string> = {}) => runCli(dir, [...args, '--log-level', 'warn'], env, 90_000);

async function books(schema: string): Promise<unknown[][]> {
  await crate.sql(`REFRESH TABLE "${schema}"."books"`);
  return (await crate.sql(`SELECT id, title, author, publication_date, categories FROM "${schema}"."books" ORDER BY id`)).rows;
}

describe('the books rebuild on seeded data, killed and run again', () => {
  // Before the second batch (one book copied), right before the swap, and after it (old table not yet kept).
  for (const point of ['copy-batch:2', 'swap', 'finish']) {
    it(`killed at ${point}: the live table keeps every book meanwhile, the next up finishes it`, async () => {
      const schema = `${crate.schema}_rk${point.replace(/\W/g, '')}`;
      const dir = await projectDir(schema);
      expect((await cli(dir, ['up', '--to', '001_create_books'])).code).toBe(0);
      const seeded = await cli(dir, ['seed']);
      expect(seeded.code, seeded.stderr).toBe(0);
      const before = await books(schema);
      expect(before).toHaveLength(3);

      const killed = await cli(dir, ['up'], { CRATEDB_MIGRATE_TEST_CRASH: `rebuild:${point}` });
      expect(killed.signal).toBe('SIGKILL');
      // Never missing, never partial: before the swap the old table is live, after it the new one, full.
      expect(await books(schema)).toEqual(before);

      const again = await cli(dir, ['up']);
      expect(again.code, again.stderr).toBe(0);
      expect(again.stdout).toMatch(/applied\s+002_books_author_fulltext/);
      expect(await books(schema)).toEqual(before);
      const adams = await crate.sql(`SELECT id FROM "${schema}"."books" WHERE match(author, ?) ORDER BY id`, ['adams']);
      expect(adams.rows).toEqual([['1'], ['2']]);
      const tables = await crate.sql('SELECT table_name FROM information_schema.tables WHERE table_schema = ? ORDER BY 1', [schema]);
      expect(tables.rows).toEqual([['books'], ['books__cm_backup']]);
      // The write block of the rebuild is lifted: the live table takes writes again.
      await crate.sql(`INSERT INTO "${schema}"."books" (id, author) VALUES ('4', 'Terry Pratchett')`);

      const status = await cli(dir, ['status', '--json']);
      expect(status.code).toBe(0);
      expect((JSON.parse(status.stdout) as { migrations: Array<{ name: string; state: string }> }).migrations.map((m) => [m.name, m.state])).toEqual([
        ['001_create_books', 'applied'],
        ['002_books_author_fulltext', 'applied'],
      ]);
    });
  }
});
