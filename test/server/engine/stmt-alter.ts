/**
 * ALTER TABLE (ADD / DROP / RENAME COLUMN, SET / RESET settings, RENAME TO, DROP CONSTRAINT,
 * ALTER COLUMN SET / DROP DEFAULT) and ALTER CLUSTER SWAP TABLE. Renames and swaps only move catalog
 * entries (PG tables are named by internal id); column changes are applied to both PG tables.
 */
import { checkBlocks, type ColumnDef, type TableDef } from './catalog.js';
import { columnUnknown, relationUnknown, schemaUnknown, sqlParse, unsupportedFeature } from './errors.js';
import { applyColumnConstraint, checkSql, checkStorage, properties } from './ddl-create.js';
import { SYSTEM_COLUMN_NAMES, validColumnName } from './column-names.js';
import { atKey, columnType, parentObject, planDropColumns, samePath, unknownColumnOf } from './ddl-columns.js';
import { partitionClause, setPartitionProperties, setProperties } from './ddl-alter-settings.js';
import { formatStandalone, pgString, quoteIdent, sqlFqn } from './format.js';
import { identName, parseExpression, qnameParts, ruleName, subscriptSafeParts, type Ctx } from './parse.js';
import { canSeeSchema, checkPrivileges, onRelation } from './privileges.js';
import { query, rowcountStatement, type Prepared, type RunContext } from './run.js';
import { relationSchema, type Env } from './scope.js';
import { existingTable } from './stmt-ddl.js';
import { foldedDefault } from './default-fold.js';
import { allOrNothing, checkConstraintName, columnSql, dropTableSql, notNullCheck, periodicRefresh, pgTableName } from './storage.js';
import type { ExtraStatement } from './stmt-extras.js';
import { typeFromNode, T, type ObjectField } from './types.js';
import { addFields, numberFields } from './values.js';


function objectFields(defs: Ctx[]): ObjectField[] {
  return defs.map((d) => ({ name: identName(d.ident()), type: d.dataType() ? typeFromNode(d.dataType(), objectFields) : T.text }));
}

function subscriptPath(node: Ctx): string[] {
  const { parts, keys } = subscriptSafeParts(node);
  return [...parts, ...keys];
}

function alterTarget(a: Ctx): Ctx {
  const def = a.alterTableDefinition();
  return def.qname?.() ?? def.tableWithPartition().qname();
}

/** Runs statements on both PG copies of a table (live rows and the searchable copy), in one exec. */
async function onBothCopies(ctx: RunContext, t: TableDef, statements: (table: string) => string[]): Promise<void> {
  const copies = [pgTableName(t, 'live'), pgTableName(t, 'shadow')];
  await ctx.state.pg.exec(copies.flatMap((table) => statements(table).map((stmt) => `${stmt};`)).join('\n'));
}

async function both(ctx: RunContext, t: TableDef, action: string): Promise<void> {
  await onBothCopies(ctx, t, (table) => [`ALTER TABLE ${table} ${action}`]);
}

