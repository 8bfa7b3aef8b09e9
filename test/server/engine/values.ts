/**
 * CrateDB's value conversions, done in JS before anything is written: JSON from `args` / `bulk_args`
 * or a literal from the statement, converted to a column's type with CrateDB's messages (a string
 * holding a number goes into an integer, a float is truncated, `not a date` fails), strict objects
 * rejecting unknown keys, dynamic objects growing new sub-columns. The result is the canonical value
 * (timestamps as epoch ms, geo_point as [lon, lat]); `toPg` turns it into PG input.
 */
import { validObjectKey } from './column-names.js';
import { sqlParse } from './errors.js';
import { javaDouble } from './format.js';
import { geoPoint, geoShape } from './geo.js';
import { innermostType, T, typeName, type CrateType, type ObjectField } from './types.js';

/** Where a value came from: CrateDB words its cast errors differently for each. */
export type Source =
  | { kind: 'param' }
  | { kind: 'literal'; text: string; type: CrateType }
  | { kind: 'evaluated' };

export interface CoerceContext {
  /** Top-level column name (for messages). */
  column: string;
  /** Sub-columns a dynamic object gained: path below the column and the guessed type. */
  added: Array<{ path: string[]; type: CrateType }>;
}

/** A value as Java's toString prints it in CrateDB messages (`[a, b]`, `1.0`, `{a=1}`). */
export function javaString(v: unknown, type?: CrateType): string {
  if (v === null || v === undefined) return 'null';
  if (Array.isArray(v)) return `[${v.map((x) => javaString(x, type?.kind === 'array' ? type.element : undefined)).join(', ')}]`;
  if (typeof v === 'number') {
    if (type && (type.kind === 'double' || type.kind === 'real')) return javaDouble(v);
    // A whole number beyond 2^53 is a double here: larger integer literals arrive as bigint (json.ts).
    if (!Number.isSafeInteger(v)) return javaDouble(v);
    return String(v);
  }
  if (typeof v === 'object') {
    return `{${Object.entries(v as Record<string, unknown>).map(([k, x]) => `${k}=${javaString(x)}`).join(', ')}}`;
  }
  return String(v);
}

/** CrateDB's guess of a JSON value's type (dynamic columns, parameter types). */
export function guessType(v: unknown): CrateType {
  if (v === null || v === undefined) return T.undefined;
  if (typeof v === 'bigint') return T.bigint;
  if (typeof v === 'boolean') return T.boolean;
  if (typeof v === 'number') return Number.isInteger(v) ? (Math.abs(v) > 2147483647 ? T.bigint : T.integer) : T.double;
  if (typeof v === 'string') return T.text;
  if (Array.isArray(v)) return T.array(listElementType(v));
  return T.object(
    Object.entries(v as Record<string, unknown>).map(([name, x]) => ({ name, type: guessType(x) })),
    'dynamic',
  );
}

/** Where a JSON number's type ranks when a list mixes them (DataType.precedes); others never mix. */
const NUMBER_RANK: Partial<Record<CrateType['kind'], number>> = { integer: 1, bigint: 2, double: 3 };

/**
 * DataTypes.valueFromList: the element type of a JSON list is its highest-ranked one, where integers,
 * longs and doubles may mix (JSON writes 1.0 as 1) and nothing else may.
 */
function listElementType(list: unknown[]): CrateType {
  let highest: CrateType = T.undefined;
  for (const x of list) {
    if (x === null || x === undefined) continue;
    const current = guessType(x);
    const mixes = highest.kind === 'undefined' || (NUMBER_RANK[current.kind] !== undefined && NUMBER_RANK[highest.kind] !== undefined);
    if (!mixes && !sameKind(current, highest)) {
      throw sqlParse(`Mixed dataTypes inside a list are not supported. Found ${typeName(highest)} and ${typeName(current)}`);
    }
    if ((NUMBER_RANK[current.kind] ?? 0) > (NUMBER_RANK[highest.kind] ?? 0) || highest.kind === 'undefined') highest = current;
  }
  return highest;
}

function sameKind(a: CrateType, b: CrateType): boolean {
  if (a.kind === 'array' && b.kind === 'array') return sameKind(a.element, b.element);
  return a.kind === b.kind;
}

