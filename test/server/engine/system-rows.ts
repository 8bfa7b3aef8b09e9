/**
 * The rows of information_schema, computed from the catalog (cached per catalog version). Column
 * order follows the definitions in system-tables.ts (alphabetical, as CrateDB lists them).
 */
import type { TableDef } from './catalog.js';
import { SYSTEM_SCHEMAS } from './catalog.js';
import type { EngineState } from './state.js';
import { SYSTEM_TABLES } from './system-tables.js';
import { parseStatement } from './parse.js';
import { translateQuery } from './query.js';
import { Tx, type Column } from './scope.js';
import { sqlFqn } from './format.js';
import { symbolText } from './ddl-columns.js';
import { settingsObject } from './settings.js';
import type { CrateVersion } from '../contract.js';
import { innermostType, maxLength, numericPrecision, T, typeName, type CrateType } from './types.js';

/** One column of a relation (top-level or an object's sub-column), as information_schema and pg_attribute list it. */
export interface ColumnInfo {
  schema: string;
  table: string;
  relationKind: 'table' | 'view';
  /** `o['a']` for a sub-column. */
  name: string;
  top: string;
  path: string[];
  type: CrateType;
  position: number;
  nullable: boolean;
  defaultExpr?: string;
  generated?: string;
}

export interface InfoRows {
  tables: unknown[][];
  columns: unknown[][];
  /** The same columns as `columns`, unformatted (pg_attribute, pg_class). */
  columnInfos: ColumnInfo[];
  schemata: unknown[][];
  constraints: unknown[][];
  keys: unknown[][];
  views: unknown[][];
}

const cache = new WeakMap<EngineState, { version: number; rows: InfoRows }>();

export function formatTableRows(state: EngineState): InfoRows {
  const hit = cache.get(state);
  if (hit && hit.version === state.catalog.version) return hit.rows;
  const rows = build(state);
  cache.set(state, { version: state.catalog.version, rows });
  return rows;
}

function build(state: EngineState): InfoRows {
  const { catalog, version } = state;
  const out: InfoRows = { tables: [], columns: [], columnInfos: [], schemata: [], constraints: [], keys: [], views: [] };
  const nullable = (yes: boolean): unknown => (version === '5.10' ? yes : yes ? 'YES' : 'NO');
  for (const t of catalog.tables.values()) {
    out.tables.push([
      null, t.closed, t.clusteredBy ?? '_id', t.columnPolicy, t.numberOfReplicas, t.numberOfShards,
      t.partitionedBy.length > 0 ? t.partitionedBy : null, 'SYSTEM GENERATED', 'Murmur3',
      '_id', settingsObject(t.settings, { refresh_interval: t.refreshInterval, number_of_replicas: t.numberOfReplicas, column_policy: t.columnPolicy }), 'crate', t.name, t.schema, 'BASE TABLE',
      { created: t.createdVersion, upgraded: null },
    ]);
    out.columnInfos.push(...tableColumns(t, version));
    if (t.primaryKey.length > 0) {
      const pkName = t.primaryKeyName ?? `${t.name}_pkey`;
      out.constraints.push(['crate', pkName, t.schema, 'PRIMARY KEY', 'NO', 'NO', null, 'crate', t.name, t.schema]);
      t.primaryKey.forEach((c, i) => out.keys.push([c, 'crate', pkName, t.schema, i + 1, 'crate', t.name, t.schema]));
    }
    for (const c of t.checks) out.constraints.push(['crate', c.name, t.schema, 'CHECK', 'NO', 'NO', null, 'crate', t.name, t.schema]);
    for (const c of t.columns) {
      if (c.notNull || t.primaryKey.includes(c.name)) {
        out.constraints.push(['crate', `${t.schema}_${t.name}_${c.name}_not_null`, t.schema, 'CHECK', 'NO', 'NO', null, 'crate', t.name, t.schema]);
      }
    }
  }
  for (const v of catalog.views.values()) {
    out.tables.push([null, null, null, 'strict', null, null, null, null, null, null, null, 'crate', v.name, v.schema, 'VIEW', null]);
    out.views.push(['NONE', false, v.owner, 'crate', v.name, v.schema, v.definition]);
    viewColumns(state, v.schema, v.query).forEach((c, i) => {
      out.columnInfos.push({ schema: v.schema, table: v.name, relationKind: 'view', name: c.name, top: c.name, path: [], type: c.type ?? T.text, position: i + 1, nullable: true });
    });
  }
  for (const d of SYSTEM_TABLES.values()) {
    out.tables.push([null, false, null, 'strict', null, null, null, null, null, null, null, 'crate', d.name, d.schema, 'BASE TABLE', null]);
    d.columns.filter((c) => (d.onlyIn?.[c.name] ?? state.version) === state.version).forEach((c, i) => {
      out.columnInfos.push({ schema: d.schema, table: d.name, relationKind: 'table', name: c.name, top: c.name, path: [], type: c.type, position: i + 1, nullable: true });
    });
  }
  out.columns = out.columnInfos.map((c) => columnRow(c, nullable));
  for (const s of [...new Set([...catalog.userSchemas(), ...SYSTEM_SCHEMAS])].sort()) {
    out.schemata.push(['crate', null, null, null, s, null, null]);
  }
  return out;
}

