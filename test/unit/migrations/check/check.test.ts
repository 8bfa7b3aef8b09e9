import { describe, expect, it } from 'vitest';
import { checkMigrations } from '../../../../src/migrations/check/check.js';
import { parseCreateTable } from '../../../../src/migrations/check/table-definition.js';
import { tokensOf } from '../../../../src/migrations/check/tokens.js';
import type { CheckMigration, LiveTable } from '../../../../src/migrations/check/types.js';
import { loadSqlGrammar } from '../../../../src/migrations/sql-grammar.js';
import { parseSqlMigration } from '../../../../src/migrations/sql-file.js';

// Tables as CrateDB 6.4.3 printed them in SHOW CREATE TABLE (../shared/cratedb/transcripts/11-ddl-limits.json).
const SHOWN: Record<string, string> = {
  dl_cols: `CREATE TABLE IF NOT EXISTS "doc"."dl_cols" (
   "id" INTEGER NOT NULL,
   "region" TEXT NOT NULL,
   "a" INTEGER,
   "a2" INTEGER GENERATED ALWAYS AS "a" * 2,
   "c" INTEGER,
   "d" INTEGER,
   "e" TEXT,
   "f" TEXT,
   PRIMARY KEY ("id", "region"),
   INDEX "e_ft" USING FULLTEXT ("e") WITH (
      analyzer = 'english'
   ),
   CONSTRAINT c_small CHECK("c" < 100),
   CONSTRAINT c_below_d CHECK("c" < "d")
)
CLUSTERED BY ("region") INTO 2 SHARDS
WITH (
   column_policy = 'strict',
   number_of_replicas = '0'
)`,
  dl_rows: `CREATE TABLE IF NOT EXISTS "doc"."dl_rows" (
   "a" INTEGER,
   "g" TEXT
)
CLUSTERED BY ("g") INTO 4 SHARDS
WITH (
   column_policy = 'strict',
   number_of_replicas = '0',
   refresh_interval = 0
)`,
  dl_ft: `CREATE TABLE IF NOT EXISTS "doc"."dl_ft" (
   "id" INTEGER NOT NULL,
   "title" TEXT DEFAULT 'untitled',
   "body" TEXT INDEX USING FULLTEXT WITH (
      analyzer = 'dl_english'
   ),
   PRIMARY KEY ("id")
)
CLUSTERED BY ("id") INTO 1 SHARDS
WITH (
   column_policy = 'strict',
   number_of_replicas = '0'
)`,
  dl_empty: `CREATE TABLE IF NOT EXISTS "doc"."dl_empty" (
   "a" INTEGER
)
CLUSTERED INTO 2 SHARDS
WITH (
   column_policy = 'strict',
   number_of_replicas = '0'
)`,
};

async function live(rows: Record<string, number>): Promise<(ref: { schema: string; table: string }) => Promise<LiveTable | null>> {
  const grammar = await loadSqlGrammar();
  return async (ref) => {
    const text = ref.schema === 'doc' ? SHOWN[ref.table] : undefined;
    if (text === undefined) return null;
    const definition = parseCreateTable(tokensOf(grammar, text))!.definition;
    return { definition, createSql: text, rows: rows[ref.table] ?? 0, blocksWrite: false, shards: definition?.shards ?? null };
  };
}

async function migration(name: string, text: string): Promise<CheckMigration> {
  const file = `migrations/${name}.sql`;
  const parsed = await parseSqlMigration(text, { file, placeholders: {}, defaultSchema: 'doc' });
  return { name, file, kind: 'sql', up: parsed.up, hasDown: parsed.down !== null };
}

async function check(files: Array<[string, string]>, rows: Record<string, number> = {}, options: { qualifyNames?: boolean; refreshBeforeSearch?: boolean } = {}) {
  const migrations = await Promise.all(files.map(([name, text]) => migration(name, text)));
  return checkMigrations({ migrations, readTable: await live(rows), defaultSchema: 'doc', serverVersion: { major: 6, minor: 4 }, ...options });
}

const codes = (r: Awaited<ReturnType<typeof check>>) => r.findings.map((f) => [f.severity, f.code, f.line]);

