/**
 * The constraints CrateDB's Indexer checks for each row on the shard (NOT NULL, a generated column's given
 * value, CHECK) in a bulk INSERT (and NOT NULL and CHECK in a bulk UPDATE): on 6.4 the failing row alone comes back as rowcount -2 and the others are
 * written (recorded for CHECK in 08-constraints), on 5.10 the request fails and nothing is written (recorded
 * likewise). A value that cannot be cast fails the whole request on both, before any row is written, and
 * so does any other error of a bulk UPDATE or DELETE row: the rows before it are not applied either.
 * INSERT ... SELECT skips the rows that fail (a constraint, a duplicate key) without an error, on both
 * versions (recorded for duplicates in 11-ddl-limits; insert_select_fail_fast is off), and so does a 6.4
 * INSERT of several VALUES rows (its shard requests continue on errors when there is more than one row).
 */
import { describe, expect, it } from 'vitest';
import { engineForFile, type FileEngine } from './file-engine.js';

const TABLE = `CREATE TABLE doc.bc (id INT PRIMARY KEY, name TEXT NOT NULL, score INT CHECK (score >= 0),
  g INT GENERATED ALWAYS AS score * 2, must INT NOT NULL)`;
const INSERT = 'INSERT INTO doc.bc (id, name, score, must) VALUES (?, ?, ?, ?)';
const notNull = (column: string) => ({ rowcount: -2, error: { code: 4000, message: `SQLParseException["${column}" must not be null]` } });

async function ids(sql: FileEngine['sql']): Promise<unknown[][] | undefined> {
  await sql('REFRESH TABLE doc.bc');
  return (await sql('SELECT id FROM doc.bc ORDER BY id')).rows;
}

describe('bulk rows that fail a constraint (6.4)', () => {
  const { sql } = engineForFile('6.4');

  it('fails only the row with a NULL for a NOT NULL column it names', async () => {
    await sql(TABLE);
    const r = await sql(INSERT, undefined, [[1, 'a', 1, 1], [2, null, 1, 1], [3, 'c', 1, 1]]);
    expect(r.results).toEqual([{ rowcount: 1 }, notNull('name'), { rowcount: 1 }]);
    expect(await ids(sql)).toEqual([[1], [3]]);
  });

  it('fails each row that leaves a NOT NULL column out, and a row whose generated value does not match', async () => {
    await sql(TABLE);
    const missing = await sql('INSERT INTO doc.bc (id, name, score) VALUES (?, ?, ?)', undefined, [[4, 'a', 1], [5, 'b', 2]]);
    expect(missing.results).toEqual([notNull('must'), notNull('must')]);
    const generated = await sql('INSERT INTO doc.bc (id, name, score, g, must) VALUES (?, ?, ?, ?, ?)', undefined, [[6, 'a', 1, 2, 1], [7, 'b', 1, 5, 1]]);
    expect(generated.results).toEqual([
      { rowcount: 1 },
      { rowcount: -2, error: { code: 4000, message: 'SQLParseException[Given value 5 for generated column g does not match calculation (score * 2) = 2]' } },
    ]);
    expect(await ids(sql)).toEqual([[6]]);
  });

  it('fails only the row of a bulk UPDATE that sets a NOT NULL column to NULL or breaks a CHECK', async () => {
    await sql(TABLE);
    await sql(INSERT, undefined, [[1, 'a', 1, 1], [2, 'b', 2, 1]]);
    const r = await sql('UPDATE doc.bc SET name = ?, score = ? WHERE id = ?', undefined, [['z', 3, 1], [null, 3, 2], ['y', -1, 2]]);
    expect(r.results?.slice(0, 2)).toEqual([{ rowcount: 1 }, notNull('name')]);
    expect(r.results?.[2]).toMatchObject({ rowcount: -2, error: { code: 4000, message: expect.stringContaining('Failed CONSTRAINT') } });
    await sql('REFRESH TABLE doc.bc');
    expect((await sql('SELECT id, name, score FROM doc.bc ORDER BY id')).rows).toEqual([[1, 'z', 3], [2, 'b', 2]]);
  });

  it('applies no row of a bulk UPDATE or DELETE that an error of a later row fails whole', async () => {
    await sql(TABLE);
    await sql(INSERT, undefined, [[1, 'a', 1, 1], [2, 'b', 2, 1]]);
    const update = await sql('UPDATE doc.bc SET score = 10 / ? WHERE id = ?', undefined, [[1, 1], [0, 2]]);
    expect(update.error).toEqual({ code: 4000, message: 'SQLParseException[/ by zero]' });
    const del = await sql('DELETE FROM doc.bc WHERE id = 10 / ?', undefined, [[10], [0]]);
    expect(del.error).toEqual({ code: 4000, message: 'SQLParseException[/ by zero]' });
    expect((await sql('SELECT id, score FROM doc.bc WHERE id IN (1, 2) ORDER BY id')).rows).toEqual([[1, 1], [2, 2]]);
  });

  it('still fails the whole request for a value that cannot be cast, and for a single row', async () => {
    await sql(TABLE);
    const cast = await sql(INSERT, undefined, [[8, null, 1, 1], [9, 'x', 'abc', 1]]);
    expect(cast.error).toEqual({ code: 4000, message: 'SQLParseException[Cannot cast value `abc` to type `integer`]' });
    const one = await sql("INSERT INTO doc.bc (id, name, score, must) VALUES (11, NULL, 1, 1)");
    expect(one.error).toEqual({ code: 4000, message: 'SQLParseException["name" must not be null]' });
    expect(await ids(sql)).toEqual([]);
  });

  it('skips the failing rows of an INSERT of several VALUES rows without an error, as a duplicate key', async () => {
    await sql(TABLE);
    const r = await sql("INSERT INTO doc.bc (id, name, score, must) VALUES (10, 'a', 1, 1), (11, NULL, 1, 1), (12, 'c', -1, 1), (10, 'again', 1, 1)");
    expect(r).toMatchObject({ rowcount: 1 });
    expect(r.error).toBeUndefined();
    expect(await ids(sql)).toEqual([[10]]);
  });
});

