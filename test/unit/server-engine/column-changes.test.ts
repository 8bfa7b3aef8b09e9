/**
 * ALTER TABLE DROP COLUMN and RENAME COLUMN of sub-columns, several columns in one statement, and what
 * reads a renamed column (generated and CHECK expressions), checked against CrateDB's
 * AlterTableDropColumnAnalyzer, DocTableInfo.dropColumns and renameColumn. Numbers into BOOLEAN
 * (BooleanType.booleanFromNumber) are here too, as a column change's neighbour in values.ts.
 */
import { describe, expect, it } from 'vitest';
import { engineForFile } from './file-engine.js';

const TABLE =
  "CREATE TABLE t (id INT PRIMARY KEY, o OBJECT AS (x INT, y TEXT, n OBJECT AS (a INT, b INT)), ao ARRAY(OBJECT AS (x INT, y INT)), " +
  "g INT GENERATED ALWAYS AS o['n']['a'] * 2, CONSTRAINT ck CHECK (o['x'] > 0))";

describe('DROP COLUMN and RENAME COLUMN of sub-columns', () => {
  const { sql } = engineForFile();

  async function seeded(): Promise<void> {
    await sql(TABLE);
    await sql("INSERT INTO t (id, o, ao) VALUES (1, {x=1, y='a', n={a=1, b=2}}, [{x=1, y=2}, {x=3}]), (2, {x=2}, NULL)");
    await sql('REFRESH TABLE t');
  }

  it('drops a sub-column from every row, inside arrays of objects too, and from the catalog', async () => {
    await seeded();
    expect((await sql("ALTER TABLE t DROP COLUMN o['y'], DROP COLUMN ao['y']")).rowcount).toBe(-1);
    expect((await sql('SELECT id, o, ao FROM t ORDER BY id')).rows).toEqual([
      [1, { x: 1, n: { a: 1, b: 2 } }, [{ x: 1 }, { x: 3 }]],
      [2, { x: 2 }, null],
    ]);
    const cols = await sql("SELECT column_name FROM information_schema.columns WHERE table_name = 't' ORDER BY ordinal_position");
    expect(cols.rows!.map((r) => r[0])).toEqual(['id', 'o', 'o[\'x\']', "o['n']", "o['n']['a']", "o['n']['b']", 'ao', "ao['x']", 'g']);
  });

  it('drops the CHECK that reads only the dropped sub-column, and refuses one a generated column reads', async () => {
    await seeded();
    await sql("ALTER TABLE t DROP COLUMN o['x']");
    expect((await sql("INSERT INTO t (id, o) VALUES (3, {x=-5})")).rowcount).toBe(1);
    expect((await sql("ALTER TABLE t DROP COLUMN o['n']['a']")).error).toEqual({
      code: 4004,
      message: "UnsupportedFeatureException[Cannot drop column `o['n']['a']`. It's used in generated column `g`: (o['n']['a'] * 2)]",
    });
  });

  it('checks every column of the statement before it changes anything', async () => {
    await seeded();
    expect((await sql("ALTER TABLE t DROP COLUMN o['y'], DROP COLUMN o['zz']")).error).toEqual({ code: 4043, message: "ColumnUnknownException[Column o['zz'] unknown]" });
    expect((await sql("ALTER TABLE t DROP COLUMN ao, DROP COLUMN ao")).error).toEqual({ code: 4000, message: 'SQLParseException[Column "ao" specified more than once]' });
    expect((await sql('ALTER TABLE t DROP COLUMN _id')).error).toEqual({ code: 4000, message: 'SQLParseException[Dropping a system column is not allowed]' });
    expect((await sql("SELECT o['y'] FROM t WHERE id = 1")).rows).toEqual([['a']]);
    expect((await sql("ALTER TABLE t DROP COLUMN o['y'], DROP IF EXISTS o['zz']")).rowcount).toBe(-1);
  });

  it('refuses to drop every column, counted over the whole statement', async () => {
    await sql('CREATE TABLE two (a INT, b INT)');
    expect((await sql('ALTER TABLE two DROP COLUMN a, DROP b')).error).toEqual({
      code: 4004,
      message: 'UnsupportedFeatureException[Dropping all columns of a table is not allowed]',
    });
    expect((await sql("SELECT column_name FROM information_schema.columns WHERE table_name = 'two' ORDER BY 1")).rows).toEqual([['a'], ['b']]);
  });

  it('renames a sub-column in every row; the CHECK and the generated column follow it', async () => {
    await seeded();
    await sql("ALTER TABLE t RENAME COLUMN o['x'] TO o['x1']");
    await sql("ALTER TABLE t RENAME COLUMN o['n']['a'] TO o['n']['a1']");
    expect((await sql('SELECT id, o, g FROM t ORDER BY id')).rows).toEqual([
      [1, { x1: 1, y: 'a', n: { a1: 1, b: 2 } }, 2],
      [2, { x1: 2 }, null],
    ]);
    expect((await sql("INSERT INTO t (id, o) VALUES (3, {x1=-1})")).error).toEqual({
      code: 4000,
      message: expect.stringContaining('Failed CONSTRAINT ck CHECK ("o"[\'x1\'] > 0)'),
    });
    expect((await sql("INSERT INTO t (id, o) VALUES (3, {x1=1, n={a1=5}})")).rowcount).toBe(1);
    await sql('REFRESH TABLE t');
    expect((await sql('SELECT g FROM t WHERE id = 3')).rows).toEqual([[10]]);
  });

  it("refuses a rename across levels or parents, of an unknown column, or to a name in use", async () => {
    await seeded();
    const error = async (stmt: string) => (await sql(stmt)).error?.message;
    expect(await error("ALTER TABLE t RENAME COLUMN o['n']['a'] TO o['n']")).toBe(
      "SQLParseException[Cannot rename a column to a name that has different column level: o['n']['a'], o['n']]",
    );
    expect(await error("ALTER TABLE t RENAME COLUMN o['n']['a'] TO o['m']['a']")).toBe("SQLParseException[When renaming sub-columns, parent names must be equal: o['n'], o['m']]");
    expect(await error("ALTER TABLE t RENAME COLUMN o['q'] TO o['r']")).toBe("ColumnUnknownException[Column o['q'] unknown]");
    expect(await error("ALTER TABLE t RENAME COLUMN o['x'] TO o['y']")).toBe('SQLParseException[Cannot rename column to a name that is in use]');
  });
});

