/**
 * DML answers that follow from CrateDB's analyzer rules rather than from PG: which columns an UPDATE
 * (or an upsert's DO UPDATE) may assign, what a WHERE clause may hold, and which WHERE clauses are
 * real-time key lookups. One engine for the file (PGlite takes seconds to start).
 */
import { beforeEach, describe, expect, it } from 'vitest';
import { engineForFile } from './file-engine.js';

describe('DML rules (6.4)', () => {
  const { sql } = engineForFile();
  const invalid = (column: string, rule: string) => ({
    error: { code: 4003, message: `ColumnValidationException[Validation failed for ${column}: Updating ${rule} is not supported]` },
  });

  beforeEach(async () => {
    await sql('CREATE TABLE doc.one (id TEXT PRIMARY KEY, v TEXT)');
    await sql('CREATE TABLE doc.parted (id INT, day INT, v TEXT, PRIMARY KEY (id, day)) PARTITIONED BY (day)');
    await sql('CREATE TABLE doc.routed (id INT, region TEXT, v TEXT) CLUSTERED BY (region)');
    await sql('CREATE TABLE doc.loose (id INT, day INT) PARTITIONED BY (day)');
  });

  describe('UPDATE assignment targets: a protected column is a ColumnValidationException (4003)', () => {
    it('names the primary key rule before the clustered-by one, for a single key that also routes', async () => {
      expect(await sql("UPDATE doc.one SET id = 'x' WHERE id = '1'")).toEqual(invalid('id', 'a primary key'));
    });

    it('names the primary key rule for a key column that does not route', async () => {
      expect(await sql('UPDATE doc.parted SET id = 2 WHERE id = 1')).toEqual(invalid('id', 'a primary key'));
      expect(await sql('UPDATE doc.parted SET day = 2 WHERE id = 1')).toEqual(invalid('day', 'a primary key'));
    });

    it('covers a CLUSTERED BY column, a PARTITIONED BY column and a system column', async () => {
      expect(await sql("UPDATE doc.routed SET region = 'x'")).toEqual(invalid('region', 'a clustered-by column'));
      expect(await sql('UPDATE doc.loose SET day = 2')).toEqual(invalid('day', 'a partitioned-by column'));
      expect(await sql("UPDATE doc.one SET _id = 'x'")).toEqual(invalid('_id', 'a system column'));
    });

    it('applies to the DO UPDATE SET of an upsert too', async () => {
      const upsert = "INSERT INTO doc.parted (id, day, v) VALUES (1, 1, 'a') ON CONFLICT (id, day) DO UPDATE SET id = excluded.id";
      expect(await sql(upsert)).toEqual(invalid('id', 'a primary key'));
    });

    it('refuses a column assigned twice', async () => {
      expect(await sql("UPDATE doc.one SET v = ?, v = ? WHERE id = '1'", ['a', 'b'])).toEqual({
        error: { code: 4000, message: 'SQLParseException[Target expression repeated: v]' },
      });
    });

    it("reads a bare name in an upsert's DO UPDATE SET as the stored row's column, excluded.x as the proposed one's", async () => {
      await sql("INSERT INTO doc.one (id, v) VALUES ('1', 'a')");
      const upsert = "INSERT INTO doc.one (id, v) VALUES ('1', 'b') ON CONFLICT (id) DO UPDATE SET v = v || excluded.v || one.v";
      expect(await sql(upsert)).toMatchObject({ rowcount: 1 });
      expect((await sql("SELECT v FROM doc.one WHERE id = '1'")).rows).toEqual([['aba']]);
      expect((await sql("INSERT INTO doc.one (id, v) VALUES ('1', 'c') ON CONFLICT (id) DO UPDATE SET v = excluded.nope")).error)
        .toEqual({ code: 4043, message: 'ColumnUnknownException[Column nope unknown]' });
    });

    it('leaves other columns assignable', async () => {
      await sql("INSERT INTO doc.one (id, v) VALUES ('1', 'a')");
      expect(await sql("UPDATE doc.one SET v = 'b' WHERE id = '1'")).toMatchObject({ rowcount: 1 });
    });
  });

  describe('WHERE rules of WhereClauseValidator, checked before anything runs', () => {
    const error = async (stmt: string) => (await sql(stmt)).error;
    const versioning = (m: string) => ({ code: 4000, message: `VersioningValidationException[${m}]` });
    const versionUsage = '"_version" column can only be used in the WHERE clause with equals comparisons and if there are also equals comparisons on primary key columns';

    it("takes _score only as _score >= literal, outside NOT", async () => {
      const score = { code: 4004, message: "UnsupportedFeatureException[System column '_score' can only be used within a '>=' comparison without any surrounded predicate]" };
      expect(await error("SELECT id FROM doc.one WHERE _score > 0.5")).toEqual(score);
      expect(await error("SELECT id FROM doc.one WHERE NOT (_score >= 0.5)")).toEqual(score);
      expect(await sql("SELECT id FROM doc.one WHERE _score >= 0.5")).toMatchObject({ rows: [] });
    });

    it('takes _version only as an equality next to the key, and never with _seq_no and _primary_term', async () => {
      await sql("INSERT INTO doc.one (id, v) VALUES ('1', 'a')");
      expect(await error('SELECT id FROM doc.one WHERE _version > 1')).toEqual(versioning(versionUsage));
      expect(await error("UPDATE doc.one SET v = 'b' WHERE _version = 1")).toEqual(versioning(versionUsage));
      expect(await sql("UPDATE doc.one SET v = 'b' WHERE id = '1' AND _version = 1")).toMatchObject({ rowcount: 1 });
      expect(await error("SELECT id FROM doc.one WHERE id = '1' AND _version = 1 AND _seq_no = 0 AND _primary_term = 1")).toEqual(versioning(
        '"_version" column cannot be used in conjunction with the "_seq_no" and "_primary_term" columns. Use one of the two versioning mechanisms, but not both at the same time.',
      ));
    });

    it('refuses _raw, table functions and window functions', async () => {
      expect(await error("SELECT id FROM doc.one WHERE _raw = 'x'")).toEqual({ code: 4004, message: 'UnsupportedFeatureException[The _raw column is not searchable and cannot be used inside a query]' });
      expect(await error('SELECT id FROM doc.one WHERE unnest([1]) = 1')).toEqual({ code: 4004, message: 'UnsupportedFeatureException[Table functions are not allowed in WHERE]' });
      expect(await error('SELECT id FROM doc.one WHERE row_number() OVER () = 1')).toEqual({ code: 4000, message: 'SQLParseException[Window functions are not allowed in WHERE]' });
    });
  });

  describe('key lookups (pk = ANY([...]) as pk IN (...), an INSERT ... SELECT source) read rows not yet refreshed', () => {
    beforeEach(async () => {
      await sql("CREATE TABLE doc.fresh (id TEXT PRIMARY KEY, v TEXT) WITH (refresh_interval = 0)");
      await sql("INSERT INTO doc.fresh (id, v) VALUES ('1', 'a'), ('2', 'b'), ('3', 'c')");
    });

    it('reads rows not yet refreshed, which a scan does not see', async () => {
      expect((await sql("SELECT id FROM doc.fresh WHERE id = ANY(['1', ?]) ORDER BY id", ['3'])).rows).toEqual([['1'], ['3']]);
      expect((await sql('SELECT count(*) FROM doc.fresh')).rows).toEqual([[0]]);
    });

    it('filters a SELECT by key with conditions on other columns, which an UPDATE by key does not take (a search)', async () => {
      expect((await sql("SELECT id FROM doc.fresh WHERE id = '1' AND v = 'a'")).rows).toEqual([['1']]);
      expect((await sql("SELECT id FROM doc.fresh WHERE id = '1' AND v = 'b'")).rows).toEqual([]);
      expect((await sql("SELECT id FROM doc.fresh WHERE (id = '1' AND v = 'a') OR id = '2' ORDER BY id")).rows).toEqual([['1'], ['2']]);
      expect((await sql("SELECT id FROM doc.fresh WHERE id = '1' OR v = 'b'")).rows).toEqual([]);
      expect(await sql("UPDATE doc.fresh SET v = 'z' WHERE id = '1' AND v = 'a'")).toMatchObject({ rowcount: 0 });
    });

    it('updates and deletes them at once', async () => {
      expect(await sql("UPDATE doc.fresh SET v = 'z' WHERE id = ANY(['1', '2'])")).toMatchObject({ rowcount: 2 });
      expect(await sql("DELETE FROM doc.fresh WHERE id = SOME(['3'])")).toMatchObject({ rowcount: 1 });
      expect((await sql("SELECT id, v FROM doc.fresh WHERE id IN ('1', '2', '3') ORDER BY id")).rows).toEqual([['1', 'z'], ['2', 'z']]);
    });

    it('is the source of an INSERT ... SELECT by key too, while a scan source sees nothing yet', async () => {
      expect(await sql("INSERT INTO doc.fresh (id, v) SELECT id || 'x', v FROM doc.fresh WHERE id = ?", ['1'])).toMatchObject({ rowcount: 1 });
      expect(await sql("INSERT INTO doc.fresh (id, v) SELECT id || 'y', v FROM doc.fresh")).toMatchObject({ rowcount: 0 });
      expect((await sql("SELECT v FROM doc.fresh WHERE id = '1x'")).rows).toEqual([['a']]);
    });

    it('takes the keys from an array argument (pk = ANY(?)), in bulk too, where a missing key is no error', async () => {
      expect((await sql('SELECT id FROM doc.fresh WHERE id = ANY(?) ORDER BY id', [['1', '2']])).rows).toEqual([['1'], ['2']]);
      const bulk = await sql("UPDATE doc.fresh SET v = 'n' WHERE id = ANY(?)", undefined, [[['1', 'none']], [['none']]]);
      expect(bulk.results).toEqual([{ rowcount: 1 }, { rowcount: 0 }]);
      expect((await sql("SELECT v FROM doc.fresh WHERE id = '1'")).rows).toEqual([['n']]);
    });

    it('is _id = ? on a table without a key, whose generated _id is 20 URL-safe base64 characters', async () => {
      await sql('CREATE TABLE doc.nokey (v INT) WITH (refresh_interval = 0)');
      const id = String((await sql('INSERT INTO doc.nokey (v) VALUES (7) RETURNING _id')).rows![0]![0]);
      expect(id).toMatch(/^[A-Za-z0-9_-]{20}$/);
      expect((await sql('SELECT v FROM doc.nokey WHERE _id = ?', [id])).rows).toEqual([[7]]);
      expect(await sql('UPDATE doc.nokey SET v = 8 WHERE _id = ?', [id])).toMatchObject({ rowcount: 1 });
      expect((await sql('SELECT v FROM doc.nokey WHERE _id = ?', [id])).rows).toEqual([[8]]);
      expect((await sql('SELECT count(*) FROM doc.nokey')).rows).toEqual([[0]]);
    });

    it('stays a scan for another operator', async () => {
      expect((await sql("SELECT id FROM doc.fresh WHERE id != ANY(['1'])")).rows).toEqual([]);
    });
  });
});
