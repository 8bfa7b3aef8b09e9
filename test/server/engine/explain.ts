/**
 * EXPLAIN [ANALYZE] [(COSTS FALSE)] of a SELECT on one table, in CrateDB's plan notation: a real-time
 * key lookup is `Get[...]`, a lone count(*) `Count[...]`, a search `Collect[...]` under `OrderBy[...]` and
 * `Limit[...]`, an aggregation of columns `HashAggregate` / `GroupHashAggregate` (a HAVING on an aggregate a
 * `Filter`, the select list an `Eval`); literals show the type they are cast to (`1::bigint`). EXPLAIN ANALYZE runs the query and
 * answers timings. Plans of other statements and shapes are refused (the test server does not model them).
 */
import type { TableDef } from './catalog.js';
import { unsupportedFeature } from './errors.js';
import { callName, format } from './format.js';
import { AGGREGATES } from './functions.js';
import { constantOf, unwrap } from './literals.js';
import { identName, qnameParts, ruleName, type Ctx, type Token } from './parse.js';
import { keyColumns, pkLookup } from './pklookup.js';
import type { Prepared } from './run.js';
import type { Env } from './scope.js';
import { hasAggregate } from './query.js';
import { existingTable } from './stmt-ddl.js';
import { prepareSelect } from './stmt-select.js';
import { T, typeName, type CrateType } from './types.js';

interface Single {
  table: TableDef;
  alias: string;
  spec: Ctx;
  noWith: Ctx;
}

function singleTable(stmt: Ctx, env: Env): Single {
  const noWith = stmt.query?.()?.queryNoWith();
  const term = noWith?.queryTerm();
  const spec = term && ruleName(term) === 'QueryTermDefaultContext' ? term.querySpec() : undefined;
  const rels = spec && ruleName(spec) === 'DefaultQuerySpecContext' ? ((spec.relation() as Ctx[] | null) ?? []) : [];
  const primary = rels.length === 1 && ruleName(rels[0]) === 'RelationDefaultContext' ? rels[0].aliasedRelation().relationPrimary() : undefined;
  if (!primary || ruleName(primary) !== 'TableRelationContext' || ruleName(primary.table()) !== 'TableNameContext') {
    throw unsupportedFeature('EXPLAIN is supported by the test server for a SELECT on one table only');
  }
  const aliased = rels[0].aliasedRelation();
  const parts = qnameParts(primary.table().qname());
  return { table: existingTable(primary.table().qname(), env), alias: aliased.ident() ? identName(aliased.ident()) : parts.at(-1)!, spec, noWith };
}

/** A literal's own type: integers are `integer` up to 2^31, then `bigint`. */
function literalType(v: unknown): CrateType {
  if (typeof v === 'number') return Number.isInteger(v) ? (Math.abs(v) > 2147483647 ? T.bigint : T.integer) : T.double;
  if (typeof v === 'boolean') return T.boolean;
  return T.text;
}

function literalText(v: unknown, target: CrateType | undefined): string {
  const text = typeof v === 'string' ? `'${v.replace(/'/g, "''")}'` : String(v);
  return target && typeName(target) !== typeName(literalType(v)) ? `${text}::${typeName(target)}` : text;
}

/** CrateDB's symbol notation of a condition: `(id = 1::bigint)`, `((a > 1) AND (b = 'x'))`. */
function condition(node: Ctx, t: TableDef): string {
  const n = unwrap(node);
  if (ruleName(n) === 'LogicalBinaryContext') return `(${condition(n.left, t)} ${n.operator.text.toUpperCase()} ${condition(n.right, t)})`;
  if (ruleName(n) === 'NestedExpressionContext') return condition(n.expr(), t);
  if (ruleName(n) === 'PredicatedContext' && ruleName(n.predicate()) === 'ComparisonContext') {
    const left = unwrap(n.valueExpression());
    const c = constantOf(n.predicate().right);
    if (ruleName(left) === 'ColumnReferenceContext' && c?.kind === 'value') {
      const col = t.columns.find((x) => x.name === identName(left.ident()));
      return `(${format(left)} ${n.predicate().cmpOp().getText()} ${literalText(c.value, col?.type)})`;
    }
  }
  return `(${format(node)})`;
}

