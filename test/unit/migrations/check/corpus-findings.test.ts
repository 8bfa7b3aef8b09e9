/**
 * What the real-world corpus (test/fixtures/real-world-sql) taught the check: refusals of a new table's
 * DATE column and name, and states where an error would be false (rows deleted, columns a dynamic table
 * added). Also: no statement the SQL file format lets through, however incomplete, makes the check throw.
 */
import { describe, expect, it } from 'vitest';
import { checkMigrations } from '../../../../src/migrations/check/check.js';
import { parseCreateTable } from '../../../../src/migrations/check/table-definition.js';
import { tokensOf } from '../../../../src/migrations/check/tokens.js';
import type { LiveTable } from '../../../../src/migrations/check/types.js';
import { loadSqlGrammar } from '../../../../src/migrations/sql-grammar.js';

// `doc.t` as SHOW CREATE TABLE prints it, with 3 refreshed rows.
const SHOWN = `CREATE TABLE IF NOT EXISTS "doc"."t" (
   "id" INTEGER NOT NULL,
   "v" INTEGER,
   PRIMARY KEY ("id")
)
CLUSTERED BY ("id") INTO 4 SHARDS
PARTITIONED BY ("v")
WITH (
   column_policy = 'strict',
   number_of_replicas = '0'
)`;

async function run(statements: string[], version: { major: number; minor: number } | null = { major: 6, minor: 4 }) {
  const grammar = await loadSqlGrammar();
  const readTable = async (ref: { schema: string; table: string }): Promise<LiveTable | null> => {
    if (ref.schema !== 'doc' || ref.table !== 't') return null;
    const definition = parseCreateTable(tokensOf(grammar, SHOWN))!.definition;
    return { definition, createSql: SHOWN, rows: 3, blocksWrite: false, shards: 4 };
  };
  return checkMigrations({
    migrations: [{ name: '001_x', file: 'x.sql', kind: 'sql', hasDown: true, up: statements.map((sql, i) => ({ sql, line: i + 1 })) }],
    readTable,
    defaultSchema: 'doc',
    qualifyNames: true,
    refreshBeforeSearch: false,
    serverVersion: version,
  });
}

const errors = async (statements: string[]) => (await run(statements)).findings.filter((f) => f.severity === 'error').map((f) => [f.code, f.line]);

