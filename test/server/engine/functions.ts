/**
 * CrateDB's scalar, aggregate and table functions mapped onto PG. A name CrateDB does not know fails
 * here, before PG sees it, with CrateDB's `Unknown function: f(args)`; names both share pass through.
 */
import type { CrateVersion } from '../contract.js';
import { VERSIONS } from './version.js';
import { pgType, T, type CrateType } from './types.js';
import type { Env, Typed } from './scope.js';
import { mapMoreFunction } from './functions-more.js';
import { sqlFail } from './storage.js';
import { pgString } from './format.js';
import { area, geohash, intersects, within } from './geo-functions.js';

const pgText = (s: string): string => `'${s.replace(/'/g, "''")}'`;

/** undefined: CrateDB has the name but no signature for these arguments (the caller's `Unknown function`). */
type Mapper = (args: Typed[], ctx: { version: CrateVersion; distinct: boolean; searchPath: readonly string[] }) => Typed | undefined;

const same =
  (pg: string, type?: CrateType | ((args: Typed[]) => CrateType | undefined)): Mapper =>
  (args, { distinct }) => {
    const t = typeof type === 'function' ? type(args) : type;
    return { sql: `${pg}(${distinct ? 'DISTINCT ' : ''}${args.map((a) => a.sql).join(', ')})`, ...(t ? { type: t } : {}) };
  };

const firstArgType = (args: Typed[]): CrateType | undefined => args[0]?.type;
const elementType = (args: Typed[]): CrateType | undefined => (args[0]?.type?.kind === 'array' ? args[0].type.element : undefined);

/** Functions that exist under the same name and meaning in PG. */
const PASSTHROUGH: Record<string, CrateType | ((args: Typed[]) => CrateType | undefined) | undefined> = {
  abs: firstArgType,
  sqrt: T.double,
  exp: T.double,
  power: T.double,
  sin: T.double,
  cos: T.double,
  tan: T.double,
  asin: T.double,
  acos: T.double,
  atan: T.double,
  atan2: T.double,
  pi: T.double,
  sign: firstArgType,
  trunc: firstArgType,
  lower: T.text,
  upper: T.text,
  initcap: T.text,
  trim: T.text,
  ltrim: T.text,
  rtrim: T.text,
  btrim: T.text,
  char_length: T.integer,
  character_length: T.integer,
  octet_length: T.integer,
  bit_length: T.integer,
  concat_ws: T.text,
  replace: T.text,
  substr: T.text,
  substring: T.text,
  split_part: T.text,
  lpad: T.text,
  rpad: T.text,
  left: T.text,
  right: T.text,
  repeat: T.text,
  reverse: T.text,
  md5: T.text,
  quote_ident: T.text,
  strpos: T.integer,
  ascii: T.integer,
  chr: T.text,
  encode: T.text,
  decode: T.text,
  format: T.text,
  to_char: T.text,
  regexp_replace: T.text,
  coalesce: firstArgType,
  greatest: firstArgType,
  least: firstArgType,
  nullif: firstArgType,
  array_length: T.integer,
  array_upper: T.integer,
  array_lower: T.integer,
  array_cat: firstArgType,
  array_append: firstArgType,
  array_prepend: undefined,
  array_remove: firstArgType,
  array_replace: firstArgType,
  array_position: T.integer,
  array_to_string: T.text,
  string_to_array: T.array(T.text),
  cardinality: T.integer,
  unnest: elementType,
  generate_series: firstArgType,
  count: T.bigint,
  min: firstArgType,
  max: firstArgType,
  string_agg: T.text,
  array_agg: (args) => (args[0]?.type ? T.array(args[0].type) : undefined),
  stddev: T.double,
  stddev_pop: T.double,
  stddev_samp: T.double,
  variance: T.double,
  var_pop: T.double,
  var_samp: T.double,
  bool_and: T.boolean,
  bool_or: T.boolean,
  row_number: T.bigint,
  rank: T.bigint,
  dense_rank: T.bigint,
  lag: firstArgType,
  lead: firstArgType,
  first_value: firstArgType,
  last_value: firstArgType,
  nth_value: firstArgType,
  ntile: T.integer,
  percent_rank: T.double,
  cume_dist: T.double,
  random: T.double,
  pg_typeof: T.text,
  to_timestamp: T.timestamptz,
  age: { kind: 'interval' },
  timezone: undefined,
};

