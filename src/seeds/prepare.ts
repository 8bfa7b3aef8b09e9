import type { ColumnType } from './column-types.js';
import { convertValue } from './convert.js';
import type { SourceRow } from './formats/source.js';
import type { SeedFailure } from './types.js';

/** A row ready for `bulk_args`: its columns in a fixed (sorted) order and the converted values. */
export interface PreparedRow {
  row: number;
  line?: number;
  columns: string[];
  args: unknown[];
  /** Rows with the same signature share one INSERT statement and can go in one bulk request. */
  signature: string;
}

/** What a row is checked against. */
export interface RowTarget {
  /** `schema.table`, for messages. */
  tableName: string;
  /** The table's columns; empty when the table does not exist yet (dry run before its migration). */
  columns: Map<string, ColumnType>;
  tableExists: boolean;
  /** Types the seed declares, for columns the table does not have. */
  declared: Map<string, ColumnType>;
  /** Columns every row must give a non-null value for (the primary key). */
  required: string[];
}

/**
 * Checks and converts one row. A value that does not fit its column, an unknown column or a missing key fails
 * the row here, so that it is reported with its line and never reaches CrateDB (where one bad value fails
 * the whole bulk request).
 */
export function prepareRow(source: SourceRow, target: RowTarget): PreparedRow | SeedFailure {
  const at = { row: source.row, line: source.line, stage: 'validate' as const };
  if (!source.values) return { ...at, message: source.problem ?? 'unreadable row' };
  const columns = Object.keys(source.values).filter((c) => source.values![c] !== undefined).sort();
  for (const key of target.required) {
    const v = source.values[key];
    if (v === undefined || v === null) return { ...at, column: key, message: `primary key column "${key}" has no value` };
  }
  const args: unknown[] = [];
  for (const column of columns) {
    const type = target.columns.get(column) ?? target.declared.get(column);
    if (type === undefined && target.tableExists) {
      return {
        ...at,
        column,
        message: `column "${column}" does not exist in ${target.tableName}; ` +
          'fix its name, or declare its type under columns: to let CrateDB add it',
      };
    }
    const converted = convertValue(source.values[column], type);
    if (!converted.ok) return { ...at, column, message: converted.message };
    args.push(converted.value);
  }
  return { row: source.row, line: source.line, columns, args, signature: columns.join('\u0000') };
}
