/**
 * Recognizes CrateDB's real-time primary-key lookups: a WHERE clause that addresses whole primary
 * keys only (`pk = ?`, `_id = ?` without a key, `pk IN (..)`, `pk = ANY(?)`, `pk = a OR pk = b`, every part of a composite key given), plus
 * the optimistic-concurrency columns `_seq_no`, `_primary_term`, `_version`. Such statements read and
 * write the live rows; anything else is a search of the refreshed copy.
 */
import type { TableDef } from './catalog.js';
import { constantOf, unwrap, type Constant } from './literals.js';
import { seqNoUsage, versionUsage } from './where-rules.js';
import { identName, ruleName, type Ctx } from './parse.js';

const VERSION_COLUMNS = new Set(['_seq_no', '_primary_term', '_version']);

/** One addressed document: primary-key column -> constant. */
export type DocKey = Map<string, Constant>;

/**
 * The documents a WHERE clause addresses by full primary key, or undefined when it is a search. With
 * `filters` (a SELECT, which CrateDB plans as a Get whose query still applies), a disjunct may also hold
 * conditions on other columns (EqualityExtractor's "unknowns"); an UPDATE or DELETE by id may not.
 */
export function pkLookup(where: Ctx | undefined, table: TableDef, alias: string, filters = false): DocKey[] | undefined {
  if (!where) return undefined;
  const key = keyColumns(table);
  const disjuncts = orTerms(where);
  const keys: DocKey[] = [];
  for (const d of disjuncts) {
    let partial: DocKey[] = [new Map()];
    for (const leaf of andTerms(d)) {
      const m = leafMatch(leaf, table, alias);
      if (m === undefined && filters && isFilter(leaf, table)) continue;
      if (m === undefined) return undefined;
      if (m === 'version') continue;
      const next: DocKey[] = [];
      for (const p of partial) {
        if (p.has(m.column)) return undefined;
        for (const v of m.values) next.push(new Map([...p, [m.column, v]]));
      }
      partial = next;
    }
    for (const p of partial) {
      if (!key.every((c) => p.has(c))) return undefined;
      keys.push(p);
    }
  }
  return keys.length > 0 ? keys : undefined;
}

/** The columns a lookup must give: the primary key, or `_id` for a table without one (CrateDB's
 * DocIndexMetadata makes `_id` the key then, so `WHERE _id = ?` is a real-time lookup). */
export function keyColumns(table: TableDef): string[] {
  return table.primaryKey.length > 0 ? table.primaryKey : ['_id'];
}

/** True when the keys address one document only (not `pk = ANY(?)`, whose argument may hold many). */
export function oneDocument(keys: DocKey[] | undefined): boolean {
  return keys?.length === 1 && ![...keys[0]!.values()].some((c) => c.kind === 'param' && c.each);
}

/** True when a WHERE clause carries optimistic-concurrency conditions. */
export function hasVersionCondition(where: Ctx | undefined): boolean {
  if (!where) return false;
  return orTerms(where).some((d) => andTerms(d).some((leaf) => {
    const col = comparedColumn(leaf);
    return col !== undefined && VERSION_COLUMNS.has(col.name);
  }));
}

/**
 * CrateDB's rule for optimistic concurrency: `_seq_no` and `_primary_term` only together, only as
 * equality conditions, and only next to equality conditions on every primary-key column (a lookup).
 */
export function checkVersioning(where: Ctx | undefined, keys: DocKey[] | undefined): void {
  if (!where) return;
  const named = new Set<string>();
  collectColumns(where, named);
  if (named.has('_version') && !keys) throw versionUsage();
  if (!named.has('_seq_no') && !named.has('_primary_term')) return;
  const equalities = new Set<string>();
  for (const d of orTerms(where)) {
    for (const leaf of andTerms(d)) {
      const col = comparedColumn(leaf);
      const pred = ruleName(leaf) === 'PredicatedContext' ? leaf.predicate() : undefined;
      if (col && pred && ruleName(pred) === 'ComparisonContext' && pred.cmpOp().getText() === '=') equalities.add(col.name);
    }
  }
  if (!keys || !equalities.has('_seq_no') || !equalities.has('_primary_term')) {
    throw seqNoUsage();
  }
}

function collectColumns(node: Ctx, out: Set<string>): void {
  const col = ruleName(node) === 'ColumnReferenceContext' || ruleName(node) === 'DereferenceContext' ? columnName(node) : undefined;
  if (col) out.add(col.name);
  for (const c of (node.children as Ctx[] | null) ?? []) if (c.children) collectColumns(c, out);
}

