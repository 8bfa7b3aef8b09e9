/**
 * CREATE TABLE: CrateDB's table definition (types, constraints, fulltext indexes, sharding, settings)
 * checked with CrateDB's messages, recorded in the catalog and created in PG (live table, searchable
 * copy, `_seq_no` sequence; CHECK and NOT NULL as PG checks).
 */
import type { Catalog, CheckDef, ColumnDef, IndexDef, TableDef } from './catalog.js';
import { checkKeyColumns } from './ddl-keys.js';
import { unknownColumnOf } from './ddl-columns.js';
import { columnUnknown, CrateError, sqlParse, unsupportedFeature } from './errors.js';
import { validColumnName } from './column-names.js';
import { expr } from './expr.js';
import { columnPathOf, formatStandalone, sqlFqn } from './format.js';
import { resolveAnalyzer } from './fulltext.js';
import { constantOf, unwrap } from './literals.js';
import { identName, ruleName, type Ctx } from './parse.js';
import { Scope, Tx, type Env, type Relation } from './scope.js';
import { checkConstraintName, createTableSql, notNullCheck } from './storage.js';
import { numberFields, } from './values.js';
import { fieldType, innermostType, typeFromNode, T, type ObjectField, type CrateType } from './types.js';
import { VERSIONS } from './version.js';
import { validateSetting } from './settings.js';

/** A `WITH (...)` property value as text (`'0-1'`, `1000`, `true`). */
export function propertyValue(node: Ctx): string {
  const c = constantOf(node);
  if (c?.kind === 'value') return c.value === null ? 'null' : String(c.value);
  return unwrap(node).getText();
}

/** The generic properties of a `WITH (...)` clause. */
export function properties(withCtx: Ctx | null | undefined): Map<string, string> {
  const out = new Map<string, string>();
  if (!withCtx) return out;
  for (const p of (withCtx.genericProperties().genericProperty() as Ctx[]) ?? []) {
    out.set(identName(p.ident()), propertyValue(p.expr()));
  }
  return out;
}

function objectFields(defs: Ctx[]): ObjectField[] {
  return defs.map((d) => {
    const type = d.dataType() ? typeFromNode(d.dataType(), objectFields) : T.text;
    return { name: identName(d.ident()), type };
  });
}

/** A relation over a table's columns referenced unqualified (as in PG CHECK constraints). */
export function bareRelation(t: TableDef): Relation {
  return {
    alias: t.name,
    columns: t.columns.map((c) => ({ name: c.name, type: c.type })),
    overrides: new Map(t.columns.map((c) => [c.name, { sql: `"${c.name.replace(/"/g, '""')}"`, type: c.type }])),
  };
}

/** Translates a CHECK expression for the PG table. */
export function checkSql(node: Ctx, t: TableDef, env: Env): string {
  const tx = new Tx(env, []);
  return expr(node, new Scope([bareRelation(t)]), tx).sql;
}

export interface CreateTableSpec {
  table: TableDef;
  ddl: string;
}

