/**
 * `SET col = expr` of UPDATE and of INSERT ... ON CONFLICT DO UPDATE: the new values cast to the column
 * types (a parameter is coerced in JS to its column's type first), `_seq_no` and `_version` bumped,
 * generated columns recomputed from the new values, object sub-columns set with jsonb_set.
 */
import type { TableDef } from './catalog.js';
import { SYSTEM_COLUMN_NAMES } from './column-names.js';
import { columnUnknown, columnValidation, sqlParse, unsupportedFeature } from './errors.js';
import { expr } from './expr.js';
import { format, pgString, quoteIdent } from './format.js';
import { constantOf, unwrap } from './literals.js';
import { identName, parseExpression, ruleName, type Ctx } from './parse.js';
import { Scope, type Relation, type Tx, type Typed } from './scope.js';
import { seqName } from './storage.js';
import { fieldType, pgType } from './types.js';

/** A relation over a user table under `alias`. */
export function tableRelation(t: TableDef, alias: string): Relation {
  return { alias, columns: t.columns.map((c) => ({ name: c.name, type: c.type })), table: t };
}

/** A stored expression (DEFAULT, GENERATED) of a column, translated in a scope. */
export function storedExpr(text: string, scope: Scope, tx: Tx): Typed {
  return expr(parseExpression(text, tx.env.version), scope, tx);
}

/**
 * `SET col = expr, ...` of UPDATE and ON CONFLICT DO UPDATE on the live table aliased `t`, with
 * `_seq_no`/`_version` bumped and generated columns recomputed from the new values.
 */
export function updateAssignments(table: TableDef, assignments: Ctx[], tx: Tx, withExcluded: boolean, alias = 't'): { sql: string[]; set: Map<string, Typed> } {
  // A bare name is the stored row's column, `excluded.x` the proposed row's: excluded sits in an outer scope.
  const scope = new Scope([tableRelation(table, alias)], withExcluded ? new Scope([tableRelation(table, 'excluded')]) : undefined);
  const set = new Map<string, Typed>();
  for (const a of assignments) {
    const target = unwrap(a.primaryExpression());
    if (ruleName(target) === 'SubscriptContext') {
      subColumnAssignment(table, target, a.expr(), scope, tx, set, alias);
      continue;
    }
    if (ruleName(target) !== 'ColumnReferenceContext') throw unsupportedFeature(`Updating ${format(target)} is not supported`);
    const name = identName(target.ident());
    ensureUpdatable(table, name);
    const col = table.columns.find((x) => x.name === name);
    if (!col) throw columnUnknown(name);
    if (col.generated !== undefined) throw sqlParse(`Column "${name}" cannot be updated, it is a generated column`);
    const cst = constantOf(a.expr());
    let value: Typed;
    if (cst?.kind === 'param') {
      const n = tx.param(cst.tokenIndex, cst.explicit);
      tx.hints.set(n, col.type);
      value = { sql: `$${n}`, type: col.type };
    } else {
      value = expr(a.expr(), scope, tx);
    }
    // UpdateAnalyzer's rule (an IllegalArgumentException, so 4000); PG would name the parameter instead.
    if (!withExcluded && set.has(name)) throw sqlParse(`Target expression repeated: ${name}`);
    set.set(name, { sql: `CAST(${value.sql} AS ${pgType(col.type)})`, type: col.type });
  }
  for (const [name, v] of set) if (v.sql.startsWith('jsonb_set(')) set.set(name, { sql: `CAST(${v.sql} AS jsonb)`, ...(v.type ? { type: v.type } : {}) });
  const out = [...set].map(([name, v]) => `${quoteIdent(name)} = ${v.sql}`);
  const generated = table.columns.filter((x) => x.generated !== undefined);
  if (generated.length > 0) {
    const rel = tableRelation(table, alias);
    rel.overrides = new Map(set);
    for (const g of generated) out.push(`${quoteIdent(g.name)} = CAST(${storedExpr(g.generated!, new Scope([rel]), tx).sql} AS ${pgType(g.type)})`);
  }
  out.push(`"_seq_no" = nextval('${seqName(table)}')`, `"_version" = ${quoteIdent(alias)}."_version" + 1`);
  return { sql: out, set };
}

/**
 * CrateDB resolves an assignment target through DocTableRelation.ensureColumnCanBeUpdated, before the
 * column is looked up, checking in this order: system column, primary key, CLUSTERED BY column (so a key
 * column that also routes names the key rule), PARTITIONED BY column.
 */
function ensureUpdatable(table: TableDef, name: string): void {
  if (SYSTEM_COLUMN_NAMES.has(name)) throw columnValidation(name, 'Updating a system column is not supported');
  if (table.primaryKey.includes(name)) throw columnValidation(name, 'Updating a primary key is not supported');
  if (table.clusteredBy === name) throw columnValidation(name, 'Updating a clustered-by column is not supported');
  if (table.partitionedBy.includes(name)) throw columnValidation(name, 'Updating a partitioned-by column is not supported');
}

/** `SET o['a']['b'] = v`: the object column is rewritten with jsonb_set (strict objects keep their keys). */
function subColumnAssignment(table: TableDef, target: Ctx, valueNode: Ctx, scope: Scope, tx: Tx, set: Map<string, Typed>, alias: string): void {
  const path: string[] = [];
  let base = target;
  while (ruleName(base) === 'SubscriptContext') {
    const key = constantOf(base.index);
    if (key?.kind !== 'value' || typeof key.value !== 'string') throw unsupportedFeature(`Updating ${format(target)} is not supported`);
    path.unshift(key.value);
    base = unwrap(base.value);
  }
  if (ruleName(base) !== 'ColumnReferenceContext') throw unsupportedFeature(`Updating ${format(target)} is not supported`);
  const name = identName(base.ident());
  const col = table.columns.find((x) => x.name === name);
  if (!col || col.type.kind !== 'object') throw columnUnknown(format(target));
  const field = fieldType(col.type, path);
  if (!field && col.type.policy === 'strict') throw sqlParse(`Cannot add column \`${path[path.length - 1]}\` to strict object \`${name}\``);
  const cst = constantOf(valueNode);
  let value: Typed;
  if (cst?.kind === 'param') {
    const n = tx.param(cst.tokenIndex, cst.explicit);
    if (field) tx.hints.set(n, field);
    else tx.free.add(n);
    value = { sql: `$${n}`, ...(field ? { type: field } : {}) };
  } else {
    value = expr(valueNode, scope, tx);
  }
  const current = set.get(name)?.sql ?? `${quoteIdent(alias)}.${quoteIdent(name)}`;
  const json = field ? `to_jsonb(CAST(${value.sql} AS ${pgType(field)}))` : `to_jsonb(${value.sql})`;
  set.set(name, { sql: `jsonb_set(coalesce(${current}, '{}'::jsonb), ${pgString(`{${path.map((p) => `"${p.replace(/"/g, '\\"')}"`).join(',')}}`)}, ${json}, true)`, type: col.type });
}

