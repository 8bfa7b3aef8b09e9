/**
 * Predicates (comparison, IN, LIKE, BETWEEN, IS NULL, ANY). A compared parameter takes the column's
 * type (coerced in JS, with CrateDB's messages); a number compared with a text or timestamp column is
 * adapted as CrateDB casts it. On a column-form fulltext column `=`, `LIKE` and `IN` compare with its
 * analyzed tokens: its plain index is gone, so the stored value itself is never found.
 */
import { sqlParse } from './errors.js';
import { pgString } from './format.js';
import { cast, expr } from './expr.js';
import { analyzerConfig, tokenArray } from './fulltext.js';
import { constantOf, unwrap } from './literals.js';
import { identName, ruleName, type Ctx } from './parse.js';
import { translateSubquery } from './query.js';
import { tryResolve, type Resolved, type Scope, type Tx, type Typed } from './scope.js';
import { isNumeric, isText, pgType, T, type CrateType } from './types.js';
import { coerce } from './values.js';

/** The PG array of a column-form fulltext column's tokens. */
export function fulltextTokens(col: Resolved): string {
  const cfg = (col.column!.searchConfig ?? analyzerConfig(col.column!.fulltext!));
  return tokenArray(cfg, col.sql);
}

/** A direct reference to a column-form fulltext column (not read as tokens already). */
function fulltextColumn(node: Ctx, scope: Scope): Resolved | undefined {
  const n = unwrap(node);
  const rule = ruleName(n);
  if (rule !== 'ColumnReferenceContext' && rule !== 'DereferenceContext') return undefined;
  const parts = rule === 'ColumnReferenceContext' ? [identName(n.ident())] : (n.ident() as Ctx[]).map(identName);
  const col = tryResolve(scope, parts);
  if (col?.column?.fulltext && !col.relation.overrides?.has(col.column.name)) return col;
  return undefined;
}

function notNullColumn(node: Ctx, scope: Scope): boolean {
  const n = unwrap(node);
  const rule = ruleName(n);
  if (rule !== 'ColumnReferenceContext' && rule !== 'DereferenceContext') return false;
  const parts = rule === 'ColumnReferenceContext' ? [identName(n.ident())] : (n.ident() as Ctx[]).map(identName);
  const col = tryResolve(scope, parts);
  return !!col?.column && (col.column.notNull || !!col.relation.table?.primaryKey.includes(col.column.name));
}

/** A value compared with something of type `target`: parameters get the type as a hint, literals are adapted. */
function operand(node: Ctx, target: CrateType | undefined, scope: Scope, tx: Tx): Typed {
  const c = constantOf(node);
  if (c && target && target.kind !== 'undefined') {
    if (c.kind === 'param') {
      const n = tx.param(c.tokenIndex, c.explicit);
      if (!tx.hints.has(n)) tx.hints.set(n, target);
      return { sql: `$${n}`, type: target };
    }
    if (typeof c.value === 'number' && isText(target)) return { sql: pgString(String(c.value)), type: target };
    if (typeof c.value === 'number' && (target.kind === 'timestamptz' || target.kind === 'timestamp')) {
      return cast({ sql: String(c.value), type: T.bigint }, target);
    }
    // A string literal compared with a number or boolean column is cast as CrateDB casts it (and fails alike).
    if (typeof c.value === 'string' && (isNumeric(target) || target.kind === 'boolean')) {
      const v = coerce(c.value, target, { kind: 'literal', text: c.text, type: c.type }, { column: '', added: [] });
      return { sql: `CAST(${pgString(String(v))} AS ${pgType(target)})`, type: target };
    }
  }
  return expr(node, scope, tx);
}

