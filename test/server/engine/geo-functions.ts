/**
 * within, intersects, area and geohash as CrateDB resolves and evaluates them (WithinFunction,
 * IntersectsFunction, AreaFunction, GeoHashFunction), onto the PL/pgSQL of geo-sql.ts. Their signatures
 * decide which argument forms work: within(geo_point, geo_shape | text | object | undefined) takes the
 * point as it is and reads a text as WKT (spatial4j's reader: `Cannot convert WKT "..." to shape`); every
 * other argument is cast to geo_shape or geo_point, a literal when the statement is analyzed (`Cannot cast
 * \`'x'\` of type \`text\` to type \`geo_shape\``), anything else per row. An argument of no such type
 * fails to resolve, with Functions.raiseUnknownFunction's message and candidates.
 */
import { sqlParse, unsupportedFunction } from './errors.js';
import { pgString, pgStringValue } from './format.js';
import { geoPoint, geoShape, isShape, parseWkt } from './geo.js';
import type { Resolved, Typed } from './scope.js';
import { SYSTEM_SCHEMA } from './storage.js';
import { isText, T, typeName, type CrateType } from './types.js';

const S = SYSTEM_SCHEMA;
const GEO_SHAPE: CrateType = { kind: 'geo_shape' };
const GEO_POINT: CrateType = { kind: 'geo_point' };

/** The signatures as CrateDB registers them, in its order (the candidates of an unknown-function error). */
const SIGNATURES: Record<string, string[]> = {
  within: ['geo_shape, geo_shape', 'geo_point, geo_shape', 'geo_point, text', 'geo_point, object', 'geo_point, undefined'].map((a) => `within(${a}):boolean`),
  intersects: ['intersects(geo_shape, geo_shape):boolean'],
  area: ['area(geo_shape):double precision'],
  geohash: ['geohash(geo_point):text'],
};


/** The value of a text literal (translated as a quoted PG string), else undefined. */
function textLiteral(arg: Typed): string | undefined {
  if (!isText(arg.type)) return undefined;
  return pgStringValue(arg.sql);
}

/** An argument as CrateDB prints it in the error (Style.QUALIFIED), or undefined when it cannot be told here. */
function argText(arg: Typed): string | undefined {
  const col = arg as Partial<Resolved>;
  if (col.relation && col.column) {
    const table = col.relation.table;
    return table && col.relation.alias === table.name ? `${table.schema}.${table.name}.${col.column.name}` : `${col.relation.alias}.${col.column.name}`;
  }
  if (textLiteral(arg) !== undefined || /^-?\d+$/.test(arg.sql) || arg.sql === 'NULL') return arg.sql;
  if (arg.sql === 'TRUE' || arg.sql === 'FALSE') return arg.sql.toLowerCase();
  return /^CAST\((-?[\d.]+(?:[eE][+-]?\d+)?) AS double precision\)$/.exec(arg.sql)?.[1];
}

/**
 * `Unknown function: f(args), no overload found for matching argument types: (types). Possible candidates: ...`;
 * undefined (the caller's plain `Unknown function: f(...)`) when an argument cannot be printed as CrateDB does.
 */
function noOverload(name: string, args: Typed[]): undefined {
  const texts = args.map(argText);
  if (texts.some((t) => t === undefined) || args.some((a) => a.type === undefined)) return undefined;
  const types = args.length === 0 ? '.' : `, no overload found for matching argument types: (${args.map((a) => typeName(a.type!)).join(', ')}).`;
  throw unsupportedFunction(`Unknown function: ${name}(${texts.join(', ')})${types} Possible candidates: ${SIGNATURES[name]!.join(', ')}`);
}

/**
 * An argument as GeoJSON (jsonb), or undefined when its type does not convert to geo_shape. `wkt`: a text
 * is within()'s WKT argument, read and not cast.
 */
