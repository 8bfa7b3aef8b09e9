import pino from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createClient } from '../../../src/client/client.js';
import type { CrateClient } from '../../../src/client/types.js';
import { defaultConfig } from '../../../src/config/defaults.js';
import { parseServerUrl } from '../../../src/config/urls.js';
import { checkMigrations } from '../../../src/migrations/check/check.js';
import { checkFiles } from '../../../src/migrations/check/files.js';
import { discoverMigrations } from '../../../src/migrations/source.js';
import { createTableReader } from '../../../src/migrations/check/cluster.js';
import { loadSqlGrammar } from '../../../src/migrations/sql-grammar.js';
import { parseSqlMigration } from '../../../src/migrations/sql-file.js';
import { CheckError } from '../../../src/errors.js';
import { check } from '../../../src/index.js';
import { caught } from '../../support/caught.js';
import { startCrate, type CrateTarget } from '../../support/crate.js';
import { createProject } from './project.js';

let crate: CrateTarget;
let client: CrateClient;
beforeAll(async () => {
  crate = await startCrate();
  const parsed = crate.urls.map((u) => parseServerUrl(u));
  const servers = parsed.map((p) => ('error' in p ? (() => { throw new Error(p.error); })() : p.server));
  const first = parsed[0]!;
  const auth = 'user' in first && first.user ? { auth: { user: first.user, ...(first.password ? { password: first.password } : {}) } } : {};
  client = createClient({ ...defaultConfig(servers), ...auth, schema: crate.schema }, { logger: pino({ level: 'silent' }) });
});
afterAll(async () => {
  await client?.close();
  await crate?.close();
});

/** Runs each statement and says which ones CrateDB refused, by line. */
async function refusedLines(statements: Array<{ sql: string; line: number }>): Promise<number[]> {
  const refused: number[] = [];
  for (const s of statements) {
    try {
      await client.sql(s.sql);
    } catch {
      refused.push(s.line);
    }
  }
  return refused;
}

