import { describe, expect, it } from 'vitest';
import { CrateError } from '../../server/engine/errors.js';
import { T, type CrateType } from '../../server/engine/types.js';
import { parseWkt } from '../../server/engine/geo.js';
import { coerce, convertible, guessType, javaString, parseTimestamp, toPg, type CoerceContext } from '../../server/engine/values.js';

const param = { kind: 'param' } as const;
const ctx = (column = 'c'): CoerceContext => ({ column, added: [] });

function errorOf(fn: () => unknown): CrateError {
  try {
    fn();
  } catch (e) {
    if (e instanceof CrateError) return e;
    throw e;
  }
  throw new Error('expected a CrateError');
}

describe('coerce: CrateDB conversions on write', () => {
  it('converts a string holding a number into an integer and truncates a float', () => {
    expect(coerce('123', T.integer, param, ctx())).toBe(123);
    expect(coerce(1.7, T.integer, param, ctx())).toBe(1);
    expect(coerce(-1.7, T.integer, param, ctx())).toBe(-1);
  });

  it('fails a value that cannot convert with the parameter wording', () => {
    const e = errorOf(() => coerce('abc', T.integer, param, ctx()));
    expect(e.code).toBe(4000);
    expect(e.message).toBe('SQLParseException[Cannot cast value `abc` to type `integer`]');
  });

  it('uses the literal wording for a literal of the statement', () => {
    const e = errorOf(() => coerce('maybe', T.boolean, { kind: 'literal', text: "'maybe'", type: T.text }, ctx()));
    expect(e.message).toBe("SQLParseException[Cannot cast `'maybe'` of type `text` to type `boolean`]");
  });

  it('fails an array or object with the whole value and the column type, not the element', () => {
    expect(errorOf(() => coerce([1, 'x'], T.array(T.integer), param, ctx())).message).toBe(
      'SQLParseException[Cannot cast value `[1, x]` to type `integer_array`]',
    );
    const literal = { kind: 'literal', text: "['a']", type: T.array(T.text) } as const;
    expect(errorOf(() => coerce(['a'], T.array(T.integer), literal, ctx())).message).toBe(
      "SQLParseException[Cannot cast `['a']` of type `text_array` to type `integer_array`]",
    );
    const strict = T.object([{ name: 'x', type: T.integer }], 'strict');
    expect(errorOf(() => coerce({ x: 'abc' }, strict, param, ctx('o'))).message).toBe('SQLParseException[Cannot cast value `{x=abc}` to type `object`]');
    // Not a cast failure: the strict object's own rule keeps its message.
    expect(errorOf(() => coerce({ y: 1 }, strict, param, ctx('o'))).message).toBe('SQLParseException[Cannot add column `y` to strict object `o`]');
  });

  it('rejects integers out of range', () => {
    expect(errorOf(() => coerce(3_000_000_000, T.integer, param, ctx())).code).toBe(4000);
    expect(coerce(3_000_000_000, T.bigint, param, ctx())).toBe(3_000_000_000);
    expect(coerce(2n ** 60n, T.bigint, param, ctx())).toBe(2n ** 60n);
  });

  it('reads a long integer string digit by digit and refuses one beyond bigint', () => {
    expect(coerce('9007199254740993', T.bigint, param, ctx())).toBe(9007199254740993n);
    expect(coerce('-9223372036854775808', T.bigint, param, ctx())).toBe(-9223372036854775808n);
    expect(errorOf(() => coerce('9223372036854775808', T.bigint, param, ctx())).message).toBe(
      'SQLParseException[Cannot cast value `9223372036854775808` to type `bigint`]',
    );
    expect(errorOf(() => coerce(2n ** 63n, T.bigint, param, ctx())).code).toBe(4000);
  });

  it('refuses a finite number beyond the range of real, as FloatType.implicitCast does', () => {
    expect(errorOf(() => coerce(1e40, T.real, param, ctx())).message).toBe('SQLParseException[Cannot cast value `1.0E40` to type `real`]');
    expect(coerce(1e30, T.real, param, ctx())).toBe(1e30);
    expect(coerce(1e40, T.double, param, ctx())).toBe(1e40);
  });

  it('checks the length of varchar(n)', () => {
    const e = errorOf(() => coerce('abcdef', { kind: 'text', length: 5 }, param, ctx()));
    expect(e.message).toBe("SQLParseException['abcdef' is too long for the text type of length: 5]");
    expect(coerce('abcde', { kind: 'text', length: 5 }, param, ctx())).toBe('abcde');
  });

  it('drops an ISO offset for TIMESTAMP WITHOUT TIME ZONE and converts it for WITH TIME ZONE', () => {
    expect(coerce('1979-10-12T10:00:00+02:00', T.timestamp, param, ctx())).toBe(Date.UTC(1979, 9, 12, 10));
    expect(coerce('1979-10-12T10:00:00+02:00', T.timestamptz, param, ctx())).toBe(Date.UTC(1979, 9, 12, 8));
    expect(coerce('1979-10-12', T.timestamptz, param, ctx())).toBe(Date.UTC(1979, 9, 12));
    expect(coerce(308534400000, T.timestamp, param, ctx())).toBe(308534400000);
    expect(errorOf(() => coerce('not a date', T.timestamp, param, ctx())).message).toBe(
      'SQLParseException[Cannot cast value `not a date` to type `timestamp without time zone`]',
    );
  });

  it('refuses a date or time field out of range instead of rolling it over, and keeps years below 100', () => {
    for (const bad of ['2024-13-01', '2023-02-29', '2024-04-31', '2024-01-01T24:00:00', '2024-01-01T10:60:00', '2024-00-10']) {
      expect(errorOf(() => coerce(bad, T.timestamptz, param, ctx())).message).toBe(
        `SQLParseException[Cannot cast value \`${bad}\` to type \`timestamp with time zone\`]`,
      );
    }
    expect(coerce('2024-02-29', T.timestamptz, param, ctx())).toBe(Date.UTC(2024, 1, 29));
    expect(coerce('2000-02-29T23:59:59.5', T.timestamp, param, ctx())).toBe(Date.UTC(2000, 1, 29, 23, 59, 59, 500));
    expect(new Date(parseTimestamp('0042-03-04', true)!).toISOString()).toBe('0042-03-04T00:00:00.000Z');
  });

  it('rejects unknown keys of a strict object and records new keys of a dynamic one', () => {
    const strict: CrateType = { kind: 'object', policy: 'strict', fields: [{ name: 'a', type: T.integer }] };
    expect(errorOf(() => coerce({ a: 1, zzz: 2 }, strict, param, ctx('o'))).message).toBe(
      'SQLParseException[Cannot add column `zzz` to strict object `o`]',
    );
    const c = ctx('od');
    coerce({ k: [1, 2], nested: { z: true } }, T.object([], 'dynamic'), param, c);
    expect(c.added.map((a) => [a.path.join('.'), a.type.kind])).toEqual([
      ['k', 'array'],
      ['nested', 'object'],
    ]);
    expect(c.added[0]!.type).toEqual(T.array(T.bigint));
  });

  it('checks vector dimensions, bit strings and IP addresses', () => {
    expect(errorOf(() => coerce([1, 2], { kind: 'float_vector', dims: 3 }, param, ctx())).message).toBe(
      'SQLParseException[The number of vector dimensions does not match the field type]',
    );
    expect(coerce('1010', { kind: 'bit', length: 4 }, param, ctx())).toBe('1010');
    expect(coerce('::ffff:10.0.0.1', { kind: 'ip' }, param, ctx())).toBe('10.0.0.1');
    expect(errorOf(() => coerce('not-an-ip', { kind: 'ip' }, param, ctx())).code).toBe(4000);
  });

  it('reads geo points from arrays and WKT, shapes from WKT', () => {
    expect(coerce('POINT (13.4 52.5)', { kind: 'geo_point' }, param, ctx())).toEqual([13.4, 52.5]);
    expect(coerce([-180, 90], { kind: 'geo_point' }, param, ctx())).toEqual([-180, 90]);
    expect(parseWkt('POLYGON ((5 5, 10 5, 10 10, 5 5))')).toEqual({ type: 'Polygon', coordinates: [[[5, 5], [10, 5], [10, 10], [5, 5]]] });
  });
});