export function shapeSql(arg: Typed, wkt = false): string | undefined {
  const kind = arg.type?.kind;
  if (kind === 'geo_shape') return `CAST(${arg.sql} AS jsonb)`;
  if (kind === 'object') return `${S}.geo_checked(CAST(${arg.sql} AS jsonb))`;
  if (kind === 'undefined') return 'CAST(NULL AS jsonb)';
  if (kind === undefined) return `${S}.geo_from_any(CAST(${arg.sql} AS text))`;
  if (!isText(arg.type)) return undefined;
  const value = textLiteral(arg);
  if (value === undefined) return `${S}.geo_from_text(CAST(${arg.sql} AS text), '${wkt ? 'wkt' : 'cast'}')`;
  let shape: unknown;
  if (wkt) {
    shape = parseWkt(value);
    if (!isShape(shape)) throw sqlParse(`Cannot convert WKT "${value}" to shape`);
  } else {
    shape = geoShape(value, GEO_SHAPE, { kind: 'literal', text: arg.sql, type: T.text });
  }
  return `CAST(${pgString(JSON.stringify(shape))} AS jsonb)`;
}

/** An argument as a PG point, or undefined when its type does not convert to geo_point. */
function pointSql(arg: Typed): string | undefined {
  const t = arg.type;
  if (t?.kind === 'geo_point') return arg.sql;
  if (t?.kind === 'undefined') return 'CAST(NULL AS point)';
  if (t === undefined) return `${S}.geo_point_of(CAST(${arg.sql} AS text))`;
  // ArrayType converts to a geo_point when its elements are numbers (checked per value: two, on the globe).
  if (t.kind === 'array' && ['integer', 'bigint', 'real', 'double', 'smallint', 'numeric', 'undefined'].includes(t.element.kind)) {
    return `point((${arg.sql})[1], (${arg.sql})[2])`;
  }
  if (!isText(arg.type)) return undefined;
  const value = textLiteral(arg);
  if (value === undefined) return `${S}.geo_point_of(CAST(${arg.sql} AS text))`;
  const [x, y] = geoPoint(value, GEO_POINT, { kind: 'literal', text: arg.sql, type: T.text }) as [number, number];
  return `point(${x}, ${y})`;
}

const flat = (jsonb: string): string => `${S}.geo_flatten(${jsonb})`;

/** within(a, b): the geo_point signature when a is a geo_point (no coercion), else both cast to geo_shape. */
export function within(args: Typed[]): Typed | undefined {
  if (args.length === 2 && args[0]!.type?.kind === 'geo_point') {
    const right = args[1]!.type?.kind === 'geo_point' ? undefined : shapeSql(args[1]!, true);
    if (right !== undefined) return { sql: `${S}.geo_within(${S}.geo_flat_pt(${args[0]!.sql}), ${flat(right)})`, type: T.boolean };
    return noOverload('within', args);
  }
  const shapes = args.length === 2 && args.every((a) => a.type?.kind !== 'geo_point') ? args.map((a) => shapeSql(a)) : [];
  if (shapes.length === 2 && shapes.every((s) => s !== undefined)) return { sql: `${S}.geo_within(${flat(shapes[0]!)}, ${flat(shapes[1]!)})`, type: T.boolean };
  return noOverload('within', args);
}

export function intersects(args: Typed[]): Typed | undefined {
  const shapes = args.length === 2 && args.every((a) => a.type?.kind !== 'geo_point') ? args.map((a) => shapeSql(a)) : [];
  if (shapes.length === 2 && shapes.every((s) => s !== undefined)) return { sql: `${S}.geo_meets(${flat(shapes[0]!)}, ${flat(shapes[1]!)})`, type: T.boolean };
  return noOverload('intersects', args);
}

export function area(args: Typed[]): Typed | undefined {
  const shape = args.length === 1 && args[0]!.type?.kind !== 'geo_point' ? shapeSql(args[0]!) : undefined;
  if (shape !== undefined) return { sql: `${S}.geo_area(${shape})`, type: T.double };
  return noOverload('area', args);
}

export function geohash(args: Typed[]): Typed | undefined {
  const point = args.length === 1 ? pointSql(args[0]!) : undefined;
  if (point !== undefined) return { sql: `${S}.geohash(${point})`, type: T.text };
  return noOverload('geohash', args);
}