/** The type a dynamic sub-column gets for a value (integers become bigint, as in CrateDB). */
export function dynamicType(v: unknown): CrateType {
  checkKeys(v);
  const t = guessType(v);
  const widen = (x: CrateType): CrateType => {
    if (x.kind === 'integer') return T.bigint;
    if (x.kind === 'array') return T.array(widen(x.element));
    if (x.kind === 'object') return T.object(x.fields.map((f) => ({ name: f.name, type: widen(f.type) })), 'dynamic');
    return x;
  };
  return widen(t);
}

/** The keys of a value that makes new columns, at any depth, are checked as column names are. */
function checkKeys(v: unknown): void {
  if (Array.isArray(v)) return v.forEach(checkKeys);
  if (typeof v !== 'object' || v === null) return;
  for (const [key, inner] of Object.entries(v as Record<string, unknown>)) {
    validObjectKey(key);
    checkKeys(inner);
  }
}

/** Errors of a value that does not convert to a type (not of a rule broken by a converted value). */
const castFailures = new WeakSet<Error>();

export function castError(value: unknown, target: CrateType, src: Source): Error {
  const text = src.kind === 'literal'
    ? `Cannot cast \`${src.text}\` of type \`${typeName(src.type)}\` to type \`${typeName(target)}\``
    : `Cannot cast value \`${javaString(value)}\` to type \`${typeName(target)}\``;
  const error = sqlParse(text);
  castFailures.add(error);
  return error;
}

/**
 * CrateDB casts an array or object as one value (a parameter when it is bound, a literal by its cast
 * function), so an element that does not convert fails with the whole value and the column's type:
 * `Cannot cast value \`[1, x]\` to type \`integer_array\``, not the element's.
 */
function asWhole<R>(value: unknown, target: CrateType, src: Source, convert: () => R): R {
  try {
    return convert();
  } catch (e) {
    if (e instanceof Error && castFailures.has(e)) throw castError(value, target, src);
    throw e;
  }
}

const INT_RANGES: Record<string, [bigint, bigint]> = {
  byte: [-128n, 127n],
  smallint: [-32768n, 32767n],
  integer: [-2147483648n, 2147483647n],
  bigint: [-9223372036854775808n, 9223372036854775807n],
};

/** Float.MAX_VALUE: FloatType.implicitCast refuses a finite number beyond it. */
const REAL_MAX = 3.4028234663852886e38;

/** Parses an ISO date/time; `keepZone` false drops any offset (TIMESTAMP WITHOUT TIME ZONE). */
export function parseTimestamp(s: string, keepZone: boolean): number | undefined {
  const m = /^\s*(\d{4,})-(\d{2})-(\d{2})(?:[T ](\d{2}):(\d{2})(?::(\d{2})(?:\.(\d+))?)?)?\s*(Z|[+-]\d{2}(?::?\d{2})?)?\s*$/i.exec(s);
  if (!m) return undefined;
  const [, y, mo, d, h = '0', mi = '0', sec = '0', frac = '0', zone] = m;
  const [year, month, day, hour, minute, second] = [y, mo, d, h, mi, sec].map(Number) as [number, number, number, number, number, number];
  // java.time refuses a field out of range (month 13, 30 February, 24:00) where Date.UTC would roll it over.
  if (month < 1 || month > 12 || day < 1 || day > daysInMonth(year, month) || hour > 23 || minute > 59 || second > 59) return undefined;
  const ms = Number(`0.${frac}`) * 1000;
  const date = new Date(Date.UTC(2000, month - 1, day, hour, minute, second, Math.trunc(ms)));
  date.setUTCFullYear(year); // Date.UTC reads years below 100 as 19xx
  let t = date.getTime();
  if (Number.isNaN(t)) return undefined;
  if (keepZone && zone && zone.toUpperCase() !== 'Z') {
    const sign = zone.startsWith('-') ? -1 : 1;
    const digits = zone.slice(1).replace(':', '');
    const offset = Number(digits.slice(0, 2)) * 60 + Number(digits.slice(2, 4) || '0');
    t -= sign * offset * 60_000;
  }
  return t;
}

function daysInMonth(year: number, month: number): number {
  if (month !== 2) return [31, 0, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31][month - 1]!;
  return (year % 4 === 0 && year % 100 !== 0) || year % 400 === 0 ? 29 : 28;
}

function isIp(s: string): boolean {
  if (/^(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})$/.test(s)) return s.split('.').every((p) => Number(p) <= 255);
  return /^[0-9a-fA-F:.]+$/.test(s) && s.includes(':') && s.split('::').length <= 2;
}