describe('what the corpus taught the check', () => {
  it('names a DATE column of a new table (4004 "Type `date` does not support storage"), not a column named date', async () => {
    expect(
      await errors([
        'CREATE TABLE doc.a (id INT, "day" DATE)',
        'CREATE TABLE doc.b (days ARRAY(DATE))',
        'CREATE TABLE doc.c (o OBJECT AS (date TEXT, d DATE))',
        'CREATE TABLE doc.d (date TEXT, o OBJECT AS (date TEXT), x TIMESTAMP GENERATED ALWAYS AS CAST(date AS TIMESTAMP))',
      ]),
    ).toEqual([
      ['CM_CHECK_DATE_STORAGE', 1],
      ['CM_CHECK_DATE_STORAGE', 2],
      ['CM_CHECK_DATE_STORAGE', 3],
    ]);
  });

  it('names a table name CrateDB refuses (4002 InvalidRelationName); a refused CREATE TABLE makes no table', async () => {
    const result = await run(['CREATE TABLE doc."Public Holidays" (id INT)', 'CREATE TABLE doc."Ok_Name" (id INT)', 'INSERT INTO doc."Public Holidays" (id) VALUES (1)']);
    expect(result.findings.map((f) => [f.severity, f.code, f.line])).toEqual([
      ['error', 'CM_CHECK_TABLE_NAME', 1],
      ['warning', 'CM_CHECK_UNKNOWN_TABLE', 3],
    ]);
    expect(result.findings[0]!.fix).toContain('"Public_Holidays"');
  });

  it('after a DELETE, no "has rows" error: whether rows are left is not known', async () => {
    expect(await errors(['DELETE FROM doc.t', 'REFRESH TABLE doc.t', 'ALTER TABLE doc.t ADD COLUMN g INT GENERATED ALWAYS AS v * 2'])).toEqual([]);
    expect(await errors(['ALTER TABLE doc.t ADD COLUMN g INT GENERATED ALWAYS AS v * 2'])).toEqual([['CM_CHECK_ADD_GENERATED', 1]]);
  });

  it('INSERT ... SELECT and COPY FROM may add no rows: an empty table is then not known to have rows', async () => {
    const create = 'CREATE TABLE doc.n (id INT, v INT)';
    const generated = 'ALTER TABLE doc.n ADD COLUMN g INT GENERATED ALWAYS AS v * 2';
    expect(await errors([create, 'INSERT INTO doc.n (id, v) SELECT id, v FROM doc.t WHERE v > 100', 'REFRESH TABLE doc.n', generated])).toEqual([]);
    expect(await errors([create, "COPY doc.n FROM '/tmp/none/*.json'", 'REFRESH TABLE doc.n', generated])).toEqual([]);
    expect(await errors([create, 'INSERT INTO doc.n (id, v) VALUES (1, 2)', 'REFRESH TABLE doc.n', generated])).toEqual([['CM_CHECK_ADD_GENERATED', 4]]);
  });

  it('a DROP COLUMN of a column rows may have added to a dynamic table is no error', async () => {
    expect(await errors(['ALTER TABLE doc.t SET (column_policy = \'dynamic\')', "INSERT INTO doc.t (id, v, extra) VALUES (1, 2, 'x')", 'ALTER TABLE doc.t DROP COLUMN extra'])).toEqual([]);
    expect(await errors(['CREATE TABLE doc.dyn (id INT) WITH (column_policy = \'dynamic\')', "INSERT INTO doc.dyn (id, extra) VALUES (1, 'x')", 'ALTER TABLE doc.dyn DROP COLUMN extra'])).toEqual([]);
    expect(await errors(['ALTER TABLE doc.t DROP COLUMN extra'])).toEqual([['CM_CHECK_COLUMN_UNKNOWN', 1]]);
  });

  it('RENAME TO with the schema written: the table moves within its schema, or (another schema) not at all', async () => {
    expect(await errors(['ALTER TABLE doc.t RENAME TO doc.t2', 'CREATE TABLE doc.t (id INT)', 'ALTER TABLE doc.t2 ADD COLUMN id INT'])).toEqual([['CM_CHECK_COLUMN_EXISTS', 3]]);
    expect(await errors(['ALTER TABLE doc.t RENAME TO other.t', 'CREATE TABLE doc.other (id INT)', 'CREATE TABLE doc.t (id INT)'])).toEqual([['CM_CHECK_TABLE_EXISTS', 3]]);
  });

  it('a view takes its name from tables until DROP VIEW', async () => {
    expect(await errors(['CREATE VIEW doc.v AS SELECT 1', 'CREATE TABLE doc.v (id INT)'])).toEqual([['CM_CHECK_TABLE_EXISTS', 2]]);
    expect(await errors(['CREATE VIEW doc.v AS SELECT 1', 'CREATE VIEW doc.w AS SELECT 1', 'DROP VIEW IF EXISTS doc.v, doc.w', 'CREATE TABLE doc.v (id INT)', 'CREATE TABLE doc.w (id INT)'])).toEqual([]);
    // DROP VIEW of a table is refused by CrateDB: the table stays.
    expect(await errors(['DROP VIEW doc.t', 'CREATE TABLE doc.t (id INT)'])).toEqual([['CM_CHECK_TABLE_EXISTS', 2]]);
  });

  it('a column named type is no type change', async () => {
    const add = 'ALTER TABLE doc.t ADD COLUMN type TEXT';
    expect(await errors([add, "ALTER TABLE doc.t ALTER COLUMN type SET DEFAULT 'click'"])).toEqual([]);
    expect(await errors([add, 'ALTER TABLE doc.t ALTER COLUMN type TYPE INTEGER'])).toEqual([['CM_CHECK_ALTER_TYPE', 2]]);
  });

  it('never throws on an incomplete or unusual statement', async () => {
    const odd = [
      'ALTER TABLE', 'ALTER TABLE t', 'ALTER TABLE t ADD', 'ALTER TABLE t ADD COLUMN', 'ALTER TABLE t DROP', 'ALTER TABLE t ALTER COLUMN v', 'ALTER TABLE t RENAME COLUMN v',
      'ALTER TABLE t SET (', 'ALTER TABLE t PARTITION (', 'ALTER TABLE t RESET (', 'ALTER TABLE t RENAME TO', 'ALTER TABLE t ADD COLUMN a INT, ADD COLUMN',
      'CREATE TABLE u', 'CREATE TABLE u (', 'CREATE TABLE u ()', 'CREATE TABLE IF NOT EXISTS', 'CREATE TABLE "" (a INT)', 'CREATE TABLE u (a INT GENERATED ALWAYS AS)',
      'INSERT', 'INSERT INTO', 'UPDATE', 'DELETE', 'DELETE FROM', 'COPY', 'COPY t', 'REFRESH', 'REFRESH TABLE', 'DROP', 'DROP TABLE', 'DROP TABLE IF EXISTS', 'DROP ANALYZER',
      'SELECT', 'SELECT * FROM', 'CREATE INDEX', 'CREATE INDEX i ON', 'SET GLOBAL', 'RESET', 'ALTER CLUSTER SWAP TABLE', 'ALTER CLUSTER SWAP TABLE t TO',
      'ALTER CLUSTER REROUTE RETRY FAILED', "CREATE REPOSITORY r TYPE fs WITH (location = '/tmp/r')", 'CREATE SNAPSHOT r.s ALL WITH (wait_for_completion = true)', 'RESTORE SNAPSHOT r.s TABLE t',
      'KILL ALL', "ALTER USER u SET (password = 'x')", 'CREATE PUBLICATION p FOR TABLE t', 'ALTER TABLE t CLOSE', 'ALTER TABLE t ADD CONSTRAINT c CHECK (v > 0)',
      "ALTER TABLE t ADD COLUMN o['x'] INT", "ALTER TABLE t DROP COLUMN o['x']", 'DECLARE c CURSOR FOR SELECT 1', 'EXPLAIN SELECT 1', 'SHOW TABLES', 'BEGIN', 'ANALYZE',
      'CREATE FUNCTION f(a INT) RETURNS INT LANGUAGE JAVASCRIPT AS $$function f(a) { return a; }$$', "ALTER TABLE t SET (number_of_shards = 'x')", 'ALTER TABLE t SET (number_of_shards = 0)',
      'CREATE VIEW', 'CREATE OR REPLACE VIEW', 'DROP VIEW', 'DROP VIEW IF EXISTS', 'DROP VIEW IF EXISTS ,', 'CREATE SERVER s FOREIGN DATA WRAPPER jdbc', 'CREATE FOREIGN TABLE f (a INT) SERVER s', 'GRANT r TO u', 'ALTER TABLE t ALTER COLUMN v DROP DEFAULT',
    ];
    for (const version of [null, { major: 5, minor: 10 }, { major: 6, minor: 4 }]) {
      for (const sql of odd) await expect(run([sql, sql], version), sql).resolves.toMatchObject({ checked: ['001_x'] });
    }
  });
});
