/**
 * The engine's general DDL rules beyond the recorded steps: table settings checked against the one
 * table of CrateDB's settings, DROP COLUMN dependencies, closed tables, versioning misuse, partition
 * idents, shard routing, COPY FROM answers. One engine for the file (PGlite takes seconds to start).
 */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { gzipSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { partitionIdent } from '../../server/engine/partitions.js';
import { shardOf } from '../../server/engine/routing.js';
import { settingsObject, validateSetting } from '../../server/engine/settings.js';
import { engineForFile } from './file-engine.js';

describe('table settings', () => {
  it('normalizes values by their type and refuses unknown names and bad values', () => {
    expect(validateSetting('refresh_interval', '2s', 'create')).toBe('2000');
    expect(validateSetting('blocks.write', 'TRUE', 'alter')).toBe('true');
    expect(validateSetting('number_of_replicas', '0-all', 'create')).toBe('0-all');
    expect(validateSetting('routing.allocation.include.zone', 'a', 'alter')).toBe('a');
    expect(() => validateSetting('number_of_replicas', '1-', 'create')).toThrow(/range "1-" isn't valid/);
    expect(() => validateSetting('blocks.write', 'yes', 'alter')).toThrow(/only \[true\] or \[false\]/);
    expect(() => validateSetting('nope', '1', 'create')).toThrow(/Invalid property "nope"/);
    // Settings fixed at creation cannot be altered.
    expect(() => validateSetting('codec', 'default', 'alter')).toThrow(/Invalid property "codec"/);
  });

  it('reports every defaulted setting nested by name parts, the table\'s own values typed', () => {
    const s = settingsObject({ 'blocks.write': 'true', 'translog.sync_interval': '100' }, { refresh_interval: 0 });
    expect(s).toMatchObject({ blocks: { write: true, read: false }, translog: { sync_interval: 100 }, refresh_interval: 0, write: { wait_for_active_shards: '1' } });
  });
});

describe('partition idents and routing', () => {
  it('encodes partition values as CrateDB does (base32 of the serialized values)', () => {
    expect(partitionIdent(['2024-01-01'])).toBe('045j4c1i6gmj0c9d60og');
    expect(partitionIdent(['2099-01-01'])).toBe('045j4c1p74mj0c9d60og');
    expect(partitionIdent([null])).not.toBe(partitionIdent(['']));
  });

  it('routes keys with Murmur3 over routing shards, as CrateDB counts documents per shard', () => {
    // CrateDB put ids 1..5 of a 2-shard table four on shard 0 and one on shard 1.
    expect(['1', '2', '3', '4', '5'].map((k) => shardOf(k, 2))).toEqual([0, 0, 0, 1, 0]);
    expect(shardOf('any', 1)).toBe(0);
  });
});

describe('engine DDL rules (6.4)', () => {
  const { answer: sql } = engineForFile();
  const error = async (stmt: string): Promise<{ code: number; message: string } | undefined> => (await sql(stmt)).body.error;

  it('checks ALTER TABLE SET against the settings table, and RESET too', async () => {
    await sql('CREATE TABLE t (id INT PRIMARY KEY)');
    expect(await error("ALTER TABLE t SET (refresh_interval = 'soon')")).toMatchObject({ code: 4000, message: expect.stringContaining('refresh_interval') });
    expect(await error('ALTER TABLE t RESET (no_such)')).toMatchObject({ code: 4000, message: expect.stringContaining('Invalid property "no_such"') });
    expect((await sql('ALTER TABLE t SET ("translog.durability" = \'async\')')).body.rowcount).toBe(-1);
  });

  it('drops no view of a DROP VIEW that names a missing one, and names every missing one', async () => {
    await sql('CREATE TABLE t (id INT PRIMARY KEY)');
    await sql('CREATE VIEW v1 AS SELECT id FROM t');
    expect(await error('DROP VIEW v1, v2, v3')).toEqual({ code: 4041, message: 'RelationsUnknown[Relations not found: doc.v2, doc.v3]' });
    expect((await sql("SELECT table_name FROM information_schema.views WHERE table_schema = 'doc'")).body.rows).toEqual([['v1']]);
    expect((await sql('DROP VIEW IF EXISTS v1, v2')).body.rowcount).toBe(1);
  });

  it('KILLs the job a failed bulk request left in sys.jobs, by id or ALL, and answers how many it killed', async () => {
    await sql('CREATE TABLE t (id INT PRIMARY KEY, v INT)');
    await sql("INSERT INTO t (id, v) VALUES (1, 1)");
    await sql('UPDATE t SET v = ? WHERE id = ?', undefined, [['abc', 1]]);
    const leaked = (await sql("SELECT id FROM sys.jobs WHERE stmt = 'UPDATE t SET v = ? WHERE id = ?'")).body.rows!;
    expect(leaked).toHaveLength(1);
    expect((await sql('KILL ?', [leaked[0]![0]])).body.rowcount).toBe(1);
    expect((await sql("SELECT count(*) FROM sys.jobs WHERE stmt = 'UPDATE t SET v = ? WHERE id = ?'")).body.rows).toEqual([[0]]);
    expect((await sql('KILL ALL')).body.rowcount).toBe(0);
    expect(await error("KILL 'abc'")).toEqual({ code: 4000, message: "SQLParseException[Can not parse job ID: 'abc']" });
  });

  it('names a statement it does not implement by its first words as written (4004)', async () => {
    expect(await error("CREATE SERVER pg FOREIGN DATA WRAPPER jdbc OPTIONS (url 'jdbc:postgresql://x')")).toEqual({
      code: 4004,
      message: 'UnsupportedFeatureException[Statement not supported by the test server: CREATE SERVER pg]',
    });
    expect((await error('CREATE PUBLICATION pub FOR TABLE t'))?.message).toBe('UnsupportedFeatureException[Statement not supported by the test server: CREATE PUBLICATION pub]');
  });

  it('refuses key columns of collection or geo types and partition columns CrateDB cannot partition by', async () => {
    expect(await error('CREATE TABLE t (a ARRAY(INT) PRIMARY KEY)')).toEqual({ code: 4004, message: 'UnsupportedFeatureException[Cannot use column "a" with type "integer_array" as primary key]' });
    expect(await error('CREATE TABLE t (a GEO_SHAPE, PRIMARY KEY (a))')).toEqual({ code: 4004, message: 'UnsupportedFeatureException[Cannot use columns of type "geo_shape" as primary key]' });
    expect(await error('CREATE TABLE t (id INT PRIMARY KEY, day TEXT) PARTITIONED BY (day)')).toEqual({
      code: 4000,
      message: "SQLParseException[Cannot use non primary key column 'day' in PARTITIONED BY clause if primary key is set on table]",
    });
    expect(await error('CREATE TABLE t (id INT, day TEXT) PARTITIONED BY (nope)')).toEqual({ code: 4043, message: 'ColumnUnknownException[Column nope unknown]' });
    expect((await error('CREATE TABLE t (id INT, o OBJECT) PARTITIONED BY (o)'))?.message).toBe('SQLParseException[Cannot use column o of type object in PARTITIONED BY clause]');
    expect((await error('CREATE TABLE t (id INT, d TEXT INDEX USING FULLTEXT) PARTITIONED BY (d)'))?.message).toMatch(/with fulltext index in PARTITIONED BY/);
    expect((await error('CREATE TABLE t (id INT, d TEXT) CLUSTERED BY (d) PARTITIONED BY (d)'))?.message).toMatch(/Cannot use CLUSTERED BY column `d` in PARTITIONED BY clause/);
    expect((await sql('CREATE TABLE t (id INT, day TEXT, PRIMARY KEY (id, day)) PARTITIONED BY (day)')).body.rowcount).toBe(1);
  });

  it('refuses a fulltext index on a non-text column and a DEFAULT on an object column', async () => {
    expect(await error('CREATE TABLE t (a INT INDEX USING FULLTEXT)')).toEqual({
      code: 4000,
      message: 'SQLParseException[Can\'t use an Analyzer on column a because analyzers are only allowed on columns of type "text" of the unbound length limit.]',
    });
    expect((await error('CREATE TABLE t (a VARCHAR(5) INDEX USING FULLTEXT)'))?.code).toBe(4000);
    expect(await error('CREATE TABLE t (o OBJECT DEFAULT {a = 1})')).toEqual({ code: 4000, message: 'SQLParseException[Default values are not allowed for object columns: o]' });
    expect((await sql('CREATE TABLE t (tags ARRAY(TEXT) INDEX USING FULLTEXT)')).body.rowcount).toBe(1);
    const notText = { code: 4000, message: "SQLParseException[INDEX definition only support 'string' typed source columns]" };
    expect(await error('CREATE TABLE i1 (a INT, INDEX ft USING FULLTEXT (a))')).toEqual(notText);
    expect(await error("CREATE TABLE i2 (o OBJECT AS (n INT), INDEX ft USING FULLTEXT (o['n']))")).toEqual(notText);
    expect((await sql("CREATE TABLE i3 (a TEXT, tags ARRAY(TEXT), o OBJECT AS (x TEXT), INDEX ft USING FULLTEXT (a, tags, o['x']))")).body.rowcount).toBe(1);
  });

  it('binds CLUSTERED BY and a generated column\'s expression against the table\'s columns (4043 for an unknown one)', async () => {
    const unknown = (name: string) => ({ code: 4043, message: `ColumnUnknownException[Column ${name} unknown]` });
    expect(await error('CREATE TABLE t (a INT) CLUSTERED BY (b)')).toEqual(unknown('b'));
    expect(await error('CREATE TABLE t (a INT GENERATED ALWAYS AS b + 1)')).toEqual(unknown('b'));
    expect((await sql("CREATE TABLE t (a INT GENERATED ALWAYS AS o['x'] + 1, o OBJECT AS (x INT)) CLUSTERED BY (a)")).body.rowcount).toBe(1);
    expect(await error('ALTER TABLE t ADD COLUMN g INT GENERATED ALWAYS AS zz * 2')).toEqual(unknown('zz'));
    expect((await sql('ALTER TABLE t ADD COLUMN g INT GENERATED ALWAYS AS a * 2')).body.rowcount).toBe(-1);
  });

  it('adds the columns of one ALTER TABLE all or none: a later one that fails leaves none of them', async () => {
    await sql('CREATE TABLE t (id INT PRIMARY KEY)');
    expect((await error("ALTER TABLE t ADD COLUMN x INT, ADD COLUMN y INT DEFAULT 'zz'"))?.code).toBe(4000);
    expect((await error('ALTER TABLE t ADD COLUMN d INT, ADD COLUMN d TEXT'))?.message).toBe('SQLParseException[The table doc.t already has a column named d]');
    const names = async () => (await sql("SELECT column_name, ordinal_position FROM information_schema.columns WHERE table_name = 't' ORDER BY 2")).body.rows;
    expect(await names()).toEqual([['id', 1]]);
    expect((await sql('ALTER TABLE t ADD COLUMN x INT, ADD COLUMN y TEXT')).body.rowcount).toBe(-1);
    expect(await names()).toEqual([['id', 1], ['x', 2], ['y', 3]]);
  });

  it('resizes a plain table only under blocks.write, to a factor or multiple of its shards', async () => {
    await sql('CREATE TABLE t (id INT) CLUSTERED INTO 4 SHARDS');
    expect((await error('ALTER TABLE t SET (number_of_shards = 8)'))?.code).toBe(5000);
    await sql('ALTER TABLE t SET ("blocks.write" = true)');
    expect((await error('ALTER TABLE t SET (number_of_shards = 6)'))?.message).toMatch(/multiple of the current one: <4>/);
    expect((await sql('ALTER TABLE t SET (number_of_shards = 8)')).body.rowcount).toBe(0);
    expect((await sql("SELECT number_of_shards FROM information_schema.tables WHERE table_name = 't'")).body.rows).toEqual([[8]]);
  });

  it('refuses DROP COLUMN of a column a generated column or a multi-column CHECK reads, and drops its own CHECK with it', async () => {
    await sql('CREATE TABLE t (a INT, b INT, g INT GENERATED ALWAYS AS a + 1, CONSTRAINT both_small CHECK (a + b < 10), CONSTRAINT b_pos CHECK (b > 0))');
    expect(await error('ALTER TABLE t DROP COLUMN a')).toEqual({ code: 4004, message: "UnsupportedFeatureException[Cannot drop column `a`. It's used in generated column `g`: (a + 1)]" });
    expect((await error('ALTER TABLE t DROP COLUMN b'))?.message).toMatch(/CHECK CONSTRAINT: both_small/);
    await sql('ALTER TABLE t DROP CONSTRAINT both_small');
    expect((await sql('ALTER TABLE t DROP COLUMN b')).status).toBe(200);
    expect((await error('ALTER TABLE t DROP CONSTRAINT b_pos'))?.message).toMatch(/available constraints are: \[\]/);
    expect((await sql('INSERT INTO t (a) VALUES (1)')).body.rowcount).toBe(1);
  });

  it('refuses reads, writes and deletes on a closed table until it is opened', async () => {
    await sql('CREATE TABLE t (id INT PRIMARY KEY)');
    await sql('ALTER TABLE t CLOSE');
    expect((await sql("SELECT closed FROM information_schema.tables WHERE table_name = 't'")).body.rows).toEqual([[true]]);
    expect((await error('DELETE FROM t WHERE id = 1'))?.message).toMatch(/allow DELETE operations, as it is currently closed/);
    expect((await error('UPDATE t SET id = 2'))?.code).toBe(4007);
    await sql('ALTER TABLE t OPEN');
    expect((await sql('INSERT INTO t (id) VALUES (1)')).body.rowcount).toBe(1);
  });

  it('under blocks.write refuses INSERT, UPDATE, DELETE, DROP and RENAME, but reads, refreshes, alters and swaps', async () => {
    await sql('CREATE TABLE t (id INT PRIMARY KEY, v TEXT)');
    await sql('CREATE TABLE t2 (id INT PRIMARY KEY, v TEXT)');
    await sql("INSERT INTO t (id, v) VALUES (1, 'a')");
    await sql('ALTER TABLE t SET ("blocks.write" = true)');
    expect((await sql("SELECT settings['blocks']['write'] FROM information_schema.tables WHERE table_name = 't'")).body.rows).toEqual([[true]]);
    expect(await error("INSERT INTO t (id, v) VALUES (2, 'b')")).toEqual({ code: 4007, message: 'OperationOnInaccessibleRelationException[The relation "doc.t" doesn\'t support or allow INSERT operations]' });
    expect((await error("UPDATE t SET v = 'c' WHERE id = 1"))?.message).toMatch(/allow UPDATE operations\]$/);
    expect((await error('DELETE FROM t WHERE id = 1'))?.message).toMatch(/allow DELETE operations\]$/);
    expect((await error('DROP TABLE t'))?.message).toMatch(/allow DROP operations\]$/);
    expect((await error('ALTER TABLE t RENAME TO t3'))?.message).toMatch(/allow ALTER RENAME operations\]$/);
    await sql('REFRESH TABLE t');
    expect((await sql('SELECT id, v FROM t')).body.rows).toEqual([[1, 'a']]);
    expect((await sql('ALTER TABLE t ADD COLUMN w TEXT')).status).toBe(200);
    await sql('ALTER CLUSTER SWAP TABLE t2 TO t');
    // The swap moved the blocked table to the name t2; the table now at t takes writes.
    expect((await sql("INSERT INTO t (id, v) VALUES (2, 'b')")).body.rowcount).toBe(1);
    expect((await error("INSERT INTO t2 (id, v) VALUES (3, 'c')"))?.code).toBe(4007);
    await sql('ALTER TABLE t2 SET ("blocks.write" = false)');
    expect((await sql('DROP TABLE t2')).body.rowcount).toBe(1);
  });

  it('refuses writes and ALTER on a view as operations a view does not allow (4007)', async () => {
    await sql('CREATE TABLE t (id INT PRIMARY KEY)');
    await sql('CREATE VIEW v AS SELECT id FROM t');
    expect(await error('INSERT INTO v (id) VALUES (1)')).toEqual({ code: 4007, message: 'OperationOnInaccessibleRelationException[The relation "doc.v" doesn\'t support or allow INSERT operations]' });
    expect((await error('DELETE FROM v WHERE id = 1'))?.message).toMatch(/allow DELETE operations\]$/);
    expect((await error("ALTER TABLE v SET (refresh_interval = 0)"))?.code).toBe(4007);
    expect((await error('INSERT INTO nothing_here (id) VALUES (1)'))?.code).toBe(4041);
  });

  it('accepts _seq_no and _primary_term only together, with equality, next to the full key', async () => {
    await sql('CREATE TABLE t (a INT, b INT, v INT, PRIMARY KEY (a, b))');
    await sql('INSERT INTO t (a, b, v) VALUES (1, 1, 0)');
    expect((await error('UPDATE t SET v = 1 WHERE a = 1 AND _seq_no = 0 AND _primary_term = 1'))?.message).toMatch(/^VersioningValidationException/);
    expect((await error('DELETE FROM t WHERE a = 1 AND b = 1 AND _seq_no > 0 AND _primary_term = 1'))?.message).toMatch(/^VersioningValidationException/);
    expect((await sql('UPDATE t SET v = 1 WHERE a = 1 AND b = 1 AND _seq_no = 0 AND _primary_term = 1')).body.rowcount).toBe(1);
  });

  it('answers DELETE on partition columns only with -1 and drops unrefreshed rows of the partition too', async () => {
    await sql('CREATE TABLE p (id INT, day TEXT, PRIMARY KEY (id, day)) PARTITIONED BY (day)');
    await sql("INSERT INTO p (id, day) VALUES (1, 'a'), (2, 'b')");
    expect((await sql("DELETE FROM p WHERE day = 'a'")).body.rowcount).toBe(-1);
    expect((await sql("SELECT values['day'] FROM information_schema.table_partitions WHERE table_name = 'p'")).body.rows).toEqual([['b']]);
    expect((await sql("DELETE FROM p WHERE id = 2 AND day = 'b'")).body.rowcount).toBe(1);
  });

  describe('COPY FROM', () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'copy-from-'));
    writeFileSync(path.join(dir, 'a.json'), '{"id": 1, "v": "x"}\n\n{"id": "no", "v": "y"}\n{"id": 1, "v": "again"}\n');
    writeFileSync(path.join(dir, 'b.csv.gz'), gzipSync('id,v\n2,z\n'));

    it('answers the rowcount of rows loaded, 200 also when nothing loaded', async () => {
      await sql('CREATE TABLE t (id INT PRIMARY KEY, v TEXT)');
      expect((await sql(`COPY t FROM 'file://${dir}/a.json'`)).body).toMatchObject({ rowcount: 1 });
      const none = await sql(`COPY t FROM 'file://${dir}/nothing-here.json'`);
      expect(none).toMatchObject({ status: 200, body: { rowcount: 0 } });
    });

    it('answers one summary row per file with the errors by message and line', async () => {
      await sql('CREATE TABLE t (id INT PRIMARY KEY, v TEXT)');
      const r = await sql(`COPY t FROM 'file://${dir}/*' WITH (compression = 'gzip') RETURN SUMMARY`);
      expect(r.body.cols).toEqual(['node', 'uri', 'success_count', 'error_count', 'errors']);
      // a.json is not gzip: the file fails as a whole (no counts); b.csv.gz loads its one row.
      expect(r.body.rows?.map((row) => row.slice(1, 4))).toEqual([[`file://${dir}/a.json`, null, null], [`file://${dir}/b.csv.gz`, 1, 0]]);
      expect(Object.values(r.body.rows?.[0]?.[4] as object)).toEqual([{ count: 1, line_numbers: [] }]);
      await sql('DELETE FROM t WHERE id = 2');
      const json = await sql(`COPY t FROM 'file://${dir}/a.json' RETURN SUMMARY`);
      expect(json.body.rows).toEqual([[
        expect.objectContaining({ name: expect.any(String) }), `file://${dir}/a.json`, 1, 2,
        {
          'Cannot cast value `no` to type `integer`': { count: 1, line_numbers: [3] },
          'A document with the same primary key exists already': { count: 1, line_numbers: [4] },
        },
      ]]);
      const csv = await sql(`COPY t FROM 'file://${dir}/b.csv.gz' WITH (compression = 'gzip') RETURN SUMMARY`);
      expect(csv.body.rows?.[0]?.slice(2)).toEqual([1, 0, {}]);
    });

    it('reads local files only', async () => {
      await sql('CREATE TABLE t (id INT PRIMARY KEY)');
      expect((await error("COPY t FROM 'https://example.com/t.json'"))?.code).toBe(4004);
    });
  });
});

