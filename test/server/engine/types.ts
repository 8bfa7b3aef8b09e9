/**
 * CrateDB's data types and how each one is stored in PGlite, named in information_schema, spelled in
 * SHOW CREATE TABLE and numbered in `col_types`. The PG storage types are chosen so that a result
 * column's PG type id alone tells its CrateDB type in most cases (ip = inet, geo_point = point,
 * geo_shape = json, object = jsonb, char(n) = bpchar).
 */
import { sqlParse } from './errors.js';
import { identName, ruleName, type Ctx } from './parse.js';

export type ColumnPolicy = 'strict' | 'dynamic' | 'ignored';

export interface ObjectField {
  name: string;
  type: CrateType;
  /** information_schema ordinal_position (sub-columns are numbered too). */
  position?: number;
}

export type CrateType =
  | { kind: 'undefined' }
  | { kind: 'boolean' }
  | { kind: 'byte' }
  | { kind: 'smallint' }
  | { kind: 'integer' }
  | { kind: 'bigint' }
  | { kind: 'real' }
  | { kind: 'double' }
  | { kind: 'numeric'; precision?: number; scale?: number }
  | { kind: 'text'; length?: number }
  | { kind: 'char'; length?: number }
  | { kind: 'ip' }
  | { kind: 'timestamptz' }
  | { kind: 'timestamp' }
  | { kind: 'date' }
  | { kind: 'time' }
  | { kind: 'interval' }
  | { kind: 'geo_point' }
  | { kind: 'geo_shape' }
  | { kind: 'float_vector'; dims: number }
  | { kind: 'bit'; length: number }
  | { kind: 'object'; policy: ColumnPolicy; fields: ObjectField[] }
  | { kind: 'array'; element: CrateType };

export const T = {
  undefined: { kind: 'undefined' } as CrateType,
  boolean: { kind: 'boolean' } as CrateType,
  integer: { kind: 'integer' } as CrateType,
  bigint: { kind: 'bigint' } as CrateType,
  double: { kind: 'double' } as CrateType,
  real: { kind: 'real' } as CrateType,
  text: { kind: 'text' } as CrateType,
  timestamptz: { kind: 'timestamptz' } as CrateType,
  timestamp: { kind: 'timestamp' } as CrateType,
  object: (fields: ObjectField[] = [], policy: ColumnPolicy = 'dynamic'): CrateType => ({ kind: 'object', policy, fields }),
  array: (element: CrateType): CrateType => ({ kind: 'array', element }),
};

/** CrateDB's type names, as `DataTypes.ofName` knows them (lower case, single spaces). */
const BY_NAME: Record<string, CrateType> = {
  text: T.text,
  string: T.text,
  varchar: T.text,
  'character varying': T.text,
  char: { kind: 'char' },
  character: { kind: 'char' },
  boolean: T.boolean,
  bool: T.boolean,
  byte: { kind: 'byte' },
  smallint: { kind: 'smallint' },
  short: { kind: 'smallint' },
  int2: { kind: 'smallint' },
  integer: T.integer,
  int: T.integer,
  int4: T.integer,
  bigint: T.bigint,
  long: T.bigint,
  int8: T.bigint,
  real: T.real,
  float: T.real,
  float4: T.real,
  double: T.double,
  'double precision': T.double,
  float8: T.double,
  numeric: { kind: 'numeric' },
  decimal: { kind: 'numeric' },
  'timestamp with time zone': T.timestamptz,
  timestamptz: T.timestamptz,
  'timestamp without time zone': T.timestamp,
  timestamp: T.timestamp,
  date: { kind: 'date' },
  'time with time zone': { kind: 'time' },
  timetz: { kind: 'time' },
  interval: { kind: 'interval' },
  ip: { kind: 'ip' },
  geo_point: { kind: 'geo_point' },
  geo_shape: { kind: 'geo_shape' },
  object: T.object(),
  float_vector: { kind: 'float_vector', dims: 0 },
  bit: { kind: 'bit', length: 1 },
};

