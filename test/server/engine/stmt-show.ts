/**
 * SHOW TABLES / SCHEMAS / COLUMNS / TRANSACTION ISOLATION LEVEL, which CrateDB answers by rewriting them
 * into a query (of information_schema, or a constant): rewritten the same way and prepared like any SELECT.
 */
import { CrateError } from './errors.js';
import { pgString } from './format.js';
import { parseStatement, qnameParts, sourceText, type Ctx, type Token } from './parse.js';
import type { Prepared } from './run.js';
import type { Env } from './scope.js';
import { prepareSelect } from './stmt-select.js';

function filter(node: Ctx, column: string): string {
  if (node.pattern) return ` AND ${column} LIKE ${sourceText(node.pattern)}`;
  const where = node.where?.();
  if (where) return ` AND (${sourceText(where.condition)})`;
  return '';
}

function selectFrom(text: string, env: Env): Prepared {
  const parsed = parseStatement(text, env.version);
  if (parsed.kind !== 'tree') throw new CrateError(500, 5000, 'SQLException[bad SHOW rewrite]');
  const tokens: Token[] = [];
  return prepareSelect(parsed.stmt, env, tokens);
}

export function prepareShowTables(node: Ctx, env: Env): Prepared {
  const schema = node.qname?.() ? qnameParts(node.qname()).join('.') : undefined;
  const where = schema === undefined ? `table_schema NOT IN ('sys', 'information_schema', 'pg_catalog')` : `table_schema = ${pgString(schema)}`;
  return selectFrom(
    `SELECT DISTINCT table_name FROM information_schema.tables WHERE table_type = 'BASE TABLE' AND ${where}${filter(node, 'table_name')} ORDER BY table_name`,
    env,
  );
}

export function prepareShowSchemas(node: Ctx, env: Env): Prepared {
  return selectFrom(`SELECT schema_name FROM information_schema.schemata WHERE TRUE${filter(node, 'schema_name')} ORDER BY schema_name`, env);
}

export function prepareShowColumns(node: Ctx, env: Env): Prepared {
  const table = qnameParts(node.tableName);
  // CrateDB looks a qualified name up whole in the session's schema (`FROM s.t` finds nothing): only
  // `FROM t IN s` names another schema.
  const schema = node.schema ? qnameParts(node.schema).join('.') : env.schema;
  const name = table.join('.');
  return selectFrom(
    `SELECT column_name, data_type FROM information_schema.columns WHERE table_schema = ${pgString(schema)} AND table_name = ${pgString(name)}${filter(node, 'column_name')} ORDER BY column_name`,
    env,
  );
}

/** No transactions: anything another client writes may become visible at any time, so CrateDB names the weakest level. */
export function prepareShowTransaction(_node: Ctx, env: Env): Prepared {
  return selectFrom(`SELECT 'read uncommitted' AS transaction_isolation`, env);
}