/** Converts `value` to `target` as CrateDB does on INSERT/UPDATE; throws CrateDB's error otherwise. */
export function coerce(value: unknown, target: CrateType, src: Source, ctx: CoerceContext, path: string[] = []): unknown {
  if (value === null || value === undefined) return null;
  switch (target.kind) {
    case 'undefined':
      return value;
    case 'text':
    case 'char': {
      let s: string;
      if (typeof value === 'string') s = value;
      else if (typeof value === 'boolean') s = value ? 't' : 'f'; // StringType's T and F
      else if (typeof value === 'number') s = String(value);
      else throw castError(value, target, src);
      if (target.kind === 'text' && target.length !== undefined && s.length > target.length) {
        // StringType.valueForInsert: blanks beyond the limit are cut off; other text is refused, shown to 20 characters.
        if (s.slice(target.length).trim() === '') return s.slice(0, target.length);
        throw sqlParse(`'${s.length > 20 ? `${s.slice(0, 20)}...` : s}' is too long for the text type of length: ${target.length}`);
      }
      if (target.kind === 'char' && target.length !== undefined && s.trimEnd().length > target.length) {
        throw sqlParse(`'${s}' is too long for the character type of length: ${target.length}`);
      }
      return s;
    }
    case 'boolean': {
      if (typeof value === 'boolean') return value;
      if (typeof value === 'string') {
        const l = value.trim().toLowerCase();
        if (['t', 'true', 'yes', 'on', '1'].includes(l)) return true;
        if (['f', 'false', 'no', 'off', '0'].includes(l)) return false;
      }
      // BooleanType.booleanFromNumber: only a number above zero is true (-1 is false).
      if (typeof value === 'number') return value > 0;
      if (typeof value === 'bigint') return value > 0n;
      throw castError(value, target, src);
    }
    case 'byte':
    case 'smallint':
    case 'integer':
    case 'bigint': {
      // Whole numbers are checked as BigInt: a bigint's range and a long string's digits are beyond a
      // double (9223372036854775807 is 2^63 as a double; "9007199254740993" would lose its last digit).
      let n: bigint;
      if (typeof value === 'bigint') n = value;
      else if (typeof value === 'number' && Number.isFinite(value)) n = BigInt(Math.trunc(value));
      else if (typeof value === 'string' && /^\s*[-+]?\d+\s*$/.test(value)) n = BigInt(value.trim());
      else if (typeof value === 'boolean' && src.kind !== 'param') n = value ? 1n : 0n;
      else throw castError(value, target, src);
      const [lo, hi] = INT_RANGES[target.kind]!;
      if (n < lo || n > hi) throw castError(value, target, src);
      if (typeof value === 'bigint') return value;
      return Number.isSafeInteger(Number(n)) ? Number(n) : n;
    }
    case 'real':
    case 'double':
    case 'numeric': {
      if (target.kind === 'real' && typeof value === 'number' && Math.abs(value) > REAL_MAX && Number.isFinite(value)) {
        throw castError(value, target, src);
      }
      if (typeof value === 'number') return value;
      if (typeof value === 'bigint') return Number(value);
      if (typeof value === 'string' && value.trim() !== '' && !Number.isNaN(Number(value))) return Number(value);
      throw castError(value, target, src);
    }
    case 'timestamptz':
    case 'timestamp': {
      if (typeof value === 'number') return Math.trunc(value);
      if (typeof value === 'string') {
        if (/^\s*-?\d+\s*$/.test(value)) return Number(value);
        const t = parseTimestamp(value, target.kind === 'timestamptz');
        if (t !== undefined) return t;
      }
      throw castError(value, target, src);
    }
    case 'date': {
      if (typeof value === 'number') return value;
      const t = typeof value === 'string' ? parseTimestamp(value, false) : undefined;
      if (t === undefined) throw castError(value, target, src);
      return t;
    }
    case 'ip': {
      if (typeof value === 'string' && isIp(value)) return value.replace(/^::ffff:(\d+\.\d+\.\d+\.\d+)$/i, '$1');
      throw castError(value, target, src);
    }
    case 'geo_point':
      return geoPoint(value, target, src);
    case 'geo_shape':
      return geoShape(value, target, src);
    case 'float_vector': {
      if (!Array.isArray(value)) throw castError(value, target, src);
      if (value.length !== target.dims) throw sqlParse('The number of vector dimensions does not match the field type');
      return value.map((x) => coerce(x, T.real, src, ctx, path));
    }
    case 'bit': {
      const s = typeof value === 'string' ? value.replace(/^B'(.*)'$/i, '$1') : undefined;
      if (s === undefined || !/^[01]*$/.test(s)) throw castError(value, target, src);
      if (s.length !== target.length) throw sqlParse(`bit string length ${s.length} does not match type bit(${target.length})`);
      return s;
    }
    case 'interval':
    case 'time':
      return value;
    case 'array': {
      if (!Array.isArray(value)) throw castError(value, target, src);
      return asWhole(value, target, src, () => value.map((x) => coerce(x, target.element, src, ctx, path)));
    }
    case 'object':
      return asWhole(value, target, src, () => coerceObject(value, target, src, ctx, path));
  }
}