describe('RENAME COLUMN of a top-level column', () => {
  const { sql } = engineForFile();

  it('rewrites the generated and CHECK expressions that read it', async () => {
    await sql('CREATE TABLE g (a INT, b INT GENERATED ALWAYS AS a * 2, c INT, d INT, CONSTRAINT c_d CHECK (c < d))');
    await sql('ALTER TABLE g RENAME COLUMN a TO a1');
    await sql('ALTER TABLE g RENAME COLUMN c TO c1');
    expect((await sql('INSERT INTO g (a1, c1, d) VALUES (3, 1, 5)')).rowcount).toBe(1);
    await sql('REFRESH TABLE g');
    expect((await sql('SELECT a1, b, c1, d FROM g')).rows).toEqual([[3, 6, 1, 5]]);
    const create = String((await sql('SHOW CREATE TABLE g')).rows![0]![0]);
    expect(create).toContain('"b" INTEGER GENERATED ALWAYS AS "a1" * 2');
    expect(create).toContain('CONSTRAINT c_d CHECK("c1" < "d")');
  });
});

describe('column changes of one partition', () => {
  const { sql } = engineForFile();

  it('are refused (4004)', async () => {
    await sql('CREATE TABLE pt (id INT, p INT, v TEXT) PARTITIONED BY (p)');
    expect((await sql('ALTER TABLE pt PARTITION (p = 1) DROP COLUMN v')).error).toEqual({
      code: 4004,
      message: 'UnsupportedFeatureException[Dropping a column from a single partition is not supported]',
    });
    expect((await sql('ALTER TABLE pt PARTITION (p = 1) ADD COLUMN w TEXT')).error?.message).toBe(
      'UnsupportedFeatureException[Adding a column to a single partition is not supported]',
    );
    expect((await sql('ALTER TABLE pt PARTITION (p = 1) RENAME COLUMN v TO w')).error?.message).toBe(
      'UnsupportedFeatureException[Renaming a column from a single partition is not supported]',
    );
  });
});

describe('numbers into BOOLEAN', () => {
  const { sql } = engineForFile();

  it('is true above zero only, from literals and parameters', async () => {
    await sql('CREATE TABLE b (id INT PRIMARY KEY, v BOOLEAN)');
    expect((await sql('INSERT INTO b (id, v) VALUES (1, 1), (2, 0), (3, -1)')).rowcount).toBe(3);
    expect((await sql('INSERT INTO b (id, v) VALUES (?, ?)', undefined, [[4, 0.5], [5, 0]])).results).toEqual([{ rowcount: 1 }, { rowcount: 1 }]);
    await sql('REFRESH TABLE b');
    expect((await sql('SELECT id, v FROM b ORDER BY id')).rows).toEqual([[1, true], [2, false], [3, false], [4, true], [5, false]]);
    expect((await sql('SELECT CAST(-1 AS BOOLEAN) AS a, 2::BOOLEAN AS b, CAST(0.5 AS BOOLEAN) AS c')).rows).toEqual([[false, true, true]]);
  });
});
