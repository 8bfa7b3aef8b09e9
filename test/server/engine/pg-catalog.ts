/**
 * The rows of CrateDB's pg_catalog tables (after its PgClassTable, PgAttributeTable, PgConstraintTable, ...):
 * PostgreSQL's shape over CrateDB's catalog. OIDs are not counters but CrateDB's OidHash, a murmur3 hash of
 * the object's kind and name, so a client sees the same oid for a table as CrateDB would give it.
 */
import type { TableDef } from './catalog.js';
import { murmur3 } from './murmur3.js';
import type { EngineState } from './state.js';
import { formatTableRows, type ColumnInfo } from './system-rows.js';
import { HIDDEN_SCHEMA, HIDDEN_TABLE } from './system-tables.js';
import type { CrateType } from './types.js';

/** CrateDB's OidHash.oid: murmur3 of the key's UTF-8 bytes. */
export const oidHash = (key: string): number => murmur3(Buffer.from(key, 'utf8'));

export const schemaOid = (schema: string): number => oidHash(`SCHEMA${schema}`);
const relationOid = (kind: 'table' | 'view', schema: string, name: string): number => oidHash(`${kind === 'view' ? 'VIEW' : 'TABLE'}${schema}.${name}`);
const primaryKeyOid = (t: TableDef): number => oidHash(`PRIMARY_KEY${t.schema}.${t.name}${t.primaryKey.join(' ')}`);

/** PGTypes: the PostgreSQL type CrateDB reports a column type as: [oid, typlen, oid of its array type]. */
const PG_TYPES: Partial<Record<CrateType['kind'], [number, number, number]>> = {
  boolean: [16, 1, 1000], byte: [18, 1, 1002], smallint: [21, 2, 1005], integer: [23, 4, 1007], bigint: [20, 8, 1016],
  real: [700, 4, 1021], double: [701, 8, 1022], numeric: [1700, -1, 1231], char: [1042, -1, 1014],
  timestamptz: [1184, 8, 1185], timestamp: [1114, 8, 1115], date: [1082, 4, 1182], time: [1266, 12, 1270],
  interval: [1186, 16, 1187], geo_point: [600, 16, 1017], geo_shape: [114, -1, 199], object: [114, -1, 199],
  bit: [1560, -1, 1561], float_vector: [1021, -1, 1021],
};
/** text, ip and undefined are varchar. */
const VARCHAR: [number, number, number] = [1043, -1, 1015];

function pgTypeOf(t: CrateType): { oid: number; len: number } {
  if (t.kind !== 'array') {
    const [oid, len] = PG_TYPES[t.kind] ?? VARCHAR;
    return { oid, len };
  }
  // A nested array goes as JSON (PG's arrays are not ragged).
  return { oid: t.element.kind === 'array' ? 114 : (PG_TYPES[t.element.kind] ?? VARCHAR)[2], len: -1 };
}

/** Relations as pg_class and pg_attribute see them: user tables, views and the system tables. */
interface RelationEntry { kind: 'table' | 'view'; schema: string; name: string; columns: ColumnInfo[] }

function relations(state: EngineState): RelationEntry[] {
  const byRelation = new Map<string, RelationEntry>();
  for (const c of formatTableRows(state).columnInfos) {
    const key = `${c.schema}.${c.table}`;
    let r = byRelation.get(key);
    if (!r) byRelation.set(key, (r = { kind: c.relationKind, schema: c.schema, name: c.table, columns: [] }));
    r.columns.push(c);
  }
  // A view whose query no longer resolves has no columns, but is still a relation.
  for (const v of state.catalog.views.values()) {
    if (!byRelation.has(`${v.schema}.${v.name}`)) byRelation.set(`${v.schema}.${v.name}`, { kind: 'view', schema: v.schema, name: v.name, columns: [] });
  }
  return [...byRelation.values()];
}

type Row = Record<string, unknown>;

