import { isIP } from 'node:net';
import type { ColumnType } from './column-types.js';
import { parseTimestamp, timestampFromNumber } from './timestamp.js';

/**
 * Converts seed values to what CrateDB stores for a column type, BEFORE anything is sent: CrateDB fails a
 * whole `bulk_args` request (HTTP 400, nothing written) when one value cannot be cast, so each value is
 * checked here and a bad one is reported with its row and column instead. The rules follow CrateDB's own
 * casts (BooleanType, IntegerType, StringType, TimestampType): what CrateDB accepts is accepted, what it
 * refuses is refused with a message that says why.
 *
 * Values from CSV files arrive as strings: arrays, objects, geo points and vectors are then read as JSON.
 */

/** A value that does not fit: `convertValue` callers get it as a message, `convertOrThrow` callers ask `valueProblem`. */
class ValueProblem extends Error {}

/** A value converted for `type`, or the reason it does not fit. */
export type Conversion = { ok: true; value: unknown } | { ok: false; message: string };

export function convertValue(value: unknown, type: ColumnType | undefined): Conversion {
  try {
    return { ok: true, value: convert(value, type) };
  } catch (err) {
    if (err instanceof ValueProblem) return { ok: false, message: err.message };
    throw err;
  }
}

/**
 * `convertValue` for the per-row path: the converted value, or throws an error that `valueProblem` tells
 * apart. A row of values then costs no result object per value.
 */
export function convertOrThrow(value: unknown, type: ColumnType | undefined): unknown {
  return convert(value, type);
}

/** The message of an error `convertOrThrow` threw because the value does not fit; undefined for any other. */
export function valueProblem(err: unknown): string | undefined {
  return err instanceof ValueProblem ? err.message : undefined;
}

function convert(value: unknown, type: ColumnType | undefined): unknown {
  if (value === null || value === undefined) return null;
  if (value instanceof Date) value = checkedDate(value);
  if (type === undefined) return plain(value);
  switch (type.kind) {
    case 'text':
      return toText(value, type.name, type.maxLength);
    case 'boolean':
      return toBoolean(value, type.name);
    case 'integer':
      return toInteger(value, type);
    case 'float':
      return toFloat(value, type.name);
    case 'numeric':
      return toNumeric(value, type.name);
    case 'timestamp':
      return toTimestamp(value, type.name, type.withTimeZone);
    case 'object':
      return toObject(value, type);
    case 'array':
      return toArray(value, type);
    case 'ip':
      if (typeof value !== 'string' || isIP(value) === 0) throw problem(value, type.name);
      return value;
    case 'geo_point':
      return toGeoPoint(value, type.name);
    case 'float_vector':
      return toVector(value, type);
    case 'bit':
      return toBits(value, type);
    case 'other':
      return plain(value);
  }
}

function problem(value: unknown, typeName: string, why?: string): ValueProblem {
  const shown = typeof value === 'string' ? JSON.stringify(value.length > 40 ? `${value.slice(0, 40)}...` : value)
    : describe(value);
  return new ValueProblem(`cannot convert ${shown} to ${typeName}${why ? `: ${why}` : ''}`);
}

function describe(value: unknown): string {
  if (Array.isArray(value)) return 'an array';
  if (typeof value === 'object' && value !== null) return 'an object';
  return String(value);
}

function checkedDate(value: Date): number {
  if (Number.isNaN(value.getTime())) throw new ValueProblem('invalid Date');
  return value.getTime();
}

/** Values of a column of unknown type go as they are, except what JSON cannot carry. */
function plain(value: unknown): unknown {
  if (typeof value === 'bigint') return Number.isSafeInteger(Number(value)) ? Number(value) : value.toString();
  if (typeof value === 'number' && !Number.isFinite(value)) throw new ValueProblem(`${value} cannot be sent as JSON`);
  return value;
}

function toText(value: unknown, typeName: string, maxLength: number | undefined): string {
  let text: string;
  if (typeof value === 'string') text = value;
  else if (typeof value === 'boolean') text = value ? 't' : 'f'; // as CrateDB casts booleans to text
  else if (typeof value === 'number' || typeof value === 'bigint') text = String(value);
  else if (Array.isArray(value)) throw problem(value, typeName, 'an array needs an array column');
  else if (typeof value === 'object') text = JSON.stringify(value);
  else throw problem(value, typeName);
  if (maxLength !== undefined && text.length > maxLength) {
    // CrateDB cuts trailing blanks beyond the limit and refuses anything else.
    if (text.slice(maxLength).trim() !== '') throw problem(text, typeName, `longer than ${maxLength} characters`);
    text = text.slice(0, maxLength);
  }
  return text;
}

const BOOLEANS: Record<string, boolean> = {
  f: false, false: false, n: false, no: false, off: false, '0': false,
  t: true, true: true, y: true, yes: true, on: true, '1': true,
};

function toBoolean(value: unknown, typeName: string): boolean {
  if (typeof value === 'boolean') return value;
  if (typeof value === 'number') return value > 0;
  if (typeof value === 'string') {
    const b = BOOLEANS[value.toLowerCase()];
    if (b !== undefined) return b;
  }
  throw problem(value, typeName, 'use true/false (or t/f, yes/no, on/off, 1/0)');
}

