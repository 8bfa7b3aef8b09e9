/**
 * The engine's CrateDB semantics beyond the recorded transcripts: visibility and refresh_interval on an
 * injected clock, optimistic concurrency, bulk per-row results, privileges, error codes, and the
 * version differences. One engine per version for the file (PGlite takes seconds to start).
 */
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { Engine, Session, SqlResponse } from '../../server/contract.js';
import { ManualClock } from '../../server/clock.js';
import { createEngine } from '../../server/engine/index.js';

interface Body {
  cols?: string[];
  rows?: unknown[][];
  rowcount?: number;
  results?: Array<{ rowcount: number; error?: { code: number; message: string } }>;
  error?: { code: number; message: string };
  col_types?: unknown[];
}

function client(engine: Engine, user = 'crate') {
  let id = 1;
  const session: Session = { id: id++, schema: 'doc', user };
  return async (stmt: string, args?: unknown[], more: { bulk?: unknown[][]; types?: boolean } = {}): Promise<SqlResponse & { body: Body }> => {
    const r = await engine.execute({
      stmt,
      ...(args ? { args } : {}),
      ...(more.bulk ? { bulkArgs: more.bulk } : {}),
      types: more.types ?? false,
      session,
    });
    return r as SqlResponse & { body: Body };
  };
}