export function prepareAlter(a: Ctx, env: Env): Prepared {
  const rule = ruleName(a);
  if (rule === 'AlterClusterSwapTableContext') return swap(a, env);
  return rowcountStatement(async (ctx) => {
    const t = existingTable(alterTarget(a), env, 'ALTER');
    checkPrivileges(env.user, [onRelation(t, 'DDL')]);
    if (rule !== 'AlterTableOpenCloseContext') checkBlocks(t, alterOperation(a, rule));
    let rowcount = -1;
    switch (rule) {
      case 'AddColumnContext':
        if (partitionClause(a)) throw unsupportedFeature('Adding a column to a single partition is not supported');
        // One statement: CrateDB analyzes its columns together, so one that fails leaves none added.
        await allOrNothing(ctx.state.pg, t, async () => {
          for (const d of a.addColumnDefinition() as Ctx[]) await addColumn(ctx, t, d, env);
        });
        break;
      case 'DropColumnContext':
        if (partitionClause(a)) throw unsupportedFeature('Dropping a column from a single partition is not supported');
        await dropColumns(ctx, t, a.dropColumnDefinition() as Ctx[]);
        break;
      case 'DropCheckConstraintContext': {
        const name = identName(a.ident());
        const check = t.checks.find((c) => c.name === name);
        if (!check) throw sqlParse(`Cannot find a CHECK CONSTRAINT named [${name}], available constraints are: [${t.checks.map((c) => c.name).join(', ')}]`);
        await ctx.state.pg.exec(`ALTER TABLE ${pgTableName(t, 'live')} DROP CONSTRAINT ${quoteIdent(check.pgName)}`);
        t.checks = t.checks.filter((c) => c !== check);
        break;
      }
      case 'AlterTablePropertiesContext': {
        const partition = partitionClause(a);
        if (partition) await setPartitionProperties(ctx, t, partition, a);
        else rowcount = setProperties(t, a);
        break;
      }
      case 'AlterTableRenameTableContext': {
        const parts = qnameParts(a.qname());
        const name = parts[parts.length - 1]!;
        if (parts.length > 1) throw sqlParse('Target table name must not include a schema');
        const schema = t.schema;
        if (ctx.state.catalog.table(schema, name) || ctx.state.catalog.view(schema, name)) {
          throw sqlParse(`Cannot rename table ${t.schema}.${t.name} to ${schema}.${name}, table ${schema}.${name} already exists`);
        }
        ctx.state.catalog.moveRelationPrivileges(`${t.schema}.${t.name}`, `${schema}.${name}`);
        ctx.state.catalog.renameTable(t, schema, name);
        break;
      }
      case 'AlterTableRenameColumnContext':
        if (partitionClause(a)) throw unsupportedFeature('Renaming a column from a single partition is not supported');
        await renameColumn(ctx, t, subscriptPath(a.source), subscriptPath(a.target), env);
        break;
      case 'AlterTableOpenCloseContext':
        t.closed = !!a.CLOSE?.();
        break;
      default:
        throw unsupportedFeature(`ALTER TABLE form not supported by the test server: ${a.getText().slice(0, 60)}`);
    }
    ctx.state.catalog.touch();
    return rowcount;
  });
}

/** The `Operation` an ALTER TABLE is checked as against the table's blocks: SET/RESET of `blocks.*` only is
 * ALTER BLOCKS (always allowed, so a block can be lifted), RENAME TO is ALTER RENAME. */
function alterOperation(a: Ctx, rule: string): string {
  if (rule === 'AlterTableRenameTableContext') return 'ALTER RENAME';
  if (rule !== 'AlterTablePropertiesContext') return 'ALTER';
  const keys = a.SET?.() ? (a.genericProperties().genericProperty() as Ctx[]).map((p) => identName(p.ident())) : ((a.ident?.() as Ctx[] | null) ?? []).map(identName);
  return keys.length > 0 && keys.every((k) => k.startsWith('blocks.')) ? 'ALTER BLOCKS' : 'ALTER';
}

async function addColumn(ctx: RunContext, t: TableDef, d: Ctx, env: Env): Promise<void> {
  const path = subscriptPath(d.subscriptSafe());
  const type = d.dataType() ? typeFromNode(d.dataType(), objectFields) : T.text;
  checkStorage(type);
  const top = t.columns.find((c) => c.name === path[0]);
  if (path.length > 1) {
    if (!top) throw columnUnknown(path[0]!);
    if (!addFields(top.type, path.slice(1), type, () => t.nextPosition++)) {
      throw sqlParse(`The table ${t.schema}.${t.name} already has a column named ${path.join('.')}`);
    }
    return;
  }
  if (top) throw sqlParse(`The table ${t.schema}.${t.name} already has a column named ${path[0]}`);
  validColumnName(path[0]!, ctx.state.version);
  const col: ColumnDef = { name: path[0]!, type, notNull: false, position: t.nextPosition++ };
  numberFields(type, () => t.nextPosition++);
  const checks: Array<{ pgName: string; name: string; expr: string; node: Ctx }> = [];
  let primaryKey = false;
  for (const c of (d.columnConstraint() as Ctx[]) ?? []) {
    const r = applyColumnConstraint(col, c, ctx.state.catalog.analyzers);
    if (r.primaryKey) primaryKey = true;
    if (r.check) {
      const name = r.check.name ?? `${t.name}_${col.name}_check_${Math.random().toString(36).slice(2, 10)}`;
      checks.push({ pgName: checkConstraintName(t), name, expr: formatStandalone(r.check.node, { quote: true }), node: r.check.node });
    }
  }
  const missing = col.generated === undefined ? undefined : unknownColumnOf(col.generated, ctx.state.version, [...t.columns, col]);
  if (missing !== undefined) throw columnUnknown(missing);
  if (col.defaultExpr !== undefined) col.defaultExpr = await foldedDefault(ctx.state.pg, col.defaultExpr, col, env);
  if (primaryKey || col.generated !== undefined) await refuseIfNotEmpty(ctx, t, primaryKey ? 'primary key' : 'generated');
  await both(ctx, t, `ADD COLUMN ${columnSql(col)}`);
  t.columns.push(col);
  if (primaryKey) await addKeyColumn(ctx, t, col.name);
  const live = pgTableName(t, 'live');
  if (col.notNull) {
    const nn = notNullCheck(t, col.name);
    await ctx.state.pg.exec(`ALTER TABLE ${live} ADD CONSTRAINT ${quoteIdent(nn.name)} CHECK (${nn.sql}) NOT VALID`);
  }
  for (const c of checks) {
    await ctx.state.pg.exec(`ALTER TABLE ${live} ADD CONSTRAINT ${quoteIdent(c.pgName)} CHECK (${checkSql(c.node, t, env)}) NOT VALID`);
    t.checks.push({ name: c.name, expr: c.expr, pgName: c.pgName });
  }
}