/** ceil/floor return a long for a double and an int for a real, as in CrateDB. */
function integral(fn: string, args: Typed[]): Typed {
  const kind = args[0]?.type?.kind;
  if (kind === 'double' || kind === 'numeric') return { sql: `CAST(${fn}(${args[0]!.sql}) AS bigint)`, type: T.bigint };
  if (kind === 'real') return { sql: `CAST(${fn}(${args[0]!.sql}) AS integer)`, type: T.integer };
  return { sql: `${fn}(${args[0]!.sql})`, ...(args[0]?.type ? { type: args[0].type } : {}) };
}

const MAPPED: Record<string, Mapper> = {
  avg: (args, c) => ({ sql: `CAST(avg(${c.distinct ? 'DISTINCT ' : ''}${args[0]!.sql}) AS double precision)`, type: T.double }),
  mean: (args) => ({ sql: `CAST(avg(${args[0]!.sql}) AS double precision)`, type: T.double }),
  sum: (args, c) => {
    const t = args[0]?.type;
    const type = t && ['smallint', 'integer', 'bigint', 'byte'].includes(t.kind) ? T.bigint : t;
    const sql = `sum(${c.distinct ? 'DISTINCT ' : ''}${args[0]!.sql})`;
    return type?.kind === 'bigint' ? { sql: `CAST(${sql} AS bigint)`, type } : { sql, ...(type ? { type } : {}) };
  },
  length: (args) => ({ sql: `char_length(${args[0]!.sql})`, type: T.integer }),
  // CrateDB rounds a double to a long and a real to an int; with a precision it stays a double.
  round: (args) => {
    if (args.length > 1) return { sql: `CAST(round(CAST(${args[0]!.sql} AS numeric), ${args[1]!.sql}) AS double precision)`, type: T.double };
    const type = args[0]?.type?.kind === 'real' || args[0]?.type?.kind === 'integer' ? T.integer : T.bigint;
    // Java's Math.round: half up (floor(x + 0.5)), not PG's half-to-even for doubles.
    return { sql: `CAST(floor(${args[0]!.sql} + 0.5) AS ${type.kind === 'integer' ? 'integer' : 'bigint'})`, type };
  },
  // trunc(x) toward zero as an integral type like ceil's; trunc(x, digits) a double (TruncFunction).
  trunc: (args) => {
    if (args.length > 1) return { sql: `CAST(trunc(CAST(${args[0]!.sql} AS numeric), ${args[1]!.sql}) AS double precision)`, type: T.double };
    return integral('trunc', args);
  },
  ceil: (args) => integral('ceil', args),
  ceiling: (args) => integral('ceil', args),
  floor: (args) => integral('floor', args),
  percentile: (args) => {
    const frac = args[1]!;
    if (frac.type?.kind === 'array') {
      return { sql: `percentile_cont(CAST(${frac.sql} AS double precision[])) WITHIN GROUP (ORDER BY ${args[0]!.sql})`, type: T.array(T.double) };
    }
    return { sql: `percentile_cont(CAST(${frac.sql} AS double precision)) WITHIN GROUP (ORDER BY ${args[0]!.sql})`, type: T.double };
  },
  hyperloglog_distinct: (args) => ({ sql: `count(DISTINCT ${args[0]!.sql})`, type: T.bigint }),
  geometric_mean: (args) => ({ sql: `exp(avg(ln(CAST(${args[0]!.sql} AS double precision))))`, type: T.double }),
  max_by: (args) => ({ sql: `(array_agg(${args[0]!.sql} ORDER BY ${args[1]!.sql} DESC NULLS LAST))[1]`, ...(args[0]?.type ? { type: args[0].type } : {}) }),
  min_by: (args) => ({ sql: `(array_agg(${args[0]!.sql} ORDER BY ${args[1]!.sql} ASC NULLS LAST))[1]`, ...(args[0]?.type ? { type: args[0].type } : {}) }),
  current_database: () => ({ sql: `'crate'`, type: T.text }),
  pg_backend_pid: () => ({ sql: '-1', type: T.integer }),
  // log(x) is base 10, log(x, b) base b (PG takes the base first), ln(x) natural; each refuses what Java would
  // make -Infinity or NaN, naming itself (LogFunction.validateArgument).
  log: (args) => {
    const [x, b] = args.map((a) => `CAST(${a.sql} AS double precision)`) as [string, string | undefined];
    if (b === undefined) return { sql: logArgument(x, 'log(x)', `log(${x})`), type: T.double };
    const ratio = `(CASE WHEN ln(${b}) = 0 THEN ${sqlFail(pgString("log(x, b): given 'base' would result in a division by zero."), 'double precision')} ELSE ln(${x}) / ln(${b}) END)`;
    return { sql: logArgument(x, 'log(x, b)', logArgument(b, 'log(x, b)', ratio)), type: T.double };
  },
  ln: (args) => {
    const x = `CAST(${args[0]!.sql} AS double precision)`;
    return { sql: logArgument(x, 'ln(x)', `ln(${x})`), type: T.double };
  },
  collect_set: (args) => ({ sql: `array_agg(DISTINCT ${args[0]!.sql})`, ...(args[0]?.type ? { type: T.array(args[0].type) } : {}) }),
  arbitrary: (args) => ({ sql: `(array_agg(${args[0]!.sql}))[1]`, ...(args[0]?.type ? { type: args[0].type } : {}) }),
  any_value: (args) => ({ sql: `(array_agg(${args[0]!.sql}))[1]`, ...(args[0]?.type ? { type: args[0].type } : {}) }),
  ignore3vl: (args) => ({ sql: `coalesce(${args[0]!.sql}, false)`, type: T.boolean }),
  gen_random_text_uuid: () => ({ sql: `replace(CAST(gen_random_uuid() AS text), '-', '')`, type: T.text }),
  // The search path as PostgreSQL reports it: pg_catalog first when implicit schemas are asked for.
  current_schemas: (args, { searchPath }) => ({
    sql: `(CASE WHEN ${args[0]?.sql ?? 'TRUE'} THEN ARRAY[${['pg_catalog', ...searchPath].map(pgText).join(', ')}] ELSE ARRAY[${searchPath.map(pgText).join(', ')}] END)`,
    type: T.array(T.text),
  }),
  version: (_args, { version }) => ({
    sql: `'CrateDB ${VERSIONS[version].number} (built ${VERSIONS[version].buildHash.slice(0, 7)}/NA, Linux amd64, OpenJDK 64-Bit Server VM 22)'`,
    type: T.text,
  }),
  array_unique: (args) => ({ sql: `ARRAY(SELECT DISTINCT unnest(${args.map((a) => a.sql).join(' || ')}))`, ...(args[0]?.type ? { type: args[0].type } : {}) }),
  array_min: (args) => ({ sql: `(SELECT min(x) FROM unnest(${args[0]!.sql}) x)`, ...(elementTyped(args)) }),
  array_max: (args) => ({ sql: `(SELECT max(x) FROM unnest(${args[0]!.sql}) x)`, ...(elementTyped(args)) }),
  array_sum: (args) => ({ sql: `(SELECT sum(x) FROM unnest(${args[0]!.sql}) x)`, ...(elementTyped(args)) }),
  array_avg: (args) => ({ sql: `(SELECT CAST(avg(x) AS double precision) FROM unnest(${args[0]!.sql}) x)`, type: T.double }),
  current_setting: (args) => ({ sql: `current_setting(${args[0]!.sql})`, type: T.text }),
  // date_trunc(field, [zone,] ts): PG takes the zone last (and then a timestamptz).
  date_trunc: (args) => {
    const ts = args[args.length - 1]!;
    const type = ts.type?.kind === 'timestamp' ? T.timestamp : T.timestamptz;
    if (args.length === 3) return { sql: `date_trunc(${args[0]!.sql}, ${asTimestamptz(ts)}, ${args[1]!.sql})`, type: T.timestamptz };
    return { sql: `date_trunc(${args[0]!.sql}, ${ts.type?.kind === 'timestamp' ? ts.sql : asTimestamptz(ts)})`, type };
  },
  // date_format([format, [zone,]] ts): the instant printed in the zone (UTC without one).
  date_format: (args) => {
    const [fmt, ts] = args.length === 1 ? [undefined, args[0]!] : [args[0]!, args[args.length - 1]!];
    const zone = args.length === 3 ? args[1]!.sql : "'UTC'";
    const pattern = fmt === undefined ? toCharPattern(DEFAULT_DATE_FORMAT) : fmt.sql.startsWith("'") ? toCharPattern(fmt.sql.slice(1, -1).replace(/''/g, "'")) : undefined;
    if (pattern === undefined) return { sql: `CAST(${ts.sql} AS text)`, type: T.text };
    return { sql: `to_char((${asTimestamptz(ts)} AT TIME ZONE ${zone}), '${pattern.replace(/'/g, "''")}')`, type: T.text };
  },
  // date_bin(stride, ts, origin): the start of the stride-long bin holding ts, bins counted from origin.
  date_bin: (args) => {
    const [stride, ts, origin] = args as [Typed, Typed, Typed];
    const binned = `date_bin(${stride.sql}, ${asTimestamptz(ts)}, ${asTimestamptz(origin)})`;
    return ts.type?.kind === 'timestamp' ? { sql: `(${binned} AT TIME ZONE 'UTC')`, type: T.timestamp } : { sql: binned, type: T.timestamptz };
  },
  // concat of arrays is one array, of objects one merged object (ConcatFunction); anything else is text.
  concat: (args) => {
    if (args.length > 0 && args.every((a) => a.type?.kind === 'array')) {
      return { sql: args.map((a) => a.sql).reduce((l, r) => `array_cat(${l}, ${r})`), type: args[0]!.type! };
    }
    if (args.length > 0 && args.every((a) => a.type?.kind === 'object')) {
      return { sql: `(${args.map((a) => `COALESCE(${a.sql}, '{}'::jsonb)`).join(' || ')})`, type: T.object() };
    }
    return { sql: `concat(${args.map((a) => a.sql).join(', ')})`, type: T.text };
  },
  // array_slice(a, from, to), also written a[from:to]: an empty array for a null one (ArraySliceFunction).
  array_slice: (args) => ({
    sql: `coalesce((${args[0]!.sql})[${args[1]?.sql ?? 1}:${args[2]?.sql ?? ''}], CAST('{}' AS ${args[0]!.type ? pgType(args[0]!.type) : 'text[]'}))`,
    ...(args[0]!.type ? { type: args[0]!.type } : {}),
  }),
  // array_difference(a, b): a's elements not in b, in a's order.
  array_difference: (args) => ({
    sql: `ARRAY(SELECT x FROM unnest(${args[0]!.sql}) WITH ORDINALITY AS u(x, n) WHERE NOT (x = ANY(${args[1]!.sql})) ORDER BY n)`,
    ...(args[0]!.type ? { type: args[0]!.type } : {}),
  }),
  // object_keys(o): the object's top-level keys in its map's order, as key-order.ts gives an object value:
  // the type's fields first (definition order, or a literal's), other keys after in jsonb's order.
  object_keys: (args) => {
    const type = args[0]!.type;
    const fields = type?.kind === 'object' ? type.fields.map((f) => pgText(f.name)) : [];
    const order = fields.length === 0 ? 'n' : `array_position(ARRAY[${fields.join(', ')}]::text[], k) NULLS LAST, n`;
    const o = args[0]!.sql;
    const keys = `ARRAY(SELECT k FROM jsonb_object_keys(${o}) WITH ORDINALITY AS ok(k, n) ORDER BY ${order})`;
    return { sql: `CASE WHEN (${o}) IS NULL THEN NULL ELSE ${keys} END`, type: T.array(T.text) };
  },
  latitude: (args) => ({ sql: `(${geoPoint(args[0]!)})[1]`, type: T.double }),
  longitude: (args) => ({ sql: `(${geoPoint(args[0]!)})[0]`, type: T.double }),
  // Haversine on CrateDB's mean earth radius; points are PG points (x = longitude, y = latitude).
  distance: (args) => {
    const [a, b] = args.map((x) => geoPoint(x)) as [string, string];
    const lon = (p: string): string => `radians((${p})[0])`;
    const lat = (p: string): string => `radians((${p})[1])`;
    const h = `power(sin((${lat(b)} - ${lat(a)}) / 2), 2) + cos(${lat(a)}) * cos(${lat(b)}) * power(sin((${lon(b)} - ${lon(a)}) / 2), 2)`;
    return { sql: `(2 * 6371008.7714 * asin(sqrt(${h})))`, type: T.double };
  },
  // The shape relations spatial4j computes (planar in degrees), area in square degrees, the 12-character geohash.
  within,
  intersects,
  area,
  geohash,
  // Lucene's EUCLIDEAN similarity of float vectors, as FloatVectorType compares them: 1 / (1 + squared distance).
  vector_similarity: (args) => {
    const [a, b] = args.map((x) => `CAST(${x.sql} AS real[])`) as [string, string];
    const squared = `(SELECT sum(power(x - y, 2)) FROM unnest(${a}, ${b}) AS v(x, y))`;
    return {
      sql: `(CASE WHEN ${a} IS NULL OR ${b} IS NULL THEN NULL WHEN cardinality(${a}) <> cardinality(${b}) THEN ${sqlFail(pgString('Vectors must have same length'), 'real')} ELSE CAST(1 / (1 + ${squared}) AS real) END)`,
      type: T.real,
    };
  },
  regexp_matches: (args) => ({ sql: `regexp_matches(${args.map((a) => a.sql).join(', ')})`, type: T.array(T.text) }),
};

