/**
 * SHOW CREATE TABLE for definitions no transcript records, as CrateDB's TableInfoToASTTest expects them:
 * a column without a column store, a named primary key, a PLAIN index (a fulltext index with the keyword
 * analyzer), a named index over a sub-column, and expressions as ExpressionFormatter prints them (`<>` for `!=`, `- 1` for a negated number)
 * next to a DEFAULT, which is printed analyzed (`-1`, `1 + 1` as `2`).
 */
import { describe, expect, it } from 'vitest';
import { engineForFile } from './file-engine.js';

describe('SHOW CREATE TABLE', () => {
  const { sql } = engineForFile();
  const shown = async (table: string): Promise<unknown> => (await sql(`SHOW CREATE TABLE ${table}`)).rows?.[0]?.[0];

  it('prints STORAGE WITH (columnstore = false), a named primary key and the constraint texts', async () => {
    await sql(
      'CREATE TABLE doc.t (col_a TEXT, col_b TEXT NOT NULL INDEX USING FULLTEXT, s TEXT STORAGE WITH (columnstore = false), ' +
        'n INTEGER DEFAULT -1, m REAL CONSTRAINT m_check CHECK (m != -1), CONSTRAINT c_1 PRIMARY KEY (col_a)) CLUSTERED INTO 5 SHARDS',
    );
    expect(await shown('doc.t')).toBe(
      'CREATE TABLE IF NOT EXISTS "doc"."t" (\n' +
        '   "col_a" TEXT NOT NULL,\n' +
        '   "col_b" TEXT NOT NULL INDEX USING FULLTEXT WITH (\n      analyzer = \'standard\'\n   ),\n' +
        '   "s" TEXT STORAGE WITH (\n      columnstore = false\n   ),\n' +
        '   "n" INTEGER DEFAULT -1,\n' +
        '   "m" REAL,\n' +
        '   CONSTRAINT c_1 PRIMARY KEY ("col_a"),\n' +
        '   CONSTRAINT m_check CHECK("m" <> - 1)\n' +
        ')\n' +
        'CLUSTERED BY ("col_a") INTO 5 SHARDS\n' +
        "WITH (\n   column_policy = 'strict',\n   number_of_replicas = '0-1'\n)",
    );
    const constraints = await sql("SELECT constraint_name, constraint_type FROM information_schema.table_constraints WHERE table_name = 't' AND constraint_type <> 'CHECK'");
    expect(constraints.rows).toEqual([['c_1', 'PRIMARY KEY']]);
    expect((await sql("SELECT constraint_name FROM information_schema.key_column_usage WHERE table_name = 't'")).rows).toEqual([['c_1']]);
    expect((await sql("SELECT column_default FROM information_schema.columns WHERE table_name = 't' AND column_name = 'n'")).rows).toEqual([['-1']]);
  });

  it('prints a column-level named key, and a PLAIN index as a fulltext index with the keyword analyzer', async () => {
    await sql('CREATE TABLE doc.k (id INT CONSTRAINT my_pk PRIMARY KEY, a TEXT, b TEXT, INDEX ab_plain USING PLAIN (a, b))');
    const text = String(await shown('doc.k'));
    expect(text).toContain('   CONSTRAINT my_pk PRIMARY KEY ("id"),\n');
    expect(text).toContain('   INDEX "ab_plain" USING FULLTEXT ("a", "b") WITH (\n      analyzer = \'keyword\'\n   )\n');
  });

  it('keeps a named index over a sub-column: printed, searched, guarding the sub-column against DROP', async () => {
    await sql("CREATE TABLE doc.fi (id INT PRIMARY KEY, d OBJECT AS (a TEXT), t TEXT, INDEX d_ft USING FULLTEXT (d['a'], t) WITH (analyzer = 'english'))");
    expect(String(await shown('doc.fi'))).toContain('   INDEX "d_ft" USING FULLTEXT ("d"[\'a\'], "t") WITH (\n      analyzer = \'english\'\n   )\n');
    await sql("INSERT INTO doc.fi (id, d, t) VALUES (1, {a='running dogs'}, 'cats'), (2, {a='sleeping'}, 'a run')");
    await sql('REFRESH TABLE doc.fi');
    expect((await sql("SELECT id FROM doc.fi WHERE match(d_ft, 'runs') ORDER BY id")).rows).toEqual([[1], [2]]);
    expect((await sql("SELECT id FROM doc.fi WHERE match(d_ft, 'dog') ORDER BY id")).rows).toEqual([[1]]);
    expect((await sql("ALTER TABLE doc.fi DROP COLUMN d['a']")).error).toEqual({
      code: 4004,
      message: "UnsupportedFeatureException[Dropping column: d['a'] which is part of INDEX: d_ft is not allowed]",
    });
    expect((await sql("CREATE TABLE doc.fj (d OBJECT AS (a TEXT), INDEX x USING FULLTEXT (d['zz']))")).error).toEqual({
      code: 4043,
      message: "ColumnUnknownException[Column d['zz'] unknown]",
    });
  });

  it('keeps a constant DEFAULT as its value, computed once, and a function call as written', async () => {
    await sql("CREATE TABLE doc.d (a INT DEFAULT 1 + 1, b TEXT DEFAULT 'it''s' || 'x', c DOUBLE DEFAULT 1.5 * 2, h INT DEFAULT 7 / 2, e TIMESTAMP WITH TIME ZONE DEFAULT now())");
    await sql('ALTER TABLE doc.d ADD COLUMN f INT DEFAULT 5 * 60');
    await sql('ALTER TABLE doc.d ALTER COLUMN h SET DEFAULT (2 * 3) - 1');
    const text = String(await shown('doc.d'));
    for (const line of ['"a" INTEGER DEFAULT 2,', '"b" TEXT DEFAULT \'it\'\'sx\',', '"c" DOUBLE PRECISION DEFAULT 3.0,', '"h" INTEGER DEFAULT 5,', '"e" TIMESTAMP WITH TIME ZONE DEFAULT now(),', '"f" INTEGER DEFAULT 300']) {
      expect(text).toContain(`   ${line}`);
    }
    const defaults = await sql("SELECT column_name, column_default FROM information_schema.columns WHERE table_name = 'd' ORDER BY ordinal_position");
    expect(defaults.rows).toEqual([['a', '2'], ['b', "'it''sx'"], ['c', '3.0'], ['h', '5'], ['e', 'now()'], ['f', '300']]);
    await sql('INSERT INTO doc.d (e) VALUES (NULL)');
    await sql('REFRESH TABLE doc.d');
    expect((await sql('SELECT a, b, c, h, f FROM doc.d')).rows).toEqual([[2, "it'sx", 3, 5, 300]]);
  });

  it('keeps a DEFAULT cast to its column\'s type, and refuses one that does not cast or reads a column', async () => {
    await sql("CREATE TABLE doc.dc (a INT DEFAULT '7', r REAL DEFAULT 1 + 1, t TEXT DEFAULT 1 + 2)");
    const defaults = await sql("SELECT column_name, column_default FROM information_schema.columns WHERE table_name = 'dc' ORDER BY ordinal_position");
    expect(defaults.rows).toEqual([['a', '7'], ['r', '2.0'], ['t', "'3'"]]);
    expect((await sql("CREATE TABLE doc.dx (a INT DEFAULT 'x')")).error).toEqual({ code: 4000, message: "SQLParseException[Cannot cast `'x'` of type `text` to type `integer`]" });
    expect((await sql("ALTER TABLE doc.dc ALTER COLUMN a SET DEFAULT 'hello'")).error?.message).toBe("SQLParseException[Cannot cast `'hello'` of type `text` to type `integer`]");
    await sql('CREATE TABLE doc.dg (a INT, b INT GENERATED ALWAYS AS a + 1, o OBJECT AS (x INT))');
    expect((await sql('ALTER TABLE doc.dg ALTER COLUMN b SET DEFAULT 5')).error?.message).toBe('SQLParseException[Cannot SET DEFAULT on generated column `b`]');
    expect((await sql('ALTER TABLE doc.dg ALTER COLUMN o SET DEFAULT {x = 1}')).error?.message).toBe('SQLParseException[Default values are not allowed for object columns: o]');
    expect((await sql("ALTER TABLE doc.dg ALTER COLUMN _id SET DEFAULT 'x'")).error?.message).toBe('SQLParseException[Cannot alter system column `_id`]');
    expect((await sql('CREATE TABLE doc.dn (name TEXT, name_def TEXT DEFAULT upper(name))')).error).toEqual({
      code: 4004,
      message: "UnsupportedFeatureException[Cannot reference columns in DEFAULT expression of `name_def`. Maybe you wanted to use a string literal with single quotes instead: 'name']",
    });
  });

  it('names a negated number and a != comparison in output columns as ExpressionFormatter does', async () => {
    expect((await sql('SELECT -1, 1 != 2')).cols).toEqual(['- 1', '1 <> 2']);
  });
});