describe.each(['6.4', '5.10'] as const)('column names (%s, ColumnIdent.validForCreate)', (version) => {
  const { sql } = engineForFile(version);
  const invalid = (name: string, why: string) => ({ code: 4008, message: `InvalidColumnNameException["${name}" ${why}]` });

  it('reserves the system columns\' names, and in 5.10 every name shaped like one', async () => {
    expect((await sql('CREATE TABLE t1 (_id INT)')).error).toEqual(invalid('_id', 'conflicts with system column pattern'));
    expect((await sql('CREATE TABLE t2 (_x INT, _x_y INT)')).error).toEqual(version === '5.10' ? invalid('_x', 'conflicts with system column pattern') : undefined);
    expect((await sql('CREATE TABLE t3 ("__x" INT, "_X" INT, "_x1" INT, "_x_" INT, "a\'b" INT)')).error).toBeUndefined();
  });

  it('refuses a dot or a bracket in a name or in a key a dynamic INSERT adds', async () => {
    expect((await sql('CREATE TABLE t4 ("a[b" INT)')).error).toEqual(invalid('a[b', 'conflicts with subscript pattern, square brackets are not allowed'));
    await sql("CREATE TABLE dyn (id INT PRIMARY KEY, o OBJECT(DYNAMIC)) WITH (column_policy = 'dynamic')");
    expect((await sql('INSERT INTO dyn (id, n) VALUES (1, {".x" = 1})')).error).toEqual(invalid('.x', 'contains a dot'));
    expect((await sql('INSERT INTO dyn (id, o) VALUES (2, {a = {"x.y" = 1}})')).error).toEqual(invalid('x.y', 'contains a dot'));
    expect((await sql('INSERT INTO dyn (id, _new) VALUES (3, 1)')).error).toEqual(version === '5.10' ? invalid('_new', 'conflicts with system column pattern') : undefined);
  });
});