/** `then` unless `x` is null (null), zero or negative (CrateDB's error, named by `caller`). */
function logArgument(x: string, caller: string, then: string): string {
  const fail = (result: string): string => sqlFail(pgString(`${caller}: given arguments would result in: '${result}'`), 'double precision');
  return `(CASE WHEN ${x} IS NULL THEN NULL WHEN ${x} = 0 THEN ${fail('-Infinity')} WHEN ${x} < 0 THEN ${fail('NaN')} ELSE ${then} END)`;
}

function elementTyped(args: Typed[]): { type?: CrateType } {
  const t = elementType(args);
  return t ? { type: t } : {};
}

/** Time functions read the injected clock: they are translated by the caller (expr.ts). */
export const CLOCK_FUNCTIONS = new Set(['now', 'current_timestamp', 'curdate', 'current_date']);

/** Translates a call of a function CrateDB knows; undefined when CrateDB does not know the name. */
export function mapFunction(name: string, args: Typed[], ctx: { version: CrateVersion; distinct: boolean; searchPath: readonly string[]; env?: Env }): Typed | undefined {
  const mapped = MAPPED[name];
  if (mapped) return mapped(args, ctx);
  if (name in PASSTHROUGH) return same(name, PASSTHROUGH[name])(args, ctx);
  return mapMoreFunction(name, args, ctx);
}