/** pg_class: relations, then one `<table>_pkey` index per user table with a primary key. */
export function pgClassRows(state: EngineState): Row[] {
  const row = (oid: number, relname: string, schema: string, relkind: string, relnatts: number, reltuples: number, table: string): Row => ({
    oid, relname, relnamespace: schemaOid(schema), reltype: 0, reloftype: 0, relowner: 0, relam: 0, relfilenode: 0,
    reltablespace: 0, relpages: 0, reltuples, relallvisible: 0, reltoastrelid: 0, relhasindex: false, relisshared: false,
    relpersistence: 'p', relkind, relnatts, relchecks: 0, relhasrules: false, relhastriggers: false, relhassubclass: false,
    relrowsecurity: false, relforcerowsecurity: false, relispopulated: true, relreplident: 'p', relispartition: false,
    relrewrite: 0, relfrozenxid: 0, relminmxid: 0, relacl: null, reloptions: null, relpartbound: null,
    [HIDDEN_SCHEMA]: schema, [HIDDEN_TABLE]: table,
  });
  // reltuples is CrateDB's table statistics, -1 until ANALYZE (or the periodic statistics job) ran.
  const out = relations(state).map((r) => row(
    relationOid(r.kind, r.schema, r.name), r.name, r.schema, r.kind === 'view' ? 'v' : 'r',
    r.columns.filter((c) => c.path.length === 0).length, -1, r.name,
  ));
  for (const t of state.catalog.tables.values()) {
    if (t.primaryKey.length > 0) out.push(row(primaryKeyOid(t), `${t.name}_pkey`, t.schema, 'i', t.columns.length, 0, t.name));
  }
  return out;
}

/** pg_attribute: every column, sub-columns included (as information_schema.columns). */
export function pgAttributeRows(state: EngineState): Row[] {
  return relations(state).flatMap((r) => r.columns.map((c) => {
    const { oid, len } = pgTypeOf(c.type);
    return {
      attrelid: relationOid(r.kind, r.schema, r.name), attname: c.name, atttypid: oid, attstattarget: 0, attlen: len,
      attnum: c.position, attndims: c.type.kind === 'array' ? 1 : 0, attcacheoff: -1, atttypmod: -1, attbyval: false,
      attalign: null, attstorage: null, attnotnull: !c.nullable, atthasdef: false, atthasmissing: false, attidentity: '',
      attgenerated: c.generated ? 's' : '', attisdropped: false, attislocal: true, attinhcount: 0, attcollation: 0,
      attacl: null, attoptions: null, attfdwoptions: null, attmissingval: null,
      [HIDDEN_SCHEMA]: r.schema, [HIDDEN_TABLE]: r.name,
    };
  }));
}

/** pg_constraint: the primary key, the CHECK constraints and the NOT NULL checks of every table. */
export function pgConstraintRows(state: EngineState): Row[] {
  const out: Row[] = [];
  for (const t of state.catalog.tables.values()) {
    const position = (name: string): number | undefined => t.columns.find((c) => c.name === name)?.position;
    const add = (conname: string, type: 'PRIMARY KEY' | 'CHECK', conkey: number[]): void => {
      out.push({
        oid: oidHash(`CONSTRAINT${t.schema}.${t.name}${conname}${type}`), conname, connamespace: schemaOid(t.schema),
        contype: type === 'PRIMARY KEY' ? 'p' : 'c', condeferrable: false, condeferred: false, convalidated: true,
        conrelid: relationOid('table', t.schema, t.name), contypid: 0, conindid: 0, conparentid: 0, confrelid: 0,
        confupdtype: 'a', confdeltype: 'a', confmatchtype: 's', conislocal: true, coninhcount: 0, connoinherit: true,
        conkey, confkey: null, conpfeqop: null, conppeqop: null, conffeqop: null, conexclop: null, conbin: null,
        [HIDDEN_SCHEMA]: t.schema, [HIDDEN_TABLE]: t.name,
      });
    };
    if (t.primaryKey.length > 0) add(t.primaryKeyName ?? `${t.name}_pkey`, 'PRIMARY KEY', t.primaryKey.map((c) => position(c) ?? 0));
    // A CHECK's key: the positions of the columns its expression names, in the order it names them.
    for (const c of t.checks) add(c.name, 'CHECK', [...c.expr.matchAll(/"((?:[^"]|"")+)"/g)].flatMap((m) => position(m[1]!.replace(/""/g, '"')) ?? []));
    for (const c of t.columns) if (c.notNull || t.primaryKey.includes(c.name)) add(`${t.schema}_${t.name}_${c.name}_not_null`, 'CHECK', []);
  }
  return out;
}

/** pg_index: one primary key index per user table with a key. */
export function pgIndexRows(state: EngineState): Row[] {
  return [...state.catalog.tables.values()].filter((t) => t.primaryKey.length > 0).map((t) => ({
    indexrelid: primaryKeyOid(t), indrelid: relationOid('table', t.schema, t.name), indnatts: 0, indnkeyatts: 0,
    indisunique: false, indisprimary: true, indisexclusion: false, indimmediate: true, indisclustered: false,
    indisvalid: true, indcheckxmin: false, indisready: true, indislive: true, indisreplident: false,
    indkey: t.primaryKey.map((c) => t.columns.find((col) => col.name === c)?.position ?? 0),
    indcollation: null, indclass: null, indoption: null, indexprs: null, indpred: null,
  }));
}

