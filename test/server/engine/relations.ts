/**
 * FROM items: joins, subqueries, table functions and named relations (a CTE, a system table, a view
 * inlined as a subquery, or a user table read live or through its searchable copy).
 */
import { CrateError, relationUnknown, schemaUnknown, sqlParse } from './errors.js';
import { expr } from './expr.js';
import { format, quoteIdent } from './format.js';
import { identName, parseStatement, qnameParts, ruleName, type Ctx } from './parse.js';
import { canSeeSchema } from './privileges.js';
import { translateQuery } from './query.js';
import { relationSchema, type Column, type Relation, type Scope, type Tx } from './scope.js';
import { pgTableName } from './storage.js';
import { isSystemSchema, SYSTEM_TABLES, systemRelation } from './system-tables.js';
import { checkOpen } from './catalog.js';

/** Translates one FROM item, adding its relations to `relations`. */
export function relation(node: Ctx, scope: Scope, tx: Tx, relations: Relation[]): string {
  if (ruleName(node) === 'RelationDefaultContext') return aliasedRelation(node.aliasedRelation(), scope, tx, relations);
  // JoinRelationContext
  const left = relation(node.left, scope, tx, relations);
  if (node.CROSS?.()) return `${left} CROSS JOIN ${aliasedRelation(node.right, scope, tx, relations)}`;
  if (node.NATURAL?.()) return `${left} NATURAL ${joinType(node.joinType())} JOIN ${aliasedRelation(node.right, scope, tx, relations)}`;
  const right = relation(node.rightRelation, scope, tx, relations);
  const crit = node.joinCriteria();
  const on = crit.ON?.()
    ? `ON ${expr(crit.booleanExpression(), scope, tx).sql}`
    : `USING (${(crit.ident() as Ctx[]).map((i) => quoteIdent(identName(i))).join(', ')})`;
  return `${left} ${joinType(node.joinType())} JOIN ${right} ${on}`;
}

function joinType(node: Ctx): string {
  const text = node.getText().toUpperCase();
  if (text.startsWith('LEFT')) return 'LEFT';
  if (text.startsWith('RIGHT')) return 'RIGHT';
  if (text.startsWith('FULL')) return 'FULL';
  return 'INNER';
}

function aliasedRelation(node: Ctx, scope: Scope, tx: Tx, relations: Relation[]): string {
  const primary = node.relationPrimary();
  const alias = node.ident() ? identName(node.ident()) : undefined;
  const columnAliases = node.aliasedColumns?.() ? (node.aliasedColumns().ident() as Ctx[]).map(identName) : undefined;
  const rename = (cols: Column[]): Column[] => (columnAliases ? cols.map((c, i) => ({ ...c, name: columnAliases[i] ?? c.name })) : cols);
  switch (ruleName(primary)) {
    case 'TableRelationContext': {
      const table = primary.table();
      if (ruleName(table) === 'TableFunctionContext') {
        const name = qnameParts(table.qname()).join('.');
        const args = ((table.valueExpression() as Ctx[] | null) ?? []).map((a) => expr(a, scope, tx, { free: true }));
        const a = alias ?? name;
        // empty_row(): one row without columns (EmptyRowTableFunction), what a FROM-less SELECT reads.
        if (name === 'empty_row' && args.length === 0) {
          relations.push({ alias: a, columns: [] });
          return `(SELECT) AS ${quoteIdent(a)}`;
        }
        // unnest of several arrays gives one column per array, col1, col2, ... (UnnestFunction), typed by element.
        const cols: Column[] = name === 'unnest' && args.length > 1
          ? args.map((x, i) => ({ name: columnAliases?.[i] ?? `col${i + 1}`, ...(x.type?.kind === 'array' ? { type: x.type.element } : {}) }))
          : [{ name: columnAliases?.[0] ?? name }];
        relations.push({ alias: a, columns: cols });
        return `${name}(${args.map((x) => x.sql).join(', ')}) AS ${quoteIdent(a)}(${cols.map((c) => quoteIdent(c.name)).join(', ')})`;
      }
      const parts = qnameParts(table.qname());
      const r = namedRelation(parts, alias, tx);
      r.relation.columns = rename(r.relation.columns);
      relations.push(r.relation);
      return r.sql;
    }
    case 'SubqueryRelationContext': {
      const sub = translateQuery(primary.query(), scope.parent, tx);
      const a = alias ?? '$subquery';
      const cols = rename(sub.outputs);
      relations.push({ alias: a, columns: cols });
      return `(${sub.sql}) AS ${quoteIdent(a)}${columnAliases ? `(${cols.map((c) => quoteIdent(c.name)).join(', ')})` : ''}`;
    }
    case 'ParenthesizedRelationContext':
      return `(${relation(primary.relation(), scope, tx, relations)})`;
    default:
      throw sqlParse(`Unsupported relation: ${format(primary)}`);
  }
}

/** A relation named in FROM: CTE, system table, view or user table. */
export function namedRelation(parts: string[], alias: string | undefined, tx: Tx): { sql: string; relation: Relation } {
  const name = parts[parts.length - 1]!;
  if (parts.length === 1) {
    for (let i = tx.ctes.length - 1; i >= 0; i--) {
      const cte = tx.ctes[i]!.get(name);
      if (cte) return { sql: `${quoteIdent(name)}${alias ? ` AS ${quoteIdent(alias)}` : ''}`, relation: { alias: alias ?? name, columns: cte } };
    }
  }
  if (parts.length > 2) throw sqlParse(`Invalid relation name: ${parts.join('.')}`);
  // pg_catalog is on every search path, first (CrateDB's SearchPath), so its tables need no schema.
  const schema = parts.length === 1 && SYSTEM_TABLES.has(`pg_catalog.${name}`) ? 'pg_catalog' : relationSchema(parts, tx.env);
  const a = alias ?? name;
  if (isSystemSchema(schema)) {
    const sys = systemRelation(schema, name, tx);
    if (!sys) throw relationUnknown(parts.join('.'), [...SYSTEM_TABLES.values()].filter((d) => d.schema === schema).map((d) => d.name));
    return { sql: `${sys.sql} AS ${quoteIdent(a)}`, relation: { alias: a, columns: sys.columns } };
  }
  if (!canSeeSchema(tx.env.user, schema)) throw schemaUnknown(schema);
  const { catalog } = tx.env;
  const view = catalog.view(schema, name);
  if (view) {
    tx.need(schema, 'DQL', name);
    const parsed = parseStatement(view.query, tx.env.version);
    if (parsed.kind !== 'tree') throw new CrateError(500, 5000, 'broken view');
    const saved = tx.env;
    tx.env = { ...saved, schema: view.searchPath[0]!, searchPath: view.searchPath };
    try {
      const sub = translateQuery(parsed.stmt.query(), undefined, tx);
      return { sql: `(${sub.sql}) AS ${quoteIdent(a)}`, relation: { alias: a, columns: sub.outputs } };
    } finally {
      tx.env = saved;
    }
  }
  const table = catalog.table(schema, name);
  if (!table) {
    if (parts.length === 2 && !catalog.schemaExists(schema)) throw schemaUnknown(schema);
    throw relationUnknown(parts.join('.'));
  }
  tx.need(schema, 'DQL', name);
  checkOpen(table, 'READ');
  const mode = tx.visibility;
  if (tx.reads.get(table) !== 'shadow') tx.reads.set(table, mode);
  return {
    sql: `${pgTableName(table, mode)} AS ${quoteIdent(a)}`,
    relation: { alias: a, columns: table.columns.map((c) => ({ name: c.name, type: c.type })), table },
  };
}