/** Aggregate functions (a select with one and no GROUP BY yields one row). */
export const AGGREGATES = new Set([
  'count', 'sum', 'avg', 'mean', 'min', 'max', 'string_agg', 'array_agg', 'collect_set', 'arbitrary', 'any_value',
  'stddev', 'stddev_pop', 'stddev_samp', 'variance', 'var_pop', 'var_samp', 'bool_and', 'bool_or',
  'percentile', 'hyperloglog_distinct', 'geometric_mean', 'topk',
]);

const DEFAULT_DATE_FORMAT = '%Y-%m-%dT%H:%i:%s.%fZ';

/** MySQL-style date_format specifiers (CrateDB's) as a PG to_char pattern; literal text is quoted. */
const SPECIFIERS: Record<string, string> = {
  a: 'Dy', b: 'Mon', c: 'FMMM', D: 'FMDDth', d: 'DD', e: 'FMDD', f: 'US', H: 'HH24', h: 'HH12', I: 'HH12', i: 'MI',
  j: 'DDD', k: 'FMHH24', l: 'FMHH12', M: 'FMMonth', m: 'MM', p: 'AM', r: 'HH12:MI:SS AM', S: 'SS', s: 'SS',
  T: 'HH24:MI:SS', U: 'WW', u: 'IW', V: 'WW', v: 'IW', W: 'FMDay', X: 'YYYY', x: 'IYYY', Y: 'YYYY', y: 'YY',
};