/** pg_roles: the users (roles are not modelled); CREATEROLE and REPLICATION mean AL on the cluster. */
export function pgRolesRows(state: EngineState): Row[] {
  return [...state.catalog.users.values()].map((u) => {
    const al = u.superuser || u.privileges.has('AL@');
    return {
      rolname: u.name, rolsuper: u.superuser, rolinherit: true, rolcreaterole: al, rolcreatedb: null, rolcanlogin: !u.role,
      rolreplication: al, rolconnlimit: -1, rolpassword: u.password === undefined ? null : '********', rolvaliduntil: null,
      rolbypassrls: null, rolconfig: null, oid: oidHash(`USER${u.name}`),
    };
  });
}

/**
 * pg_type: the PostgreSQL types CrateDB maps its own to (PGTypes), each with its array type, plus the
 * pseudo types it lists (`any`, `anyarray`, `record`) and `name`, `oid`, `regproc`, `regclass`. Columns
 * as PgTypeTable fills them; the I/O functions (regproc, printed by name) are PostgreSQL's.
 */
const PG_TYPE_ROWS: ReadonlyArray<[oid: number, name: string, len: number, category: string, io: string, array: number]> = [
  [16, 'bool', 1, 'B', 'bool', 1000], [18, 'char', 1, 'S', 'char', 1002], [19, 'name', 64, 'S', 'name', 1003],
  [20, 'int8', 8, 'N', 'int8', 1016], [21, 'int2', 2, 'N', 'int2', 1005], [23, 'int4', 4, 'N', 'int4', 1007],
  [24, 'regproc', 4, 'N', 'regproc', 1008], [25, 'text', -1, 'S', 'text', 1009], [26, 'oid', 4, 'N', 'oid', 1028],
  [114, 'json', -1, 'U', 'json_', 199], [600, 'point', 16, 'G', 'point_', 1017], [700, 'float4', 4, 'N', 'float4', 1021],
  [701, 'float8', 8, 'N', 'float8', 1022], [1042, 'bpchar', -1, 'S', 'bpchar', 1014], [1043, 'varchar', -1, 'S', 'varchar', 1015],
  [1082, 'date', 4, 'D', 'date_', 1182], [1114, 'timestamp', 8, 'D', 'timestamp_', 1115], [1184, 'timestamptz', 8, 'D', 'timestamptz_', 1185],
  [1186, 'interval', 16, 'T', 'interval_', 1187], [1266, 'timetz', 12, 'D', 'timetz_', 1270], [1560, 'bit', -1, 'V', 'bit_', 1561],
  [1700, 'numeric', -1, 'N', 'numeric_', 1231], [2205, 'regclass', 4, 'N', 'regclass', 2210],
];

export function pgTypeRows(): Row[] {
  const namespace = schemaOid('pg_catalog');
  const row = (oid: number, typname: string, typlen: number, typtype: string, typcategory: string, io: [string, string, string, string], typelem: number, typarray: number): Row => ({
    oid, typname, typnamespace: namespace, typowner: null, typlen, typbyval: true, typtype, typcategory, typisdefined: true, typdelim: ',',
    typrelid: 0, typsubscript: '-', typelem, typarray, typinput: io[0], typoutput: io[1], typreceive: io[2], typsend: io[3],
    typmodin: '-', typmodout: '-', typanalyze: '-', typalign: null, typstorage: null, typnotnull: false, typbasetype: 0, typtypmod: -1,
    typndims: 0, typcollation: 0, typdefaultbin: null, typdefault: null, typacl: null,
  });
  // PG names the I/O functions `int4in` but `json_in`: the prefix carries the underscore where PG has one.
  const io = (p: string): [string, string, string, string] => [`${p}in`, `${p}out`, `${p}recv`, `${p}send`];
  const arrayIo: [string, string, string, string] = ['array_in', 'array_out', 'array_recv', 'array_send'];
  return [
    ...PG_TYPE_ROWS.flatMap(([oid, name, len, category, prefix, array]) => [
      row(oid, name, len, 'b', category, io(prefix), 0, array),
      row(array, `_${name}`, -1, 'b', 'A', arrayIo, oid, 0),
    ]),
    row(2249, 'record', -1, 'p', 'P', ['record_in', 'record_out', 'record_recv', 'record_send'], 0, 2287),
    row(2287, '_record', -1, 'p', 'A', arrayIo, 2249, 0),
    row(2276, 'any', 4, 'p', 'P', ['any_in', 'any_out', '-', '-'], 0, 0),
    row(2277, 'anyarray', -1, 'p', 'P', ['anyarray_in', 'anyarray_out', 'anyarray_recv', 'anyarray_send'], 0, 0),
  ];
}