function planText(s: Single, cols: string[], costs: boolean): string {
  const { table: t, spec, noWith } = s;
  const where = spec.where?.()?.condition;
  const name = `${t.schema}.${t.name}`;
  const items = (spec.selectItem() as Ctx[] | null) ?? [];
  const groupBy = ((spec.expr?.() as Ctx[] | null) ?? []).length > 0;
  const limit = noWith.limitClause?.();
  const sorts = (noWith.sortItem() as Ctx[] | null) ?? [];
  // A lone count(*) is the Count operator (MergeAggregateAndCollectToCount), one row.
  const aggregated = groupBy || !!spec.having || hasAggregate(spec);
  if (items.length === 1 && /^count\(\*\)$/i.test(items[0].getText()) && !groupBy && !spec.having && !limit && sorts.length === 0
    && !pkLookup(where, t, s.alias, true)) {
    return `Count[${name} | ${where ? condition(where, t) : 'true'}]${costs ? ' (rows=1)' : ''}`;
  }
  // A LIMIT over columns a fetch reads later (Fetch over _fetchid) and aggregations over expressions have
  // plans the test server does not print: refused rather than drawn wrong.
  const refuse = (): Error => unsupportedFeature('EXPLAIN is supported by the test server for a key lookup, a count(*), a search without fetch and aggregations of columns');
  const suffix = costs ? ' (rows=unknown)' : '';
  if (aggregated) {
    const plan = aggregationPlan(s, costs);
    if (!plan) throw refuse();
    // The select list's Eval is applied last, over the ordering and limit; those name the symbols an
    // ordinal or an alias stands for.
    const nodes = [...plan.evalNode, ...topNodes(noWith, sorts, suffix, plan.symbolOf), ...plan.nodes];
    return nodes.map((line, i) => (i === 0 ? line : `${'  '.repeat(i)}└ ${line}`)).join('\n');
  }
  const keys = pkLookup(where, t, s.alias, true);
  if (keys) {
    const docKeys = keys.map((k) => keyColumns(t).map((c) => {
      const v = k.get(c)!;
      const col = t.columns.find((x) => x.name === c);
      return v.kind === 'value' ? `${literalText(v.value, undefined)}::${typeName(col?.type ?? T.text)}` : '$1';
    }).join(', ')).join('; ');
    return `Get[${name} | ${cols.join(', ')} | DocKeys{${docKeys}} | ${condition(where, t)}]${costs ? ` (rows=${keys.length})` : ''}`;
  }
  const sortKeys = new Set(sorts.map((x) => format(x.expr())));
  if (limit?.limit && cols.some((c) => !sortKeys.has(c))) throw refuse();
  const nodes = topNodes(noWith, sorts, suffix);
  nodes.push(`Collect[${name} | [${cols.join(', ')}] | ${where ? condition(where, t) : 'true'}]${suffix}`);
  return nodes.map((line, i) => (i === 0 ? line : `${'  '.repeat(i)}└ ${line}`)).join('\n');
}

/** Limit and OrderBy, outermost first. */
function topNodes(noWith: Ctx, sorts: Ctx[], suffix: string, symbolOf: (sortKey: Ctx) => string = (k) => format(k)): string[] {
  const nodes: string[] = [];
  const limit = noWith.limitClause?.();
  if (limit?.limit) {
    const offset = noWith.offsetClause?.()?.offset;
    nodes.push(`Limit[${format(limit.limit)}::bigint;${offset ? format(offset) : 0}]${suffix}`);
  }
  if (sorts.length > 0) {
    nodes.push(`OrderBy[${sorts.map((x) => `${symbolOf(x.expr())} ${x.ordering ? x.ordering.text.toUpperCase() : 'ASC'}`).join(', ')}]${suffix}`);
  }
  return nodes;
}

/** An aggregate of columns as CrateDB prints its symbol: `count(*)`, `sum(qty)`; undefined for anything else. */
function aggregateText(node: Ctx, columns: Set<string>): { text: string; fn: string; inputs: string[] } | undefined {
  const n = unwrap(node);
  if (ruleName(n) !== 'FunctionCallContext' || n.over?.() || n.filter?.() || n.setQuant?.()) return undefined;
  const fn = callName(n);
  if (!AGGREGATES.has(fn)) return undefined;
  if (n.ASTERISK?.()) return fn === 'count' ? { text: 'count(*)', fn, inputs: [] } : undefined;
  const args = ((n.expr() as Ctx[] | null) ?? []).map(unwrap);
  if (args.some((a) => ruleName(a) !== 'ColumnReferenceContext' || !columns.has(identName(a.ident())))) return undefined;
  const inputs = args.map((a) => identName(a.ident()));
  return { text: `${fn}(${inputs.join(', ')})`, fn, inputs };
}

/** The type an aggregate of a column returns (CrateDB's signatures), for the cast a compared literal gets. */
function aggregateType({ fn, inputs }: { fn: string; inputs: string[] }, t: TableDef): CrateType | undefined {
  const col = inputs.length === 1 ? t.columns.find((c) => c.name === inputs[0])?.type : undefined;
  if (fn === 'count') return T.bigint;
  if (fn === 'avg' || fn === 'mean') return T.double;
  if (fn === 'sum') return col && ['real', 'double', 'numeric'].includes(col.kind) ? col : T.bigint;
  if (fn === 'min' || fn === 'max') return col;
  return undefined;
}

/** HAVING `aggregate <op> literal`, as a Filter prints it: `(count(*) > 1::bigint)`; undefined for anything else. */
function havingFilter(node: Ctx, t: TableDef, columns: Set<string>): string | undefined {
  const n = unwrap(node);
  if (ruleName(n) !== 'PredicatedContext' || ruleName(n.predicate()) !== 'ComparisonContext') return undefined;
  const agg = aggregateText(n.valueExpression(), columns);
  const c = constantOf(n.predicate().right);
  if (!agg || c?.kind !== 'value') return undefined;
  const type = aggregateType(agg, t);
  if (!type) return undefined;
  return `(${agg.text} ${n.predicate().cmpOp().getText()} ${literalText(c.value, type)})`;
}