function coerceObject(value: unknown, target: Extract<CrateType, { kind: 'object' }>, src: Source, ctx: CoerceContext, path: string[]): unknown {
  let obj = value;
  if (typeof obj === 'string') {
    try {
      obj = JSON.parse(obj);
    } catch {
      throw castError(value, target, src);
    }
  }
  if (typeof obj !== 'object' || obj === null || Array.isArray(obj)) throw castError(value, target, src);
  const out: Record<string, unknown> = {};
  for (const [key, v] of Object.entries(obj as Record<string, unknown>)) {
    const field = target.fields.find((f) => f.name === key);
    if (field) {
      out[key] = coerce(v, field.type, src, ctx, [...path, key]);
      continue;
    }
    if (target.policy === 'strict') {
      throw sqlParse(`Cannot add column \`${key}\` to strict object \`${[ctx.column, ...path].join('.')}\``);
    }
    if (target.policy === 'dynamic' && v !== null && v !== undefined) {
      validObjectKey(key);
      const type = dynamicType(v);
      if (!ctx.added.some((a) => a.path.join('\u0000') === [...path, key].join('\u0000'))) ctx.added.push({ path: [...path, key], type });
    }
    out[key] = v;
  }
  return out;
}

/** A canonical value as PG input (JSON-recordset member or query parameter) for a column type. */
export function toPg(value: unknown, type: CrateType): unknown {
  if (value === null || value === undefined) return null;
  switch (type.kind) {
    case 'timestamptz':
      return new Date(value as number).toISOString();
    case 'timestamp':
      return new Date(value as number).toISOString().replace('Z', '');
    case 'date':
      return new Date(value as number).toISOString().slice(0, 10);
    case 'geo_point': {
      const [x, y] = value as [number, number];
      return `(${x},${y})`;
    }
    case 'array':
      return (value as unknown[]).map((v) => toPg(v, type.element));
    default:
      return value;
  }
}

/** Whether CrateDB 6.4 lets a parameter of JSON type `from` be converted to a column of type `to`. */
export function convertible(from: CrateType, to: CrateType): boolean {
  if (from.kind === 'undefined' || to.kind === 'undefined') return true;
  if (from.kind === 'array') {
    if (to.kind === 'array') return convertible(from.element, to.element);
    return to.kind === 'geo_point' || to.kind === 'float_vector' || to.kind === 'geo_shape';
  }
  if (to.kind === 'array') return false;
  if (from.kind === 'object') return to.kind === 'object' || to.kind === 'geo_shape' || to.kind === 'geo_point';
  if (to.kind === 'object') return from.kind === 'text';
  return true;
}

/** Adds the sub-columns a dynamic object gained to its type (returns true when anything changed). */
export function addFields(type: CrateType, path: string[], added: CrateType, nextPosition: () => number): boolean {
  let cur = type;
  for (let i = 0; i < path.length - 1; i++) {
    while (cur.kind === 'array') cur = cur.element;
    if (cur.kind !== 'object') return false;
    const f = cur.fields.find((x) => x.name === path[i]);
    if (!f) return false;
    cur = f.type;
  }
  while (cur.kind === 'array') cur = cur.element;
  if (cur.kind !== 'object') return false;
  const name = path[path.length - 1]!;
  if (cur.fields.some((f) => f.name === name)) return false;
  const field: ObjectField = { name, type: added, position: nextPosition() };
  numberFields(added, nextPosition);
  cur.fields.push(field);
  return true;
}

/** Gives every (nested) field of an object type a position. */
export function numberFields(type: CrateType, nextPosition: () => number): void {
  const cur = innermostType(type);
  if (cur.kind !== 'object') return;
  for (const f of cur.fields) {
    f.position ??= nextPosition();
    numberFields(f.type, nextPosition);
  }
}
