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

export interface InfoRows {
  tables: unknown[][];
  columns: unknown[][];
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
  const out: InfoRows = { tables: [], columns: [], schemata: [], constraints: [], keys: [], views: [] };
  const nullable = (yes: boolean): unknown => (version === '5.10' ? yes : yes ? 'YES' : 'NO');
  for (const t of catalog.tables.values()) {
    out.tables.push([
      null, t.closed, t.clusteredBy ?? '_id', t.columnPolicy, t.numberOfReplicas, t.numberOfShards,
      t.partitionedBy.length > 0 ? t.partitionedBy : null, 'SYSTEM GENERATED', 'Murmur3',
      '_id', settingsObject(t.settings, { refresh_interval: t.refreshInterval, number_of_replicas: t.numberOfReplicas, column_policy: t.columnPolicy }), 'crate', t.name, t.schema, 'BASE TABLE',
      { created: t.createdVersion, upgraded: null },
    ]);
    for (const row of columnRows(t, version, nullable)) out.columns.push(row);
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
      out.columns.push(columnRow(v.schema, v.name, c.name, c.name, [], c.type ?? T.text, i + 1, true, undefined, undefined, nullable));
    });
  }
  for (const d of SYSTEM_TABLES.values()) {
    out.tables.push([null, false, null, 'strict', null, null, null, null, null, null, null, 'crate', d.name, d.schema, 'BASE TABLE', null]);
    d.columns.forEach((c, i) => out.columns.push(columnRow(d.schema, d.name, c.name, c.name, [], c.type, i + 1, true, undefined, undefined, nullable)));
  }
  for (const s of [...new Set([...catalog.userSchemas(), ...SYSTEM_SCHEMAS])].sort()) {
    out.schemata.push(['crate', null, null, null, s, null, null]);
  }
  return out;
}

function columnRows(t: TableDef, version: CrateVersion, nullable: (yes: boolean) => unknown): unknown[][] {
  const rows: Array<{ pos: number; row: unknown[] }> = [];
  for (const c of t.columns) {
    const notNull = c.notNull || t.primaryKey.includes(c.name);
    const generation = c.generated === undefined ? undefined : symbolText(c.generated, version);
    rows.push({ pos: c.position, row: columnRow(t.schema, t.name, c.name, c.name, [], c.type, c.position, !notNull, c.defaultExpr, generation, nullable) });
    subColumns(t, c.name, [], c.type, rows, nullable);
  }
  return rows.sort((a, b) => a.pos - b.pos).map((r) => r.row);
}

function subColumns(t: TableDef, top: string, path: string[], type: CrateType, rows: Array<{ pos: number; row: unknown[] }>, nullable: (yes: boolean) => unknown): void {
  const inner = innermostType(type);
  if (inner.kind !== 'object') return;
  for (const f of inner.fields) {
    const p = [...path, f.name];
    const name = sqlFqn([top, ...p]);
    const pos = f.position ?? 0;
    rows.push({ pos, row: columnRow(t.schema, t.name, name, top, p, f.type, pos, true, undefined, undefined, nullable) });
    subColumns(t, top, p, f.type, rows, nullable);
  }
}

function columnRow(
  schema: string, table: string, name: string, top: string, path: string[], type: CrateType, position: number, isNullable: boolean,
  defaultExpr: string | undefined, generated: string | undefined, nullable: (yes: boolean) => unknown,
): unknown[] {
  const precision = numericPrecision(type);
  return [
    maxLength(type), null, null, null, null, null, null, null, null, null, defaultExpr ?? null,
    { name: top, path }, name, typeName(type),
    type.kind === 'timestamptz' || type.kind === 'timestamp' ? 3 : null, null, null, null,
    generated ?? null, null, null, null, null, null, null, null, null,
    generated ? 'ALWAYS' : 'NEVER', false, nullable(isNullable),
    precision, precision === null ? null : 2, type.kind === 'numeric' ? (type.scale ?? null) : null, position,
    'crate', table, schema, 'crate', typeName(type), 'pg_catalog',
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
