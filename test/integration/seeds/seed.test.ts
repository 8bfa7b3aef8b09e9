/**
 * `seed` end to end against the test server (or the real CrateDB at CRATEDB_URL): the project's own
 * seeds/books.yaml into a fresh schema, then the tutorial's queries with no wait in between.
 */
import { mkdtemp, mkdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import pino from 'pino';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { createClient } from '../../../src/client/client.js';
import type { CrateClient } from '../../../src/client/types.js';
import { defaultConfig } from '../../../src/config/defaults.js';
import type { ResolvedConfig } from '../../../src/config/types.js';
import { createSeeder } from '../../../src/seeds/seeder.js';
import { startCrate, type CrateTarget } from '../../support/crate.js';
import { seedOutcome as outcome } from '../../support/caught.js';

const REPO = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../..');
const logger = pino({ level: 'silent' });

let target: CrateTarget;
let client: CrateClient;
let config: ResolvedConfig;
let books: string;

/** A config whose names all live in the target's schema (tracking tables in `${schema}_migrate`). */
function configFor(rootDir: string): ResolvedConfig {
  const tracking = `${target.schema}_migrate`;
  return {
    ...defaultConfig(target.urls, rootDir),
    schema: target.schema,
    historyTable: { schema: tracking, table: 'migrations' },
    seedsTable: { schema: tracking, table: 'seeds' },
    lockTable: { schema: tracking, table: 'lock' },
  };
}


/** A project directory with seed files of its own, seeding into the same schema. */
async function project(files: Record<string, string>): Promise<{ config: ResolvedConfig; remove(): Promise<void> }> {
  const root = await mkdtemp(path.join(tmpdir(), 'cm-seed-it-'));
  for (const [name, text] of Object.entries(files)) {
    await mkdir(path.dirname(path.join(root, name)), { recursive: true });
    await writeFile(path.join(root, name), text);
  }
  return { config: configFor(root), remove: () => rm(root, { recursive: true, force: true }) };
}

beforeAll(async () => {
  target = await startCrate();
  config = configFor(REPO); // the project's real seeds/ directory
  client = createClient(config, { logger });
  books = `"${target.schema}"."books"`;
  // What migrations/001_create_books.sql creates, and its history row, written directly so that this test
  // does not depend on the migration runner.
  await target.sql(`CREATE TABLE ${books} (id TEXT PRIMARY KEY, title TEXT INDEX USING FULLTEXT WITH (analyzer = 'english'), ` +
    'author TEXT, publication_date TIMESTAMP, categories ARRAY(TEXT))');
  const history = `"${target.schema}_migrate"."migrations"`;
  await target.sql(`CREATE TABLE ${history} (name TEXT PRIMARY KEY, version BIGINT, seq BIGINT, checksum TEXT, status TEXT, ` +
    'started_at TIMESTAMP WITH TIME ZONE, finished_at TIMESTAMP WITH TIME ZONE, duration_ms BIGINT, applied_by TEXT, ' +
    "statements_run INTEGER, statements_total INTEGER, error TEXT) CLUSTERED INTO 1 SHARDS WITH (number_of_replicas = '0-2')");
  await target.sql(`INSERT INTO ${history} (name, version, seq, status) VALUES ('001_create_books', 1, 1, 'applied')`);
});

afterAll(async () => {
  await client?.close();
  await target?.close();
});

describe('the tutorial: seeds/books.yaml', () => {
  test('after seed, with no wait: match finds Monty, authors group, categories are arrays; a re-run writes nothing', async () => {
    const seeder = createSeeder({ config, client, logger });
    const first = await seeder.run({ only: ['books'] });
    expect(first.seeds).toEqual([expect.objectContaining({
      name: 'books', file: 'seeds/books.yaml', table: `${target.schema}.books`, status: 'seeded', rows: 3, written: 3, failed: 0,
    })]);

    const monty = await target.sql(`SELECT title FROM ${books} WHERE match(title, ?)`, ['monty']);
    expect(monty.rows).toEqual([["Monty Python's Big Red Book"]]);
    const authors = await target.sql(`SELECT author, count(*) FROM ${books} GROUP BY author ORDER BY author`);
    expect(authors.rows).toEqual([['Douglas Adams', 2], ['Monty Python', 1]]);
    const one = await target.sql(`SELECT categories, publication_date FROM ${books} WHERE id = '1'`);
    expect(one.rows).toEqual([[['novel', 'documentation', 'comedy'], 308534400000]]);

    const second = await seeder.run({ only: ['books'] });
    expect(second.seeds[0]).toMatchObject({ status: 'skipped', written: 0 });
    const status = await seeder.status();
    expect(status.find((s) => s.name === 'books')).toMatchObject({ state: 'seeded', rowsWritten: 3, rowsFailed: 0 });

    const forced = await seeder.run({ only: ['books'], force: true });
    expect(forced.seeds[0]).toMatchObject({ status: 'seeded', written: 3 });
    expect((await target.sql(`SELECT count(*) FROM ${books}`)).rows[0]![0]).toBe(3);
  });

  test('a dry run reads and converts every row and writes nothing', async () => {
    const p = await project({ 'seeds/more.yaml': 'table: books\nrows:\n  - {id: "50", title: Fifty, publication_date: 2000-01-01}\n' });
    try {
      const result = await createSeeder({ config: p.config, client, logger }).run({ dryRun: true });
      expect(result.seeds[0]).toMatchObject({ status: 'planned', rows: 1, written: 0, sample: [{ id: '50', title: 'Fifty', publication_date: 946684800000 }] });
      expect((await target.sql(`SELECT id FROM ${books} WHERE id = '50'`)).rows).toEqual([]);
    } finally {
      await p.remove();
    }
  });
});

describe('failures are accounted row by row', () => {
  test('insert mode: the existing key fails with its line and CrateDB error, the other row is written and searchable', async () => {
    const p = await project({
      'seeds/dupes.yaml': 'table: books\nmode: insert\nrows:\n  - {id: "1", title: Again}\n  - {id: "4", title: So Long and Thanks for All the Fish, author: Douglas Adams}\n',
    });
    try {
      const { result, error } = await outcome(createSeeder({ config: p.config, client, logger }).run());
      expect(error?.code).toBe('CM_SEED');
      expect(result.seeds[0]).toMatchObject({
        status: 'failed', rows: 2, written: 1, failed: 1,
        failures: [{ row: 1, line: 4, code: 4091, stage: 'write', message: expect.stringMatching(/DuplicateKey/) }],
      });
      expect((await target.sql(`SELECT id FROM ${books} WHERE match(title, 'fish')`)).rows).toEqual([['4']]);
    } finally {
      await p.remove();
    }
  });

  test('a value CrateDB refuses fails its whole bulk request (400): the batch is bisected and the good rows written', async () => {
    await target.sql(`CREATE TABLE "${target.schema}"."orders" (id INTEGER PRIMARY KEY, qty INTEGER NOT NULL)`);
    const rows = [1, 2, 3, 4, 5, 6].map((id) => ({ id, qty: id === 4 ? null : id * 10 }));
    const p = await project({ 'seeds/orders.ndjson': rows.map((r) => JSON.stringify(r)).join('\n') });
    try {
      const { result } = await outcome(createSeeder({ config: p.config, client, logger }).run());
      expect(result.seeds[0]).toMatchObject({ rows: 6, written: 5, failed: 1, failures: [{ row: 4, line: 4, stage: 'write' }] });
      expect((await target.sql(`SELECT count(*) FROM "${target.schema}"."orders"`)).rows[0]![0]).toBe(5);
    } finally {
      await p.remove();
    }
  });

  test('a bad value is reported with file, line and column before anything of its batch is sent', async () => {
    const p = await project({ 'seeds/books.csv': 'id,title,publication_date\n60,Sixty,1979-02-30\n61,Sixty-one,1979-02-28\n' });
    try {
      const { result, error } = await outcome(createSeeder({ config: p.config, client, logger }).run());
      expect(error?.message).toMatch(/seeds\/books\.csv:2 column "publication_date"/);
      expect(result.seeds[0]).toMatchObject({ written: 1, failed: 1, failures: [{ line: 2, column: 'publication_date', stage: 'validate' }] });
    } finally {
      await p.remove();
    }
  });

  test('a required migration that is not applied stops the run before anything is written', async () => {
    const p = await project({ 'seeds/later.yaml': 'table: books\nrequires: 002_more_books\nrows: [{id: "70"}]\n' });
    try {
      const { result, error } = await outcome(createSeeder({ config: p.config, client, logger }).run());
      expect(error?.message).toMatch(/"later" requires migration "002_more_books"/);
      expect(result.seeds[0]!.error?.code).toBe('CM_SEED_REQUIRES');
      expect((await target.sql(`SELECT id FROM ${books} WHERE id = '70'`)).rows).toEqual([]);
    } finally {
      await p.remove();
    }
  });

  test('a user who may not see the history schema is told so, not only that the migration is not applied', async () => {
    // CrateDB answers 4045 "schema unknown" to a user without privileges on it, though the history exists.
    const user = `${target.schema}_seeder`;
    await target.sql(`CREATE USER "${user}" WITH (password = 'pw')`);
    const p = await project({ 'seeds/books.yaml': 'table: books\nrequires: 001_create_books\nrows: [{id: "71"}]\n' });
    const asUser = { ...p.config, auth: { user, password: 'pw' } };
    const userClient = createClient(asUser, { logger });
    try {
      const { result, error } = await outcome(createSeeder({ config: asUser, client: userClient, logger }).run());
      expect(result.seeds[0]!.error?.code).toBe('CM_SEED_REQUIRES');
      expect(error?.message).toContain(`GRANT DQL, DML, DDL ON SCHEMA "${target.schema}_migrate" TO "${user}"`);
      expect((await target.sql(`SELECT id FROM ${books} WHERE id = '71'`)).rows).toEqual([]);
    } finally {
      await userClient.close();
      await p.remove();
      await target.sql(`DROP USER "${user}"`);
    }
  });
});

describe('streaming', () => {
  test('a 5,000-row NDJSON in replace mode: every row written in batches and searchable on return', async () => {
    await target.sql(`CREATE TABLE "${target.schema}"."events" (id TEXT PRIMARY KEY, n INTEGER, at TIMESTAMP WITH TIME ZONE, tags ARRAY(TEXT))`);
    await target.sql(`INSERT INTO "${target.schema}"."events" (id, n) VALUES ('old', 0)`);
    const lines = ['{"$seed": {"table": "events", "mode": "replace", "batchSize": 500}}'];
    for (let i = 0; i < 5000; i++) lines.push(JSON.stringify({ id: `e${i}`, n: i, at: '2026-01-01T00:00:00+01:00', tags: [`t${i % 3}`] }));
    const p = await project({ 'seeds/events.ndjson': lines.join('\n') });
    try {
      const result = await createSeeder({ config: p.config, client, logger }).run();
      expect(result.seeds[0]).toMatchObject({ rows: 5000, written: 5000, failed: 0 });
      const stats = await target.sql(`SELECT count(*), min(at), sum(n) FROM "${target.schema}"."events"`);
      expect(stats.rows[0]).toEqual([5000, Date.UTC(2025, 11, 31, 23), (4999 * 5000) / 2]);
    } finally {
      await p.remove();
    }
  });
});
