import type { TableRef } from '../../client/types.js';
import { qualifiedName } from '../../client/identifiers.js';
import { RebuildError } from '../../errors.js';
import { parseCreateTable, type TableDefinition } from '../check/table-definition.js';
import { tokensOf } from '../check/tokens.js';
import type { SqlGrammar } from '../sql-grammar.js';

/** The new definition, ready to create under the temporary name. */
export interface NewTable {
  /** `CREATE TABLE IF NOT EXISTS "schema"."temp" (...)`: the given statement with its name replaced. */
  createSql: string;
  definition: TableDefinition;
}

/**
 * Reads the rebuild's `CREATE TABLE` (which names the live table) and points it at the temporary name.
 * Refuses another statement, `CREATE TABLE ... AS`, and a definition of another table (a copy-paste slip
 * would otherwise rebuild one table with another's columns).
 */
export function newTableSql(grammar: SqlGrammar, sql: string, live: TableRef, temp: TableRef): NewTable {
  const display = qualifiedName(live);
  const parsed = parseCreateTable(tokensOf(grammar, sql));
  if (!parsed || !parsed.definition) {
    throw new RebuildError('CM_REBUILD', `rebuild of ${display}: the new definition must be one CREATE TABLE ${display} (...) statement with its columns (not CREATE TABLE ... AS)`, display);
  }
  if (parsed.ref.name !== live.table || (parsed.ref.schema !== null && parsed.ref.schema !== live.schema)) {
    const named = parsed.ref.schema === null ? `"${parsed.ref.name}"` : `"${parsed.ref.schema}"."${parsed.ref.name}"`;
    throw new RebuildError('CM_REBUILD', `rebuild of ${display}: the new definition creates ${named}; name the table being rebuilt (the rebuild creates it under a temporary name)`, display);
  }
  // Everything up to the table name is replaced: the raw tokens carry their offsets into `sql`.
  const visible = grammar.tokenize(sql).filter((t) => t.channel === 0);
  const upper = (i: number) => visible[i]?.text.toUpperCase().replace(/\s+/g, ' ');
  let at = upper(1) === 'TABLE' ? 2 : 1;
  if (upper(at) === 'IF') at += 3;
  const nameEnd = visible[at + 1]?.text === '.' ? at + 2 : at;
  const rest = sql.slice(visible[nameEnd]!.stop + 1);
  return { createSql: `CREATE TABLE IF NOT EXISTS ${qualifiedName(temp)}${rest}`, definition: parsed.definition };
}