export function predicate(valueNode: Ctx, pred: Ctx, scope: Scope, tx: Tx): Typed {
  const not = pred.NOT?.() ? 'NOT ' : '';
  const rule = ruleName(pred);
  const ft = ['ComparisonContext', 'LikeContext', 'InListContext'].includes(rule) ? fulltextColumn(valueNode, scope) : undefined;
  if (ft) return fulltextPredicate(ft, pred, scope, tx);
  const value = expr(valueNode, scope, tx);
  const bool = (sql: string): Typed => ({ sql, type: T.boolean });
  switch (rule) {
    case 'ComparisonContext': {
      const op: string = pred.cmpOp().getText();
      const right = operand(pred.right, value.type, scope, tx);
      let left = value;
      if (constantOf(valueNode)?.kind === 'param' && right.type) left = operand(valueNode, right.type, scope, tx);
      return bool(`(${left.sql} ${op} ${right.sql})`);
    }
    case 'QuantifiedComparisonContext': {
      const op: string = pred.cmpOp().getText();
      const quant: string = pred.setCmpQuantifier().getText().toUpperCase();
      const target = pred.primaryExpression();
      const arr = operand(target, value.type ? T.array(value.type) : undefined, scope, tx);
      const isSub = ruleName(unwrap(target)) === 'SubqueryExpressionContext';
      return bool(`(${value.sql} ${op} ${quant} ${isSub ? arr.sql : `(${arr.sql})`})`);
    }
    case 'BetweenContext':
      return bool(`(${value.sql} ${not}BETWEEN ${operand(pred.lower, value.type, scope, tx).sql} AND ${operand(pred.upper, value.type, scope, tx).sql})`);
    case 'InListContext': {
      const items = (pred.expr() as Ctx[]).map((x) => operand(x, value.type, scope, tx).sql);
      return bool(`(${value.sql} ${not}IN (${items.join(', ')}))`);
    }
    case 'InSubqueryContext':
      return bool(`(${value.sql} ${not}IN ${translateSubquery(pred.subqueryExpression().query(), scope, tx).sql})`);
    case 'LikeContext': {
      const op = pred.ILIKE?.() ? 'ILIKE' : 'LIKE';
      const escape = pred.escape ? ` ESCAPE ${expr(pred.escape, scope, tx).sql}` : '';
      return bool(`(${value.sql} ${not}${op} ${operand(pred.pattern, T.text, scope, tx).sql}${escape})`);
    }
    case 'ArrayLikeContext': {
      const op = pred.ILIKE?.() ? 'ILIKE' : 'LIKE';
      const quant: string = pred.setCmpQuantifier().getText().toUpperCase();
      return bool(`(${value.sql} ${not}${op} ${quant} (${expr(pred.v, scope, tx).sql}))`);
    }
    case 'NullPredicateContext':
      // CrateDB folds `col IS NULL` of a NOT NULL column to false, even where old rows hold null
      // (a NOT NULL column added to a table with rows).
      if (notNullColumn(valueNode, scope)) return bool(not ? 'TRUE' : 'FALSE');
      return bool(`(${value.sql} IS ${not}NULL)`);
    case 'IsBooleanContext':
      return bool(`(${value.sql} IS ${not}${pred.boolValue.text.toUpperCase()})`);
    case 'DistinctFromContext':
      return bool(`(${value.sql} IS ${not}DISTINCT FROM ${operand(pred.right, value.type, scope, tx).sql})`);
    default:
      throw sqlParse(`Unsupported predicate: ${pred.getText()}`);
  }
}

/** `=`, `LIKE`, `IN` on a column-form fulltext column compare with its tokens: the stored value is not indexed. */
function fulltextPredicate(col: Resolved, pred: Ctx, scope: Scope, tx: Tx): Typed {
  const toks = fulltextTokens(col);
  const not = pred.NOT?.() ? 'NOT ' : '';
  switch (ruleName(pred)) {
    case 'ComparisonContext': {
      const op: string = pred.cmpOp().getText();
      const v = operand(pred.right, T.text, scope, tx).sql;
      if (op === '=') return { sql: `(${v} = ANY(${toks}))`, type: T.boolean };
      if (op === '!=' || op === '<>') return { sql: `(NOT (${v} = ANY(${toks})))`, type: T.boolean };
      return { sql: `EXISTS (SELECT 1 FROM unnest(${toks}) tok WHERE tok ${op} ${v})`, type: T.boolean };
    }
    case 'LikeContext': {
      const op = pred.ILIKE?.() ? 'ILIKE' : 'LIKE';
      const v = operand(pred.pattern, T.text, scope, tx).sql;
      return { sql: `(${not}EXISTS (SELECT 1 FROM unnest(${toks}) tok WHERE tok ${op} ${v}))`, type: T.boolean };
    }
    default: {
      const items = (pred.expr() as Ctx[]).map((x) => operand(x, T.text, scope, tx).sql);
      return { sql: `(${not}(${toks} && ARRAY[${items.join(', ')}]::text[]))`, type: T.boolean };
    }
  }
}

