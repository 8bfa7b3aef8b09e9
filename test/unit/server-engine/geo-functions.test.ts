/**
 * CrateDB's geo functions and the geo form of match, as CrateDB evaluates them: within / intersects as
 * spatial4j relates shapes (JTS, planar in degrees; within false for equal shapes, a point's boundary
 * counted in), area in square degrees on the sphere (spatial4j's getArea), the 12-character geohash
 * (GeoHashUtils), with their col_types, WHERE filtering and the errors of their signatures and casts. The
 * expected values marked "CrateDB's" are those of CrateDB's own function tests.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Engine, Session } from '../../server/contract.js';
import { createEngine } from '../../server/engine/index.js';

// One engine for the file: PGlite takes seconds to start. The tables are made once, in beforeAll.
let engine: Engine;
const session: Session = { id: 1, schema: 'doc', user: 'crate' };

type Body = { cols?: string[]; rows?: unknown[][]; col_types?: unknown[]; rowcount?: number; error?: { code: number; message: string } };

async function run(stmt: string, args?: unknown[]): Promise<Body> {
  return (await engine.execute({ stmt, types: true, session, ...(args ? { args } : {}) })).body as Body;
}

async function rows(stmt: string, args?: unknown[]): Promise<unknown[][] | undefined> {
  const body = await run(stmt, args);
  if (body.error) throw new Error(body.error.message);
  return body.rows;
}

const error = async (stmt: string): Promise<unknown> => (await run(stmt)).error;

const SQUARE = "'POLYGON ((0 0, 10 0, 10 10, 0 10, 0 0))'";
const HOLED = "'POLYGON ((0 0, 10 0, 10 10, 0 10, 0 0), (4 4, 6 4, 6 6, 4 6, 4 4))'";

beforeAll(async () => {
  engine = await createEngine({ version: '6.4' });
  for (const stmt of [
    'CREATE TABLE places (id INT PRIMARY KEY, p GEO_POINT, s GEO_SHAPE, w TEXT) WITH (refresh_interval = 0)',
    "INSERT INTO places (id, p, s, w) VALUES (1, [1, 1], 'POLYGON ((0 0, 2 0, 2 2, 0 2, 0 0))', 'POINT (1 1)'), " +
      "(2, [5, 5], 'LINESTRING (4 4, 6 6)', 'LINESTRING (20 20, 21 21)'), (3, [15, 15], 'POINT (15 15)', NULL), " +
      "(4, [4, 5], NULL, NULL), (5, NULL, 'MULTIPOLYGON (((30 30, 31 30, 31 31, 30 30)), ((3 3, 4 3, 4 4, 3 3)))', NULL)",
    'REFRESH TABLE places',
  ]) {
    const body = await run(stmt);
    if (body.error) throw new Error(body.error.message);
  }
});
afterAll(async () => {
  await engine?.close();
});

describe('within (WithinFunction)', () => {
  it('relates points and shapes to polygons, answered as a boolean', async () => {
    const body = await run(
      `SELECT within('POINT (1 1)', 'POLYGON ((0 0, 2 0, 2 2, 0 2, 0 0))'), within('POINT (10 10)', 'POLYGON ((5 5, 20 5, 30 30, 5 30, 5 5))'), ` +
        "within('LINESTRING (8 15, 13 24)', 'POLYGON ((5 5, 20 5, 30 30, 5 30, 5 5))'), within('LINESTRING (8 15, 40 74)', 'POLYGON ((5 5, 20 5, 30 30, 5 30, 5 5))')",
    );
    // CrateDB's: true, true, true, false.
    expect(body.rows).toEqual([[true, true, true, false]]);
    expect(body.col_types).toEqual([3, 3, 3, 3]);
  });

  it('is false for a shape and itself (spatial4j says CONTAINS first) and for anything against a point', async () => {
    expect(await rows(`SELECT within(${SQUARE}, ${SQUARE}), within('POINT (1.0 0.0)', {type='Point', coordinates=[0.0, 1.0]}), within('POINT (1 1)', 'POINT (1 1)')`)).toEqual([
      [false, false, false],
    ]);
  });

  it('counts a polygon\'s border in (covers), keeps a hole out and reads every polygon of a multipolygon', async () => {
    expect(await rows(
      `SELECT within('POINT (10 5)', ${SQUARE}), within('POINT (5 5)', ${HOLED}), within('POINT (4 5)', ${HOLED}), within('POINT (2 2)', ${HOLED}), ` +
        `within('POLYGON ((1 1, 2 1, 2 2, 1 2, 1 1))', ${HOLED}), within('POLYGON ((3 3, 7 3, 7 7, 3 7, 3 3))', ${HOLED}), ` +
        "within('POINT (21 21)', 'MULTIPOLYGON (((0 0, 1 0, 1 1, 0 0)), ((20 20, 22 20, 22 22, 20 22, 20 20)))')",
    )).toEqual([[true, false, true, true, true, false, true]]);
  });

  it('takes a geo_point column with WKT text, GeoJSON or a geo_shape column on the right', async () => {
    expect(await rows(`SELECT id, within(p, ${SQUARE}), within(p, s), within(s, 'POLYGON ((-1 -1, 10 -1, 10 10, -1 10, -1 -1))') FROM places ORDER BY id`)).toEqual([
      [1, true, true, true],
      [2, true, true, true],
      [3, false, false, false],
      [4, true, null, null],
      [5, null, null, false],
    ]);
    expect(await rows('SELECT id FROM places WHERE within(p, ?) ORDER BY id', [{ type: 'Polygon', coordinates: [[[0, 0], [10, 0], [10, 10], [0, 10], [0, 0]]] }])).toEqual([[1], [2], [4]]);
  });

  it('is null for a null argument', async () => {
    expect(await rows("SELECT within(NULL, 'POINT (1 1)'), within('POINT (1 1)', NULL), within(p, NULL) FROM places WHERE id = 1")).toEqual([[null, null, null]]);
  });

  it('filters rows in WHERE: points in a polygon, its hole left out, from a literal or a parameter', async () => {
    expect(await rows(`SELECT id FROM places WHERE within(p, ${SQUARE}) ORDER BY id`)).toEqual([[1], [2], [4]]);
    expect(await rows(`SELECT id FROM places WHERE within(p, ${HOLED}) ORDER BY id`)).toEqual([[1], [4]]);
    expect(await rows('SELECT id FROM places WHERE NOT within(p, ?) ORDER BY id', ['POLYGON ((0 0, 10 0, 10 10, 0 10, 0 0))'])).toEqual([[3]]);
  });
});

describe('intersects (IntersectsFunction)', () => {
  it('answers CrateDB\'s cases, a touch and exact coordinates included', async () => {
    const body = await run(
      "SELECT intersects('LINESTRING (0 0, 10 10)', 'LINESTRING (0 2, 0 -2)'), " +
        "intersects('POLYGON ((0 0, 10 10, 10 0, 0 0), (5 1, 7 1, 7 2, 5 2, 5 1))', 'LINESTRING (0 2, 0 -2)'), " +
        "intersects('POINT (0 0)', 'POLYGON ((1 1, 1 -1, -1 -1, -1 1, 1 1))'), intersects('POINT (100 0)', 'POLYGON ((1 1, 1 -1, -1 -1, -1 1, 1 1))'), " +
        "intersects('POINT (100.00000000000001 0.0)', 'LINESTRING (100.00000000000001 0.0, 10 10)'), " +
        "intersects('POINT (100.00000000000001 0.0)', 'LINESTRING (100.00000000000003 0.0, 10 10)')",
    );
    expect(body.rows).toEqual([[true, true, true, false, true, false]]);
    expect(body.col_types).toEqual([3, 3, 3, 3, 3, 3]);
  });

  it('reads a geo_shape column against a literal, and GeoJSON in lower case from a parameter', async () => {
    expect(await rows("SELECT id, intersects(s, 'LINESTRING (0 3, 10 3)') FROM places ORDER BY id")).toEqual([[1, false], [2, false], [3, false], [4, null], [5, true]]);
    expect(await rows('SELECT intersects(?, ?)', ['POINT (100 0)', { type: 'linestring', coordinates: [[0, 0], [10, 10]] }])).toEqual([[false]]);
  });
});

describe('area (AreaFunction)', () => {
  it('is spatial4j\'s area in square degrees on the sphere, a double', async () => {
    const body = await run("SELECT area('POLYGON ((-2 -1, -2 2, 5 2, 5 -1, -2 -1))'), area('POLYGON ((5 5, 10 5, 10 10, 5 10, 5 5))'), round(area('POLYGON ((-2 -1, -2 2, 5 2, 5 -1, -2 -1))'))");
    // CrateDB's: 20.996801695711337, 24.7782574034212 and 21.
    expect(body.rows).toEqual([[20.996801695711337, 24.7782574034212, 21]]);
    expect(body.col_types).toEqual([6, 6, 10]);
  });

  it('scales the planar share of the bounding box, sums the parts of a multipolygon, is 0 for points and lines', async () => {
    const [[holed, triangle, multi, line, point]] = (await rows(
      `SELECT area(${HOLED}), area('POLYGON ((0 0, 2 0, 0 2, 0 0))'), area('MULTIPOLYGON (((0 0, 1 0, 1 1, 0 1, 0 0)), ((10 10, 11 10, 11 11, 10 11, 10 10)))'), ` +
        "area('LINESTRING (0 0, 1 1)'), area('POINT (1 1)')",
    )) as number[][];
    const box = (minLat: number, maxLat: number, width: number): number =>
      (Math.PI / 180) * (180 / Math.PI) * (180 / Math.PI) * Math.abs(Math.sin((minLat * Math.PI) / 180) - Math.sin((maxLat * Math.PI) / 180)) * width;
    expect(holed).toBeCloseTo(box(0, 10, 10) * 0.96, 10);
    expect(triangle).toBeCloseTo(box(0, 2, 2) / 2, 10);
    expect(multi).toBeCloseTo(box(0, 1, 1) + box(10, 11, 1), 10);
    expect([line, point]).toEqual([0, 0]);
  });

  it('reads a geo_shape column; null stays null', async () => {
    const got = (await rows('SELECT id, area(s) FROM places ORDER BY id')) as Array<[number, number | null]>;
    expect(got.map(([id, a]) => [id, a === null ? null : Math.round(a * 1000) / 1000])).toEqual([[1, 3.999], [2, 0], [3, 0], [4, null], [5, 0.93]]);
  });
});

describe('geohash (GeoHashFunction)', () => {
  it('encodes a point in 12 characters, from a column, WKT text or a [lon, lat] array', async () => {
    const body = await run("SELECT geohash('POINT (9.7427 47.4050)'), geohash('POINT (10 20)'), geohash([10.0, 20.0]), geohash('POINT (180 90)'), geohash('POINT (-180 -90)')");
    // CrateDB's: u0qvtty6jk7x and s5x1g8cu2yhr.
    expect(body.rows).toEqual([['u0qvtty6jk7x', 's5x1g8cu2yhr', 's5x1g8cu2yhr', 'zzzzzzzzzzzz', '000000000000']]);
    expect(body.col_types).toEqual([4, 4, 4, 4, 4]);
    expect(await rows('SELECT id, geohash(p), geohash(w) FROM places WHERE id IN (1, 5) ORDER BY id')).toEqual([
      [1, 's00twy01mtw0', 's00twy01mtw0'],
      [5, null, null],
    ]);
  });
});

describe('errors of the geo functions', () => {
  it('names the signatures when no overload takes the arguments (Functions.raiseUnknownFunction)', async () => {
    expect(await error('SELECT area(1)')).toEqual({
      code: 4004,
      message: 'UnsupportedFunctionException[Unknown function: area(1), no overload found for matching argument types: (integer). Possible candidates: area(geo_shape):double precision]',
    });
    expect(await error("SELECT area(s, 'foo') FROM places")).toEqual({
      code: 4004,
      message: "UnsupportedFunctionException[Unknown function: area(doc.places.s, 'foo'), no overload found for matching argument types: (geo_shape, text). Possible candidates: area(geo_shape):double precision]",
    });
    expect(await error('SELECT within(p, 1) FROM places')).toEqual({
      code: 4004,
      message:
        'UnsupportedFunctionException[Unknown function: within(doc.places.p, 1), no overload found for matching argument types: (geo_point, integer). Possible candidates: ' +
        'within(geo_shape, geo_shape):boolean, within(geo_point, geo_shape):boolean, within(geo_point, text):boolean, within(geo_point, object):boolean, within(geo_point, undefined):boolean]',
    });
    expect(await error('SELECT intersects(x.p, x.s) FROM places x')).toEqual({
      code: 4004,
      message: 'UnsupportedFunctionException[Unknown function: intersects(x.p, x.s), no overload found for matching argument types: (geo_point, geo_shape). Possible candidates: intersects(geo_shape, geo_shape):boolean]',
    });
    expect(await error('SELECT geohash()')).toEqual({ code: 4004, message: 'UnsupportedFunctionException[Unknown function: geohash(). Possible candidates: geohash(geo_point):text]' });
  });

  it('fails a literal that does not cast when the statement is analyzed, and text read per row when it is read', async () => {
    expect(await error("SELECT area('POLYGON (foo)')")).toEqual({ code: 4000, message: "SQLParseException[Cannot cast `'POLYGON (foo)'` of type `text` to type `geo_shape`]" });
    expect(await error("SELECT geohash('POINT (foo)')")).toEqual({ code: 4000, message: "SQLParseException[Cannot cast `'POINT (foo)'` of type `text` to type `geo_point`]" });
    expect(await error("SELECT within('POINT (1 1)', 'POLYGON ((0 0, 1 0, 1 1, 0 1))')")).toEqual({
      code: 4000, message: "SQLParseException[Cannot cast `'POLYGON ((0 0, 1 0, 1 1, 0 1))'` of type `text` to type `geo_shape`]",
    });
    expect(await rows("SELECT id, intersects(w, 'POINT (1 1)') FROM places ORDER BY id")).toEqual([[1, true], [2, false], [3, null], [4, null], [5, null]]);
    expect(await error("SELECT intersects(w, 'POINT (1 1)') FROM (SELECT 'garbage' AS w) AS x")).toEqual({
      code: 4000, message: 'SQLParseException[Cannot cast value `garbage` to type `geo_shape`]',
    });
  });

  it('reads within()\'s text argument as WKT, with spatial4j\'s message for one it cannot read', async () => {
    expect(await error("SELECT id FROM places WHERE within(p, 'garbage')")).toEqual({ code: 4000, message: 'SQLParseException[Cannot convert WKT "garbage" to shape]' });
    expect(await error("SELECT id FROM places WHERE within(p, 'POLYGON ((0 0, 200 0, 200 1, 0 0))')")).toEqual({
      code: 4000, message: 'SQLParseException[Cannot convert WKT "POLYGON ((0 0, 200 0, 200 1, 0 0))" to shape]',
    });
  });
});

describe('match on a geo_shape column (MatchPredicate.geoMatch)', () => {
  const AROUND = "'POLYGON ((-1 -1, 10 -1, 10 10, -1 10, -1 -1))'";
  const EAST = "'POLYGON ((3 3, 10 3, 10 10, 3 10, 3 3))'";

  it('filters by intersects (the default), within and disjoint, with a constant score', async () => {
    expect(await rows(`SELECT id FROM places WHERE match(s, ${EAST}) ORDER BY id`)).toEqual([[2], [5]]);
    expect(await rows(`SELECT id FROM places WHERE match(s, ${EAST}) USING intersects ORDER BY id`)).toEqual([[2], [5]]);
    expect(await rows(`SELECT id FROM places WHERE match(s, ${AROUND}) USING within ORDER BY id`)).toEqual([[1], [2]]);
    expect(await rows(`SELECT id FROM places WHERE match(s, ${EAST}) USING disjoint ORDER BY id`)).toEqual([[1], [3]]);
    expect(await rows(`SELECT id, _score FROM places WHERE match(s, ${EAST}) ORDER BY id`)).toEqual([[2, 1], [5, 1]]);
  });

  it('matches a shape within itself (the index\'s within, unlike the within function), and rows without one under NOT', async () => {
    expect(await rows("SELECT id FROM places WHERE match(s, 'POLYGON ((0 0, 2 0, 2 2, 0 2, 0 0))') USING within ORDER BY id")).toEqual([[1]]);
    expect(await rows(`SELECT id FROM places WHERE NOT match(s, ${EAST}) ORDER BY id`)).toEqual([[1], [3], [4]]);
  });

  it('takes the shape from a parameter, as WKT or GeoJSON', async () => {
    expect(await rows('SELECT id FROM places WHERE match(s, ?) USING within ORDER BY id', ['POLYGON ((-1 -1, 10 -1, 10 10, -1 10, -1 -1))'])).toEqual([[1], [2]]);
    expect(await rows('SELECT id FROM places WHERE match(s, ?) ORDER BY id', [{ type: 'Point', coordinates: [15, 15] }])).toEqual([[3]]);
  });

  it('refuses what CrateDB\'s analysis refuses', async () => {
    expect(await error(`SELECT id FROM places WHERE match(s, ${EAST}) USING phrase`)).toEqual({
      code: 4000, message: "SQLParseException[invalid MATCH type 'phrase' for type 'geo_shape', valid types are: [intersects,disjoint,within]]",
    });
    expect(await error(`SELECT id FROM places WHERE match(p, ${EAST})`)).toEqual({
      code: 4000, message: "SQLParseException[Can only use MATCH on columns of type STRING or GEO_SHAPE, not on 'geo_point']",
    });
    expect(await error(`SELECT id FROM places WHERE match((s, w), ${EAST})`)).toEqual({
      code: 4000, message: 'SQLParseException[All columns within a match predicate must be of the same type. Found geo_shape and text]',
    });
    expect(await error("SELECT id FROM places WHERE match(s, 'garbage')")).toEqual({
      code: 4000, message: "SQLParseException[Cannot cast `'garbage'` of type `text` to type `geo_shape`]",
    });
    expect(await error('SELECT id FROM places WHERE match(s, NULL)')).toEqual({ code: 4000, message: 'SQLParseException[cannot use NULL as query term in match predicate]' });
  });

  it('leaves the text form alone', async () => {
    expect(await rows("SELECT id FROM places WHERE match(w, 'POINT (1 1)') ORDER BY id")).toEqual([[1]]);
  });
});