describe('coerce: geo values CrateDB refuses', () => {
  const geoPoint = { kind: 'geo_point' } as const;
  const geoShape = { kind: 'geo_shape' } as const;

  it('fails a point off the globe, of three numbers, or as GeoJSON (GeoPointType takes none of them)', () => {
    expect(errorOf(() => coerce([200, 1], geoPoint, param, ctx())).message).toBe('SQLParseException[Cannot cast value `[200, 1]` to type `geo_point`]');
    expect(errorOf(() => coerce('POINT (1 91)', geoPoint, param, ctx())).code).toBe(4000);
    expect(errorOf(() => coerce([1, 2, 3], geoPoint, param, ctx())).code).toBe(4000);
    expect(errorOf(() => coerce({ type: 'Point', coordinates: [1, 2] }, geoPoint, param, ctx())).code).toBe(4000);
  });

  it('fails a ring that is open or too short, a one-point line and an unknown GeoJSON type', () => {
    for (const bad of ['POLYGON ((0 0, 1 1))', 'POLYGON ((0 0, 1 0, 1 1, 0 1))', 'LINESTRING (0 0)', { type: 'Blob', coordinates: [1, 2] }]) {
      expect(errorOf(() => coerce(bad, geoShape, param, ctx())).code).toBe(4000);
    }
    expect(coerce('MULTIPOLYGON (((0 0, 1 0, 1 1, 0 0)))', geoShape, param, ctx())).toEqual({
      type: 'MultiPolygon', coordinates: [[[[0, 0], [1, 0], [1, 1], [0, 0]]]],
    });
    expect(coerce({ type: 'LineString', coordinates: [[0, 0], [1, 1]] }, geoShape, param, ctx())).toEqual({ type: 'LineString', coordinates: [[0, 0], [1, 1]] });
  });
});

