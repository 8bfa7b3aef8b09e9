/**
 * A view's query as CrateDB stores and reports it (information_schema.views.view_definition): its
 * SqlFormatter output, one clause per line, select items on lines of their own (`, ` in front), names
 * quoted, as written (CreateViewAnalyzer stores SqlFormatter's text of the query it was given; an unqualified
 * name stays unqualified). Queries beyond one plain SELECT keep their source text.
 */
import type { CrateVersion } from '../contract.js';
import { formatStandalone, quoteIdent } from './format.js';
import { identName, qnameParts, ruleName, sourceText, type Ctx } from './parse.js';

function relationText(rel: Ctx): string | undefined {
  if (ruleName(rel) !== 'RelationDefaultContext') return undefined;
  const aliased = rel.aliasedRelation();
  const primary = aliased.relationPrimary();
  if (ruleName(primary) !== 'TableRelationContext' || ruleName(primary.table()) !== 'TableNameContext') return undefined;
  const parts = qnameParts(primary.table().qname());
  const alias = aliased.ident() ? ` AS ${quoteIdent(identName(aliased.ident()))}` : '';
  return `${parts.map(quoteIdent).join('.')}${alias}`;
}

/**
 * The stored form of a view's `query` node: SqlFormatter's text of the query as written, names as they were
 * given (an unqualified one stays so, and resolves along the view's search path when read).
 */
export function viewDefinition(query: Ctx, version: CrateVersion): string {
  const fallback = sourceText(query);
  if (query.with_?.() ?? query.with?.()) return fallback;
  const noWith = query.queryNoWith();
  const term = noWith.queryTerm();
  if (ruleName(term) !== 'QueryTermDefaultContext') return fallback;
  const spec = term.querySpec();
  if (ruleName(spec) !== 'DefaultQuerySpecContext') return fallback;
  const e = (n: Ctx): string => formatStandalone(n, { quote: true });
  const items: string[] = [];
  for (const item of spec.selectItem() as Ctx[]) {
    if (ruleName(item) !== 'SelectSingleContext') return fallback;
    items.push(e(item.expr()) + (item.ident() ? ` AS ${quoteIdent(identName(item.ident()))}` : ''));
  }
  const relations = ((spec.relation() as Ctx[] | null) ?? []).map((r) => relationText(r));
  if (relations.some((r) => r === undefined)) return fallback;
  // 6.4 indents the first select item by one space, 5.10 by two.
  const indent = version === '6.4' ? ' ' : '  ';
  const distinct = spec.setQuant?.()?.getText().toUpperCase() === 'DISTINCT' ? ' DISTINCT' : '';
  let out = `SELECT${distinct}\n${indent}${items.join('\n, ')}\n`;
  if (relations.length > 0) out += `FROM ${relations.join(', ')}\n`;
  const where = spec.where?.();
  if (where) out += `WHERE ${e(where.condition)}\n`;
  const groups = (spec.expr?.() as Ctx[] | null) ?? [];
  if (groups.length > 0) out += `GROUP BY ${groups.map(e).join(', ')}\n`;
  if (spec.having) out += `HAVING ${e(spec.having)}\n`;
  const sorts = (noWith.sortItem() as Ctx[] | null) ?? [];
  if (sorts.length > 0) {
    out += `ORDER BY ${sorts.map((s) => `${e(s.expr())}${s.ordering ? ` ${s.ordering.text.toUpperCase()}` : ''}`).join(', ')}\n`;
  }
  const limit = noWith.limitClause?.();
  if (limit?.limit) out += `LIMIT ${e(limit.limit)}\n`;
  const offset = noWith.offsetClause?.();
  if (offset?.offset) out += `OFFSET ${e(offset.offset)}\n`;
  return out;
}