/**
 * `HashAggregate[aggregates]` (no GROUP BY, one row) or `GroupHashAggregate[keys | aggregates]`, with a
 * `Filter` for HAVING and an `Eval` when the select list is in another order or aliased, over the
 * `Collect` of the columns they read: the keys, then the aggregates' inputs. Only column keys and
 * aggregates of columns are drawn.
 */
function aggregationPlan(s: Single, costs: boolean): { evalNode: string[]; nodes: string[]; symbolOf: (sortKey: Ctx) => string } | undefined {
  const { table: t, spec } = s;
  const columns = new Set(t.columns.map((c) => c.name));
  const keyNodes = ((spec.expr?.() as Ctx[] | null) ?? []).map(unwrap);
  if (keyNodes.some((k) => ruleName(k) !== 'ColumnReferenceContext' || !columns.has(identName(k.ident())))) return undefined;
  const keys = keyNodes.map((k) => identName(k.ident()));
  const aggregates: string[] = [];
  const inputs: string[] = [];
  const outputs: string[] = [];
  const symbols: Array<{ text: string; alias?: string }> = [];
  for (const item of (spec.selectItem() as Ctx[] | null) ?? []) {
    if (ruleName(item) !== 'SelectSingleContext') return undefined;
    const alias = item.ident() ? identName(item.ident()) : undefined;
    const e = unwrap(item.expr());
    let text: string;
    if (ruleName(e) === 'ColumnReferenceContext' && keys.includes(identName(e.ident()))) text = identName(e.ident());
    else {
      const agg = aggregateText(e, columns);
      if (!agg) return undefined;
      text = agg.text;
      if (!aggregates.includes(text)) aggregates.push(text);
      for (const i of agg.inputs) if (!inputs.includes(i)) inputs.push(i);
    }
    outputs.push(alias === undefined ? text : `${text} AS ${alias}`);
    symbols.push({ text, ...(alias === undefined ? {} : { alias }) });
  }
  const having = spec.having ? havingFilter(spec.having, t, columns) : undefined;
  if (spec.having && !having) return undefined;
  const unknown = costs ? ' (rows=unknown)' : '';
  const where = spec.where?.()?.condition;
  const read = [...keys, ...inputs.filter((i) => !keys.includes(i))];
  const aggregate = keys.length > 0
    ? `GroupHashAggregate[${keys.join(', ')}${aggregates.length > 0 ? ` | ${aggregates.join(', ')}` : ''}]${unknown}`
    : `HashAggregate[${aggregates.join(', ')}]${costs ? ' (rows=1)' : ''}`;
  const produced = [...keys, ...aggregates];
  const evalNode = outputs.join(', ') === produced.join(', ') ? [] : [`Eval[${outputs.join(', ')}]${keys.length > 0 ? unknown : costs ? ' (rows=1)' : ''}`];
  const symbolOf = (key: Ctx): string => {
    const k = unwrap(key);
    const c = constantOf(k);
    if (c?.kind === 'value' && typeof c.value === 'number') return symbols[c.value - 1]?.text ?? format(key);
    const named = ruleName(k) === 'ColumnReferenceContext' ? symbols.find((x) => x.alias === identName(k.ident())) : undefined;
    return named?.text ?? aggregateText(k, columns)?.text ?? format(key);
  };
  const filter = having ? [`Filter[${having}]${unknown}`] : [];
  return { evalNode, nodes: [...filter, aggregate, `Collect[${t.schema}.${t.name} | [${read.join(', ')}] | ${where ? condition(where, t) : 'true'}]${unknown}`], symbolOf };
}

export function prepareExplain(node: Ctx, env: Env, tokens: Token[]): Prepared {
  const stmt = node.statement();
  if (ruleName(stmt) !== 'DefaultContext') throw unsupportedFeature('EXPLAIN is supported by the test server for SELECT only');
  const options = [node.explainOptions?.()].flat().filter(Boolean).map((o: Ctx) => String(o.getText()).toUpperCase());
  const costs = !options.some((o) => o.includes('COSTSFALSE'));
  const single = singleTable(stmt, env);
  const select = prepareSelect(stmt, env, tokens);
  const analyze = !!node.ANALYZE?.();
  return {
    returnsRows: true,
    maxParam: select.maxParam,
    async run(ctx, args) {
      const started = performance.now();
      const outcome = await select.run(ctx, args);
      const ms = performance.now() - started;
      const cols = outcome.kind === 'rows' ? outcome.cols : [];
      const value = analyze
        ? { Execute: { Total: ms }, Plan: 0, Analyze: ms }
        : planText(single, cols, costs);
      return { kind: 'rows', cols: ['QUERY PLAN'], types: [analyze ? T.object() : T.text], oids: [analyze ? 3802 : 25], rows: [[value]] };
    },
  };
}