/** The CrateDB type a `dataType` parse node names; throws `Cannot find data type` for unknown names. */
export function typeFromNode(node: Ctx, columnFields?: (defs: Ctx[]) => ObjectField[]): CrateType {
  switch (ruleName(node)) {
    case 'ArrayDataTypeContext':
      return T.array(typeFromNode(node.dataType(), columnFields));
    case 'ObjectDataTypeContext': {
      const def = node.objectTypeDefinition();
      const policyText: string | undefined = def.type?.text;
      const policy = (policyText?.toLowerCase() ?? 'dynamic') as ColumnPolicy;
      const defs: Ctx[] = def.columnDefinition() ?? [];
      return T.object(columnFields ? columnFields(defs) : [], policy);
    }
    case 'MaybeParametrizedDataTypeContext': {
      const base = node.baseDataType();
      const name = (base.children as Ctx[])
        .flatMap((c) => (ruleName(c) === 'IdentContext' ? [identName(c)] : c.children ? c.children.map((x: Ctx) => x.getText().toLowerCase()) : [c.getText().toLowerCase()]))
        .join(' ');
      const params = ((node.integerLiteral() as Ctx[]) ?? []).map((p) => Number(p.getText()));
      return parametrize(name, params);
    }
    default:
      throw sqlParse(`Cannot find data type: ${node.getText().toLowerCase()}`);
  }
}

/** A type from its name and parameters (`varchar` + [5]); throws for an unknown name. */
export function parametrize(name: string, params: number[]): CrateType {
  const base = BY_NAME[name] ?? (name === '"char"' ? { kind: 'char', length: 1 } : undefined);
  if (base === undefined) throw sqlParse(`Cannot find data type: ${name}`);
  switch (base.kind) {
    case 'text':
      return params.length > 0 ? { kind: 'text', length: params[0]! } : base;
    case 'char':
      return { kind: 'char', length: params[0] ?? 1 };
    case 'numeric': {
      // NumericType.of: one parameter is the precision with scale 0; the scale must stay below the precision.
      if (params.length === 0) return base;
      const [precision, scale = 0] = params as [number, number?];
      if (scale >= precision) throw sqlParse(`Scale of numeric must be less than the precision. NUMERIC(${precision}, ${scale}) is unsupported.`);
      return { kind: 'numeric', precision, scale };
    }
    case 'float_vector':
      return { kind: 'float_vector', dims: params[0] ?? 0 };
    case 'bit':
      return { kind: 'bit', length: params[0] ?? 1 };
    default:
      return base;
  }
}

/** The PG type a column of this type is stored as. */
export function pgType(t: CrateType): string {
  switch (t.kind) {
    case 'undefined': return 'text';
    case 'boolean': return 'boolean';
    case 'byte': return 'smallint';
    case 'smallint': return 'smallint';
    case 'integer': return 'integer';
    case 'bigint': return 'bigint';
    case 'real': return 'real';
    case 'double': return 'double precision';
    case 'numeric': return t.precision === undefined ? 'numeric' : `numeric(${t.precision}, ${t.scale ?? 0})`;
    case 'text': return t.length === undefined ? 'text' : `varchar(${t.length})`;
    case 'char': return `char(${t.length ?? 1})`;
    case 'ip': return 'inet';
    case 'timestamptz': return 'timestamptz';
    case 'timestamp': return 'timestamp';
    case 'date': return 'date';
    case 'time': return 'timetz';
    case 'interval': return 'interval';
    case 'geo_point': return 'point';
    case 'geo_shape': return 'json';
    case 'float_vector': return 'real[]';
    case 'bit': return `bit(${t.length})`;
    case 'object': return 'jsonb';
    case 'array': return t.element.kind === 'array' ? 'jsonb' : `${pgType(t.element)}[]`;
  }
}

/** The type's name in information_schema.columns.data_type and in error messages. */
export function typeName(t: CrateType): string {
  switch (t.kind) {
    case 'double': return 'double precision';
    case 'timestamptz': return 'timestamp with time zone';
    case 'timestamp': return 'timestamp without time zone';
    case 'char': return 'character';
    case 'time': return 'time with time zone';
    case 'array': return `${typeName(t.element)}_array`;
    default: return t.kind;
  }
}

/** The type as SHOW CREATE TABLE spells it. */
export function sqlTypeName(t: CrateType, indent?: string): string {
  switch (t.kind) {
    case 'text': return t.length === undefined ? 'TEXT' : `VARCHAR(${t.length})`;
    case 'char': return `CHARACTER(${t.length ?? 1})`;
    case 'numeric': return t.precision === undefined ? 'NUMERIC' : `NUMERIC(${t.precision}, ${t.scale ?? 0})`;
    case 'float_vector': return `FLOAT_VECTOR(${t.dims})`;
    case 'bit': return `BIT(${t.length})`;
    case 'array': return `ARRAY(${sqlTypeName(t.element, indent)})`;
    case 'object': {
      // With an indent (SHOW CREATE TABLE), one field per line, three spaces deeper.
      if (indent !== undefined && t.fields.length > 0) {
        const deeper = `${indent}   `;
        const lines = t.fields.map((f) => `${deeper}"${f.name}" ${sqlTypeName(f.type, deeper)}`);
        return `OBJECT(${t.policy.toUpperCase()}) AS (\n${lines.join(',\n')}\n${indent})`;
      }
      const inner = t.fields.map((f) => `"${f.name}" ${sqlTypeName(f.type)}`).join(', ');
      return `OBJECT(${t.policy.toUpperCase()})${inner === '' ? '' : ` AS (${inner})`}`;
    }
    default: return typeName(t).toUpperCase();
  }
}

