/**
 * A column DEFAULT as CrateDB keeps it: analyzed and normalized, so that a constant expression is stored,
 * and printed by SHOW CREATE TABLE and information_schema.columns, as its value: `1 + 1` is `2`, `'a' || 'b'`
 * is `'ab'` (TableInfoToASTTest). Only literals joined by operators are folded, and PG computes them; a
 * function call stays as written (`now()`, `current_timestamp(3)`), as CrateDB keeps a call it cannot fold.
 */
import type { PGlite } from '@electric-sql/pglite';
import { expr } from './expr.js';
import { javaDouble, pgString } from './format.js';
import { WRAPPER_RULES } from './literals.js';
import { isTerminal, parseExpression, ruleName, type Ctx } from './parse.js';
import { Scope, Tx, type Env } from './scope.js';

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

/** The DEFAULT text CrateDB would keep for `text`: its value when it is a constant expression, else `text`. */
export async function foldedDefault(pg: PGlite, text: string, env: Env): Promise<string> {
  const node = parseExpression(text, env.version);
  const found = [...rules(node)];
  if (!found.some((r) => OPERATORS.has(r)) || !found.every((r) => CONSTANT_RULES.has(r))) return text;
  const typed = expr(node, new Scope([]), new Tx(env, []));
  const { rows } = await pg.query<{ v: string | null }>(`SELECT CAST((${typed.sql}) AS text) AS v`);
  const value = rows[0]?.v;
  if (value === null || value === undefined) return 'NULL';
  switch (typed.type?.kind) {
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
