/**
 * The names a column or an object key may have (ColumnIdent.validForCreate): dots and brackets address
 * sub-columns, so neither may appear in a name; top-level names shaped like system columns are
 * reserved. Checked where a column is made: CREATE TABLE, ALTER TABLE ADD COLUMN, a dynamic INSERT.
 */
import type { CrateVersion } from '../contract.js';
import { CrateError } from './errors.js';

/** Names of CrateDB's system columns. */
export const SYSTEM_COLUMN_NAMES: ReadonlySet<string> = new Set(['_id', '_version', '_score', '_raw', '_uid', '_doc', '_docid', '_seq_no', '_primary_term', '_fetchid']);

function invalid(name: string, why: string): CrateError {
  return new CrateError(400, 4008, `InvalidColumnNameException["${name}" ${why}]`);
}

/**
 * 5.10 reserves the names shaped like system columns (`_`, then lower-case words joined by single
 * underscores: `_foo`, `_foo_bar`, not `__foo`, `_Foo`, `_foo1`, `_foo_`: ColumnIdent.isSystemColumn);
 * later versions (crate/crate#18551) only the system columns' own names.
 */
export function validColumnName(name: string, version: CrateVersion): void {
  const reserved = version === '5.10' ? /^_([a-z]+(_[a-z]+)*)?$/.test(name) : SYSTEM_COLUMN_NAMES.has(name);
  if (reserved) throw invalid(name, 'conflicts with system column pattern');
  validObjectKey(name);
}

/** A key of an object value: any name without a dot, a bracket or a line-breaking blank. */
export function validObjectKey(name: string): void {
  if (name.includes('.')) throw invalid(name, 'contains a dot');
  if (name.includes('[')) throw invalid(name, 'conflicts with subscript pattern, square brackets are not allowed');
  if (/[\t\n\r]/.test(name)) throw invalid(name, 'contains illegal whitespace character');
}
