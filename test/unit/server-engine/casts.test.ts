/**
 * Casts CrateDB has and PG lacks: a `[lon, lat]` array or a WKT `POINT (lon lat)` string to geo_point,
 * answered as `[lon, lat]` with col_type 13. Intervals as CrateDB prints them (IntervalType.PERIOD_FORMATTER,
 * col_type 17), and SHOW TRANSACTION ISOLATION LEVEL (ShowStatementAnalyzer.rewriteShowTransaction). Literal casts
 * checked at analysis (Literal.cast), fractions cut off by integer casts, integer arithmetic's overflow (Math.addExact).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Engine, Session } from '../../server/contract.js';
import { createEngine } from '../../server/engine/index.js';

// One engine for the file: PGlite takes seconds to start, and these statements change nothing.
let engine: Engine;
const session: Session = { id: 1, schema: 'doc', user: 'crate' };
beforeAll(async () => {
  engine = await createEngine({ version: '6.4' });
});
afterAll(async () => {
  await engine?.close();
});

async function one(stmt: string): Promise<{ cols?: string[]; rows?: unknown[][]; col_types?: unknown[]; rowcount?: number }> {
  return (await engine.execute({ stmt, types: true, session })).body as { rows?: unknown[][]; col_types?: unknown[] };
}

describe('casts to geo_point (6.4)', () => {
  it('reads an array and a WKT point', async () => {
    const body = await one("SELECT [30.5, 40]::GEO_POINT AS a, CAST('POINT (1.5 -2.5)' AS GEO_POINT) AS w");
    expect(body.rows).toEqual([[[30.5, 40], [1.5, -2.5]]]);
    expect(body.col_types).toEqual([13, 13]);
  });

  it('refuses a literal point off the globe and reads a WKT shape as GeoJSON', async () => {
    const off = (await engine.execute({ stmt: "SELECT 'POINT (200 1)'::geo_point", types: false, session })).body;
    expect(off).toMatchObject({ error: { code: 4000, message: "SQLParseException[Cannot cast `'POINT (200 1)'` of type `text` to type `geo_point`]" } });
    expect((await one("SELECT 'POLYGON ((0 0, 1 0, 1 1, 0 0))'::geo_shape")).rows).toEqual([[{ type: 'Polygon', coordinates: [[[0, 0], [1, 0], [1, 1], [0, 0]]] }]]);
  });
});

describe('intervals, printed by Joda', () => {
  it('prints years, months and days only when set, then always HH:MM:SS, milliseconds only when there are some', async () => {
    const body = await one(
      "SELECT '1 year 2 months 3 days 4 hours 5 minutes 6.789 seconds'::INTERVAL, '1 day'::INTERVAL, '0 seconds'::INTERVAL, " +
        "'25 hours'::INTERVAL, '2 years 1 second'::INTERVAL, '-1 day'::INTERVAL, '-0.5 seconds'::INTERVAL",
    );
    expect(body.rows).toEqual([
      ['1 year 2 mons 3 days 04:05:06.789', '1 day 00:00:00', '00:00:00', '25:00:00', '2 years 00:00:01', '-1 days 00:00:00', '00:00:-00.500'],
    ]);
    expect(body.col_types).toEqual([17, 17, 17, 17, 17, 17, 17]);
  });

  it('types a timestamp minus a timestamp as an interval, a timestamp plus an interval as a timestamp', async () => {
    const body = await one(
      "SELECT '2020-01-02'::TIMESTAMP - '2020-01-01T00:00:01'::TIMESTAMP AS d, '1 day'::INTERVAL + '2020-01-01'::TIMESTAMP AS t",
    );
    expect(body.rows).toEqual([['23:59:59', Date.UTC(2020, 0, 2)]]);
    expect(body.col_types).toEqual([17, 15]);
  });

  it('answers SHOW TRANSACTION ISOLATION LEVEL with the rewrite CrateDB runs', async () => {
    expect(await one('SHOW TRANSACTION ISOLATION LEVEL')).toMatchObject({ cols: ['transaction_isolation'], rows: [['read uncommitted']], rowcount: 1 });
  });
});

describe('literal casts and integer arithmetic, as CrateDB evaluates them', () => {
  const error = async (stmt: string): Promise<unknown> => ((await engine.execute({ stmt, types: false, session })).body as { error?: unknown }).error;

  it('checks a cast of a literal when the statement is analyzed, naming the literal and its type', async () => {
    expect(await error("SELECT 'abc'::int")).toEqual({ code: 4000, message: "SQLParseException[Cannot cast `'abc'` of type `text` to type `integer`]" });
    expect(await error('SELECT CAST(3000000000 AS INTEGER)')).toEqual({
      code: 4000, message: 'SQLParseException[Cannot cast `3000000000` of type `bigint` to type `integer`]',
    });
    expect(await error("SELECT 'maybe'::boolean")).toEqual({ code: 4000, message: "SQLParseException[Cannot cast `'maybe'` of type `text` to type `boolean`]" });
    expect(await error("SELECT 'now'::timestamp")).toEqual({
      code: 4000, message: "SQLParseException[Cannot cast `'now'` of type `text` to type `timestamp without time zone`]",
    });
    expect((await one("SELECT 'yes'::boolean, '10.0.0.1'::ip, '7'::bigint")).rows).toEqual([[true, '10.0.0.1', 7]]);
  });

  it('cuts the fraction off a cast to an integer type, as Java does, where PG rounds', async () => {
    expect((await one('SELECT 2.7::integer, CAST(-2.7 AS BIGINT), CAST(2.5 AS SMALLINT)')).rows).toEqual([[2, -2, 2]]);
  });

  it('overflows with Math.addExact\'s messages and adds smallints as integers', async () => {
    expect(await error('SELECT 2147483647 + 1')).toEqual({ code: 4000, message: 'SQLParseException[integer overflow]' });
    expect(await error('SELECT 9223372036854775807 * 2')).toEqual({ code: 4000, message: 'SQLParseException[long overflow]' });
    expect(await one('SELECT 32767::smallint + 1::smallint')).toMatchObject({ rows: [[32768]], col_types: [9] });
  });
});

describe('NUMERIC as CrateDB stores it', () => {
  const answer = async (stmt: string): Promise<{ rows?: unknown[][]; error?: unknown }> =>
    (await engine.execute({ stmt, types: false, session })).body as { rows?: unknown[][]; error?: unknown };

  it('stores only a NUMERIC with precision and scale, of up to 38 digits, and keeps the scale below the precision', async () => {
    expect((await answer('CREATE TABLE doc.nu1 (n NUMERIC)')).error).toEqual({
      code: 4004, message: 'UnsupportedFeatureException[NUMERIC storage is only supported if precision and scale are specified]',
    });
    expect((await answer('CREATE TABLE doc.nu2 (o OBJECT AS (n NUMERIC(40, 2)))')).error).toEqual({
      code: 4004, message: 'UnsupportedFeatureException[Precision for NUMERIC(40) is too large. Only up to 38 can be stored]',
    });
    expect((await answer('SELECT 1.5::numeric(3, 3)')).error).toEqual({
      code: 4000, message: 'SQLParseException[Scale of numeric must be less than the precision. NUMERIC(3, 3) is unsupported.]',
    });
    await answer('CREATE TABLE doc.nu3 (id INT PRIMARY KEY, n NUMERIC(5, 2), m NUMERIC(4))');
    expect((await answer("SELECT column_name, numeric_scale FROM information_schema.columns WHERE table_name = 'nu3' AND column_name <> 'id' ORDER BY 1")).rows)
      .toEqual([['m', 0], ['n', 2]]);
    expect((await answer('ALTER TABLE doc.nu3 ADD COLUMN d DATE')).error).toMatchObject({ code: 4004 });
    await answer('INSERT INTO doc.nu3 (id, n, m) VALUES (1, 1.005, 12.5)');
    expect((await answer('SELECT n, m FROM doc.nu3 WHERE id = 1')).rows).toEqual([[1.01, 13]]);
    await answer('DROP TABLE doc.nu3');
  });
});

describe('time functions over epoch milliseconds and zones', () => {
  it('formats, truncates and bins a number as epoch milliseconds, in a zone when one is given', async () => {
    const body = await one(
      "SELECT date_format('%Y-%m-%d %H:%i', 1704067200000), date_format('%Y-%m-%d %H:%i', 'Europe/Berlin', 1704067200000), " +
        "date_trunc('day', 1704067200123), date_trunc('day', 'Europe/Berlin', 1704067200000), " +
        "date_bin('15 minutes'::interval, '2024-01-02T03:20:00Z'::timestamptz, '2024-01-01T00:00:00Z'::timestamptz), " +
        'latitude([1, 2]::geo_point), longitude([1, 2]::geo_point)',
    );
    expect(body.rows).toEqual([['2024-01-01 00:00', '2024-01-01 01:00', 1704067200000, 1704063600000, 1704165300000, 2, 1]]);
  });
});

describe('EXTRACT with the ISO chronology of ExtractFunctions', () => {
  it('counts weekdays from Monday, centuries of the era, whole seconds, and takes epoch milliseconds', async () => {
    const body = await one(
      "SELECT extract(dow from '2024-01-07'::timestamp), extract(day_of_week from '2024-01-08'::timestamp), " +
        "extract(century from '2024-01-01'::timestamp), extract(second from '2024-01-01T00:00:05.678'::timestamp), " +
        "extract(day_of_year from '2024-02-01'::timestamp), extract(day from 1704067200000)",
    );
    expect(body.rows).toEqual([[7, 1, 20, 5, 32, 1]]);
    const tz = (await engine.execute({ stmt: "SELECT extract(timezone_hour from '2024-01-01'::timestamptz)", types: false, session })).body;
    expect(tz).toMatchObject({ error: { code: 4004, message: 'UnsupportedFeatureException[Extract( TIMEZONE_HOUR from <expression>) is not supported]' } });
  });
});

describe('output names of casts and LIKE', () => {
  it('prints the type as ExpressionFormatter does: words apart, parameters after a comma, arrays as array(...), objects as object', async () => {
    const body = await one("SELECT CAST('2024-01-01' AS TIMESTAMP WITH TIME ZONE), '1.5'::numeric(10,2), [1]::integer[], {a=1}::object(strict) as (a int), TRY_CAST('x' AS DOUBLE PRECISION), '1'::INT");
    expect(body.cols).toEqual([
      "CAST('2024-01-01' AS timestamp with time zone)", "CAST('1.5' AS numeric(10, 2))", 'CAST([1] AS array(integer))',
      'CAST({a= 1} AS object)', "TRY_CAST('x' AS double precision)", "CAST('1' AS int)",
    ]);
  });

  it('prints LIKE ANY / ALL as visitArrayLikePredicate does, and an ESCAPE', async () => {
    const body = await one("SELECT 'ab' LIKE ANY(['a%']), 'ab' NOT ILIKE ALL(['x%']), 'ab' LIKE 'a!%' ESCAPE '!'");
    expect(body.cols).toEqual(["'ab' LIKE ANY (['a%']) ", "'ab' NOT ILIKE ALL (['x%']) ", "'ab' LIKE 'a!%' ESCAPE '!'"]);
    expect(body.rows).toEqual([[true, true, false]]);
  });

  it('names x IN (subquery) by its parts, and AT TIME ZONE after the timezone function it parses into', async () => {
    const body = await one("SELECT 1 IN (SELECT 1), 2 NOT IN (SELECT 1), '2024-01-01T00:00:00Z'::timestamptz AT TIME ZONE 'UTC'");
    expect(body.cols).toEqual(['1 IN (SELECT 1)', '2 NOT IN (SELECT 1)', 'timezone']);
    expect(body.rows).toEqual([[true, true, Date.UTC(2024, 0, 1)]]);
  });
});

describe('concat of arrays and objects, object_keys', () => {
  it('joins arrays into one, merges objects, and concatenates anything else as text', async () => {
    const body = await one("SELECT concat({a=1}, {b=2}), concat([1, 2], [3]), concat(['a'], ['b'], ['c']), concat('a', 1, NULL), object_keys({a=1, b={c=2}})");
    expect(body.rows).toEqual([[{ a: 1, b: 2 }, [1, 2, 3], ['a', 'b', 'c'], 'a1', ['a', 'b']]]);
  });

  it('gives object_keys in the object\'s order (a literal\'s, a column\'s definition then dynamic keys), NULL for NULL', async () => {
    const literal = await one('SELECT object_keys({zz=1, a=2, mmm=3}), object_keys(NULL), object_keys({})');
    expect(literal.rows).toEqual([[['zz', 'a', 'mmm'], null, []]]);
    await one('CREATE TABLE doc.keys_order (id INT PRIMARY KEY, o OBJECT AS (zeta TEXT, a INT, mid OBJECT AS (y INT, b INT)))');
    try {
      await one("INSERT INTO doc.keys_order (id, o) VALUES (1, {extra=5, a=1, zeta='z', mid={b=3, y=2}})");
      const column = await one('SELECT object_keys(o), object_keys(o[\'mid\']) FROM doc.keys_order WHERE id = 1');
      expect(column.rows).toEqual([[['zeta', 'a', 'mid', 'extra'], ['y', 'b']]]);
    } finally {
      await one('DROP TABLE doc.keys_order');
    }
  });
});

describe('array slices, trunc, vector_similarity, and subscripts of object literals', () => {
  it('slices by function and by a[from:to], names the slice as CrateDB formats it, and gives [] for a null array', async () => {
    const body = await one("SELECT array_slice(['a','b','c'], 2, 3), ['a','b','c'][2:], [1,2,3][:2], array_slice(NULL::array(text), 1, 2)");
    expect(body.cols).toEqual(['array_slice', "['a', 'b', 'c'][2:]", '[1, 2, 3][:2]', 'array_slice']);
    expect(body.rows).toEqual([[['b', 'c'], ['b', 'c'], [1, 2], []]]);
  });

  it('truncates toward zero to an integral type, or to a number of digits as a double (TruncFunction)', async () => {
    const body = await one('SELECT trunc(-1.789), trunc(1.5::real), trunc(1.789, 2), trunc(-1.789, 1)');
    expect(body.col_types).toEqual([10, 9, 6, 6]);
    expect(body.rows).toEqual([[-1, 1, 1.78, -1.7]]);
  });

  it('scores float vectors by Lucene\'s euclidean similarity as a real, and refuses vectors of different lengths', async () => {
    const body = await one('SELECT vector_similarity([1.0, 2.0], [1.0, 3.0]), vector_similarity([3.0, 4.0], [1.0, 3.0]), vector_similarity(NULL, [1.0])');
    expect(body.col_types).toEqual([7, 7, 7]);
    expect(body.rows).toEqual([[0.5, 0.16666667, null]]);
    expect(await one('SELECT vector_similarity([1.0, 2.0], [1.0])')).toMatchObject({ error: { code: 4000, message: 'SQLParseException[Vectors must have same length]' } });
  });

  it('unnests several arrays into col1, col2, ..., each typed by its elements and padded with nulls', async () => {
    const body = await one("SELECT * FROM unnest([1, 2], ['a', 'b', 'c'])");
    expect(body.cols).toEqual(['col1', 'col2']);
    expect(body.col_types).toEqual([9, 4]);
    expect(body.rows).toEqual([[1, 'a'], [2, 'b'], [null, 'c']]);
  });

  it('takes arrays of arrays of different lengths, alone and inside object literals', async () => {
    const body = await one('SELECT [[1, 2], [3]], [[1, 2], [3]][2], {a = [[1, 2]]}');
    expect(body.col_types).toEqual([[100, [100, 9]], [100, 9], 12]);
    expect(body.rows).toEqual([[[[1, 2], [3]], [3], { a: [[1, 2]] }]]);
  });

  it('reads a key of an object literal with the type of its value, and names the map when the key is missing', async () => {
    const body = await one("SELECT {a=1}['a'], {a={b='x'}}['a']['b']");
    expect(body.col_types).toEqual([9, 4]);
    expect(body.rows).toEqual([[1, 'x']]);
    expect(await one("SELECT {a='x', b={c=2}}['z']")).toMatchObject({
      error: { code: 4043, message: 'ColumnUnknownException[The object `{a=x, b={c=2}}` does not contain the key `z`]' },
    });
  });
});

describe('casts to text as StringType makes them', () => {
  it('prints booleans as t and f, objects as compact JSON, refuses arrays, cuts an explicit cast to its length', async () => {
    expect((await one("SELECT true::text, false::text, {a=1, b=[1, 2], c={d='x'}}::text, 'abcdef'::varchar(3)")).rows).toEqual([
      ['t', 'f', '{"a":1,"b":[1,2],"c":{"d":"x"}}', 'abc'],
    ]);
    expect((await engine.execute({ stmt: 'SELECT [1, 2]::text', types: false, session })).body).toMatchObject({
      error: { code: 4000, message: 'SQLParseException[Cannot cast `[1, 2]` of type `integer_array` to type `text`]' },
    });
  });

  it('on INSERT, cuts blanks beyond a VARCHAR\'s length and names longer text by its first 20 characters', async () => {
    const run = async (stmt: string): Promise<{ rows?: unknown[][]; error?: unknown }> =>
      (await engine.execute({ stmt, types: false, session })).body as { rows?: unknown[][]; error?: unknown };
    await run('CREATE TABLE doc.vc (id INT PRIMARY KEY, v VARCHAR(3), s TEXT)');
    await run("INSERT INTO doc.vc (id, v, s) VALUES (1, 'ab   ', true)");
    expect((await run('SELECT v, s FROM doc.vc WHERE id = 1')).rows).toEqual([['ab ', 't']]);
    expect((await run("INSERT INTO doc.vc (id, v) VALUES (2, 'abcdefghijklmnopqrstuvwxyz')")).error).toEqual({
      code: 4000, message: "SQLParseException['abcdefghijklmnopqrst...' is too long for the text type of length: 3]",
    });
    await run('DROP TABLE doc.vc');
  });
});

describe('the _doc and _raw system columns', () => {
  it('give the row\'s source: the columns that hold a value, in table order as text, timestamps as epoch milliseconds', async () => {
    const run = async (stmt: string): Promise<{ rows?: unknown[][] }> => (await engine.execute({ stmt, types: false, session })).body as { rows?: unknown[][] };
    await run('CREATE TABLE doc.src (id INT PRIMARY KEY, a TEXT, o OBJECT AS (x INT), ts TIMESTAMP, g GEO_POINT, n TEXT)');
    await run("INSERT INTO doc.src (id, a, o, ts, g) VALUES (1, 'x', {x=1}, '2024-01-01', [1.5, 2.5])");
    expect((await run("SELECT _raw, _doc['ts'], _doc['n'] FROM doc.src WHERE id = 1")).rows).toEqual([
      ['{"id":1,"a":"x","o":{"x":1},"ts":1704067200000,"g":[1.5,2.5]}', 1704067200000, null],
    ]);
    expect((await run('SELECT * FROM doc.src WHERE id = 1')).rows![0]).toHaveLength(6);
    await run('DROP TABLE doc.src');
  });
});

describe('log, ln, the && operator and empty_row()', () => {
  it('takes log(x, b) as base b, and refuses what Java makes -Infinity or NaN, naming the form', async () => {
    expect((await one('SELECT log(100), log(8, 2), ln(1), pg_backend_pid()')).rows).toEqual([[2, 3, 0, -1]]);
    expect(await one('SELECT log(0)')).toMatchObject({ error: { code: 4000, message: "SQLParseException[log(x): given arguments would result in: '-Infinity']" } });
    expect(await one('SELECT log(10, -1)')).toMatchObject({ error: { code: 4000, message: "SQLParseException[log(x, b): given arguments would result in: 'NaN']" } });
    expect(await one('SELECT log(10, 1)')).toMatchObject({ error: { code: 4000, message: "SQLParseException[log(x, b): given 'base' would result in a division by zero.]" } });
  });

  it('reads a && b as array_overlap, and empty_row() as one row without columns', async () => {
    expect((await one('SELECT [1] && [1, 2], [1] && [3]')).rows).toEqual([[true, false]]);
    expect(await one('SELECT * FROM empty_row()')).toMatchObject({ cols: [], rows: [[]], rowcount: 1 });
  });
});