describe('INSERT ... SELECT rows that fail (6.4)', () => {
  const { sql } = engineForFile('6.4');

  it('are skipped without an error, and the rowcount counts the rows written', async () => {
    await sql(TABLE);
    await sql('CREATE TABLE doc.src (id INT, name TEXT, score INT)');
    await sql("INSERT INTO doc.src (id, name, score) VALUES (1, 'a', 1), (2, NULL, 1), (3, 'c', -1), (1, 'dup', 1), (4, 'd', 1)");
    await sql('REFRESH TABLE doc.src');
    await sql("INSERT INTO doc.bc (id, name, score, must) VALUES (4, 'existing', 1, 1)");
    const r = await sql('INSERT INTO doc.bc (id, name, score, must) SELECT id, name, score, 1 FROM doc.src ORDER BY id, name');
    expect(r).toMatchObject({ rowcount: 1 });
    expect(r.error).toBeUndefined();
    expect(await ids(sql)).toEqual([[1], [4]]);
    expect(await sql("INSERT INTO doc.bc (id, name, score, must) SELECT 4, 'again', 1, 1")).toMatchObject({ rowcount: 0 });
  });
});

describe('bulk rows that fail a constraint (5.10)', () => {
  const { sql } = engineForFile('5.10');

  it('fail the whole request, and nothing is written, in a bulk request and among several VALUES rows', async () => {
    await sql(TABLE);
    const r = await sql(INSERT, undefined, [[1, 'a', 1, 1], [2, null, 1, 1]]);
    expect(r.error).toEqual({ code: 4000, message: 'SQLParseException["name" must not be null]' });
    const rows = await sql("INSERT INTO doc.bc (id, name, score, must) VALUES (10, 'a', 1, 1), (11, NULL, 1, 1)");
    expect(rows.error).toEqual({ code: 4000, message: 'SQLParseException["name" must not be null]' });
    expect(await ids(sql)).toEqual([]);
  });
});