/** `col_types` id (http-protocol.md): arrays nest as `[100, inner]`. */
export function typeId(t: CrateType): number | unknown[] {
  switch (t.kind) {
    case 'undefined': return 0;
    case 'boolean': return 3;
    case 'byte': return 2;
    case 'smallint': return 8;
    case 'integer': return 9;
    case 'bigint': return 10;
    case 'real': return 7;
    case 'double': return 6;
    case 'numeric': return 22;
    case 'text': return 4;
    case 'char': return 27;
    case 'ip': return 5;
    case 'timestamptz': return 11;
    case 'timestamp': return 15;
    case 'date': return 24;
    case 'time': return 20;
    case 'interval': return 17;
    case 'geo_point': return 13;
    case 'geo_shape': return 14;
    case 'float_vector': return 28;
    case 'bit': return 25;
    case 'object': return 12;
    case 'array': return [100, typeId(t.element)];
  }
}

/** The CrateDB type of a PG result column, from its PG type id (used when the engine did not infer one). */
export function typeFromPgOid(oid: number): CrateType {
  const scalar = PG_OIDS[oid];
  if (scalar !== undefined) return scalar;
  const element = PG_ARRAY_OIDS[oid];
  if (element !== undefined) return T.array(PG_OIDS[element]!);
  return T.text;
}

/** The CrateDB type each PG result type stands for (`oid name` pairs, names as CrateDB spells them). */
const PG_OIDS: Record<number, CrateType> = Object.fromEntries(
  ('16 boolean|18 "char"|20 bigint|21 smallint|23 integer|25 text|114 geo_shape|600 geo_point|700 real|701 double|869 ip|' +
    '1042 character|1043 text|1082 date|1114 timestamp|1184 timestamptz|1186 interval|1266 timetz|1560 bit|1562 bit|' +
    '1700 numeric|3802 object|2950 text')
    .split('|')
    .map((pair) => {
      const [oid, name] = pair.split(' ') as [string, string];
      return [Number(oid), parametrize(name, [])];
    }),
);

const PG_ARRAY_OIDS: Record<number, number> = {
  1000: 16, 1005: 21, 1007: 23, 1016: 20, 1009: 25, 1015: 1043, 1014: 1042, 1021: 700, 1022: 701, 1041: 869,
  1115: 1114, 1185: 1184, 1182: 1082, 1231: 1700, 3807: 3802, 1017: 600, 199: 114, 1561: 1560, 1563: 1562,
};

/** Numeric precision as information_schema.columns reports it. */
export function numericPrecision(t: CrateType): number | null {
  switch (t.kind) {
    case 'smallint': return 16;
    case 'integer': return 32;
    case 'bigint': return 64;
    case 'real': return 24;
    case 'double': return 53;
    case 'byte': return 8;
    case 'numeric': return t.precision ?? null;
    default: return null;
  }
}

/** character_maximum_length of information_schema.columns (also the vector length and bit length). */
export function maxLength(t: CrateType): number | null {
  switch (t.kind) {
    case 'text': return t.length ?? null;
    case 'char': return t.length ?? 1;
    case 'float_vector': return t.dims;
    case 'bit': return t.length;
    default: return null;
  }
}

/** True for the types whose values are numbers in JSON. */
/** A text type, of any length (`text`, `varchar(n)`, `char(n)`). */
export function isText(t?: CrateType): boolean {
  return t?.kind === 'text' || t?.kind === 'char';
}

export function isNumeric(t: CrateType): boolean {
  return ['byte', 'smallint', 'integer', 'bigint', 'real', 'double', 'numeric'].includes(t.kind);
}

/** The type inside any arrays: that of `ARRAY(ARRAY(TEXT))` is `TEXT`. */
export function innermostType(t: CrateType): CrateType {
  let cur = t;
  while (cur.kind === 'array') cur = cur.element;
  return cur;
}

/** The object field of `path` below an object type, or undefined. */
export function fieldType(t: CrateType, path: readonly string[]): CrateType | undefined {
  let cur: CrateType | undefined = t;
  for (const p of path) {
    while (cur?.kind === 'array') cur = cur.element;
    if (cur?.kind !== 'object') return undefined;
    cur = cur.fields.find((f) => f.name === p)?.type;
  }
  return cur;
}