describe('helpers', () => {
  it('prints values as Java does in CrateDB messages', () => {
    expect(javaString(['a', 'b'])).toBe('[a, b]');
    expect(javaString(1, T.double)).toBe('1.0');
    expect(javaString(99)).toBe('99');
    expect(javaString([7, 'eu', -1, 1], undefined)).toBe('[7, eu, -1, 1]');
  });

  it('guesses JSON types as CrateDB 6.4 types parameters', () => {
    expect(guessType(['a'])).toEqual(T.array(T.text));
    expect(guessType(1)).toEqual(T.integer);
    expect(guessType(1.5)).toEqual(T.double);
    expect(guessType(2 ** 40)).toEqual(T.bigint);
  });

  it('types a list by its highest number type, and refuses one mixing other kinds (DataTypes.valueFromList)', () => {
    expect(guessType([1, 2.5])).toEqual(T.array(T.double));
    expect(guessType([null, 1, 2 ** 40])).toEqual(T.array(T.bigint));
    expect(guessType([null])).toEqual(T.array(T.undefined));
    expect(errorOf(() => guessType([1, 'a'])).message).toBe('SQLParseException[Mixed dataTypes inside a list are not supported. Found integer and text]');
    expect(errorOf(() => guessType([[1], [2.5]])).message).toBe('SQLParseException[Mixed dataTypes inside a list are not supported. Found integer_array and double precision_array]');
  });

  it('refuses converting an array parameter into a scalar column', () => {
    expect(convertible(T.array(T.text), T.text)).toBe(false);
    expect(convertible(T.text, T.integer)).toBe(true);
    expect(convertible(T.array(T.integer), { kind: 'geo_point' })).toBe(true);
  });

  it('formats timestamps for PG without zone for WITHOUT TIME ZONE', () => {
    expect(toPg(0, T.timestamp)).toBe('1970-01-01T00:00:00.000');
    expect(toPg(0, T.timestamptz)).toBe('1970-01-01T00:00:00.000Z');
    expect(parseTimestamp('2026-01-02 03:04:05.678', false)).toBe(Date.UTC(2026, 0, 2, 3, 4, 5, 678));
  });
});