/** "Isn't empty" counts the rows a search sees: rows written since the last refresh do not count. */
async function refuseIfNotEmpty(ctx: RunContext, t: TableDef, what: string): Promise<void> {
  await periodicRefresh(ctx.state.pg, t, ctx.state.clock.now());
  const r = await query(ctx.state.pg, `SELECT count(*) FROM ${pgTableName(t, 'shadow')}`);
  if (Number(r.rows[0]![0]) > 0) throw unsupportedFeature(`Cannot add a ${what} column to a table that isn't empty`);
}

/**
 * A key column added to an empty table. 5.10 makes it the key (and the routing column when it is the
 * only one). 6.4 keeps `_id` in front of it: the key becomes (`_id`, col), which no INSERT can give.
 */
async function addKeyColumn(ctx: RunContext, t: TableDef, name: string): Promise<void> {
  if (ctx.state.version === '6.4' && t.primaryKey.length === 0) {
    t.primaryKey.push(name);
    t.keyIncludesId = true;
    return;
  }
  const hadKey = t.primaryKey.length > 0;
  t.primaryKey.push(name);
  if (t.primaryKey.length === 1 && t.clusteredBy === null) t.clusteredBy = name;
  const live = pgTableName(t, 'live');
  const constraint = quoteIdent(`t${t.id}_pkey`);
  await ctx.state.pg.exec(
    `ALTER TABLE ${live} DROP CONSTRAINT ${constraint}, ADD CONSTRAINT ${constraint} PRIMARY KEY (${t.primaryKey.map(quoteIdent).join(', ')})${hadKey ? '' : ', ADD UNIQUE ("_id")'}`,
  );
}

async function dropColumns(ctx: RunContext, t: TableDef, defs: Ctx[]): Promise<void> {
  const drop = planDropColumns(t, defs.map((d) => ({ path: subscriptPath(d.subscriptSafe()), ifExists: !!d.IF?.() })), ctx.state.version);
  if (!drop) return;
  await onBothCopies(ctx, t, drop.sql);
  drop.apply();
}

/**
 * RENAME COLUMN of a column or a sub-column (same level, same parent), as DocTableInfo.renameColumn:
 * what reads it follows the new name (generated and CHECK expressions, named indexes, key, routing and
 * partition columns). A sub-column is a key inside its object's jsonb, renamed in every row.
 */