export function toCharPattern(format: string): string {
  let out = '';
  let literal = '';
  const flush = (): void => {
    if (literal !== '') out += `"${literal.replace(/"/g, '\\"')}"`;
    literal = '';
  };
  for (let i = 0; i < format.length; i++) {
    const ch = format[i]!;
    if (ch === '%' && i + 1 < format.length) {
      const spec = format[++i]!;
      const mapped = SPECIFIERS[spec];
      if (mapped === undefined) literal += spec;
      else {
        flush();
        out += mapped;
      }
    } else {
      literal += ch;
    }
  }
  flush();
  return out;
}

/** A timestamp argument as a PG timestamptz: a number is epoch milliseconds, a timestamp without zone is UTC. */
export function asTimestamptz(arg: Typed): string {
  const kind = arg.type?.kind;
  if (kind === 'timestamptz') return arg.sql;
  if (kind === 'timestamp') return `(${arg.sql} AT TIME ZONE 'UTC')`;
  if (kind === 'integer' || kind === 'bigint' || kind === 'smallint' || kind === 'double' || kind === 'real' || kind === 'numeric') {
    return `to_timestamp(CAST(${arg.sql} AS double precision) / 1000)`;
  }
  return `CAST(${arg.sql} AS timestamptz)`;
}

/** A geo_point argument as a PG point: a WKT string literal or [lon, lat] array is converted. */
function geoPoint(arg: Typed): string {
  const wkt = /^'\s*POINT\s*\(\s*(-?[\d.eE+-]+)\s+(-?[\d.eE+-]+)\s*\)\s*'$/i.exec(arg.sql);
  if (wkt) return `point(${wkt[1]}, ${wkt[2]})`;
  if (arg.type?.kind === 'array') return `point((${arg.sql})[1], (${arg.sql})[2])`;
  return `CAST(${arg.sql} AS point)`;
}