describe('the check of pending migrations', () => {
  it('names ALTER COLUMN TYPE and analyzer changes as errors at their file:line, with the rebuild as the fix', async () => {
    const result = await check([
      [
        '002_ft',
        [
          '-- migrate:up', // 1
          'ALTER TABLE dl_ft', // 2
          '  ALTER COLUMN title TYPE INTEGER;', // 3
          "ALTER TABLE dl_ft ALTER COLUMN body SET (analyzer = 'english');", // 4
          'ALTER TABLE dl_ft ADD INDEX title_ft USING FULLTEXT (title);', // 5
          'CREATE INDEX title_ft ON dl_ft USING FULLTEXT (title);', // 6
          "ALTER TABLE dl_ft ALTER COLUMN title SET DEFAULT 'untitled';", // 7: accepted by 6.4
        ].join('\n'),
      ],
    ]);
    expect(codes(result)).toEqual([
      ['error', 'CM_CHECK_ALTER_TYPE', 3],
      ['error', 'CM_CHECK_ANALYZER', 4],
      ['error', 'CM_CHECK_ANALYZER', 5],
      ['error', 'CM_CHECK_ANALYZER', 6],
    ]);
    expect(result.findings[0]).toMatchObject({ file: 'migrations/002_ft.sql', migration: '002_ft' });
    expect(result.findings[0]!.message).toContain('"title"');
    expect(result.findings[0]!.fix).toContain('-- migrate:rebuild "doc"."dl_ft"');
    expect(result.errors).toBe(4);
    // The new definitions, written from the live SHOW CREATE TABLE with the change made.
    const [type, analyzer, added] = result.findings.map((f) => f.definition!);
    expect(type).toContain('CREATE TABLE "doc"."dl_ft" (\n   "id" INTEGER NOT NULL,\n   "title" INTEGER DEFAULT \'untitled\',\n   "body" TEXT INDEX');
    expect(analyzer).toContain('"body" TEXT INDEX USING FULLTEXT WITH (\n      analyzer = \'english\'\n   ),');
    expect(added).toContain('"title" TEXT DEFAULT \'untitled\' INDEX USING FULLTEXT WITH (analyzer = \'standard\'),');
    expect(result.findings[0]!.fix).toContain(type);
  });

  it('refuses generated and primary key columns on a table with refreshed rows, not on an empty one', async () => {
    const text = '-- migrate:up\nALTER TABLE dl_rows ADD COLUMN a3 INT GENERATED ALWAYS AS a * 3;\nALTER TABLE dl_rows ADD COLUMN id INT PRIMARY KEY;\nALTER TABLE dl_rows ADD COLUMN d INT DEFAULT 7;';
    expect(codes(await check([['002_add', text]], { dl_rows: 3 }))).toEqual([
      ['error', 'CM_CHECK_ADD_GENERATED', 2],
      ['error', 'CM_CHECK_ADD_PRIMARY_KEY', 3],
    ]);
    expect(codes(await check([['002_add', text]], { dl_rows: 0 }))).toEqual([]);
  });

  it('counts rows inserted earlier in the migration: the runner refreshes them before the ALTER TABLE', async () => {
    const files: Array<[string, string]> = [
      ['002_fill', "-- migrate:up\nINSERT INTO dl_rows (a, g) VALUES (1, 'x');\nALTER TABLE dl_rows ADD COLUMN a2 INT GENERATED ALWAYS AS a * 2;"],
      ['003_more', '-- migrate:up\nALTER TABLE dl_rows ADD COLUMN a3 INT GENERATED ALWAYS AS a * 3;'],
    ];
    const result = await check(files, { dl_rows: 0 });
    expect(result.findings.map((f) => [f.migration, f.severity, f.code])).toEqual([
      ['002_fill', 'error', 'CM_CHECK_ADD_GENERATED'],
      ['003_more', 'error', 'CM_CHECK_ADD_GENERATED'],
    ]);
    // Without that refresh CrateDB accepts the column (its "isn't empty" sees refreshed rows only) and
    // leaves it null in the rows written before.
    const unrefreshed = await check(files, { dl_rows: 0 }, { refreshBeforeSearch: false });
    expect(unrefreshed.findings.map((f) => [f.migration, f.severity, f.code])).toEqual([
      ['002_fill', 'warning', 'CM_CHECK_ADD_GENERATED'],
      ['003_more', 'error', 'CM_CHECK_ADD_GENERATED'],
    ]);
  });

  it('refuses to drop a column used by a generated column, a two-column CHECK, the key, an index or CLUSTERED BY', async () => {
    const result = await check([
      [
        '002_drops',
        [
          '-- migrate:up',
          'ALTER TABLE dl_cols DROP COLUMN a;', // 2 generated a2
          'ALTER TABLE dl_cols DROP COLUMN c;', // 3 c_below_d
          'ALTER TABLE dl_cols DROP COLUMN id;', // 4 key
          'ALTER TABLE dl_cols DROP COLUMN e;', // 5 e_ft
          'ALTER TABLE dl_cols DROP COLUMN region;', // 6 key and CLUSTERED BY
          'ALTER TABLE dl_cols DROP COLUMN f;', // 7 fine
          'ALTER TABLE dl_cols DROP CONSTRAINT c_below_d;', // 8
          'ALTER TABLE dl_cols DROP COLUMN c;', // 9 fine now: its own CHECK goes with it
          'ALTER TABLE dl_empty DROP COLUMN a;', // 10 the only column
        ].join('\n'),
      ],
    ]);
    expect(codes(result)).toEqual([2, 3, 4, 5, 6, 10].map((line) => ['error', 'CM_CHECK_DROP_COLUMN_USED', line]));
    const messages = result.findings.map((f) => f.message);
    expect(messages[0]).toContain('generated column "a2"');
    expect(messages[1]).toContain('CHECK constraint c_below_d');
    expect(messages[2]).toContain('PRIMARY KEY');
    expect(messages[3]).toContain('INDEX "e_ft"');
    expect(messages[4]).toContain("'CLUSTERED BY'");
    expect(messages[5]).toContain('all columns');
    expect(result.findings[1]!.fix).toContain('DROP CONSTRAINT');
  });

  it('refuses number_of_shards without blocks.write, and a shrink to a count that is not a factor', async () => {
    expect(codes(await check([['002', '-- migrate:up\nALTER TABLE dl_rows SET (number_of_shards = 2);']]))).toEqual([['error', 'CM_CHECK_SHARDS_WRITE_BLOCK', 2]]);
    const blocked = [
      '-- migrate:up',
      'ALTER TABLE dl_rows SET ("blocks.write" = true);',
      'ALTER TABLE dl_rows SET (number_of_shards = 3);', // 3
      'ALTER TABLE dl_rows SET (number_of_shards = 2);',
      'ALTER TABLE dl_rows SET ("blocks.write" = false);',
      'ALTER TABLE dl_rows SET (number_of_shards = 1);', // 6: the block is lifted again
    ].join('\n');
    expect(codes(await check([['002', blocked]]))).toEqual([
      ['error', 'CM_CHECK_SHARDS_FACTOR', 3],
      ['error', 'CM_CHECK_SHARDS_WRITE_BLOCK', 6],
    ]);
  });

  it('on a partitioned table, reads number_of_shards as a resize only for a PARTITION clause', async () => {
    const text = [
      '-- migrate:up',
      'CREATE TABLE doc.parts (id INT, day TEXT, PRIMARY KEY (id, day)) PARTITIONED BY (day);',
      'ALTER TABLE doc.parts SET (number_of_shards = 2);', // partitions to come
      "ALTER TABLE doc.parts PARTITION (day = '2024-01-01') SET (number_of_shards = 1);", // 4: a resize
    ].join('\n');
    expect(codes(await check([['002', text]]))).toEqual([['error', 'CM_CHECK_SHARDS_WRITE_BLOCK', 4]]);
  });

  it('warns that DROP TABLE and DROP COLUMN cannot be undone only in a migration with a down', async () => {
    const up = '-- migrate:up\nALTER TABLE dl_cols DROP COLUMN f;\nDROP TABLE dl_rows;';
    expect(codes(await check([['002', `${up}\n-- migrate:down\nCREATE TABLE dl_rows (a INT);`]]))).toEqual([
      ['warning', 'CM_CHECK_IRREVERSIBLE', 2],
      ['warning', 'CM_CHECK_IRREVERSIBLE', 3],
    ]);
    expect(codes(await check([['002', up]]))).toEqual([]);
  });

  it('warns about SET GLOBAL and about a session SET that reaches the check', async () => {
    const result = await check([['002', '-- migrate:up\nSET GLOBAL TRANSIENT stats.enabled = false;\nRESET GLOBAL stats.enabled;']]);
    expect(codes(result)).toEqual([2, 3].map((line) => ['warning', 'CM_CHECK_SET', line]));
    expect(result.findings[0]!.message).toContain('cluster-wide');
    // The SQL file format refuses session statements itself; statements from elsewhere are still checked.
    const session = await checkMigrations({
      migrations: [{ name: '002', file: 'x.sql', kind: 'sql', hasDown: false, up: [{ sql: 'SET search_path TO other', line: 4 }] }],
      readTable: await live({}),
      defaultSchema: 'doc',
    });
    expect(session.findings.map((f) => [f.code, f.line])).toEqual([['CM_CHECK_SET', 4]]);
    expect(session.findings[0]!.message).toContain('pooled connection');
  });

  it('warns about unqualified names only when the config asks for qualified ones', async () => {
    const files: Array<[string, string]> = [['002', '-- migrate:up\nCREATE TABLE doc.t1 (a INT);\nINSERT INTO t1 (a) SELECT a FROM doc.dl_rows;']];
    expect(codes(await check(files))).toEqual([]);
    const result = await check(files, {}, { qualifyNames: true });
    expect(codes(result)).toEqual([['warning', 'CM_CHECK_UNQUALIFIED', 3]]);
    expect(result.findings[0]!.fix).toContain('"doc"."t1"');
  });

  it('warns about a search right after a write only for a runner that does not refresh before searches', async () => {
    const files: Array<[string, string]> = [
      [
        '002',
        [
          '-- migrate:up',
          "INSERT INTO dl_rows (a, g) VALUES (1, 'x');",
          'SELECT count(*) FROM dl_rows;', // 3
          "UPDATE dl_rows SET a = 2 WHERE g = 'x';", // 4
          'REFRESH TABLE dl_rows;',
          'SELECT count(*) FROM dl_rows;',
        ].join('\n'),
      ],
      ['003', '-- migrate:up\nINSERT INTO dl_empty (a) SELECT a FROM dl_rows;'],
    ];
    expect(codes(await check(files, {}, { refreshBeforeSearch: false }))).toEqual([
      ['warning', 'CM_CHECK_SEARCH_AFTER_WRITE', 3],
      ['warning', 'CM_CHECK_SEARCH_AFTER_WRITE', 4],
    ]);
    expect(codes(await check(files))).toEqual([]);
  });

  it('follows tables created and renamed by earlier pending migrations', async () => {
    const result = await check([
      ['002', '-- migrate:up\nCREATE TABLE doc.fresh (id INT PRIMARY KEY, v INT, w INT GENERATED ALWAYS AS v + 1, CONSTRAINT v_w CHECK (v < w));'],
      ['003', '-- migrate:up\nALTER TABLE doc.fresh ADD COLUMN k INT PRIMARY KEY;\nALTER TABLE doc.fresh DROP COLUMN v;\nALTER TABLE doc.fresh RENAME TO renamed;\nALTER TABLE doc.renamed ALTER COLUMN w TYPE TEXT;'],
    ]);
    // An empty new table takes a key column; v is used by w and by v_w; the rename carries the definition.
    expect(codes(result)).toEqual([
      ['error', 'CM_CHECK_DROP_COLUMN_USED', 3],
      ['error', 'CM_CHECK_ALTER_TYPE', 5],
    ]);
    expect(result.findings[1]!.message).toContain('"doc"."renamed"');
  });

  it('warns about a table neither in the cluster nor created before, and lists code migrations as not checked', async () => {
    const result = await checkMigrations({
      migrations: [
        await migration('002', '-- migrate:up\nALTER TABLE nowhere ADD COLUMN x INT;'),
        { name: '003_code', file: 'migrations/003_code.ts', kind: 'code', up: [], hasDown: false },
        await migration('004', '-- migrate:up\nALTER TABLE made_by_code ADD COLUMN x INT;'),
      ],
      readTable: await live({}),
      defaultSchema: 'doc',
    });
    expect(result.findings.map((f) => [f.migration, f.code])).toEqual([['002', 'CM_CHECK_UNKNOWN_TABLE']]);
    expect(result.notChecked).toEqual(['003_code']);
    // After a code migration, a refusal that depends on the table's state is a warning; one of the statement alone stays an error.
    const after = await checkMigrations({
      migrations: [
        { name: '003_code', file: 'migrations/003_code.ts', kind: 'code', up: [], hasDown: false },
        await migration('004', '-- migrate:up\nALTER TABLE dl_cols DROP COLUMN id;\nALTER TABLE dl_cols ALTER COLUMN a TYPE TEXT;'),
      ],
      readTable: await live({}),
      defaultSchema: 'doc',
    });
    expect(after.findings.map((f) => [f.severity, f.code])).toEqual([
      ['warning', 'CM_CHECK_DROP_COLUMN_USED'],
      ['error', 'CM_CHECK_ALTER_TYPE'],
    ]);
    expect(result.checked).toEqual(['002', '004']);
  });

  it('refuses what the table already has or lacks: ADD COLUMN IF NOT EXISTS, an existing column, a missing one, an existing table', async () => {
    const result = await check([
      [
        '002',
        [
          '-- migrate:up',
          'ALTER TABLE dl_rows ADD COLUMN IF NOT EXISTS b INT;', // 2: a syntax error
          'ALTER TABLE dl_rows ADD COLUMN a INT;', // 3: exists
          'ALTER TABLE dl_rows DROP COLUMN nope;', // 4: unknown
          'ALTER TABLE dl_rows DROP COLUMN IF EXISTS nope;', // 5: fine
          'CREATE TABLE dl_rows (a INT);', // 6: exists
          'CREATE TABLE IF NOT EXISTS dl_rows (a INT);', // 7: fine
          'CREATE TABLE doc.twice (a INT, b INT, a TEXT);', // 8: a twice
          "ALTER TABLE dl_rows ADD COLUMN a['x'] INT;", // a sub-column: not this rule's
          "ALTER TABLE dl_rows DROP COLUMN nope['x'];",
        ].join('\n'),
      ],
    ]);
    expect(codes(result)).toEqual([
      ['error', 'CM_CHECK_ADD_COLUMN_IF_NOT_EXISTS', 2],
      ['error', 'CM_CHECK_COLUMN_EXISTS', 3],
      ['error', 'CM_CHECK_COLUMN_UNKNOWN', 4],
      ['error', 'CM_CHECK_TABLE_EXISTS', 6],
      ['error', 'CM_CHECK_DUPLICATE_COLUMN', 8],
    ]);
  });

  it('warns that DROP ANALYZER succeeds while tables use it', async () => {
    const result = await check([['002', '-- migrate:up\nDROP ANALYZER dl_english;']]);
    expect(codes(result)).toEqual([['warning', 'CM_CHECK_DROP_ANALYZER', 2]]);
    expect(result.findings[0]!.message).toContain('dl_english');
  });

  it('warns that CREATE TABLE AS drops the key and settings', async () => {
    expect(codes(await check([['002', '-- migrate:up\nCREATE TABLE doc.dl_copy AS SELECT * FROM doc.dl_rows;']]))).toEqual([['warning', 'CM_CHECK_CREATE_TABLE_AS', 2]]);
  });
});