describe('engine 6.4', () => {
  let engine: Engine;
  const clock = new ManualClock(Date.UTC(2026, 0, 1));
  let sql: ReturnType<typeof client>;

  beforeAll(async () => {
    engine = await createEngine({ version: '6.4', clock, users: { migrator: 'secret' } });
    sql = client(engine);
  });
  afterAll(async () => {
    await engine?.close();
  });
  beforeEach(async () => {
    await engine.reset();
  });

  it('bulk failures carry CrateDB\'s error for the first 10 rows per shard only; the rest are bare -2', async () => {
    await sql('CREATE TABLE doc.k (id INTEGER PRIMARY KEY) CLUSTERED INTO 1 SHARDS');
    const ids = Array.from({ length: 13 }, (_, i) => [i + 1]);
    await sql('INSERT INTO doc.k (id) VALUES (?)', undefined, { bulk: ids });
    const again = await sql('INSERT INTO doc.k (id) VALUES (?)', undefined, { bulk: [...ids, [14]] });
    const results = again.body.results!;
    expect(results.map((r) => r.rowcount)).toEqual([...Array(13).fill(-2), 1]);
    expect(results.slice(0, 10).every((r) => r.error?.code === 4091)).toBe(true);
    expect(results.slice(10, 13).every((r) => r.error === undefined)).toBe(true);
  });

  describe('visibility', () => {
    it('shows writes to scans only after refresh_interval has passed on the clock', async () => {
      await sql('CREATE TABLE v (id TEXT PRIMARY KEY, n INTEGER) WITH (refresh_interval = 1000)');
      await sql('INSERT INTO v (id, n) VALUES (?, ?)', ['a', 1]);
      expect((await sql('SELECT count(*) FROM v')).body.rows).toEqual([[0]]);
      clock.advance(999);
      expect((await sql('SELECT count(*) FROM v')).body.rows).toEqual([[0]]);
      clock.advance(1);
      expect((await sql('SELECT count(*) FROM v')).body.rows).toEqual([[1]]);
    });

    it('never refreshes on its own with refresh_interval = 0, but key lookups are real-time', async () => {
      await sql("CREATE TABLE v (id TEXT PRIMARY KEY, n INTEGER) WITH (refresh_interval = '0')");
      await sql('INSERT INTO v (id, n) VALUES (?, ?)', [], { bulk: [['a', 1], ['b', 2]] });
      clock.advance(60_000);
      expect((await sql('SELECT count(*) FROM v')).body.rows).toEqual([[0]]);
      expect((await sql('SELECT n FROM v WHERE id = ? OR id = ? ORDER BY n', ['a', 'b'])).body.rows).toEqual([[1], [2]]);
      // A Get with a filter (RewriteCollectToGet keeps the query): real-time too; a count is not a Get.
      expect((await sql('SELECT n FROM v WHERE id IN (?, ?) AND n > 1', ['a', 'b'])).body.rows).toEqual([[2]]);
    });

    it('lets a non-key UPDATE touch only refreshed rows and shows the refreshed version to scans', async () => {
      await sql('CREATE TABLE v (id TEXT PRIMARY KEY, n INTEGER) WITH (refresh_interval = 0)');
      await sql("INSERT INTO v (id, n) VALUES ('a', 1)");
      expect((await sql('UPDATE v SET n = 10 WHERE n = 1')).body.rowcount).toBe(0);
      await sql('REFRESH TABLE v');
      expect((await sql('UPDATE v SET n = 10 WHERE n = 1')).body.rowcount).toBe(1);
      expect((await sql('SELECT n FROM v')).body.rows).toEqual([[1]]);
      expect((await sql("SELECT n FROM v WHERE id = 'a'")).body.rows).toEqual([[10]]);
      expect((await sql('DELETE FROM v WHERE n = 10')).body.rowcount).toBe(0);
      await sql('REFRESH TABLE v');
      expect((await sql('DELETE FROM v WHERE n = 10')).body.rowcount).toBe(1);
    });

    it('refreshes nothing when one of the tables is unknown', async () => {
      await sql('CREATE TABLE v (id TEXT PRIMARY KEY) WITH (refresh_interval = 0)');
      await sql("INSERT INTO v (id) VALUES ('a')");
      const r = await sql('REFRESH TABLE v, nope');
      expect([r.status, r.body.error?.code]).toEqual([404, 4041]);
      expect((await sql('SELECT count(*) FROM v')).body.rows).toEqual([[0]]);
    });
  });

  describe('writes', () => {
    beforeEach(async () => {
      await sql('CREATE TABLE kv (k TEXT PRIMARY KEY, v TEXT) CLUSTERED INTO 1 SHARDS');
    });

    it('compares-and-sets with _seq_no and _primary_term', async () => {
      await sql("INSERT INTO kv (k, v) VALUES ('lock', 'a')");
      const [[seq, term]] = (await sql("SELECT _seq_no, _primary_term FROM kv WHERE k = 'lock'")).body.rows as [[number, number]];
      const cas = 'UPDATE kv SET v = ? WHERE k = ? AND _seq_no = ? AND _primary_term = ?';
      expect((await sql(cas, ['b', 'lock', seq, term])).body.rowcount).toBe(1);
      expect((await sql(cas, ['c', 'lock', seq, term])).body.rowcount).toBe(0);
      expect((await sql("SELECT v FROM kv WHERE k = 'lock'")).body.rows).toEqual([['b']]);
    });

    it('answers bulk requests row by row', async () => {
      await sql("INSERT INTO kv (k, v) VALUES ('x', '1')");
      const r = await sql('INSERT INTO kv (k, v) VALUES (?, ?)', undefined, { bulk: [['x', '2'], ['y', '2'], ['y', '3']] });
      expect(r.status).toBe(200);
      expect(r.body.results?.map((x) => x.rowcount)).toEqual([-2, 1, -2]);
      expect(r.body.results?.[0]?.error?.code).toBe(4091);
      const upsert = await sql('INSERT INTO kv (k, v) VALUES (?, ?) ON CONFLICT (k) DO UPDATE SET v = excluded.v', undefined, { bulk: [['x', '9'], ['z', '1']] });
      expect(upsert.body.results).toEqual([{ rowcount: 1 }, { rowcount: 1 }]);
      const missing = await sql('DELETE FROM kv WHERE k = ?', undefined, { bulk: [['z'], ['nope']] });
      expect(missing.body.results?.[1]).toEqual({ rowcount: -2, error: { code: 40411, message: 'DocumentMissingException[[nope]: document missing]' } });
    });

    it('fails a whole bulk request on a value that cannot be converted, writing nothing', async () => {
      await sql('CREATE TABLE n (id INTEGER PRIMARY KEY, i INTEGER)');
      const r = await sql('INSERT INTO n (id, i) VALUES (?, ?)', undefined, { bulk: [[1, 1], [2, 'abc']] });
      expect([r.status, r.body.error?.code]).toEqual([400, 4000]);
      expect((await sql('SELECT id FROM n WHERE id IN (1, 2)')).body.rows).toEqual([]);
    });

    it('refuses bulk arguments on a statement that returns rows', async () => {
      const r = await sql('SELECT ?', undefined, { bulk: [[1]] });
      expect([r.status, r.body.error?.code]).toEqual([400, 4004]);
    });

    it('returns inserted rows with RETURNING', async () => {
      const r = await sql('INSERT INTO kv (k, v) VALUES (?, ?) RETURNING k, _seq_no >= 0 AS ok', ['r', 'v']);
      expect(r.body).toMatchObject({ cols: ['k', 'ok'], rows: [['r', true]], rowcount: 1 });
    });
  });

  describe('errors', () => {
    it('maps each failure to CrateDB code and status', async () => {
      await sql('CREATE TABLE e (id TEXT PRIMARY KEY, n INTEGER NOT NULL)');
      const cases: Array<[string, number, number]> = [
        ['CREATE TABLE e (id TEXT)', 409, 4093],
        ['SELECT * FROM nope', 404, 4041],
        ['SELECT * FROM nope.e', 404, 4045],
        ['SELECT missing FROM e', 404, 4043],
        ["INSERT INTO e (id) VALUES ('a')", 400, 4000],
        ['SELECT no_such_function(1)', 400, 4004],
        ['SELECT 1/0', 400, 4000],
        ['SELEC 1', 400, 4000],
      ];
      for (const [stmt, status, code] of cases) {
        const r = await sql(stmt);
        expect([stmt, r.status, r.body.error?.code]).toEqual([stmt, status, code]);
      }
      await sql("INSERT INTO e (id, n) VALUES ('a', 1)");
      const dup = await sql("INSERT INTO e (id, n) VALUES ('a', 1)");
      expect([dup.status, dup.body.error?.code]).toEqual([409, 4091]);
    });

    it('names only the column of a qualified unknown column, and an unknown qualifier as a relation', async () => {
      await sql('CREATE TABLE e (id TEXT PRIMARY KEY)');
      const message = async (stmt: string) => (await sql(stmt)).body.error?.message;
      expect(await message('SELECT e.missing FROM e')).toBe('ColumnUnknownException[Column missing unknown]');
      expect(await message('SELECT x.missing FROM e x')).toBe('ColumnUnknownException[Column missing unknown]');
      expect(await message('SELECT doc.e.missing FROM e')).toBe('ColumnUnknownException[Column missing unknown]');
      expect(await message('SELECT other.id FROM e')).toBe("RelationUnknown[Relation 'doc.other' unknown]");
      expect(await message('SELECT s.other.id FROM e')).toBe("RelationUnknown[Relation 's.other' unknown]");
      expect((await sql('SELECT e.id FROM e')).status).toBe(200);
    });

    it('orders by an output name that is no column of the table', async () => {
      await sql('CREATE TABLE e (id INT PRIMARY KEY, o OBJECT)');
      await sql('INSERT INTO e (id) VALUES (1), (2)');
      await sql('REFRESH TABLE e');
      expect((await sql('SELECT id AS x FROM e ORDER BY x DESC')).body.rows).toEqual([[2], [1]]);
      expect((await sql('SELECT id * 10 AS x FROM e ORDER BY x')).body.rows).toEqual([[10], [20]]);
      expect((await sql('SELECT id FROM e ORDER BY o')).body.error?.code).toBe(4004);
    });
  });

  describe('privileges', () => {
    it('hides schemas a user has no privilege on and names the missing privilege otherwise', async () => {
      const migrator = client(engine, 'migrator');
      await sql('CREATE TABLE p (id TEXT PRIMARY KEY)');
      expect((await migrator('SELECT * FROM p')).body.error).toEqual({ code: 4045, message: "SchemaUnknownException[Schema 'doc' unknown]" });
      expect((await sql('GRANT DQL ON SCHEMA doc TO migrator')).body.rowcount).toBe(1);
      expect((await migrator('SELECT count(*) FROM p')).status).toBe(200);
      const denied = await migrator("INSERT INTO p (id) VALUES ('a')");
      expect([denied.status, denied.body.error?.code]).toEqual([401, 4011]);
      expect((await migrator('SELECT * FROM sys.nodes')).body.error?.code).toBe(4045);
      expect(await engine.authenticate('migrator', 'secret')).toBe(true);
      expect(await engine.authenticate('migrator', 'wrong')).toBe(false);
    });

    it('grants on one table: only it is visible, the most specific level decides, the privilege goes with the table', async () => {
      const reader = client(engine, 'migrator');
      await sql('CREATE TABLE tp1 (id INT)');
      await sql('CREATE TABLE tp2 (id INT)');
      expect((await sql('GRANT DQL ON TABLE doc.tp1 TO migrator')).body.rowcount).toBe(1);
      expect((await sql("SELECT class, ident, state, type FROM sys.privileges WHERE grantee = 'migrator'")).body.rows).toEqual([['TABLE', 'doc.tp1', 'GRANT', 'DQL']]);
      expect((await reader('SELECT count(*) FROM tp1')).status).toBe(200);
      expect((await reader('SELECT count(*) FROM tp2')).body.error).toEqual({ code: 4041, message: "RelationUnknown[Relation 'doc.tp2' unknown]" });
      expect((await reader('INSERT INTO tp1 (id) VALUES (1)')).body.error?.code).toBe(4011);
      const listed = await reader("SELECT table_name FROM information_schema.tables WHERE table_schema = 'doc' ORDER BY 1");
      expect(listed.body.rows).toEqual([['tp1']]);
      // A DENY on the table beats a GRANT on its schema; a GRANT on the table beats a DENY on the schema.
      await sql('GRANT DML ON SCHEMA doc TO migrator');
      await sql('DENY DML ON TABLE doc.tp1 TO migrator');
      expect((await reader('INSERT INTO tp1 (id) VALUES (1)')).body.error?.code).toBe(4011);
      expect((await reader('INSERT INTO tp2 (id) VALUES (1)')).body.rowcount).toBe(1);
      await sql('DENY DML ON SCHEMA doc TO migrator');
      await sql('GRANT DML ON TABLE doc.tp1 TO migrator');
      expect((await reader('INSERT INTO tp1 (id) VALUES (2)')).body.rowcount).toBe(1);
      // Every ALTER of the table takes the table's own DDL privilege, SET DEFAULT too.
      expect((await reader('ALTER TABLE tp1 ALTER COLUMN id SET DEFAULT 7')).body.error?.code).toBe(4011);
      await sql('GRANT DDL ON TABLE doc.tp1 TO migrator');
      expect((await reader('ALTER TABLE tp1 ALTER COLUMN id SET DEFAULT 7')).body.rowcount).toBe(-1);
      await sql('ALTER TABLE tp1 RENAME TO tp3');
      expect((await sql("SELECT ident, type FROM sys.privileges WHERE class = 'TABLE' ORDER BY type")).body.rows).toEqual([['doc.tp3', 'DDL'], ['doc.tp3', 'DML'], ['doc.tp3', 'DQL']]);
      await sql('DROP TABLE tp3');
      expect((await sql("SELECT count(*) FROM sys.privileges WHERE class = 'TABLE'")).body.rows).toEqual([[0]]);
    });
  });

  it('tells the cluster layer which shards a key lookup needs', async () => {
    await sql('CREATE TABLE r (id TEXT PRIMARY KEY) CLUSTERED INTO 6 SHARDS WITH (number_of_replicas = 0)');
    const session: Session = { id: 9, schema: 'doc', user: 'crate' };
    expect(await engine.plan('SELECT * FROM r WHERE id = ?', session, ['k1'])).toEqual({
      tables: [{ schema: 'doc', table: 'r', numberOfShards: 6, numberOfReplicas: '0', write: false, routingKeys: ['k1'] }],
    });
    const scan = await engine.plan('SELECT count(*) FROM r', session);
    expect(scan?.tables[0]?.routingKeys).toBeUndefined();
  });

  it('names count(*) "count" and reports nullability as text', async () => {
    await sql('CREATE TABLE c (id TEXT PRIMARY KEY)');
    expect((await sql('SELECT count(*) FROM c')).body.cols).toEqual(['count']);
    expect((await sql("SELECT is_nullable FROM information_schema.columns WHERE table_name = 'c'")).body.rows).toEqual([['NO']]);
  });
});

