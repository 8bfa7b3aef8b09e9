/**
 * Query translation: SELECT / VALUES / UNION with their relations. Every output column gets
 * CrateDB's name (alias, or the expression as CrateDB prints it) and, where known, its CrateDB type;
 * `*` is expanded here so that hidden PG columns (`_id`, `_seq_no`, ...) never show. User tables are
 * read from their live PG table (real-time key lookups) or their searchable copy (everything else).
 */
import { relationUnknown } from './errors.js';
import { expr } from './expr.js';
import { popScore, pushScore } from './match.js';
import { sortItem, windowDefinition } from './ordering.js';
import { callName, formatStandalone, quoteIdent } from './format.js';
import { AGGREGATES } from './functions.js';
import { constantOf, unwrap } from './literals.js';
import { identName, qnameParts, ruleName, type Ctx } from './parse.js';
import { relation } from './relations.js';
import { Scope, type Column, type Relation, type Tx, type Typed } from './scope.js';
import { analyzerConfig, tokenArray } from './fulltext.js';
import { validateWhere } from './where-rules.js';

export interface QueryResult {
  sql: string;
  outputs: Column[];
}

/** Translates a `query` node. */
export function translateQuery(query: Ctx, outer: Scope | undefined, tx: Tx): QueryResult {
  const withCtx = query.with_?.() ?? query.with?.();
  const ctes = new Map<string, Column[]>();
  let prefix = '';
  if (withCtx) {
    const parts: string[] = [];
    tx.ctes.push(ctes);
    for (const nq of withCtx.namedQuery() as Ctx[]) {
      const name = identName(nq.name);
      const sub = translateQuery(nq.query(), outer, tx);
      const aliased = nq.aliasedColumns?.();
      const outputs = aliased ? (aliased.ident() as Ctx[]).map((i, k) => ({ ...sub.outputs[k], name: identName(i) })) : sub.outputs;
      ctes.set(name, outputs);
      parts.push(`${quoteIdent(name)}(${outputs.map((o) => quoteIdent(o.name)).join(', ')}) AS (${sub.sql})`);
    }
    prefix = `WITH ${parts.join(', ')} `;
  }
  try {
    const r = queryNoWith(query.queryNoWith(), outer, tx);
    return { sql: prefix + r.sql, outputs: r.outputs };
  } finally {
    if (withCtx) tx.ctes.pop();
  }
}

/** A scalar/array/EXISTS subquery: `(SELECT ...)` typed by its single output. */
export function translateSubquery(query: Ctx, outer: Scope, tx: Tx): Typed {
  const r = translateQuery(query, outer, tx);
  const type = r.outputs[0]?.type;
  return { sql: `(${r.sql})`, ...(type ? { type } : {}) };
}

function queryNoWith(node: Ctx, outer: Scope | undefined, tx: Tx): QueryResult {
  const term = node.queryTerm();
  const sorts = (node.sortItem() as Ctx[] | null) ?? [];
  const tail = limitOffset(node, tx);
  if (ruleName(term) === 'QueryTermDefaultContext') {
    const spec = term.querySpec();
    const r = querySpec(spec, outer, tx, sorts);
    return { sql: r.sql + tail, outputs: r.outputs };
  }
  const r = setOperation(term, outer, tx);
  const scope = new Scope([{ alias: '', columns: r.outputs }], outer, new Map(r.outputs.map((o) => [o.name, quoteIdent(o.name)])));
  const order = sorts.length > 0 ? ` ORDER BY ${sorts.map((s) => sortItem(s, scope, tx)).join(', ')}` : '';
  return { sql: r.sql + order + tail, outputs: r.outputs };
}

function limitOffset(node: Ctx, tx: Tx): string {
  let sql = '';
  const limit = node.limitClause?.();
  const offset = node.offsetClause?.();
  const value = (n: Ctx): string => expr(n, new Scope([]), tx).sql;
  if (limit?.limit) sql += ` LIMIT ${value(limit.limit)}`;
  if (offset?.offset) sql += ` OFFSET ${value(offset.offset)}`;
  return sql;
}

function setOperation(term: Ctx, outer: Scope | undefined, tx: Tx): QueryResult {
  if (ruleName(term) === 'QueryTermDefaultContext') return querySpec(term.querySpec(), outer, tx, []);
  if (ruleName(term) === 'QuerySpecContext' || ruleName(term) === 'DefaultQuerySpecContext' || ruleName(term) === 'ValuesRelationContext') {
    return querySpec(term, outer, tx, []);
  }
  const left = term.left ?? term.first;
  const right = term.right ?? term.second;
  const l = setOperation(left, outer, tx);
  const r = setOperation(right, outer, tx);
  const quant = term.setQuant?.()?.getText().toUpperCase() ?? 'DISTINCT';
  const op = term.operator.text.toUpperCase();
  return { sql: `(${l.sql}) ${op}${op === 'UNION' ? ` ${quant}` : ''} (${r.sql})`, outputs: l.outputs };
}