async function renameColumn(ctx: RunContext, t: TableDef, from: string[], to: string[], env: Env): Promise<void> {
  if (from.length !== to.length) throw sqlParse(`Cannot rename a column to a name that has different column level: ${sqlFqn(from)}, ${sqlFqn(to)}`);
  if (!samePath(from.slice(0, -1), to.slice(0, -1))) {
    throw sqlParse(`When renaming sub-columns, parent names must be equal: ${sqlFqn(from.slice(0, -1))}, ${sqlFqn(to.slice(0, -1))}`);
  }
  if (!columnType(t, from)) throw columnUnknown(sqlFqn(from));
  if (columnType(t, to) || (to.length === 1 && t.indexes.some((i) => i.name === to[0]))) throw sqlParse('Cannot rename column to a name that is in use');
  const col = t.columns.find((c) => c.name === from[0])!;
  const newKey = to[to.length - 1]!;
  const rename = (p: string[]): string[] => (samePath(p.slice(0, from.length), from) ? [...to, ...p.slice(from.length)] : p);
  const reformat = (text: string): string => formatStandalone(parseExpression(text, env.version), { quote: true, column: rename });
  if (from.length === 1) {
    await both(ctx, t, `RENAME COLUMN ${quoteIdent(col.name)} TO ${quoteIdent(newKey)}`);
    const top = (n: string): string => (n === col.name ? newKey : n);
    t.primaryKey = t.primaryKey.map(top);
    t.partitionedBy = t.partitionedBy.map(top);
    if (t.clusteredBy) t.clusteredBy = top(t.clusteredBy);
    for (const [k, v] of Object.entries(t.notNullChecks)) t.notNullChecks[k] = top(v);
    col.name = newKey;
  } else {
    const name = quoteIdent(col.name);
    const value = atKey(name, col.type, from.slice(1), (obj, key) => `CASE WHEN ${obj} ? ${key} THEN (${obj} - ${key}) || jsonb_build_object(${pgString(newKey)}, ${obj} -> ${key}) ELSE ${obj} END`);
    await onBothCopies(ctx, t, (table) => [`UPDATE ${table} SET ${name} = ${value} WHERE ${value} IS DISTINCT FROM ${name}`]);
    const parent = parentObject(col.type, from.slice(1));
    if (parent.kind === 'object') for (const f of parent.fields) if (f.name === from[from.length - 1]) f.name = newKey;
  }
  for (const i of t.indexes) i.columns = i.columns.map(rename);
  for (const c of t.columns) if (c.generated !== undefined) c.generated = reformat(c.generated);
  const renamedChecks = t.checks.filter((c) => {
    const before = c.expr;
    c.expr = reformat(before);
    return c.expr !== before;
  });
  // PG renames its own column references; a key inside jsonb it does not: those checks are made again.
  if (from.length > 1) {
    for (const c of renamedChecks) {
      const check = `CHECK (${checkSql(parseExpression(c.expr, env.version), t, env)}) NOT VALID`;
      await ctx.state.pg.exec(`ALTER TABLE ${pgTableName(t, 'live')} DROP CONSTRAINT ${quoteIdent(c.pgName)}, ADD CONSTRAINT ${quoteIdent(c.pgName)} ${check}`);
    }
  }
}

function swap(a: Ctx, env: Env): Prepared {
  return rowcountStatement(async (ctx) => {
    const { catalog } = ctx.state;
    const source = existingTable(a.source, env);
    const target = existingTable(a.target, env);
    checkPrivileges(env.user, [onRelation(source, 'DDL'), onRelation(target, 'DDL')]);
    const dropSource = properties(a.withProperties?.()).get('drop_source') === 'true';
    const s = { schema: source.schema, name: source.name };
    const tgt = { schema: target.schema, name: target.name };
    catalog.tables.delete(`${s.schema}.${s.name}`);
    catalog.tables.delete(`${tgt.schema}.${tgt.name}`);
    Object.assign(source, tgt);
    catalog.tables.set(`${tgt.schema}.${tgt.name}`, source);
    if (dropSource) {
      await ctx.state.pg.exec(dropTableSql(target));
    } else {
      Object.assign(target, s);
      catalog.tables.set(`${s.schema}.${s.name}`, target);
    }
    catalog.touch();
    return 1;
  });
}

/** ALTER TABLE t ALTER [COLUMN] c SET DEFAULT expr | DROP DEFAULT (6.3+). */
export function prepareAlterColumnDefault(x: Extract<ExtraStatement, { kind: 'alterColumnDefault' }>, env: Env): Prepared {
  return rowcountStatement(async (ctx) => {
    const parts = x.table;
    const schema = relationSchema(parts, env);
    const name = parts[parts.length - 1]!;
    if (!canSeeSchema(env.user, schema)) throw schemaUnknown(schema);
    const t = ctx.state.catalog.table(schema, name);
    if (!t) throw relationUnknown(parts.join('.'));
    checkPrivileges(env.user, [{ schema, table: name, type: 'DDL' }]);
    // AlterTableAlterColumnAnalyzer's refusals, before the default itself is analyzed.
    const fqn = x.column.join('.');
    if (x.column.length === 1 && SYSTEM_COLUMN_NAMES.has(fqn)) throw sqlParse(`Cannot alter system column \`${fqn}\``);
    const col = t.columns.find((c) => c.name === x.column[0]);
    if (!col || x.column.length > 1) throw columnUnknown(fqn);
    if (col.generated !== undefined) throw sqlParse(`Cannot SET DEFAULT on generated column \`${fqn}\``);
    if (col.type.kind === 'object') throw sqlParse(`Default values are not allowed for object columns: ${fqn}`);
    if (x.expr === null) delete col.defaultExpr;
    else col.defaultExpr = await foldedDefault(ctx.state.pg, formatStandalone(x.expr, { quote: true, normalized: true }), col, env);
    ctx.state.catalog.touch();
    return -1;
  });
}
