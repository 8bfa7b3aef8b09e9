import { describe, expect, test } from 'vitest';
import { buildColumnTypes, parseColumnType } from '../../../src/seeds/column-types.js';
import { convertValue } from '../../../src/seeds/convert.js';
import { parseTimestamp } from '../../../src/seeds/timestamp.js';

const ok = (value: unknown, type: string, length?: number) => {
  const r = convertValue(value, parseColumnType(type, length));
  if (!r.ok) throw new Error(`expected ${JSON.stringify(value)} to convert to ${type}: ${r.message}`);
  return r.value;
};
const bad = (value: unknown, type: string, length?: number) => {
  const r = convertValue(value, parseColumnType(type, length));
  if (r.ok) throw new Error(`expected ${JSON.stringify(value)} not to convert to ${type}, got ${JSON.stringify(r.value)}`);
  return r.message;
};

describe('timestamps (as CrateDB 6.4 and 5.10 store them, transcripts 03-dml and 10-types)', () => {
  test('WITHOUT TIME ZONE drops an offset, WITH TIME ZONE converts it', () => {
    // 03-dml: 1979-10-12T10:00:00+02:00 -> tz 308563200000 (08:00 UTC), ntz 308570400000 (10:00)
    expect(ok('1979-10-12T10:00:00+02:00', 'timestamp with time zone')).toBe(308563200000);
    expect(ok('1979-10-12T10:00:00+02:00', 'timestamp without time zone')).toBe(308570400000);
    expect(ok('1979-10-12T10:00:00+0200', 'timestamptz')).toBe(308563200000);
    expect(ok('1979-10-12T10:00:00-02', 'timestamptz')).toBe(308563200000 + 4 * 3600_000);
  });

  test('a date alone is midnight UTC; no offset means UTC; Z is UTC', () => {
    expect(ok('1979-10-12', 'timestamp without time zone')).toBe(308534400000);
    expect(ok('1979-10-12', 'timestamp with time zone')).toBe(308534400000);
    expect(ok('1971-09-30', 'timestamp')).toBe(55036800000);
    expect(ok('2026-01-02T03:04:05.678Z', 'timestamp with time zone')).toBe(1767323045678);
    expect(ok('2026-01-02T03:04:05.678', 'timestamp without time zone')).toBe(1767323045678);
    expect(ok('2026-01-02 03:04:05.678999', 'timestamp')).toBe(1767323045678);
    expect(ok('2026-01-02T03:04', 'timestamp')).toBe(1767323040000);
  });

  test('numbers: integral is epoch milliseconds, a fraction is seconds (CrateDB reads a double as seconds)', () => {
    expect(ok(308534400000, 'timestamp')).toBe(308534400000);
    expect(ok('308534400000', 'timestamp')).toBe(308534400000);
    expect(ok(308534400.5, 'timestamp')).toBe(308534400500);
    expect(ok(new Date('1979-10-12T00:00:00Z'), 'timestamp')).toBe(308534400000);
  });

  test('what CrateDB refuses is refused before sending', () => {
    expect(bad('not a date', 'timestamp without time zone')).toMatch(/timestamp without time zone/);
    expect(parseTimestamp('1979-02-30', false)).toBeUndefined();
    expect(parseTimestamp('1979-10-12T25:00', false)).toBeUndefined();
    expect(parseTimestamp('1979-10-12T10:00:00+25:00', true)).toBeUndefined();
    bad(true, 'timestamp');
    bad([2020], 'timestamp');
  });

  test('the whole ISO grammar: signed and long years, leap days, t/z in lower case, fractions, offsets', () => {
    expect(parseTimestamp('2024-02-29', false)).toBe(Date.UTC(2024, 1, 29));
    expect(parseTimestamp('2023-02-29', false)).toBeUndefined();
    expect(parseTimestamp('1900-02-29', false)).toBeUndefined();
    expect(parseTimestamp('2000-02-29', false)).toBe(Date.UTC(2000, 1, 29));
    expect(parseTimestamp('0099-01-01', false)).toBe(new Date('0099-01-01T00:00:00Z').getTime()); // not 1999
    expect(parseTimestamp('+002024-01-01t01:02:03z', true)).toBe(Date.UTC(2024, 0, 1, 1, 2, 3));
    expect(parseTimestamp('-0044-03-15T12:00:00Z', true)).toBe(new Date('-000044-03-15T12:00:00Z').getTime());
    expect(parseTimestamp('2026-01-02T03:04:05.5', false)).toBe(Date.UTC(2026, 0, 2, 3, 4, 5, 500));
    expect(parseTimestamp('2026-01-02T03:04:05.123456789+05:30', true)).toBe(Date.UTC(2026, 0, 2, 3, 4, 5, 123) - 330 * 60_000);
    expect(parseTimestamp('2026-01-02T03:04-0230', true)).toBe(Date.UTC(2026, 0, 2, 3, 4) + 150 * 60_000);
    expect(parseTimestamp('2026-01-02T03:04+18:00', true)).toBe(Date.UTC(2026, 0, 2, 3, 4) - 18 * 3600_000);
    expect(parseTimestamp('2026-01-02T03:04+18:01', true)).toBeUndefined();
    expect(parseTimestamp('2026-01-02T03:04+18:01', false)).toBe(Date.UTC(2026, 0, 2, 3, 4)); // the offset is dropped
    for (const refused of ['2026-1-02', '202-01-02', '2026-01-02T', '2026-01-02T03', '2026-01-02T03:04:', '2026-01-02T03:04:05.',
      '2026-01-02T03:04:05.1234567890', '2026-01-02T03:04+02:', '2026-01-02T03:04Zx', '2026-01-02X03:04', '2026-13-01',
      '2026-00-10', '2026-01-00', '2026-01-02T24:00', '2026-01-02T12:60', '2026-01-02T12:00:60', '1234567890-01-01', '275761-01-01']) {
      expect(parseTimestamp(refused, true), refused).toBeUndefined();
    }
  });
});