/** A WHERE condition, translated with `tx.inWhere` set for its own level only (not its subqueries' lists). */
export function whereSql(condition: Ctx, scope: Scope, tx: Tx): string {
  const outer = tx.inWhere;
  tx.inWhere = true;
  try {
    return expr(condition, scope, tx).sql;
  } finally {
    tx.inWhere = outer;
  }
}

/** One SELECT (or VALUES) with its ORDER BY. */
function querySpec(spec: Ctx, outer: Scope | undefined, tx: Tx, sorts: Ctx[]): QueryResult {
  if (ruleName(spec) === 'ValuesRelationContext') return valuesRelation(spec, outer, tx, sorts);
  const fromItems: Ctx[] = (spec.relation() as Ctx[] | null) ?? [];
  const relations: Relation[] = [];
  const fromSql: string[] = [];
  const scope = new Scope(relations, outer, new Map());
  const groupBy: Ctx[] = (spec.expr?.() as Ctx[] | null) ?? [];
  for (const rel of fromItems) fromSql.push(relation(rel, scope, tx, relations));
  tokenizeGroupedFulltext(groupBy, relations, fromSql, tx);
  pushScore(tx);
  const outerWhere = tx.inWhere;
  tx.inWhere = false;
  try {
    if (spec.where()) validateWhere(spec.where().condition);
    const where = spec.where() ? ` WHERE ${whereSql(spec.where().condition, scope, tx)}` : '';
    const items: string[] = [];
    const outputs: Column[] = [];
    for (const item of (spec.selectItem() as Ctx[] | null) ?? []) selectItem(item, scope, tx, items, outputs);
    for (const o of outputs) if (!scope.outputs!.has(o.name)) scope.outputs!.set(o.name, quoteIdent(o.name));
    const distinct = spec.setQuant?.()?.getText().toUpperCase() === 'DISTINCT' ? 'DISTINCT ' : '';
    let sql = `SELECT ${distinct}${items.join(', ')}`;
    if (fromSql.length > 0) sql += ` FROM ${fromSql.join(', ')}`;
    sql += where;
    if (groupBy.length > 0) sql += ` GROUP BY ${groupBy.map((g) => groupValue(g, scope, tx)).join(', ')}`;
    if (spec.having) sql += ` HAVING ${expr(spec.having, scope, tx).sql}`;
    const windows = (spec.windows as Ctx[] | undefined) ?? [];
    if (windows.length > 0) {
      sql += ` WINDOW ${windows.map((w) => `${quoteIdent(identName(w.name))} AS ${windowDefinition(w.windowDefinition(), scope, tx)}`).join(', ')}`;
    }
    if (sorts.length > 0) sql += ` ORDER BY ${sorts.map((s) => sortItem(s, scope, tx)).join(', ')}`;
    return { sql, outputs };
  } finally {
    tx.inWhere = outerWhere;
    popScore(tx);
  }
}

function groupValue(node: Ctx, scope: Scope, tx: Tx): string {
  const n = unwrap(node);
  if (ruleName(n) === 'IntegerLiteralContext') return n.getText();
  if (ruleName(n) === 'ColumnReferenceContext') {
    const name = identName(n.ident());
    const hasColumn = scope.relations.some((r) => r.columns.some((c) => c.name === name) || r.overrides?.has(name));
    if (!hasColumn && scope.outputs?.has(name)) return quoteIdent(name);
  }
  return expr(node, scope, tx).sql;
}

/**
 * 6.4 groups a column-form fulltext column by its tokens (`monti`, `guid`): such a column is read
 * through a lateral unnest of its analyzed tokens. 5.10 groups by the stored values.
 */
function tokenizeGroupedFulltext(groupBy: Ctx[], relations: Relation[], fromSql: string[], tx: Tx): void {
  if (tx.env.version !== '6.4') return;
  for (const g of groupBy) {
    const n = unwrap(g);
    if (ruleName(n) !== 'ColumnReferenceContext') continue;
    const name = identName(n.ident());
    const r = relations.find((rel) => rel.table?.columns.some((c) => c.name === name && c.fulltext));
    if (!r || r.overrides?.has(name)) continue;
    const col = r.table!.columns.find((c) => c.name === name)!;
    const alias = `${r.alias}$${name}`;
    r.overrides ??= new Map();
    r.overrides.set(name, { sql: `${quoteIdent(alias)}."tok"`, type: { kind: 'text' } });
    const cfg = (col.searchConfig ?? analyzerConfig(col.fulltext!));
    fromSql.push(`LATERAL unnest(${tokenArray(cfg, `${quoteIdent(r.alias)}.${quoteIdent(name)}`)}) AS ${quoteIdent(alias)}("tok")`);
  }
}