function toInteger(value: unknown, type: Extract<ColumnType, { kind: 'integer' }>): number | string {
  let n: bigint;
  if (typeof value === 'number') {
    if (!Number.isFinite(value)) throw problem(value, type.name);
    const t = Math.trunc(value); // CrateDB truncates a fraction
    if (Number.isSafeInteger(t)) {
      // The common case without a BigInt per value (a number compares with a bigint exactly).
      if (t < type.min || t > type.max) throw problem(value, type.name, 'out of range');
      return t === 0 ? 0 : t; // not -0
    }
    n = BigInt(t);
  } else if (typeof value === 'bigint') {
    n = value;
  } else if (typeof value === 'string' && /^[+-]?\d+$/.test(value)) {
    n = BigInt(value);
  } else {
    throw problem(value, type.name);
  }
  if (n < type.min || n > type.max) throw problem(value, type.name, 'out of range');
  // Beyond 2^53 a JSON number loses digits on the way: send the exact digits as a string, CrateDB parses them.
  return Number.isSafeInteger(Number(n)) ? Number(n) : n.toString();
}

const DECIMAL = /^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$/;

function toFloat(value: unknown, typeName: string): number {
  if (typeof value === 'number' && Number.isFinite(value)) return value;
  if (typeof value === 'bigint') return Number(value);
  if (typeof value === 'string' && DECIMAL.test(value.trim())) return Number(value);
  throw problem(value, typeName);
}

function toNumeric(value: unknown, typeName: string): number | string {
  if (typeof value === 'number' && Number.isFinite(value)) return value;
  if (typeof value === 'bigint') return value.toString();
  // A string keeps every digit: numeric exists for exactness that a double would lose.
  if (typeof value === 'string' && DECIMAL.test(value.trim())) return value.trim();
  throw problem(value, typeName);
}

function toTimestamp(value: unknown, typeName: string, withTimeZone: boolean): number {
  let ms: number | undefined;
  if (typeof value === 'number') ms = timestampFromNumber(value);
  else if (typeof value === 'string') ms = parseTimestamp(value.trim(), withTimeZone);
  if (ms === undefined) {
    throw problem(value, typeName, 'use an ISO date such as 1979-10-12 or 1979-10-12T10:00:00Z, or epoch milliseconds');
  }
  return ms;
}

/** CSV cells hold arrays and objects as JSON text. */
function fromJsonText(value: unknown, typeName: string): unknown {
  if (typeof value !== 'string' || !/^\s*[[{]/.test(value)) return value;
  try {
    return JSON.parse(value);
  } catch {
    throw problem(value, typeName, 'not valid JSON');
  }
}

function toObject(value: unknown, type: Extract<ColumnType, { kind: 'object' }>): Record<string, unknown> {
  const parsed = fromJsonText(value, type.name);
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) throw problem(value, type.name);
  const out: Record<string, unknown> = {};
  for (const [key, child] of Object.entries(parsed)) {
    const childType = type.children.get(key);
    try {
      out[key] = convert(child, childType);
    } catch (err) {
      if (err instanceof ValueProblem) throw new ValueProblem(`[${JSON.stringify(key)}] ${err.message}`);
      throw err;
    }
  }
  return out;
}

/** The array itself when every element is already what its column stores (text in a text array, the common
 * case): a copy per row is garbage the seed's GC pays for. A copy from the first element that converts. */
function toArray(value: unknown, type: Extract<ColumnType, { kind: 'array' }>): unknown[] {
  const parsed = fromJsonText(value, type.name);
  if (!Array.isArray(parsed)) throw problem(value, type.name, 'expected an array (in CSV: JSON text such as ["a","b"])');
  let copy: unknown[] | undefined;
  for (let i = 0; i < parsed.length; i++) {
    const element: unknown = parsed[i];
    let converted: unknown;
    try {
      converted = convert(element, type.element);
    } catch (err) {
      if (err instanceof ValueProblem) throw new ValueProblem(`[${i}] ${err.message}`);
      throw err;
    }
    if (copy === undefined && !Object.is(converted, element)) copy = parsed.slice(0, i);
    copy?.push(converted);
  }
  return copy ?? parsed;
}

function toGeoPoint(value: unknown, typeName: string): unknown {
  if (typeof value === 'string' && /^\s*point\s*\(/i.test(value)) return value; // WKT
  const parsed = fromJsonText(value, typeName);
  if (Array.isArray(parsed) && parsed.length === 2 && parsed.every((x) => typeof x === 'number')) return parsed;
  throw problem(value, typeName, 'use [longitude, latitude] or WKT such as POINT (13.4 52.5)');
}

function toVector(value: unknown, type: Extract<ColumnType, { kind: 'float_vector' }>): number[] {
  const parsed = fromJsonText(value, type.name);
  if (!Array.isArray(parsed) || !parsed.every((x) => typeof x === 'number' && Number.isFinite(x))) {
    throw problem(value, type.name, 'expected an array of numbers');
  }
  if (type.dimensions !== undefined && parsed.length !== type.dimensions) {
    throw problem(value, type.name, `expected ${type.dimensions} dimensions, got ${parsed.length}`);
  }
  return parsed as number[];
}

function toBits(value: unknown, type: Extract<ColumnType, { kind: 'bit' }>): string {
  const bits = typeof value === 'string' ? /^(?:B'([01]*)'|([01]*))$/.exec(value) : null;
  const digits = bits ? (bits[1] ?? bits[2]!) : undefined;
  if (digits === undefined) throw problem(value, type.name, 'expected a string of 0 and 1');
  if (type.length !== undefined && digits.length !== type.length) {
    throw problem(value, type.name, `expected ${type.length} bits`);
  }
  return digits;
}
