/**
 * `cratedb-migrate check` as a user runs it (the built bin; `npm test` builds first), against the test server or
 * the real CrateDB at CRATEDB_URL: findings with file:line, exit 2 on an error, 0 with warnings, --json.
 */
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli } from '../../support/cli-process.js';
import { startCrate, type CrateTarget } from '../../support/crate.js';

let target: CrateTarget;
let dir: string;

const cli = (...args: string[]) => runCli(dir, [...args, '--log-level', 'warn'], { CRATE_ENV: 'test' });

const migration = (name: string, text: string) => writeFile(path.join(dir, 'migrations', name), text);

beforeAll(async () => {
  target = await startCrate();
  dir = await mkdtemp(path.join(tmpdir(), 'cm-check-cli-'));
  await mkdir(path.join(dir, 'migrations'));
  const t = target.schema;
  await writeFile(
    path.join(dir, 'crate.config.yaml'),
    ['environments:', '  test:', `    url: ${target.url}`, `    schema: ${t}`, `    history_table: ${t}_cm.migrations`, `    lock_table: ${t}_cm.lock`, ''].join('\n'),
  );
  await target.sql(`CREATE TABLE "${t}".books (id TEXT PRIMARY KEY, author TEXT)`);
});

afterAll(async () => {
  await target?.close();
  if (dir) await rm(dir, { recursive: true, force: true });
});

describe('cratedb-migrate check', () => {
  it('prints an error with file:line and its fix and exits 2; --json gives the findings', async () => {
    await migration('001_type.sql', '-- migrate:up\nALTER TABLE books\n  ALTER COLUMN author TYPE INTEGER;\n');
    const run = await cli('check');
    expect(run.code).toBe(2);
    expect(run.stdout).toContain('migrations/001_type.sql:3: error CM_CHECK_ALTER_TYPE');
    expect(run.stdout).toContain('fix: rebuild the table');
    expect(run.stdout).toContain('1 pending SQL migration checked: 1 error, 0 warnings.');

    const json = await cli('check', '--json');
    expect(json.code).toBe(2);
    const result = JSON.parse(json.stdout) as { errors: number; findings: Array<{ code: string; file: string; line: number; severity: string }> };
    expect(result.errors).toBe(1);
    expect(result.findings).toEqual([expect.objectContaining({ code: 'CM_CHECK_ALTER_TYPE', file: 'migrations/001_type.sql', line: 3, severity: 'error' })]);
  });

  it('prints warnings and exits 0', async () => {
    await rm(path.join(dir, 'migrations', '001_type.sql'));
    await migration('001_drop.sql', '-- migrate:up\nALTER TABLE books DROP COLUMN author;\n-- migrate:down\nALTER TABLE books ADD COLUMN author TEXT;\n');
    const run = await cli('check');
    expect(run.code).toBe(0);
    expect(run.stdout).toContain('migrations/001_drop.sql:2: warning CM_CHECK_IRREVERSIBLE');
    // The check only read: the column is still there.
    const cols = await target.sql('SELECT column_name FROM information_schema.columns WHERE table_schema = ? AND table_name = ? ORDER BY 1', [target.schema, 'books']);
    expect(cols.rows).toEqual([['author'], ['id']]);
  });
});