function boolInner(node: Ctx): Ctx {
  let n = node;
  for (;;) {
    const u = unwrap(n);
    if (ruleName(u) === 'NestedExpressionContext') {
      n = u.expr();
      continue;
    }
    return u;
  }
}

function orTerms(node: Ctx): Ctx[] {
  const n = boolInner(node);
  if (ruleName(n) === 'LogicalBinaryContext' && n.operator.text.toUpperCase() === 'OR') return [...orTerms(n.left), ...orTerms(n.right)];
  return [n];
}

function andTerms(node: Ctx): Ctx[] {
  const n = boolInner(node);
  if (ruleName(n) === 'LogicalBinaryContext' && n.operator.text.toUpperCase() === 'AND') return [...andTerms(n.left), ...andTerms(n.right)];
  if (ruleName(n) === 'LogicalBinaryContext') return [n];
  return [n];
}

function columnName(node: Ctx): { name: string; qualifier?: string } | undefined {
  const n = unwrap(node);
  if (ruleName(n) === 'ColumnReferenceContext') return { name: identName(n.ident()) };
  if (ruleName(n) === 'DereferenceContext') {
    const parts = (n.ident() as Ctx[]).map(identName);
    return { name: parts[parts.length - 1]!, qualifier: parts[parts.length - 2]! };
  }
  return undefined;
}

function comparedColumn(leaf: Ctx): { name: string; qualifier?: string } | undefined {
  if (ruleName(leaf) !== 'PredicatedContext') return undefined;
  const pred = leaf.predicate();
  if (!pred) return undefined;
  return columnName(leaf.valueExpression()) ?? (ruleName(pred) === 'ComparisonContext' ? columnName(pred.right) : undefined);
}

function leafMatch(leaf: Ctx, table: TableDef, alias: string): { column: string; values: Constant[] } | 'version' | undefined {
  if (ruleName(leaf) !== 'PredicatedContext') return undefined;
  const pred = leaf.predicate();
  if (!pred || pred.NOT?.()) return undefined;
  let col = columnName(leaf.valueExpression());
  let values: Constant[] | undefined;
  if (ruleName(pred) === 'ComparisonContext' && pred.cmpOp().getText() === '=') {
    if (col) {
      const c = constantOf(pred.right);
      values = c ? [c] : undefined;
    } else {
      col = columnName(pred.right);
      const c = constantOf(leaf.valueExpression());
      values = col && c ? [c] : undefined;
    }
  } else if (ruleName(pred) === 'InListContext' && col) {
    values = constantItems(pred.expr() as Ctx[]);
  } else if (ruleName(pred) === 'QuantifiedComparisonContext' && col && pred.cmpOp().getText() === '='
    && ['ANY', 'SOME'].includes(pred.setCmpQuantifier().getText().toUpperCase())) {
    // CrateDB analyzes `pk IN (a, b)` as `pk = ANY([a, b])`: both are the same multi-key lookup.
    const target = boolInner(pred.primaryExpression());
    const param = constantOf(target);
    // `pk = ANY(?)` with an array argument: every element is a key (bound later, so one entry for all).
    if (param?.kind === 'param') values = [{ ...param, each: true }];
    else values = ruleName(target) === 'ArrayLiteralContext' ? constantItems((target.expr() as Ctx[] | null) ?? []) : undefined;
  }
  if (!col || !values) return undefined;
  if (col.qualifier !== undefined && col.qualifier !== alias) return undefined;
  if (VERSION_COLUMNS.has(col.name)) return 'version';
  if (!keyColumns(table).includes(col.name)) return undefined;
  if (values.some((v) => v.kind === 'value' && v.value === null)) return undefined;
  return { column: col.name, values };
}

/** A condition a Get applies to the document it fetched: it names no key or versioning column, holds no
 * match() (which needs Lucene: EqualityExtractor gives up) and no subquery. */
function isFilter(leaf: Ctx, table: TableDef): boolean {
  const named = new Set<string>();
  collectColumns(leaf, named);
  const keys = keyColumns(table);
  if ([...named].some((c) => keys.includes(c) || VERSION_COLUMNS.has(c))) return false;
  return !containsRule(leaf, ['MatchContext', 'SubqueryExpressionContext', 'ExistsContext', 'ArraySubqueryContext', 'InSubqueryContext']);
}

function containsRule(node: Ctx, rules: string[]): boolean {
  if (rules.includes(ruleName(node))) return true;
  return ((node.children as Ctx[] | null) ?? []).some((c) => c.children !== undefined && c.children !== null && containsRule(c, rules));
}

function constantItems(items: Ctx[]): Constant[] | undefined {
  const constants = items.map(constantOf);
  return constants.length > 0 && constants.every((c) => c !== undefined) ? (constants as Constant[]) : undefined;
}