describe('the check of rebuild steps', () => {
  it('warns about a rebuild without keep_backup in a migration with a down, and checks later statements against the new definition', async () => {
    const rebuild = (keepBackup: boolean) => ({
      line: 2,
      rebuild: { table: { schema: 'doc', table: 'dl_rows' }, definition: 'CREATE TABLE dl_rows (a INT, g TEXT, id INT PRIMARY KEY) CLUSTERED INTO 2 SHARDS', columns: {}, keepBackup, copy: { by: 'all' as const } },
    });
    const run = (keepBackup: boolean) =>
      live({ dl_rows: 3 }).then((readTable) =>
        checkMigrations({
          migrations: [{ name: '002', file: 'x.sql', kind: 'sql', hasDown: true, up: [rebuild(keepBackup), { sql: 'ALTER TABLE dl_rows DROP COLUMN id', line: 4 }, { sql: 'ALTER TABLE dl_rows DROP COLUMN g', line: 5 }] }],
          readTable,
          defaultSchema: 'doc',
        }),
      );
    // The new table keeps the rows, has a key on id, and g is no longer CLUSTERED BY: dropping g is fine now.
    expect((await run(false)).findings.map((f) => [f.severity, f.code, f.line])).toEqual([
      ['warning', 'CM_CHECK_IRREVERSIBLE', 2],
      ['error', 'CM_CHECK_DROP_COLUMN_USED', 4],
      ['warning', 'CM_CHECK_IRREVERSIBLE', 5],
    ]);
    expect((await run(true)).findings.map((f) => [f.code, f.line])).toEqual([
      ['CM_CHECK_DROP_COLUMN_USED', 4],
      ['CM_CHECK_IRREVERSIBLE', 5],
    ]);
  });
});