describe('engine 5.10', () => {
  let engine: Engine;
  let sql: ReturnType<typeof client>;
  beforeAll(async () => {
    engine = await createEngine({ version: '5.10' });
    sql = client(engine);
  });
  afterAll(async () => {
    await engine?.close();
  });

  it('differs from 6.4 where 5.10 did', async () => {
    await sql('CREATE TABLE c (id INTEGER PRIMARY KEY, q INTEGER CHECK (q > 0))');
    expect((await sql('SELECT count(*) FROM c')).body.cols).toEqual(['count(*)']);
    expect((await sql("SELECT is_nullable FROM information_schema.columns WHERE table_name = 'c' ORDER BY ordinal_position")).body.rows).toEqual([[false], [true]]);
    const bulk = await sql('INSERT INTO c (id, q) VALUES (?, ?)', undefined, { bulk: [[1, 1], [2, -1]] });
    expect([bulk.status, bulk.body.error?.code]).toEqual([400, 4000]);
    expect((await sql('SELECT id FROM c WHERE id = 1')).body.rows).toEqual([]);
    expect((await sql('CREATE SCHEMA s')).body.error?.code).toBe(4000);
  });

  it('names a select item by the expression as ExpressionFormatter prints it', async () => {
    const names = (await sql("SELECT if(1 = 1, 'a'), upper('b'), '2024-01-01'::timestamptz AT TIME ZONE 'UTC'")).body.cols;
    expect(names).toEqual(["IF((1 = 1), 'a')", "upper('b')", "timezone('UTC', CAST('2024-01-01' AS timestamptz))"]);
  });
});