describe('numbers and booleans', () => {
  test('integers: strings of digits, floats truncated, ranges checked', () => {
    expect(ok('123', 'integer')).toBe(123);
    expect(ok(1.7, 'integer')).toBe(1);
    expect(ok(-1.7, 'smallint')).toBe(-1);
    expect(ok(10n, 'bigint')).toBe(10);
    bad('abc', 'integer');
    bad('1.5', 'integer'); // Integer.parseInt refuses it
    bad(true, 'integer');
    expect(bad(40000, 'smallint')).toMatch(/out of range/);
    bad('2147483648', 'integer');
  });

  test('a bigint beyond 2^53 keeps every digit (sent as a string)', () => {
    expect(ok('9007199254740993', 'bigint')).toBe('9007199254740993');
    expect(ok(9007199254740993n, 'long')).toBe('9007199254740993');
    bad('9223372036854775808', 'bigint');
  });

  test('floats and numeric', () => {
    expect(ok('1.5', 'double precision')).toBe(1.5);
    expect(ok(2, 'real')).toBe(2);
    expect(ok('1e3', 'double')).toBe(1000);
    bad('x1', 'real');
    expect(ok('12.345678901234567890', 'numeric')).toBe('12.345678901234567890');
    expect(ok(12.34, 'numeric(10, 2)')).toBe(12.34);
    bad('12,34', 'numeric');
  });

  test("booleans take CrateDB's words and numbers", () => {
    for (const v of [true, 't', 'TRUE', 'yes', 'y', 'on', '1', 1, 2.5]) expect(ok(v, 'boolean')).toBe(true);
    for (const v of [false, 'f', 'False', 'no', 'n', 'off', '0', 0, -1]) expect(ok(v, 'boolean')).toBe(false);
    bad('maybe', 'boolean');
    bad({}, 'boolean');
  });
});

describe('text', () => {
  test('numbers and booleans become text as CrateDB casts them; arrays do not', () => {
    expect(ok(1979, 'text')).toBe('1979');
    expect(ok(1n, 'text')).toBe('1');
    expect(ok(true, 'text')).toBe('t');
    expect(ok({ a: 1 }, 'text')).toBe('{"a":1}');
    expect(bad(['a', 'b'], 'text')).toMatch(/array/);
  });

  test('varchar(n) refuses longer values, but cuts trailing blanks', () => {
    expect(ok('abcde', 'text', 5)).toBe('abcde');
    expect(ok('abc    ', 'varchar(5)')).toBe('abc  ');
    expect(bad('abcdef', 'varchar(5)')).toMatch(/longer than 5/);
  });
});