/** Builds a table from a CreateTableContext (nothing is changed yet). */
export function buildTable(node: Ctx, schema: string, name: string, env: Env): CreateTableSpec {
  const { catalog, version } = env;
  const columns: ColumnDef[] = [];
  const pk: string[] = [];
  let pkName: string | undefined;
  const indexes: IndexDef[] = [];
  const checkNodes: Array<{ name: string | undefined; node: Ctx; column?: string }> = [];
  let position = 1;
  const nextPosition = (): number => position++;
  for (const el of node.tableElement() as Ctx[]) {
    switch (ruleName(el)) {
      case 'ColumnDefinitionDefaultContext': {
        const d = el.columnDefinition();
        const colName = identName(d.ident());
        validColumnName(colName, version);
        if (columns.some((c) => c.name === colName)) throw sqlParse(`column "${colName}" specified more than once`);
        const type: CrateType = d.dataType() ? typeFromNode(d.dataType(), objectFields) : T.text;
        checkStorage(type);
        const col: ColumnDef = { name: colName, type, notNull: false, position: nextPosition() };
        numberFields(type, nextPosition);
        for (const c of (d.columnConstraint() as Ctx[]) ?? []) {
          const r = applyColumnConstraint(col, c, catalog.analyzers);
          if (r.primaryKey) {
            pk.push(colName);
            pkName ??= r.primaryKey.name;
          }
          if (r.check) checkNodes.push({ ...r.check, column: colName });
        }
        columns.push(col);
        break;
      }
      case 'PrimaryKeyConstraintTableLevelContext':
        for (const c of el.columns().primaryExpression() as Ctx[]) pk.push(identName(unwrap(c).ident?.() ?? c));
        pkName ??= constraintName(el.primaryKeyContraint());
        break;
      case 'IndexDefinitionContext': {
        const indexName = identName(el.name);
        const cols = (el.columns().primaryExpression() as Ctx[]).map((c) => columnPathOf(c) ?? [identName(unwrap(c).ident?.() ?? c)]);
        // USING PLAIN is a fulltext index with the keyword analyzer (SHOW CREATE TABLE prints it so).
        const plain = el.method && identName(el.method).toLowerCase() === 'plain';
        const analyzer = plain ? 'keyword' : (properties(el.withProperties()).get('analyzer') ?? 'standard');
        indexes.push({ name: indexName, columns: cols, analyzer, searchConfig: resolveAnalyzer(analyzer, catalog.analyzers, indexName) });
        break;
      }
      case 'TableCheckConstraintContext': {
        const ck = el.checkConstraint();
        checkNodes.push({ name: ck.name ? identName(ck.name) : undefined, node: ck.expression });
        break;
      }
      default:
        throw new CrateError(400, 4004, `UnsupportedFeatureException[${el.getText()}]`);
    }
  }
  for (const k of pk) {
    const col = columns.find((c) => c.name === k);
    if (!col) throw new CrateError(404, 4043, `ColumnUnknownException[Column ${k} unknown]`);
  }
  for (const col of columns) {
    const missing = col.generated === undefined ? undefined : unknownColumnOf(col.generated, version, columns);
    if (missing !== undefined) throw columnUnknown(missing);
  }
  for (const idx of indexes) {
    for (const path of idx.columns) {
      const top = columns.find((x) => x.name === path[0]);
      const type = top && (path.length > 1 ? fieldType(top.type, path.slice(1)) : top.type);
      if (!type) throw columnUnknown(sqlFqn(path));
      const source = innermostType(type);
      if (source.kind !== 'text' || source.length !== undefined) throw sqlParse("INDEX definition only support 'string' typed source columns");
    }
  }

  const props = properties(node.withProperties?.());
  const clusterParts = (node.partitionedByOrClusteredInto?.() as Ctx | null)?.children ?? [];
  let clusteredBy: string | null = pk.length === 1 ? pk[0]! : null;
  let shards = 4;
  let partitionedBy: string[] = [];
  let explicitRouting: string | null = null;
  for (const part of clusterParts as Ctx[]) {
    if (ruleName(part) === 'ClusteredByContext') {
      if (part.routing) clusteredBy = explicitRouting = identName(unwrap(part.routing).ident?.() ?? part.routing);
      if (part.numShards) shards = Number(propertyValue(part.numShards));
    } else if (ruleName(part) === 'PartitionedByContext') {
      partitionedBy = (part.columns().primaryExpression() as Ctx[]).map((c) => identName(unwrap(c).ident?.() ?? c));
    }
  }
  checkKeyColumns(columns, pk, partitionedBy, explicitRouting);
  if (!(shards >= 1)) throw sqlParse('num_shards in CLUSTERED clause must be greater than 0');
  if (clusteredBy !== null && pk.length > 0 && !pk.includes(clusteredBy)) {
    throw sqlParse(`Clustered by column \`${clusteredBy}\` must be part of primary keys: [${pk.join(', ')}]`);
  }
  for (const [k, v] of props) props.set(k, validateSetting(k, v, 'create'));
  const refresh = props.get('refresh_interval');
  const policy = props.get('column_policy') ?? 'strict';
  const settings: Record<string, string> = {};
  for (const [k, v] of props) if (!['number_of_replicas', 'refresh_interval', 'column_policy'].includes(k)) settings[k] = v;

  const table: TableDef = {
    id: catalog.newTableId(),
    schema,
    name,
    columns,
    primaryKey: pk,
    ...(pkName !== undefined ? { primaryKeyName: pkName } : {}),
    clusteredBy,
    numberOfShards: shards,
    partitionedBy,
    numberOfReplicas: props.get('number_of_replicas') ?? '0-1',
    refreshInterval: refresh === undefined ? 1000 : Number(refresh),
    columnPolicy: policy as TableDef['columnPolicy'],
    settings,
    checks: [],
    indexes,
    notNullChecks: {},
    createdVersion: VERSIONS[version].number,
    closed: false,
    nextPosition: position,
    visibility: { dirty: new Set(), since: null },
  };
  const pgChecks: Array<{ name: string; sql: string }> = [];
  for (const c of checkNodes) {
    const checkName = c.name ?? `${name}_${c.column ?? 'check'}_check_${Math.random().toString(36).slice(2, 10)}`;
    const def: CheckDef = { name: checkName, expr: formatStandalone(c.node, { quote: true }), pgName: checkConstraintName(table) };
    table.checks.push(def);
    pgChecks.push({ name: def.pgName, sql: checkSql(c.node, table, env) });
  }
  for (const c of columns) if (c.notNull) pgChecks.push(notNullCheck(table, c.name));
  return { table, ddl: createTableSql(table, pgChecks) };
}

