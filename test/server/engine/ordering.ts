/**
 * ORDER BY, GROUP BY values and window definitions. A column-form fulltext column sorts by its smallest
 * token on 6.4, as Lucene sorts a multi-valued field.
 */
import { unsupportedFeature } from './errors.js';
import { format, quoteIdent } from './format.js';
import { expr } from './expr.js';
import { unwrap } from './literals.js';
import { identName, ruleName, sourceText, type Ctx } from './parse.js';
import { fulltextTokens } from './predicates.js';
import { tryResolve, type Scope, type Tx } from './scope.js';

/** `(PARTITION BY .. ORDER BY .. frame)` or a window name. */
export function windowDefinition(def: Ctx, scope: Scope, tx: Tx): string {
  if (!def.OPEN_ROUND_BRACKET?.()) return quoteIdent(identName(def.windowRef));
  const parts: string[] = [];
  if (def.windowRef) parts.push(quoteIdent(identName(def.windowRef)));
  const partition = (def.partition as Ctx[] | undefined) ?? [];
  if (partition.length > 0) parts.push(`PARTITION BY ${partition.map((p) => expr(p, scope, tx).sql).join(', ')}`);
  const sorts = (def.sortItem?.() as Ctx[] | null) ?? [];
  if (sorts.length > 0) parts.push(`ORDER BY ${sorts.map((s) => sortItem(s, scope, tx)).join(', ')}`);
  const frame = def.windowFrame?.();
  if (frame) parts.push(sourceText(frame));
  return `(${parts.join(' ')})`;
}

/** One ORDER BY item. */
export function sortItem(item: Ctx, scope: Scope, tx: Tx): string {
  let sql = orderValue(item.expr(), scope, tx);
  if (item.ordering) sql += ` ${item.ordering.text.toUpperCase()}`;
  if (item.nullOrdering) sql += ` NULLS ${item.nullOrdering.text.toUpperCase()}`;
  return sql;
}

/**
 * An ORDER BY value: an ordinal or output name stays as is (PG resolves both like CrateDB, and an output
 * name is no column to type); a column-form fulltext column sorts by its smallest token on 6.4, as Lucene
 * sorts a multi-valued field; an object is refused.
 */
function orderValue(node: Ctx, scope: Scope, tx: Tx): string {
  const n = unwrap(node);
  if (ruleName(n) === 'IntegerLiteralContext') return n.getText();
  const output = outputName(n, scope);
  if (output !== undefined) return quoteIdent(output);
  if (ruleName(n) === 'ColumnReferenceContext') {
    const name = identName(n.ident());
    const col = tryResolve(scope, [name]);
    if (col?.column?.fulltext && !col.relation.overrides?.has(name) && tx.env.version === '6.4') {
      return `(SELECT min(tok) FROM unnest(${fulltextTokens(col)}) tok)`;
    }
  }
  const value = expr(node, scope, tx);
  if (value.type?.kind === 'object') throw unsupportedFeature(`Cannot ORDER BY '${format(node)}': invalid data type 'object'.`);
  return value.sql;
}

/** The output name a bare column reference means when no column in scope has that name. */
function outputName(n: Ctx, scope: Scope): string | undefined {
  if (ruleName(n) !== 'ColumnReferenceContext') return undefined;
  const name = identName(n.ident());
  return tryResolve(scope, [name]) === undefined && scope.outputs?.has(name) ? name : undefined;
}
