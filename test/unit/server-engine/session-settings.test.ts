/**
 * Session settings as CrateDB's SessionSettingRegistry keeps them: SET changes them for one session,
 * SHOW reads them (an unknown name is an error, while SET ignores it), read-only ones refuse SET, and
 * SHOW ALL lists every setting. One engine for the file (PGlite takes seconds to start).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Engine, Session } from '../../server/contract.js';
import { createEngine } from '../../server/engine/index.js';

interface Body {
  cols?: string[];
  rows?: unknown[][];
  rowcount?: number;
  error?: { code: number; message: string };
}

describe('session settings (6.4)', () => {
  let engine: Engine;
  let next = 1;
  const newSession = (): Session => ({ id: next++, schema: 'doc', user: 'crate' });
  const sql = async (session: Session, stmt: string): Promise<Body> => (await engine.execute({ stmt, types: false, session })).body as Body;
  const show = async (session: Session, name: string): Promise<unknown> => (await sql(session, `SHOW ${name}`)).rows?.[0]?.[0];

  beforeAll(async () => {
    engine = await createEngine({ version: '6.4' });
  });
  afterAll(async () => {
    await engine?.close();
  });

  it('reads the defaults', async () => {
    const s = newSession();
    expect(await show(s, 'enable_hashjoin')).toBe('true');
    expect(await show(s, 'statement_timeout')).toBe('0s');
    expect(await show(s, 'max_index_keys')).toBe('32');
    expect(await show(s, 'server_version')).toBe('14.0');
    expect(await show(s, 'application_name')).toBeNull();
  });

  it('ignores SET LOCAL, which CrateDB plans as nothing (no transaction to keep it for)', async () => {
    const s = newSession();
    expect((await sql(s, 'SET LOCAL enable_hashjoin = false')).rowcount).toBe(0);
    expect((await sql(s, 'SET LOCAL search_path TO elsewhere')).rowcount).toBe(0);
    expect(await show(s, 'enable_hashjoin')).toBe('true');
    expect(await show(s, 'search_path')).toBe('doc');
    await sql(s, 'SET SESSION enable_hashjoin = false');
    expect(await show(s, 'enable_hashjoin')).toBe('false');
  });

  it('keeps a SET value for its own session only', async () => {
    const a = newSession();
    expect(await sql(a, 'SET enable_hashjoin = false')).toMatchObject({ rowcount: 0 });
    await sql(a, "SET application_name = 'migrator'");
    await sql(a, 'SET statement_timeout = 1500');
    expect(await show(a, 'enable_hashjoin')).toBe('false');
    expect(await show(a, 'application_name')).toBe('migrator');
    expect(await show(a, 'statement_timeout')).toBe('1.5s');
    expect(await show(newSession(), 'enable_hashjoin')).toBe('true');
  });

  it('reads an unknown key of a dynamic object as null once error_on_unknown_object_key is false, never of a strict one', async () => {
    const s = newSession();
    await sql(s, 'CREATE TABLE doc.keys (id INT PRIMARY KEY, o OBJECT(DYNAMIC) AS (a INT), st OBJECT(STRICT) AS (a INT))');
    await sql(s, 'INSERT INTO doc.keys (id, o, st) VALUES (1, {a=1}, {a=2})');
    await sql(s, 'REFRESH TABLE doc.keys');
    const unknown = (column: string) => ({ code: 4043, message: `ColumnUnknownException[Column ${column} unknown]` });
    expect((await sql(s, "SELECT o['zz'] FROM doc.keys")).error).toEqual(unknown("o['zz']"));
    expect((await sql(s, "SELECT o['a']['zz'] FROM doc.keys")).error).toEqual(unknown("o['a']['zz']"));
    await sql(s, 'SET error_on_unknown_object_key = false');
    expect((await sql(s, "SELECT o['zz'], o['a'], {a=1}['b'] FROM doc.keys")).rows).toEqual([[null, 1, null]]);
    expect((await sql(s, "SELECT st['zz'] FROM doc.keys")).error).toEqual(unknown("st['zz']"));
    expect((await sql(newSession(), "SELECT o['zz'] FROM doc.keys")).error).toEqual(unknown("o['zz']"));
    await sql(s, 'DROP TABLE doc.keys');
  });

  it('shows the whole search path, the first schema being the current one', async () => {
    const s = newSession();
    await sql(s, 'SET search_path TO app, doc');
    expect(await show(s, 'search_path')).toBe('app, doc');
    expect((await sql(s, 'SELECT current_schema')).rows).toEqual([['app']]);
    await sql(s, 'SET search_path TO DEFAULT');
    expect(await show(s, 'search_path')).toBe('doc');
  });

  it('looks an unqualified name up along the search path, and creates in its first schema', async () => {
    const s = newSession();
    await sql(s, 'CREATE TABLE sp1.a (x INT)');
    await sql(s, 'CREATE TABLE sp2.a (y INT)');
    await sql(s, 'CREATE TABLE sp2.b (z INT)');
    await sql(s, 'SET search_path TO sp1, sp2');
    expect((await sql(s, 'SELECT * FROM a')).cols).toEqual(['x']);
    expect((await sql(s, 'SELECT * FROM b')).cols).toEqual(['z']);
    expect((await sql(s, 'INSERT INTO b (z) VALUES (1)')).rowcount).toBe(1);
    await sql(s, 'REFRESH TABLE b');
    expect((await sql(s, 'SELECT z FROM sp2.b')).rows).toEqual([[1]]);
    expect((await sql(s, 'SELECT * FROM c')).error).toEqual({ code: 4041, message: "RelationUnknown[Relation 'c' unknown]" });
    await sql(s, 'CREATE TABLE b (w INT)');
    expect((await sql(s, "SELECT table_schema FROM information_schema.tables WHERE table_name = 'b' ORDER BY 1")).rows).toEqual([['sp1'], ['sp2']]);
    expect((await sql(s, 'SELECT current_schemas(false), current_schemas(true)')).rows).toEqual([[['sp1', 'sp2'], ['pg_catalog', 'sp1', 'sp2']]]);
    // Another session keeps its own path.
    expect((await sql(newSession(), 'SELECT * FROM b')).error?.code).toBe(4041);
    for (const t of ['sp1.a', 'sp1.b', 'sp2.a', 'sp2.b']) await sql(s, `DROP TABLE ${t}`);
  });

  it('resolves a view\'s unqualified names along the search path of the session that created it', async () => {
    const s = newSession();
    await sql(s, 'CREATE TABLE doc.vt (x INT)');
    await sql(s, 'CREATE TABLE sv.vt (y INT)');
    // Created from a session on `doc`: `vt` is doc.vt, though the view lives in sv.
    await sql(s, 'CREATE VIEW sv.v AS SELECT x FROM vt');
    // Stored as written: the name stays unqualified.
    expect((await sql(s, "SELECT view_definition FROM information_schema.views WHERE table_name = 'v'")).rows).toEqual([['SELECT\n "x"\nFROM "vt"\n']]);
    const other = newSession();
    await sql(other, 'SET search_path TO sv');
    expect((await sql(other, 'SELECT * FROM v')).cols).toEqual(['x']);
    expect((await sql(other, 'SELECT * FROM vt')).cols).toEqual(['y']);
    await sql(s, 'DROP VIEW sv.v');
    await sql(s, 'DROP TABLE doc.vt');
    await sql(s, 'DROP TABLE sv.vt');
  });

  it('answers an unknown SHOW with 4000 but ignores an unknown SET', async () => {
    const s = newSession();
    expect(await sql(s, 'SET no_such_setting = 1')).toMatchObject({ rowcount: 0 });
    expect(await sql(s, 'SHOW no_such_setting')).toEqual({ error: { code: 4000, message: "SQLParseException[Unknown session setting name 'no_such_setting'.]" } });
  });

  it('refuses to change a read-only setting', async () => {
    expect(await sql(newSession(), 'SET max_index_keys = 1')).toEqual({
      error: { code: 4004, message: 'UnsupportedFeatureException["max_index_keys" cannot be changed.]' },
    });
  });

  it('lists every setting with SHOW ALL', async () => {
    const body = await sql(newSession(), 'SHOW ALL');
    expect(body.cols).toEqual(['name', 'setting', 'description']);
    expect(body.rows).toContainEqual(['search_path', 'doc', 'Sets the schema search order.']);
    expect(body.rows?.map((r) => r[0])).toEqual([...(body.rows ?? []).map((r) => r[0] as string)].sort());
  });
});