/**
 * Refuses a column type CrateDB cannot store, also inside arrays and objects: DATE, and a NUMERIC without
 * both precision and scale or wider than 38 digits (NumericType.addMappingOptions: points are 16 bytes).
 */
export function checkStorage(t: CrateType): void {
  if (t.kind === 'array') return checkStorage(t.element);
  if (t.kind === 'object') return t.fields.forEach((f) => checkStorage(f.type));
  if (t.kind === 'date') throw unsupportedFeature('Type `date` does not support storage');
  if (t.kind === 'numeric') {
    if (t.precision === undefined || t.scale === undefined) throw unsupportedFeature('NUMERIC storage is only supported if precision and scale are specified');
    if (t.precision > 38) throw unsupportedFeature(`Precision for NUMERIC(${t.precision}) is too large. Only up to 38 can be stored`);
  }
}

/** The name of a `CONSTRAINT name PRIMARY KEY`, when it has one. */
function constraintName(pk: Ctx | null): string | undefined {
  return pk?.name ? identName(pk.name) : undefined;
}

/**
 * Applies one constraint of a column definition (CREATE TABLE or ALTER TABLE ADD COLUMN) to the column;
 * a PRIMARY KEY or CHECK is returned for the caller to place.
 */
export function applyColumnConstraint(
  col: ColumnDef,
  c: Ctx,
  analyzers: Catalog['analyzers'],
): { primaryKey?: { name: string | undefined }; check?: { name: string | undefined; node: Ctx } } {
  switch (ruleName(c)) {
    case 'ColumnConstraintPrimaryKeyContext':
      return { primaryKey: { name: constraintName(c.primaryKeyContraint()) } };
    case 'ColumnConstraintNotNullContext':
      col.notNull = true;
      break;
    case 'ColumnIndexConstraintContext':
      if (identName(c.method).toLowerCase() === 'fulltext') {
        const text = innermostType(col.type);
        if (text.kind !== 'text' || text.length !== undefined) {
          throw sqlParse(`Can't use an Analyzer on column ${col.name} because analyzers are only allowed on columns of type "text" of the unbound length limit.`);
        }
        const analyzer = properties(c.withProperties()).get('analyzer') ?? 'standard';
        col.searchConfig = resolveAnalyzer(analyzer, analyzers, col.name);
        col.fulltext = analyzer;
      }
      break;
    case 'ColumnIndexOffContext':
      col.indexOff = true;
      break;
    case 'ColumnStorageDefinitionContext':
      if (properties(c.withProperties()).get('columnstore') === 'false') col.noColumnstore = true;
      break;
    case 'ColumnDefaultConstraintContext':
      if (col.type.kind === 'object') throw sqlParse(`Default values are not allowed for object columns: ${col.name}`);
      col.defaultExpr = formatStandalone(c.defaultExpr, { quote: true, normalized: true });
      break;
    case 'ColumnGeneratedConstraintContext':
      col.generated = formatStandalone(c.generatedExpr, { quote: true });
      break;
    case 'ColumnCheckConstraintContext': {
      const ck = c.checkConstraint();
      return { check: { name: ck.name ? identName(ck.name) : undefined, node: ck.expression } };
    }
    default:
      break;
  }
  return {};
}
