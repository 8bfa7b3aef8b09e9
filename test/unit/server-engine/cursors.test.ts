/**
 * Cursors as CrateDB's DeclarePlan, FetchPlan, ClosePlan, Cursor and Session give them over HTTP: a
 * DECLARE without WITH HOLD needs a BEGIN on the same session, COMMIT closes it, FETCH moves as Cursor's
 * position arithmetic does (NO SCROLL cursors buffer nothing), CLOSE answers 1, pg_cursors lists the
 * session's cursors. One engine per version for the file (PGlite takes seconds to start).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { CrateVersion, Engine, Session } from '../../server/contract.js';
import { ManualClock } from '../../server/clock.js';
import { createEngine } from '../../server/engine/index.js';

interface Body {
  cols?: string[];
  col_types?: unknown[];
  rows?: unknown[][];
  rowcount?: number;
  results?: unknown[];
  error?: { code: number; message: string };
}

const T0 = Date.UTC(2025, 0, 2, 3, 4, 5, 678);

function setup(version: CrateVersion) {
  const ctx = { engine: undefined as unknown as Engine, clock: new ManualClock(T0) };
  let next = 1;
  beforeAll(async () => {
    ctx.engine = await createEngine({ version, clock: ctx.clock });
  });
  afterAll(async () => {
    await ctx.engine?.close();
  });
  const newSession = (): Session => ({ id: next++, schema: 'doc', user: 'crate' });
  const sql = async (session: Session, stmt: string, opts: { types?: boolean; args?: unknown[]; bulkArgs?: unknown[][] } = {}): Promise<Body> =>
    (await ctx.engine.execute({ stmt, types: opts.types ?? false, session, ...(opts.args ? { args: opts.args } : {}), ...(opts.bulkArgs ? { bulkArgs: opts.bulkArgs } : {}) })).body as Body;
  return { ctx, newSession, sql };
}

const done = (rowcount: number): Body => ({ cols: [], rows: [[]], rowcount });
const err = (code: number, message: string): Body => ({ error: { code, message } });
const series = (rows: number[]): Body => ({ cols: ['generate_series'], rows: rows.map((n) => [n]), rowcount: rows.length });
const noScroll = err(4000, 'SQLParseException[Cannot move backward if cursor was created with NO SCROLL]');
const noCursor = (name: string): Body => err(4000, `SQLParseException[No cursor named \`${name}\` available]`);

describe('cursors (6.4)', () => {
  const { ctx, newSession, sql } = setup('6.4');

  it('refuses a DECLARE without WITH HOLD outside a transaction, and takes it after BEGIN on the same session', async () => {
    const s = newSession();
    const declare = 'DECLARE c CURSOR FOR SELECT * FROM generate_series(1, 3)';
    expect(await sql(s, declare)).toEqual(err(4004, 'UnsupportedFeatureException[DECLARE CURSOR can only be used in transaction blocks]'));
    expect(await sql(s, 'DECLARE c CURSOR WITHOUT HOLD FOR SELECT 1')).toEqual(err(4004, 'UnsupportedFeatureException[DECLARE CURSOR can only be used in transaction blocks]'));
    expect(await sql(s, 'SELECT * FROM pg_catalog.pg_cursors')).toMatchObject({ rowcount: 0 });
    expect(await sql(newSession(), 'BEGIN')).toEqual(done(0));
    expect(await sql(s, declare)).toEqual(err(4004, 'UnsupportedFeatureException[DECLARE CURSOR can only be used in transaction blocks]'));
    expect(await sql(s, 'BEGIN')).toEqual(done(0));
    expect(await sql(s, declare)).toEqual(done(0));
    expect(await sql(s, 'FETCH ALL FROM c')).toEqual(series([1, 2, 3]));
    const held = newSession();
    expect(await sql(held, 'DECLARE h CURSOR WITH HOLD FOR SELECT 1 AS one')).toEqual(done(0));
    expect(await sql(held, 'FETCH h', { types: true })).toEqual({ cols: ['one'], col_types: [9], rows: [[1]], rowcount: 1 });
  });

  it('moves a NO SCROLL cursor (the default) forward only', async () => {
    const s = newSession();
    await sql(s, 'BEGIN');
    expect(await sql(s, 'DECLARE c NO SCROLL CURSOR FOR SELECT * FROM generate_series(1, 10)')).toEqual(done(0));
    expect(await sql(s, 'FETCH FROM c')).toEqual(series([1]));
    expect(await sql(s, 'FETCH FORWARD 2 FROM c')).toEqual(series([2, 3]));
    expect(await sql(s, 'FETCH NEXT IN c')).toEqual(series([4]));
    expect(await sql(s, 'FETCH 2 c')).toEqual(series([5, 6]));
    expect(await sql(s, 'FETCH FORWARD c')).toEqual(series([7]));
    expect(await sql(s, 'FETCH BACKWARD 1 FROM c')).toEqual(noScroll);
    expect(await sql(s, 'FETCH BACKWARD ALL FROM c')).toEqual(noScroll);
    expect(await sql(s, 'FETCH RELATIVE -1 FROM c')).toEqual(noScroll);
    expect(await sql(s, 'FETCH FIRST FROM c')).toEqual(noScroll);
    expect(await sql(s, 'FETCH 0 FROM c')).toEqual(series([]));
    // PRIOR normalizes to a move of +1 in AstBuilder.visitFetch.
    expect(await sql(s, 'FETCH PRIOR FROM c')).toEqual(series([8]));
    expect(await sql(s, 'FETCH ALL FROM c')).toEqual(series([9, 10]));
    expect(await sql(s, 'FETCH FROM c')).toEqual(series([]));
    expect(await sql(s, 'FETCH FORWARD ALL FROM c')).toEqual(series([]));
  });

  it('answers ABSOLUTE and RELATIVE on a NO SCROLL cursor from the rows it never buffered', async () => {
    const s = newSession();
    await sql(s, 'DECLARE c CURSOR WITH HOLD FOR SELECT * FROM generate_series(1, 10)');
    expect(await sql(s, 'FETCH ABSOLUTE 2 FROM c')).toEqual(err(4000, 'SQLParseException[Cannot return row: 2, total rows: 0]'));
    // That ABSOLUTE read three rows past the position, which the next FETCH no longer sees.
    expect(await sql(s, 'FETCH FROM c')).toEqual(series([4]));
    expect(await sql(s, 'FETCH RELATIVE 0 FROM c')).toEqual(err(5000, 'IndexOutOfBoundsException[Index 0 out of bounds for length 0]'));
    expect(await sql(s, 'FETCH FROM c')).toEqual(series([6]));
    expect(await sql(s, 'FETCH LAST FROM c')).toEqual(noScroll);
  });

  it('scrolls a SCROLL cursor both ways (CursorITest.test_scroll_operations)', async () => {
    const s = newSession();
    await sql(s, 'BEGIN');
    expect(await sql(s, 'DECLARE c1 SCROLL CURSOR FOR SELECT * FROM generate_series(1, 7)')).toEqual(done(0));
    expect(await sql(s, 'FETCH 3 FROM c1')).toEqual(series([1, 2, 3]));
    expect(await sql(s, 'FETCH ABSOLUTE 5 FROM c1')).toEqual(series([5]));
    expect(await sql(s, 'FETCH BACKWARD 2 FROM c1')).toEqual(series([4, 3]));
    expect(await sql(s, 'FETCH BACKWARD 0 FROM c1')).toEqual(series([3]));
    expect(await sql(s, 'FETCH ALL FROM c1')).toEqual(series([4, 5, 6, 7]));
    expect(await sql(s, 'FETCH ABSOLUTE 6 FROM c1')).toEqual(series([6]));
    expect(await sql(s, 'FETCH BACKWARD FROM c1')).toEqual(series([5]));
    // Landing on the last row with RELATIVE once the query is exhausted returns nothing (bufferedRowOrNone).
    expect(await sql(s, 'FETCH RELATIVE 2 FROM c1')).toEqual(series([]));
    expect(await sql(s, 'FETCH RELATIVE -3 FROM c1')).toEqual(series([4]));
    expect(await sql(s, 'FETCH FIRST FROM c1')).toEqual(series([1]));
    expect(await sql(s, 'FETCH BACKWARD ALL FROM c1')).toEqual(series([]));
    expect(await sql(s, 'FETCH 100 FROM c1')).toEqual(series([1, 2, 3, 4, 5, 6, 7]));
    expect(await sql(s, 'FETCH BACKWARD ALL FROM c1')).toEqual(series([7, 6, 5, 4, 3, 2, 1]));
    expect(await sql(s, 'FETCH ABSOLUTE 8 FROM c1')).toEqual(err(4000, 'SQLParseException[Cannot return row: 8, total rows: 7]'));
    // LAST is ABSOLUTE -1: before the first row, nothing returned.
    expect(await sql(s, 'FETCH LAST FROM c1')).toEqual(series([]));
    expect(await sql(s, 'FETCH NEXT FROM c1')).toEqual(series([1]));
  });

  it('returns a row again on FETCH 0 except before the start or after the end (CursorITest)', async () => {
    const s = newSession();
    await sql(s, 'BEGIN');
    await sql(s, 'DECLARE c1 SCROLL CURSOR FOR SELECT * FROM generate_series(1, 10)');
    expect(await sql(s, 'FETCH 0 FROM c1')).toEqual(series([]));
    expect(await sql(s, 'FETCH FROM c1')).toEqual(series([1]));
    expect(await sql(s, 'FETCH 0 FROM c1')).toEqual(series([1]));
    expect((await sql(s, 'FETCH ALL FROM c1')).rowcount).toBe(9);
    expect(await sql(s, 'FETCH 0 FROM c1')).toEqual(series([]));
    expect(await sql(s, 'FETCH BACKWARD 2 FROM c1')).toEqual(series([10, 9]));
  });

  it("answers with the query's columns and types, and keeps the rows of the time it was declared", async () => {
    const s = newSession();
    await sql(s, 'CREATE TABLE doc.cur_items (id INT PRIMARY KEY, name TEXT, price DOUBLE)');
    await sql(s, "INSERT INTO doc.cur_items (id, name, price) VALUES (1, 'a', 1.5), (2, 'b', 2.5)");
    await sql(s, 'REFRESH TABLE doc.cur_items');
    await sql(s, 'DECLARE c CURSOR WITH HOLD FOR SELECT id, name, price * 2 AS twice FROM doc.cur_items ORDER BY id');
    await sql(s, "INSERT INTO doc.cur_items (id, name, price) VALUES (3, 'c', 3.5)");
    await sql(s, 'REFRESH TABLE doc.cur_items');
    expect(await sql(s, 'FETCH ALL FROM c', { types: true })).toEqual({
      cols: ['id', 'name', 'twice'], col_types: [9, 4, 6], rows: [[1, 'a', 3], [2, 'b', 5]], rowcount: 2,
    });
    expect(await sql(s, 'FETCH ALL FROM c', { types: true })).toEqual({ cols: ['id', 'name', 'twice'], col_types: [9, 4, 6], rows: [], rowcount: 0 });
    expect(await sql(s, 'DECLARE p CURSOR WITH HOLD FOR SELECT name FROM doc.cur_items WHERE id > ? ORDER BY id', { args: [1] })).toEqual(done(0));
    expect(await sql(s, 'FETCH ALL FROM p')).toEqual({ cols: ['name'], rows: [['b'], ['c']], rowcount: 2 });
    expect(await sql(s, 'FETCH p', { bulkArgs: [[]] })).toEqual(err(4004, 'UnsupportedFeatureException[Bulk operations for statements that return result sets is not supported]'));
    await sql(s, 'DROP TABLE doc.cur_items');
  });

  it('fails a DECLARE of an unknown relation or a BINARY cursor without making a cursor', async () => {
    const s = newSession();
    expect(await sql(s, 'DECLARE m CURSOR WITH HOLD FOR SELECT * FROM doc.cur_missing')).toEqual(err(4041, "RelationUnknown[Relation 'doc.cur_missing' unknown]"));
    expect(await sql(s, 'DECLARE b BINARY CURSOR WITH HOLD FOR SELECT 1')).toEqual(err(4004, 'UnsupportedFeatureException[BINARY mode in DECLARE is not supported]'));
    expect(await sql(s, 'DECLARE b BINARY CURSOR FOR SELECT 1')).toEqual(err(4004, 'UnsupportedFeatureException[BINARY mode in DECLARE is not supported]'));
    expect(await sql(s, 'FETCH m')).toEqual(noCursor('m'));
    expect(await sql(s, 'FETCH b')).toEqual(noCursor('b'));
    expect(await sql(s, 'FETCH 99999999999999999999 FROM b')).toEqual(err(4000, 'SQLParseException[For input string: "99999999999999999999"]'));
    expect(await sql(s, 'FETCH ABSOLUTE -1 FROM b')).toEqual(err(4000, "ParsingException[line 1:16: mismatched input '-' expecting {<EOF>, ';'}]"));
  });

  it('closes one cursor or all of them, answering 1 either way', async () => {
    const s = newSession();
    await sql(s, 'DECLARE a CURSOR WITH HOLD FOR SELECT 1 AS x');
    await sql(s, 'DECLARE b CURSOR WITH HOLD FOR SELECT 2 AS x');
    await sql(s, 'DECLARE "B" CURSOR WITH HOLD FOR SELECT 3 AS x');
    expect(await sql(s, 'CLOSE a')).toEqual(done(1));
    expect(await sql(s, 'CLOSE a')).toEqual(noCursor('a'));
    expect(await sql(s, 'FETCH a')).toEqual(noCursor('a'));
    expect(await sql(s, 'FETCH "B"')).toEqual({ cols: ['x'], rows: [[3]], rowcount: 1 });
    expect(await sql(s, 'CLOSE ALL')).toEqual(done(1));
    expect(await sql(s, 'FETCH b')).toEqual(noCursor('b'));
    expect(await sql(s, 'CLOSE ALL')).toEqual(done(1));
  });

  it('closes the cursors without HOLD at COMMIT (or END), keeps those WITH HOLD, and all at DISCARD ALL', async () => {
    const s = newSession();
    expect(await sql(s, 'START TRANSACTION')).toEqual(done(0));
    await sql(s, 'DECLARE t CURSOR FOR SELECT * FROM generate_series(1, 3)');
    await sql(s, 'DECLARE h CURSOR WITH HOLD FOR SELECT * FROM generate_series(1, 3)');
    expect(await sql(s, 'FETCH t')).toEqual(series([1]));
    expect(await sql(s, 'COMMIT')).toEqual(done(0));
    expect(await sql(s, 'FETCH t')).toEqual(noCursor('t'));
    expect(await sql(s, 'FETCH h')).toEqual(series([1]));
    // The transaction ended with COMMIT.
    expect(await sql(s, 'DECLARE t CURSOR FOR SELECT 1')).toEqual(err(4004, 'UnsupportedFeatureException[DECLARE CURSOR can only be used in transaction blocks]'));
    await sql(s, 'BEGIN');
    await sql(s, 'DECLARE t CURSOR FOR SELECT * FROM generate_series(1, 3)');
    expect(await sql(s, 'END')).toEqual(done(0));
    expect(await sql(s, 'FETCH t')).toEqual(noCursor('t'));
    expect(await sql(s, 'FETCH h')).toEqual(series([2]));
    expect(await sql(newSession(), 'FETCH h')).toEqual(noCursor('h'));
    await sql(s, 'BEGIN');
    expect(await sql(s, 'DISCARD ALL')).toEqual(done(0));
    expect(await sql(s, 'FETCH h')).toEqual(noCursor('h'));
    expect(await sql(s, 'DECLARE t CURSOR FOR SELECT 1')).toEqual(err(4004, 'UnsupportedFeatureException[DECLARE CURSOR can only be used in transaction blocks]'));
  });

  it('lists the session’s cursors in pg_cursors with SqlFormatter’s text of the DECLARE', async () => {
    const s = newSession();
    await sql(s, 'CREATE TABLE doc.cur_list (id INT, v TEXT)');
    await sql(s, 'BEGIN');
    await sql(s, 'DECLARE c CURSOR FOR SELECT id, v FROM doc.cur_list WHERE id > 1 ORDER BY id LIMIT 5');
    ctx.clock.advance(1000);
    await sql(s, 'DECLARE "Sc" INSENSITIVE SCROLL CURSOR WITH HOLD FOR SELECT count(*) FROM cur_list');
    expect(await sql(s, 'SELECT * FROM pg_catalog.pg_cursors ORDER BY name', { types: true })).toEqual({
      cols: ['creation_time', 'is_binary', 'is_holdable', 'is_scrollable', 'name', 'statement'],
      col_types: [11, 3, 3, 3, 4, 4],
      rows: [
        [T0 + 1000, false, true, true, 'Sc', 'DECLARE "Sc" SCROLL CURSOR WITH HOLD FOR SELECT\n count(*)\nFROM "cur_list"\n'],
        [T0, false, false, false, 'c', 'DECLARE c NO SCROLL CURSOR WITHOUT HOLD FOR SELECT\n "id"\n, "v"\nFROM "doc"."cur_list"\nWHERE "id" > 1\nORDER BY "id"\nLIMIT 5\n'],
      ],
      rowcount: 2,
    });
    expect((await sql(newSession(), 'SELECT count(*) FROM pg_cursors')).rows).toEqual([[0]]);
    await sql(s, 'COMMIT');
    expect((await sql(s, 'SELECT name FROM pg_cursors')).rows).toEqual([['Sc']]);
    await sql(s, 'DISCARD ALL');
    // DISCARD ALL closed the session, which leaves CrateDB's registry: later cursors work but are not listed.
    await sql(s, 'DECLARE later CURSOR WITH HOLD FOR SELECT 1 AS x');
    expect((await sql(s, 'SELECT count(*) FROM pg_cursors')).rows).toEqual([[0]]);
    expect(await sql(s, 'FETCH later')).toEqual({ cols: ['x'], rows: [[1]], rowcount: 1 });
    await sql(s, 'DROP TABLE doc.cur_list');
  });

  it('replaces a cursor by a second DECLARE of its name, which fails and whose query never runs', async () => {
    const s = newSession();
    await sql(s, 'DECLARE d CURSOR WITH HOLD FOR SELECT * FROM generate_series(1, 3)');
    expect(await sql(s, 'DECLARE d SCROLL CURSOR WITH HOLD FOR SELECT 42 AS x')).toEqual(err(5000, 'IllegalStateException[Cursor `d` already exists]'));
    expect((await sql(s, 'SELECT is_scrollable, statement FROM pg_cursors')).rows).toEqual([[true, 'DECLARE d SCROLL CURSOR WITH HOLD FOR SELECT\n 42 AS "x"\n']]);
    expect(await sql(s, 'FETCH d')).toEqual(err(4004, 'UnsupportedFeatureException[Statement not supported by the test server: FETCH from `d` after its duplicate DECLARE (CrateDB never answers it)]'));
    expect(await sql(s, 'CLOSE d')).toEqual(done(1));
    expect(await sql(s, 'DECLARE d CURSOR WITH HOLD FOR SELECT 42 AS x')).toEqual(done(0));
    expect(await sql(s, 'FETCH d')).toEqual({ cols: ['x'], rows: [[42]], rowcount: 1 });
  });

  it('answers a query that fails while it runs at FETCH, as the cursor hands the failure on', async () => {
    const s = newSession();
    await sql(s, 'CREATE TABLE doc.cur_zero (a INT)');
    await sql(s, 'INSERT INTO doc.cur_zero (a) VALUES (0)');
    await sql(s, 'REFRESH TABLE doc.cur_zero');
    expect(await sql(s, 'DECLARE z CURSOR WITH HOLD FOR SELECT 1 / a AS q FROM doc.cur_zero')).toEqual(done(0));
    expect(await sql(s, 'FETCH z')).toEqual(err(4000, 'SQLParseException[/ by zero]'));
    await sql(s, 'DROP TABLE doc.cur_zero');
  });
});

describe('cursors (5.10)', () => {
  const { newSession, sql } = setup('5.10');

  it('has the same cursors, with 5.10’s parse errors and SqlFormatter layout', async () => {
    const s = newSession();
    expect(await sql(s, 'DECLARE c CURSOR FOR SELECT 1')).toEqual(err(4004, 'UnsupportedFeatureException[DECLARE CURSOR can only be used in transaction blocks]'));
    await sql(s, 'BEGIN');
    expect(await sql(s, 'DECLARE c SCROLL CURSOR FOR SELECT * FROM generate_series(1, 4)')).toEqual(done(0));
    expect(await sql(s, 'FETCH 2 FROM c')).toEqual(series([1, 2]));
    expect(await sql(s, 'FETCH BACKWARD FROM c')).toEqual(series([1]));
    expect(await sql(s, 'FETCH ALL FROM c')).toEqual(series([2, 3, 4]));
    expect(await sql(s, 'DECLARE n CURSOR FOR SELECT col1 AS v FROM (VALUES (1), (2)) AS t')).toEqual(done(0));
    expect(await sql(s, 'FETCH BACKWARD FROM n')).toEqual(noScroll);
    expect(await sql(s, 'FETCH ABSOLUTE -1 FROM n')).toEqual(err(4000, "SQLParseException[line 1:16: mismatched input '-' expecting {<EOF>, ';'}]"));
    expect(await sql(s, 'DECLARE x CURSOR WITH HOLD FOR SELECT 1 AS one')).toEqual(done(0));
    expect((await sql(s, 'SELECT name, statement FROM pg_catalog.pg_cursors WHERE name = \'x\'')).rows)
      .toEqual([['x', 'DECLARE x NO SCROLL CURSOR WITH HOLD FOR SELECT\n  1 AS "one"\n']]);
    expect(await sql(s, 'COMMIT')).toEqual(done(0));
    expect(await sql(s, 'FETCH c')).toEqual(noCursor('c'));
    expect(await sql(s, 'FETCH x')).toEqual({ cols: ['one'], rows: [[1]], rowcount: 1 });
    expect(await sql(s, 'CLOSE ALL')).toEqual(done(1));
  });
});