describe('what one CrateDB version refuses and the other runs', () => {
  const text = ['-- migrate:up', 'CREATE SCHEMA IF NOT EXISTS lib;', "ALTER TABLE dl_ft ALTER COLUMN title SET DEFAULT 'x';", `INSERT INTO dl_rows (g) VALUES ('${'x'.repeat(262_144)}');`].join('\n');
  const run = async (serverVersion: { major: number; minor: number } | null) =>
    checkMigrations({ migrations: [await migration('002', text)], readTable: await live({}), defaultSchema: 'doc', serverVersion });

  it('6.4 refuses a statement over statement_max_length, 5.10 CREATE SCHEMA and ALTER COLUMN ... SET DEFAULT', async () => {
    expect((await run({ major: 6, minor: 4 })).findings.map((f) => [f.severity, f.code, f.line])).toEqual([['error', 'CM_CHECK_VERSION', 4]]);
    expect((await run({ major: 5, minor: 10 })).findings.map((f) => [f.severity, f.code, f.line])).toEqual([
      ['error', 'CM_CHECK_VERSION', 2],
      ['error', 'CM_CHECK_VERSION', 3],
    ]);
    expect((await run(null)).findings.map((f) => [f.severity, f.line])).toEqual([
      ['warning', 2],
      ['warning', 3],
      ['warning', 4],
    ]);
  });
});