function tableColumns(t: TableDef, version: CrateVersion): ColumnInfo[] {
  const infos: ColumnInfo[] = [];
  const base = { schema: t.schema, table: t.name, relationKind: 'table' as const };
  for (const c of t.columns) {
    const notNull = c.notNull || t.primaryKey.includes(c.name);
    const generated = c.generated === undefined ? undefined : symbolText(c.generated, version);
    infos.push({ ...base, name: c.name, top: c.name, path: [], type: c.type, position: c.position, nullable: !notNull, defaultExpr: c.defaultExpr, generated });
    subColumns(c.name, [], c.type, (name, path, type, position) => infos.push({ ...base, name, top: c.name, path, type, position, nullable: true }));
  }
  return infos.sort((a, b) => a.position - b.position);
}

function subColumns(top: string, path: string[], type: CrateType, add: (name: string, path: string[], type: CrateType, position: number) => void): void {
  const inner = innermostType(type);
  if (inner.kind !== 'object') return;
  for (const f of inner.fields) {
    const p = [...path, f.name];
    add(sqlFqn([top, ...p]), p, f.type, f.position ?? 0);
    subColumns(top, p, f.type, add);
  }
}

function columnRow(c: ColumnInfo, nullable: (yes: boolean) => unknown): unknown[] {
  const { type } = c;
  const precision = numericPrecision(type);
  return [
    maxLength(type), null, null, null, null, null, null, null, null, null, c.defaultExpr ?? null,
    { name: c.top, path: c.path }, c.name, typeName(type),
    type.kind === 'timestamptz' || type.kind === 'timestamp' ? 3 : null, null, null, null,
    c.generated ?? null, null, null, null, null, null, null, null, null,
    c.generated ? 'ALWAYS' : 'NEVER', false, nullable(c.nullable),
    precision, precision === null ? null : 2, type.kind === 'numeric' ? (type.scale ?? null) : null, c.position,
    'crate', c.table, c.schema, 'crate', typeName(type), 'pg_catalog',
  ];
}

/** A view's output columns (its query translated as the superuser); none when it no longer translates. */
function viewColumns(state: EngineState, schema: string, query: string): Column[] {
  try {
    const parsed = parseStatement(query, state.version);
    if (parsed.kind !== 'tree') return [];
    const user = state.catalog.users.get('crate')!;
    return translateQuery(parsed.stmt.query(), undefined, new Tx({ catalog: state.catalog, version: state.version, schema, searchPath: [schema], user }, [])).outputs;
  } catch {
    return [];
  }
}