describe('the check agrees with what CrateDB then does', () => {
  it('names exactly the statements CrateDB refuses, reading the live tables', async () => {
    const s = crate.schema;
    await crate.sql(
      `CREATE TABLE "${s}".cols (id INT, region TEXT, a INT, a2 INT GENERATED ALWAYS AS a * 2, c INT, d INT, e TEXT, f TEXT, ` +
        `INDEX e_ft USING FULLTEXT (e) WITH (analyzer = 'english'), CONSTRAINT c_below_d CHECK (c < d), PRIMARY KEY (id, region)) ` +
        `CLUSTERED BY (region) INTO 2 SHARDS WITH (number_of_replicas = 0)`,
    );
    await crate.sql(`CREATE TABLE "${s}".filled (a INT, g TEXT) CLUSTERED BY (g) INTO 4 SHARDS WITH (number_of_replicas = 0)`);
    await crate.sql(`INSERT INTO "${s}".filled (a, g) VALUES (1, 'x'), (2, 'y'), (3, 'z')`);
    await crate.sql(`REFRESH TABLE "${s}".filled`);
    await crate.sql(`CREATE TABLE "${s}".ft (id INT PRIMARY KEY, title TEXT, body TEXT INDEX USING FULLTEXT WITH (analyzer = 'english')) WITH (number_of_replicas = 0)`);

    const text = [
      '-- migrate:up',
      'ALTER TABLE ${s}.cols DROP COLUMN a;', // 2 generated a2 uses it
      'ALTER TABLE ${s}.cols DROP COLUMN c;', // 3 c_below_d
      'ALTER TABLE ${s}.cols DROP COLUMN id;', // 4 key
      'ALTER TABLE ${s}.cols DROP COLUMN e;', // 5 e_ft
      'ALTER TABLE ${s}.cols DROP COLUMN f;', // 6 accepted
      'ALTER TABLE ${s}.filled ADD COLUMN a3 INT GENERATED ALWAYS AS a * 3;', // 7 has rows
      'ALTER TABLE ${s}.filled ADD COLUMN id INT PRIMARY KEY;', // 8 has rows
      'ALTER TABLE ${s}.filled ADD COLUMN d INT DEFAULT 7;', // 9 accepted
      'ALTER TABLE ${s}.filled DROP COLUMN g;', // 10 CLUSTERED BY
      'ALTER TABLE ${s}.filled SET (number_of_shards = 2);', // 11 no write block
      'ALTER TABLE ${s}.filled SET ("blocks.write" = true);', // 12
      'ALTER TABLE ${s}.filled SET (number_of_shards = 3);', // 13 not a factor of 4
      'ALTER TABLE ${s}.filled SET (number_of_shards = 2);', // 14 accepted
      'ALTER TABLE ${s}.filled SET ("blocks.write" = false);', // 15
      'ALTER TABLE ${s}.ft ALTER COLUMN title TYPE INTEGER;', // 16
      'ALTER TABLE ${s}.ft ADD INDEX title_ft USING FULLTEXT (title);', // 17
      "ALTER TABLE ${s}.ft ALTER COLUMN body SET (analyzer = 'standard');", // 18
      'CREATE TABLE ${s}.fresh (id INT, v INT);', // 19
      'ALTER TABLE ${s}.fresh ADD COLUMN k INT PRIMARY KEY;', // 20 accepted: empty
      'ALTER TABLE ${s}.ft ADD COLUMN IF NOT EXISTS note TEXT;', // 21 a syntax error
      'ALTER TABLE ${s}.ft ADD COLUMN title TEXT;', // 22 exists
      'ALTER TABLE ${s}.ft DROP COLUMN nope;', // 23 unknown
      'CREATE TABLE ${s}.ft (id INT);', // 24 exists
      'CREATE TABLE ${s}.twice (a INT, a TEXT);', // 25 a twice
      'CREATE TABLE IF NOT EXISTS ${s}.ft (id INT);', // 26 accepted
    ].join('\n');
    const file = 'migrations/002_limits.sql';
    const parsed = await parseSqlMigration(text, { file, placeholders: { s }, defaultSchema: s });
    const result = await checkMigrations({
      migrations: [{ name: '002_limits', file, kind: 'sql', up: parsed.up, hasDown: false }],
      readTable: createTableReader(client, await loadSqlGrammar()),
      defaultSchema: s,
    });
    const flagged = [...new Set(result.findings.filter((f) => f.severity === 'error').map((f) => f.line))];
    expect(flagged).toEqual([2, 3, 4, 5, 7, 8, 10, 11, 13, 16, 17, 18, 21, 22, 23, 24, 25]);
    expect(result.warnings).toBe(0);
    // The check only read: nothing it named was sent. Now CrateDB answers every statement.
    expect(await refusedLines(parsed.up)).toEqual(flagged);
  });

  it('reads a missing table as missing and a view as having no definition', async () => {
    const s = crate.schema;
    await crate.sql(`CREATE TABLE "${s}".base (id INT)`);
    await crate.sql(`CREATE VIEW "${s}".base_v AS SELECT id FROM "${s}".base`);
    const read = createTableReader(client, await loadSqlGrammar());
    expect(await read({ schema: s, table: 'nope' })).toBeNull();
    expect(await read({ schema: `${s}_hidden`, table: 'nope' })).toBeNull();
    expect(await read({ schema: s, table: 'base_v' })).toMatchObject({ definition: null });
    expect(await read({ schema: s, table: 'base' })).toMatchObject({ rows: 0, blocksWrite: false, definition: { columns: [{ name: 'id' }] } });
    await crate.sql(`INSERT INTO "${s}".base (id) VALUES (1), (2)`);
    await crate.sql(`REFRESH TABLE "${s}".base`);
    await crate.sql(`ALTER TABLE "${s}".base SET ("blocks.write" = true)`);
    expect(await read({ schema: s, table: 'base' })).toMatchObject({ rows: 2, blocksWrite: true });
    await crate.sql(`ALTER TABLE "${s}".base SET ("blocks.write" = false)`);
  });

  it('check() checks only pending migrations, returns warnings and throws CheckError (exit 2) on an error', async () => {
    const project = await createProject(crate);
    try {
      const s = project.schema;
      await project.write('001_books.sql', '-- migrate:up\nCREATE TABLE ${schema}.books (id TEXT PRIMARY KEY, author TEXT);\n-- migrate:down\nDROP TABLE ${schema}.books;');
      await project.migrator().up();
      await crate.sql(`INSERT INTO "${s}".books (id, author) VALUES ('1', 'Douglas Adams')`);
      await crate.sql(`REFRESH TABLE "${s}".books`);
      await project.write('002_drop.sql', '-- migrate:up\nALTER TABLE ${schema}.books DROP COLUMN author;\n-- migrate:down\nALTER TABLE ${schema}.books ADD COLUMN author TEXT;');
      const warned = await check({ config: project.config, client: project.client });
      expect(warned.checked).toEqual(['002_drop']);
      expect(warned.findings.map((f) => [f.file, f.line, f.severity, f.code])).toEqual([['migrations/002_drop.sql', 2, 'warning', 'CM_CHECK_IRREVERSIBLE']]);

      await project.write('003_type.sql', '-- migrate:up\nALTER TABLE ${schema}.books ALTER COLUMN id TYPE INT;');
      const error = await caught(check({ config: project.config, client: project.client }), CheckError);
      expect(error).toMatchObject({ code: 'CM_CHECK', exitCode: 2 });
      const result = error.result as Awaited<ReturnType<typeof check>>;
      expect(result.findings.map((f) => [f.migration, f.code])).toEqual([
        ['002_drop', 'CM_CHECK_IRREVERSIBLE'],
        ['003_type', 'CM_CHECK_ALTER_TYPE'],
      ]);
      expect(error.message).toContain('migrations/003_type.sql:2');
      // Read-only: the column is still there.
      const cols = await crate.sql('SELECT column_name FROM information_schema.columns WHERE table_schema = ? AND table_name = ? ORDER BY 1', [s, 'books']);
      expect(cols.rows).toEqual([['author'], ['id']]);
    } finally {
      await project.close();
    }
  });

  it('knows what this server version refuses that the other runs (CREATE SCHEMA, ALTER COLUMN ... SET DEFAULT)', async () => {
    const project = await createProject(crate);
    try {
      const s = project.schema;
      await crate.sql(`CREATE TABLE "${s}".t (id INT PRIMARY KEY, title TEXT)`);
      await project.write(
        '001_versions.sql',
        ['-- migrate:up', 'CREATE SCHEMA IF NOT EXISTS ${schema}_x;', 'DROP SCHEMA IF EXISTS ${schema}_x;', "ALTER TABLE ${schema}.t ALTER COLUMN title SET DEFAULT 'untitled';", 'ALTER TABLE ${schema}.t ADD COLUMN note TEXT;'].join('\n'),
      );
      const files = await discoverMigrations(project.config.migrationsDir, { rootDir: project.config.rootDir });
      const result = await checkFiles({ client: project.client, config: project.config }, files);
      const flagged = result.findings.filter((f) => f.severity === 'error').map((f) => f.line);
      const [[number]] = (await crate.sql("SELECT version['number'] FROM sys.nodes LIMIT 1")).rows as [[string]];
      expect(flagged).toEqual(Number(number.split('.')[0]) < 6 ? [2, 3, 4] : []);
      const parsed = await parseSqlMigration(new TextDecoder().decode(files[0]!.content), { file: 'x', placeholders: project.config.placeholders, defaultSchema: s });
      expect(await refusedLines(parsed.up)).toEqual(flagged);
      expect(result.warnings).toBe(0);
    } finally {
      await project.close();
    }
  });

  it('warns of what either version refuses when the server names no version', async () => {
    const project = await createProject(crate);
    try {
      await project.write('001_versions.sql', ['-- migrate:up', 'CREATE SCHEMA IF NOT EXISTS ${schema}_x;', 'DROP SCHEMA IF EXISTS ${schema}_x;'].join('\n'));
      const files = await discoverMigrations(project.config.migrationsDir, { rootDir: project.config.rootDir });
      // The client answers 'unknown' for a root document without version.number.
      const client: CrateClient = { ...project.client, ping: async () => ({ server: 'test', version: 'unknown' }) };
      const result = await checkFiles({ client, config: project.config }, files);
      expect(result.findings.map((f) => [f.severity, f.code, f.line])).toEqual([
        ['warning', 'CM_CHECK_VERSION', 2],
        ['warning', 'CM_CHECK_VERSION', 3],
      ]);
    } finally {
      await project.close();
    }
  });
});