describe('CREATE TABLE as SHOW CREATE TABLE prints it', () => {
  it('reads columns, generated columns, key, indexes, checks, clustering and settings', async () => {
    const grammar = await loadSqlGrammar();
    const rich = `CREATE TABLE IF NOT EXISTS "cm_intro"."rich" (
   "id" BIGINT NOT NULL,
   "code" VARCHAR(255),
   "qty" INTEGER DEFAULT 0,
   "created_at" TIMESTAMP WITH TIME ZONE DEFAULT now(),
   "tags" ARRAY(TEXT),
   "attrs" OBJECT(DYNAMIC) AS (
      "color" TEXT
   ),
   "qty2" INTEGER GENERATED ALWAYS AS "qty" * 2,
   "body" TEXT INDEX USING FULLTEXT WITH (
      analyzer = 'english'
   ),
   PRIMARY KEY ("id"),
   CONSTRAINT qty_nonneg CHECK("qty" >= 0)
)
CLUSTERED BY ("id") INTO 2 SHARDS
WITH (
   column_policy = 'strict',
   number_of_replicas = '0'
)`;
    const parsed = parseCreateTable(tokensOf(grammar, rich))!;
    expect(parsed.ref).toEqual({ schema: 'cm_intro', name: 'rich' });
    const def = parsed.definition!;
    expect(def.columns.map((c) => [c.name, c.type, c.generatedFrom, c.fulltext])).toEqual([
      ['id', 'BIGINT', null, null],
      ['code', 'VARCHAR ( 255 )', null, null],
      ['qty', 'INTEGER', null, null],
      ['created_at', 'TIMESTAMP WITH TIME ZONE', null, null],
      ['tags', 'ARRAY ( TEXT )', null, null],
      ['attrs', 'OBJECT ( DYNAMIC ) AS ( "color" TEXT )', null, null],
      ['qty2', 'INTEGER', ['qty'], null],
      ['body', 'TEXT', null, 'english'],
    ]);
    expect(def).toMatchObject({ primaryKey: ['id'], clusteredBy: 'id', shards: 2, checks: [{ name: 'qty_nonneg', columns: ['qty'] }] });
    expect(def.settings).toEqual({ column_policy: 'strict', number_of_replicas: '0' });
  });
});
