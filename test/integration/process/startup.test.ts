/**
 * Start-up safety with real processes, as a deployment runs them: many `cratedb-migrate up` processes at
 * once on a fresh database, and `kill -9` of a runner at every statement position followed by a plain
 * `up`. The crash is the test-only hook CRATEDB_MIGRATE_TEST_CRASH (src/migrations/crash-hook.ts); the
 * server is the test server or the real CrateDB at CRATEDB_URL, so this runs against both.
 */
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli } from '../../support/cli-process.js';
import { startCrate, type CrateTarget } from '../../support/crate.js';
import { projectConfigYaml } from '../../support/project-config.js';

let crate: CrateTarget;
const dirs: string[] = [];
beforeAll(async () => {
  crate = await startCrate();
});
afterAll(async () => {
  for (const d of dirs) await rm(d, { recursive: true, force: true });
  await crate?.close();
});

const q = (schema: string, table: string) => `"${schema}"."${table}"`;

/** A project directory whose config points at the crate, its tables in `schema`, tracking in `schema_m`. */
async function projectDir(schema: string, files: Record<string, string>, lock = { lease_ms: 1500, wait_ms: 60000 }): Promise<string> {
  const dir = await mkdtemp(path.join(tmpdir(), 'cm-proc-'));
  dirs.push(dir);
  await mkdir(path.join(dir, 'migrations'));
  for (const [name, text] of Object.entries(files)) await writeFile(path.join(dir, 'migrations', name), text);
  await writeFile(path.join(dir, 'crate.config.yaml'), projectConfigYaml({ url: crate.url, schema, lock }));
  return dir;
}

async function history(schema: string): Promise<unknown[][]> {
  const table = q(`${schema}_m`, 'migrations');
  await crate.sql(`REFRESH TABLE ${table}`);
  return (await crate.sql(`SELECT name, status, statements_run, statements_total FROM ${table} ORDER BY seq`)).rows;
}

async function rows(table: string, order: string): Promise<unknown[][]> {
  await crate.sql(`REFRESH TABLE ${table}`);
  return (await crate.sql(`SELECT * FROM ${table} ORDER BY ${order}`)).rows;
}

describe('16 cratedb-migrate up processes started at once on a fresh database', () => {
  it('all exit 0 and each migration is applied exactly once', async () => {
    const schema = `${crate.schema}_many`;
    const t = q(schema, 't');
    const c = q(schema, 'c');
    const dir = await projectDir(
      schema,
      {
        '001_t.sql': `-- migrate:up\nCREATE TABLE ${t} (id INT PRIMARY KEY, n TEXT);\n`,
        // A fixed key: a second run would fail with a duplicate key.
        '002_once.sql': `-- migrate:up\nINSERT INTO ${t} (id, n) VALUES (1, 'once');\n`,
        // No key: a second run would leave two rows.
        '003_c.sql': `-- migrate:up\nCREATE TABLE ${c} (note TEXT);\nINSERT INTO ${c} (note) VALUES ('003');\n`,
      },
      { lease_ms: 10_000, wait_ms: 120_000 },
    );
    const runs = await Promise.all(Array.from({ length: 16 }, () => runCli(dir, ['up', '--log-level', 'warn'], {}, 120_000)));
    for (const run of runs) expect({ code: run.code, stderr: run.stderr }).toEqual({ code: 0, stderr: '' });
    expect(runs.filter((r) => /applied\s+001_t/.test(r.stdout))).toHaveLength(1);
    expect(await history(schema)).toEqual([
      ['001_t', 'applied', 1, 1],
      ['002_once', 'applied', 1, 1],
      ['003_c', 'applied', 2, 2],
    ]);
    expect(await rows(t, 'id')).toEqual([[1, 'once']]);
    expect(await rows(c, 'note')).toEqual([['003']]);
  }, 180_000);
});

/** Three migrations, six statements: some safe to repeat by their form, some not. */
function fixture(schema: string): { files: Record<string, string>; positions: Array<{ file: string; name: string; index: number; line: number; rerunnable: boolean }> } {
  const a = q(schema, 'a');
  const c = q(schema, 'c');
  const sections = {
    '001_a': [
      [`CREATE TABLE IF NOT EXISTS ${a} (id INT PRIMARY KEY, v TEXT)`, true],
      [`INSERT INTO ${a} (id, v) VALUES (1, 'x')`, false],
    ],
    '002_b': [
      [`INSERT INTO ${a} (id, v) VALUES (2, 'y') ON CONFLICT (id) DO NOTHING`, true],
      // A search right after a write of the same table: the runner refreshes first.
      [`UPDATE ${a} SET v = 'z' WHERE v = 'x'`, false],
    ],
    '003_c': [
      [`CREATE TABLE ${c} (note TEXT)`, false],
      [`REFRESH TABLE ${a}`, true],
    ],
  } as const;
  const files: Record<string, string> = {};
  const positions = [];
  for (const [name, statements] of Object.entries(sections)) {
    files[`${name}.sql`] = `-- migrate:up\n${statements.map(([s]) => `${s};\n`).join('')}`;
    for (const [index, [, rerunnable]] of statements.entries()) positions.push({ file: `migrations/${name}.sql`, name, index, line: index + 2, rerunnable });
  }
  return { files, positions };
}

describe('kill -9 of a runner at every statement position, then a plain up', () => {
  const { positions } = fixture('x');
  const trials = positions.flatMap((p) => (['before', 'after'] as const).map((when) => ({ ...p, when })));

  it.for(trials)('killed $when $name statement $index: heals, or stops naming the line and continues with --in-flight', { timeout: 120_000 }, async (trial) => {
    const schema = `${crate.schema}_k${trial.name.slice(0, 3)}${trial.index}${trial.when[0]}`;
    const { files } = fixture(schema);
    const dir = await projectDir(schema, files);
    const crash = `${trial.name}:${trial.index + 1}:${trial.when}`;

    const killed = await runCli(dir, ['up', '--log-level', 'warn'], { CRATEDB_MIGRATE_TEST_CRASH: crash });
    expect(killed.signal).toBe('SIGKILL');
    const left = await history(schema);
    const row = left.find((r) => r[0] === trial.name)!;
    // Never recorded applied; the statement that may have been in flight is counted.
    expect(row.slice(1, 3)).toEqual(['running', trial.index + 1]);

    // The dead runner's lease (1.5 s) expires; the next runner takes over.
    const next = await runCli(dir, ['up', '--log-level', 'error']);
    if (trial.rerunnable) {
      expect({ code: next.code, stderr: next.stderr }).toEqual({ code: 0, stderr: '' });
    } else {
      expect(next.code).toBe(3);
      expect(next.stderr).toContain(`${trial.file}:${trial.line}`);
      expect(next.stderr).toContain('--in-flight done');
      expect(next.stderr).toContain('--in-flight rerun');
      // The person checks the database: killed before sending means it did not run.
      const resolved = await runCli(dir, ['up', '--log-level', 'error', '--in-flight', trial.when === 'before' ? 'rerun' : 'done']);
      expect({ code: resolved.code, stderr: resolved.stderr }).toEqual({ code: 0, stderr: '' });
    }
    expect(await history(schema)).toEqual([
      ['001_a', 'applied', 2, 2],
      ['002_b', 'applied', 2, 2],
      ['003_c', 'applied', 2, 2],
    ]);
    // Every statement took effect exactly once.
    expect(await rows(q(schema, 'a'), 'id')).toEqual([
      [1, 'z'],
      [2, 'y'],
    ]);
    expect(await rows(q(schema, 'c'), 'note')).toEqual([]);
  });
});
