/**
 * A column DEFAULT as CrateDB keeps it: analyzed and normalized, so that a constant expression is stored,
 * and printed by SHOW CREATE TABLE and information_schema.columns, as its value: `1 + 1` is `2`, `'a' || 'b'`
 * is `'ab'` (TableInfoToASTTest), cast to the column's type (`1 + 1` of a REAL column is `2.0`, `'7'` of an
 * INTEGER one `7`). Only literals joined by operators, and a text literal for a number column, are folded,
 * and PG computes them; a function call stays as written (`now()`, `current_timestamp(3)`), as CrateDB
 * keeps a call it cannot fold.
 */
import type { PGlite } from '@electric-sql/pglite';
import type { ColumnDef } from './catalog.js';
import { referencedPaths } from './ddl-columns.js';
import { unsupportedFeature } from './errors.js';
import { expr } from './expr.js';
import { javaDouble, pgString } from './format.js';
import { WRAPPER_RULES } from './literals.js';
import { isTerminal, parseExpression, ruleName, type Ctx } from './parse.js';
import { Scope, Tx, type Env } from './scope.js';
import { isNumeric, sqlTypeName } from './types.js';

const OPERATORS = new Set(['ArithmeticBinaryContext', 'ConcatenationContext']);
const CONSTANT_RULES = new Set([
  ...WRAPPER_RULES, ...OPERATORS, 'PredicatedContext', 'ArithmeticUnaryContext', 'NestedExpressionContext',
  'IntegerLiteralContext', 'DecimalLiteralContext', 'StringLiteralContext', 'BooleanLiteralContext',
]);

/** Rule names of the node and everything under it (tokens have none). */
function* rules(node: Ctx): Generator<string> {
  if (isTerminal(node)) return;
  yield ruleName(node);
  for (const child of (node.children as Ctx[] | null) ?? []) yield* rules(child);
}

/**
 * The DEFAULT text CrateDB would keep for `text` on `column`: its value when it is a constant expression,
 * else `text`. Refused as the analyzer refuses it (DefaultConstraint): an expression that reads a column,
 * and a literal that does not cast to the column's type.
 */
export async function foldedDefault(pg: PGlite, text: string, column: ColumnDef, env: Env): Promise<string> {
  const node = parseExpression(text, env.version);
  const read = referencedPaths(text, env.version)[0];
  if (read) {
    throw unsupportedFeature(`Cannot reference columns in DEFAULT expression of \`${column.name}\`. ` +
      `Maybe you wanted to use a string literal with single quotes instead: '${read[0]}'`);
  }
  // The default is kept cast to the column's type; translating the cast checks a literal the way CrateDB's
  // Literal.cast does (expr.ts), so `'x'` for an integer column is refused here.
  const cast = expr(parseExpression(`CAST(${text} AS ${sqlTypeName(column.type)})`, env.version), new Scope([]), new Tx(env, []));
  const found = [...rules(node)];
  const constant = found.every((r) => CONSTANT_RULES.has(r));
  // A text literal for a number column is stored as the number (`'7'` is `7`), like a folded expression.
  const folds = found.some((r) => OPERATORS.has(r)) || (isNumeric(column.type) && found.includes('StringLiteralContext'));
  if (!constant || !folds) return text;
  const { rows } = await pg.query<{ v: string | null }>(`SELECT CAST((${cast.sql}) AS text) AS v`);
  const value = rows[0]?.v;
  if (value === null || value === undefined) return 'NULL';
  switch (column.type.kind) {
    case 'text':
      return pgString(value);
    case 'double':
    case 'real':
      return javaDouble(Number(value));
    case 'byte':
    case 'smallint':
    case 'integer':
    case 'bigint':
    case 'numeric':
      return value;
    default:
      return text;
  }
}
