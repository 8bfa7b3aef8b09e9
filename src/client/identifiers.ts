import type { TableRef } from './types.js';

/** Quotes an identifier for CrateDB: always quoted, so names keep their case and cannot inject SQL. */
export function quoteIdent(name: string): string {
  return `"${name.replaceAll('"', '""')}"`;
}

/** The statement `client.refresh` sends (also what a plan shows for it). */
export function refreshStatement(tables: readonly TableRef[]): string {
  return `REFRESH TABLE ${tables.map(qualifiedName).join(', ')}`;
}

/** `"schema"."table"`: every name this package owns is schema-qualified, because `SET` and
 * `Default-Schema` stick to a pooled connection's session and cannot be relied on. */
export function qualifiedName(ref: TableRef): string {
  return `${quoteIdent(ref.schema)}.${quoteIdent(ref.table)}`;
}
