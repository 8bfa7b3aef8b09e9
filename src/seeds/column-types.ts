/**
 * Column types as the seeder needs them to convert values: parsed from `information_schema.columns.data_type`
 * (`text_array`, `timestamp without time zone`, object children as `o['a']`) or from a type a seed declares
 * (`TIMESTAMP`, `ARRAY(TEXT)`, `text[]`, `VARCHAR(5)`).
 */

export type ColumnType =
  | { kind: 'text'; name: string; maxLength?: number }
  | { kind: 'boolean'; name: string }
  | { kind: 'integer'; name: string; min: bigint; max: bigint }
  | { kind: 'float'; name: string }
  | { kind: 'numeric'; name: string }
  | { kind: 'timestamp'; name: string; withTimeZone: boolean }
  | { kind: 'object'; name: string; children: Map<string, ColumnType> }
  | { kind: 'array'; name: string; element: ColumnType }
  | { kind: 'ip'; name: string }
  | { kind: 'geo_point'; name: string }
  | { kind: 'float_vector'; name: string; dimensions?: number }
  | { kind: 'bit'; name: string; length?: number }
  /** Anything else (geo_shape, interval, json, ...): sent as given, CrateDB decides. */
  | { kind: 'other'; name: string };

const INTEGER_RANGES: Record<string, [bigint, bigint]> = {
  smallint: [-32768n, 32767n],
  integer: [-2147483648n, 2147483647n],
  bigint: [-9223372036854775808n, 9223372036854775807n],
};

const ALIASES: Record<string, string> = {
  string: 'text',
  varchar: 'text',
  'character varying': 'text',
  char: 'character',
  bool: 'boolean',
  short: 'smallint',
  int2: 'smallint',
  int: 'integer',
  int4: 'integer',
  long: 'bigint',
  int8: 'bigint',
  float: 'real',
  float4: 'real',
  double: 'double precision',
  float8: 'double precision',
  decimal: 'numeric',
  timestamp: 'timestamp without time zone',
  timestamptz: 'timestamp with time zone',
};

/**
 * Parses a type name. `length` is `information_schema.columns.character_maximum_length` (varchar, character,
 * bit and float_vector sizes), or the `(n)` of a declared type. Unknown names give kind `other`, never an error:
 * CrateDB has more types than the seeder converts, and it checks the rest itself.
 */
export function parseColumnType(typeName: string, length?: number | null): ColumnType {
  let name = typeName.trim().toLowerCase().replace(/\s+/g, ' ');
  const array = /^array\s*\((.*)\)$/.exec(name) ?? /^(.*)\[\]$/.exec(name) ?? /^(.*)_array$/.exec(name);
  if (array) {
    const element = parseColumnType(array[1]!, length);
    return { kind: 'array', name: `${element.name}_array`, element };
  }
  const sized = /^([a-z_ ]+?)\s*\((\d+)(?:\s*,\s*\d+)?\)$/.exec(name);
  let size = length ?? undefined;
  if (sized) {
    name = sized[1]!;
    size = Number(sized[2]);
  }
  if (/^object\b/.test(name)) return { kind: 'object', name: 'object', children: new Map() };
  name = ALIASES[name] ?? name;
  const range = INTEGER_RANGES[name];
  if (range) return { kind: 'integer', name, min: range[0], max: range[1] };
  switch (name) {
    case 'text':
    case 'character':
      return size === undefined ? { kind: 'text', name } : { kind: 'text', name: `${name}(${size})`, maxLength: size };
    case 'boolean':
      return { kind: 'boolean', name };
    case 'real':
    case 'double precision':
      return { kind: 'float', name };
    case 'numeric':
      return { kind: 'numeric', name };
    case 'timestamp with time zone':
    case 'timestamp without time zone':
      return { kind: 'timestamp', name, withTimeZone: name === 'timestamp with time zone' };
    case 'ip':
    case 'geo_point':
      return { kind: name, name };
    case 'float_vector':
      return { kind: 'float_vector', name, dimensions: size };
    case 'bit':
      return { kind: 'bit', name, length: size };
    default:
      return { kind: 'other', name };
  }
}

/** One row of `information_schema.columns`. */
export interface ColumnRow {
  /** `title`, or an object child as `o['a']['b']`. */
  path: string;
  dataType: string;
  maxLength?: number | null;
}

/**
 * Builds the top-level column map of a table, with object children (`o['a']`) attached to their object, also
 * through arrays of objects (`ao['x']`). Children come after their parents in `information_schema` order, but
 * the map does not rely on it.
 */
export function buildColumnTypes(rows: readonly ColumnRow[]): Map<string, ColumnType> {
  const top = new Map<string, ColumnType>();
  const parsed = rows.map((r) => ({ segments: splitPath(r.path), type: parseColumnType(r.dataType, r.maxLength) }));
  parsed.sort((a, b) => a.segments.length - b.segments.length);
  for (const { segments, type } of parsed) {
    let map = top;
    for (const segment of segments.slice(0, -1)) {
      const holder = objectOf(map.get(segment));
      if (!holder) break;
      map = holder.children;
    }
    map.set(segments.at(-1)!, type);
  }
  return top;
}

function objectOf(type: ColumnType | undefined): Extract<ColumnType, { kind: 'object' }> | undefined {
  if (type?.kind === 'object') return type;
  if (type?.kind === 'array') return objectOf(type.element);
  return undefined;
}

/** `o['a']['b''s']` -> ['o', 'a', "b's"]. */
function splitPath(path: string): string[] {
  const first = path.indexOf('[');
  if (first < 0) return [path];
  const segments = [path.slice(0, first)];
  for (const m of path.slice(first).matchAll(/\['((?:[^']|'')*)'\]/g)) segments.push(m[1]!.replaceAll("''", "'"));
  return segments;
}
