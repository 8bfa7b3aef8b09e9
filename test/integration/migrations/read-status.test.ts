/**
 * src/read-status.ts answers `status` and `validate` without the runner's and seeder's code: its answers
 * must be the migrator's and the seeder's, for every state a migration and a seed can be in.
 */
import { mkdtemp, mkdir, rm, unlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import pino from 'pino';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { createClient } from '../../../src/client/client.js';
import type { CrateClient } from '../../../src/client/types.js';
import { defaultConfig } from '../../../src/config/defaults.js';
import type { ResolvedConfig } from '../../../src/config/types.js';
import { createMigrator } from '../../../src/migrations/runner.js';
import { migrationDrift, migrationStatus } from '../../../src/read-status.js';
import { statusReport } from '../../../src/status-report.js';
import { createSeeder } from '../../../src/seeds/seeder.js';
import type { Session } from '../../../src/session.js';
import { startCrate, type CrateTarget } from '../../support/crate.js';

const logger = pino({ level: 'silent' });

let target: CrateTarget;
let client: CrateClient;
let root: string;
let session: Session;

const write = async (file: string, text: string) => {
  await mkdir(path.dirname(path.join(root, file)), { recursive: true });
  await writeFile(path.join(root, file), text);
};

beforeAll(async () => {
  target = await startCrate();
  root = await mkdtemp(path.join(tmpdir(), 'cm-read-status-'));
  const tracking = `${target.schema}_migrate`;
  const config: ResolvedConfig = {
    ...defaultConfig(target.urls, root),
    schema: target.schema,
    historyTable: { schema: tracking, table: 'migrations' },
    seedsTable: { schema: tracking, table: 'seeds' },
    lockTable: { schema: tracking, table: 'lock' },
  };
  client = createClient(config, { logger });
  session = { config, client, logger };
  const t = (n: string) => `"${target.schema}"."${n}"`;
  for (const [i, name] of ['kept', 'edited', 'deleted'].entries()) {
    await write(`migrations/00${i + 1}_${name}.sql`, `-- migrate:up\nCREATE TABLE ${t(name)} (id TEXT PRIMARY KEY, n INTEGER);\n-- migrate:down\nDROP TABLE ${t(name)};\n`);
  }
  await write('migrations/R__view.sql', `-- migrate:up\nCREATE OR REPLACE VIEW ${t('v')} AS SELECT id FROM ${t('kept')};\n`);
  await write('seeds/a_kept.yaml', `table: kept\nrows:\n  - { id: "1", n: 1 }\n`);
  await write('seeds/b_edited.yaml', `table: edited\nrows:\n  - { id: "1", n: 1 }\n`);
  await write('seeds/c_deleted.yaml', `table: kept\nrows:\n  - { id: "2", n: 2 }\n`);
  await write('seeds/d_failed.yaml', `table: kept\nrows:\n  - { id: "3", n: "not a number" }\n`);
  await createMigrator(session).up();
  await createSeeder(session).run().catch(() => undefined); // d_failed fails one row, as meant
  // Drift and new work: an applied file edited, one deleted, one new; a seed edited, one deleted, one new.
  await write('migrations/002_edited.sql', `-- migrate:up\nCREATE TABLE ${t('edited')} (id TEXT PRIMARY KEY, n INTEGER, m TEXT);\n`);
  await unlink(path.join(root, 'migrations/003_deleted.sql'));
  await write('migrations/004_new.sql', `-- migrate:up\nCREATE TABLE ${t('new')} (id TEXT);\n`);
  await write('seeds/b_edited.yaml', `table: edited\nrows:\n  - { id: "1", n: 2 }\n`);
  await unlink(path.join(root, 'seeds/c_deleted.yaml'));
  await write('seeds/e_new.yaml', `table: kept\nrows:\n  - { id: "5", n: 5 }\n`);
});

afterAll(async () => {
  await client?.close();
  await target?.close();
  if (root) await rm(root, { recursive: true, force: true });
});

describe('read-status.ts', () => {
  test('migration status and drift are the migrator\'s: applied, changed, missing, pending, repeatable', async () => {
    const expected = await createMigrator(session).status();
    expect(new Set(expected.map((m) => m.state))).toEqual(new Set(['applied', 'changed', 'missing', 'pending']));
    expect(await migrationStatus(session)).toEqual(expected);
    const drift = await createMigrator(session).validate();
    expect(drift.map((d) => d.problem).sort()).toEqual(['changed', 'missing']);
    expect(await migrationDrift(session)).toEqual(drift);
  });

  test('a migration left running: the lease row is read as the migrator reads it', async () => {
    const history = `"${target.schema}_migrate"."migrations"`;
    await target.sql(`UPDATE ${history} SET status = 'running' WHERE name = '001_kept'`);
    await target.sql(`REFRESH TABLE ${history}`);
    const expected = await createMigrator(session).status();
    expect(expected.find((m) => m.name === '001_kept')?.state).toBe('interrupted');
    expect(await migrationStatus(session)).toEqual(expected);
  });

  test('seed status is the seeder\'s: seeded, changed, missing, failed, pending', async () => {
    const expected = await createSeeder(session).status();
    expect(expected.map((s) => [s.name, s.state])).toEqual([
      ['a_kept', 'seeded'], ['b_edited', 'changed'], ['c_deleted', 'missing'], ['d_failed', 'failed'], ['e_new', 'pending'],
    ]);
    const report = await statusReport(session);
    expect(report.seeds).toEqual(expected);
    expect(report.migrations).toEqual(await migrationStatus(session));
  });
});