describe('arrays, objects and the rest', () => {
  test('arrays convert element-wise, and the message names the element', () => {
    expect(ok(['novel', 'comedy'], 'text_array')).toEqual(['novel', 'comedy']);
    expect(ok(['1', 2.9, null], 'ARRAY(INTEGER)')).toEqual([1, 2, null]);
    expect(ok(['1979-10-12'], 'timestamp[]')).toEqual([308534400000]);
    expect(bad([1, 'x'], 'integer_array')).toMatch(/^\[1\] cannot convert "x" to integer/);
    expect(bad('novel', 'text_array')).toMatch(/expected an array/);
  });

  test('an array whose elements need no conversion is sent as it is; one that does is copied, never changed', () => {
    const tags = ['novel', 'comedy'];
    expect(ok(tags, 'text_array')).toBe(tags);
    const mixed = [1, '2', 3, -0];
    expect(ok(mixed, 'integer_array')).toEqual([1, 2, 3, 0]);
    expect(Object.is((ok(mixed, 'integer_array') as number[])[3], 0)).toBe(true);
    expect(mixed).toEqual([1, '2', 3, -0]);
    const sparse = ['a', undefined, 'c'];
    expect(ok(sparse, 'text_array')).toEqual(['a', null, 'c']);
    expect(sparse).toEqual(['a', undefined, 'c']);
  });

  test('CSV cells hold arrays and objects as JSON text', () => {
    expect(ok('["novel","comedy"]', 'text_array')).toEqual(['novel', 'comedy']);
    expect(ok('{"a":"1"}', 'object')).toEqual({ a: '1' });
    expect(bad('[novel', 'text_array')).toMatch(/not valid JSON/);
  });

  test("objects convert the children information_schema knows (o['a']), through arrays of objects too", () => {
    const types = buildColumnTypes([
      { path: 'o', dataType: 'object' },
      { path: "o['a']", dataType: 'integer' },
      { path: "o['when']", dataType: 'timestamp with time zone' },
      { path: 'ao', dataType: 'object_array' },
      { path: "ao['x']", dataType: 'integer' },
    ]);
    const o = convertValue({ a: '7', when: '1979-10-12', other: 'kept' }, types.get('o'));
    expect(o).toEqual({ ok: true, value: { a: 7, when: 308534400000, other: 'kept' } });
    expect(convertValue([{ x: '1' }, { x: 2 }], types.get('ao'))).toEqual({ ok: true, value: [{ x: 1 }, { x: 2 }] });
    const r = convertValue({ a: 'seven' }, types.get('o'));
    expect(r.ok).toBe(false);
    expect(!r.ok && r.message).toMatch(/^\["a"\] cannot convert "seven" to integer/);
  });

  test('ip, geo_point, float_vector and bit are checked; unknown types pass through', () => {
    expect(ok('127.0.0.1', 'ip')).toBe('127.0.0.1');
    bad('not-an-ip', 'ip');
    expect(ok([13.4, 52.5], 'geo_point')).toEqual([13.4, 52.5]);
    expect(ok('POINT (13.4 52.5)', 'geo_point')).toBe('POINT (13.4 52.5)');
    bad([13.4], 'geo_point');
    expect(ok([0.1, 0.2, 0.3], 'float_vector', 3)).toEqual([0.1, 0.2, 0.3]);
    expect(bad([1, 2], 'float_vector', 3)).toMatch(/3 dimensions/);
    expect(ok('1010', 'bit', 4)).toBe('1010');
    bad('101', 'bit(4)');
    expect(ok('POLYGON ((0 0, 1 0, 1 1, 0 0))', 'geo_shape')).toBe('POLYGON ((0 0, 1 0, 1 1, 0 0))');
    expect(convertValue(null, parseColumnType('integer'))).toEqual({ ok: true, value: null });
  });

  test('information_schema and declared type names parse to the same types', () => {
    expect(parseColumnType('text_array')).toEqual(parseColumnType('ARRAY(TEXT)'));
    expect(parseColumnType('text[]')).toEqual(parseColumnType('array(string)'));
    expect(parseColumnType('TIMESTAMP')).toMatchObject({ kind: 'timestamp', withTimeZone: false });
    expect(parseColumnType('timestamptz')).toMatchObject({ kind: 'timestamp', withTimeZone: true });
    expect(parseColumnType('OBJECT(STRICT) AS (a INTEGER)')).toMatchObject({ kind: 'object' });
    expect(parseColumnType('VARCHAR(5)')).toMatchObject({ kind: 'text', maxLength: 5 });
    expect(parseColumnType('geo_shape')).toEqual({ kind: 'other', name: 'geo_shape' });
  });
});