function selectItem(item: Ctx, scope: Scope, tx: Tx, items: string[], outputs: Column[]): void {
  if (ruleName(item) === 'SelectAllContext') {
    const qualifier = item.qname?.() ? qnameParts(item.qname()) : undefined;
    const rels = qualifier ? scope.relations.filter((r) => r.alias === qualifier[qualifier.length - 1]) : scope.relations;
    if (qualifier && rels.length === 0) throw relationUnknown(qualifier.join('.'));
    for (const r of rels) {
      for (const c of r.columns) {
        const over = r.overrides?.get(c.name);
        items.push(`${over?.sql ?? `${quoteIdent(r.alias)}.${quoteIdent(c.name)}`} AS ${quoteIdent(c.name)}`);
        outputs.push(c);
      }
    }
    return;
  }
  const node = item.expr();
  const value = expr(node, scope, tx, { free: true });
  const name = item.ident() ? identName(item.ident()) : outputName(node, tx);
  items.push(`${value.sql} AS ${quoteIdent(name.slice(0, 63))}`);
  const c = constantOf(node);
  const param = c?.kind === 'param' ? tx.param(c.tokenIndex, c.explicit) : undefined;
  outputs.push({ name, ...(value.type ? { type: value.type } : {}), ...(param === undefined ? {} : { param }) });
}

/**
 * The output name of an unaliased select item: the expression as CrateDB prints it; since 6.0 a
 * function call is named after the function (`count`, as PostgreSQL does).
 */
export function outputName(node: Ctx, tx: Tx): string {
  const n = unwrap(node);
  const rule = ruleName(n);
  if (tx.env.version === '6.4') {
    if (rule === 'FunctionCallContext') return callName(n);
    const fn = FUNCTION_FORMS[rule];
    if (fn) return fn;
  }
  else {
    // 5.10 names these by its own spelling: the SQL keywords upper-cased, pg_catalog functions qualified.
    if (rule === 'CurrentUserContext') return 'CURRENT_USER';
    if (rule === 'SessionUserContext') return 'SESSION_USER';
    if (rule === 'FunctionCallContext' && PG_CATALOG_FUNCTIONS.has(callName(n))) return `pg_catalog.${formatStandalone(node)}`;
    if (rule === 'FunctionCallContext' && NAMED_BY_FUNCTION.has(callName(n))) return callName(n);
  }
  // A qualified column is named by the column alone.
  if (rule === 'DereferenceContext') return identName((n.ident() as Ctx[]).at(-1));
  return formatStandalone(node, { param: (ti) => tx.param(ti) });
}

/** Functions CrateDB keeps in pg_catalog (5.10 names their output `pg_catalog.f(...)`). */
const PG_CATALOG_FUNCTIONS = new Set(['version']);

/** Table-valued-looking scalars 5.10 already names after the function. */
const NAMED_BY_FUNCTION = new Set(['current_schemas']);

/** Explicit-syntax forms CrateDB's parser turns into function calls (named after the function since 6.0). */
const FUNCTION_FORMS: Record<string, string> = {
  SubstringContext: 'substring',
  TrimContext: 'trim',
  PositionContext: 'position',
  LeftContext: 'left',
  RightContext: 'right',
  IfCaseContext: 'if',
  AtTimezoneContext: 'timezone',
};

function valuesRelation(spec: Ctx, outer: Scope | undefined, tx: Tx, sorts: Ctx[]): QueryResult {
  const scope = new Scope([], outer);
  const rows = (spec.values() as Ctx[]).map((v) => {
    const items = (v.expr?.() as Ctx[] | null) ?? (v.valueItem?.() as Ctx[]);
    return items.map((x) => expr(x, scope, tx, { free: true }));
  });
  const outputs = rows[0]!.map((c, i) => ({ name: `col${i + 1}`, ...(c.type ? { type: c.type } : {}) }));
  const body = rows.map((r) => `(${r.map((c) => c.sql).join(', ')})`).join(', ');
  const cols = outputs.map((o) => quoteIdent(o.name)).join(', ');
  let sql = `SELECT * FROM (VALUES ${body}) AS "$values"(${cols})`;
  if (sorts.length > 0) {
    const s = new Scope([{ alias: '$values', columns: outputs }], outer);
    sql += ` ORDER BY ${sorts.map((x) => sortItem(x, s, tx)).join(', ')}`;
  }
  return { sql, outputs };
}

/** True when a select list has an aggregate (and so one row without GROUP BY). */
export function hasAggregate(spec: Ctx): boolean {
  const visit = (n: Ctx): boolean => {
    if (ruleName(n) === 'FunctionCallContext' && AGGREGATES.has(callName(n)) && !n.over?.()) return true;
    if (ruleName(n) === 'SubqueryExpressionContext') return false;
    return ((n.children as Ctx[] | null) ?? []).some(visit);
  };
  return ((spec.selectItem?.() as Ctx[] | null) ?? []).some(visit);
}
