import type { ColumnType } from './column-types.js';
import { convertOrThrow, valueProblem } from './convert.js';
import type { SourceRow } from './formats/source.js';
import type { SeedFailure } from './types.js';

/** A row ready for `bulk_args`: its columns in a fixed (sorted) order and the converted values. `columns` and
 * `signature` are shared by the rows with the same columns: do not change them. */
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

/** What rows with the same columns share: checked and looked up once, not per row. */
interface Shape {
  /** The row's keys in the order its object lists them (the cache key). */
  keys: string[];
  columns: string[];
  /** Per sorted column: its type, or UNKNOWN when the table exists and has no such column. */
  types: Array<ColumnType | typeof UNKNOWN | undefined>;
  signature: string;
}

const UNKNOWN = Symbol('unknown column');
const MAX_SHAPES = 1000;

/**
 * Checks and converts rows for one target. A value that does not fit its column, an unknown column or a
 * missing key fails the row here, so that it is reported with its line and never reaches CrateDB (where one
 * bad value fails the whole bulk request). Consecutive rows nearly always have the same columns: their
 * sorted columns, types and signature are worked out once per set of columns and shared by the rows.
 */
export function rowPreparer(target: RowTarget): (source: SourceRow) => PreparedRow | SeedFailure {
  const shapes = new Map<string, Shape>();
  let last: Shape | undefined;

  const shapeOf = (keys: string[]): Shape => {
    if (last && sameKeys(keys, last.keys)) return last;
    const cacheKey = keys.join('\u0000');
    let shape = shapes.get(cacheKey);
    if (shape === undefined) {
      // Code seeds may generate rows of ever new columns: the cache stays a cache, not a record of them.
      if (shapes.size >= MAX_SHAPES) shapes.clear();
      const columns = [...keys].sort();
      const types = columns.map((c) => {
        const type = target.columns.get(c) ?? target.declared.get(c);
        return type === undefined && target.tableExists ? UNKNOWN : type;
      });
      shape = { keys, columns, types, signature: columns.join('\u0000') };
      shapes.set(cacheKey, shape);
    }
    last = shape;
    return shape;
  };

  /** The row's shape: the last one when the row lists the same columns in the same order, which `for...in`
   * tells without the array per row that `Object.keys` allocates; else the shape of its own columns. */
  const shapeOfRow = (values: Record<string, unknown>): Shape => {
    if (last && hasKeys(values, last.keys)) return last;
    const keys = Object.keys(values);
    return shapeOf(keys.some((k) => values[k] === undefined) ? keys.filter((k) => values[k] !== undefined) : keys);
  };

  return (source) => {
    const values = source.values;
    if (!values) return failure(source, source.problem ?? 'unreadable row');
    const { columns, types, signature } = shapeOfRow(values);
    for (const key of target.required) {
      const v = values[key];
      if (v === undefined || v === null) return failure(source, `primary key column "${key}" has no value`, key);
    }
    const args: unknown[] = new Array(columns.length);
    for (let i = 0; i < columns.length; i++) {
      const column = columns[i]!;
      const type = types[i];
      if (type === UNKNOWN) {
        return failure(source, `column "${column}" does not exist in ${target.tableName}; ` +
          'fix its name, or declare its type under columns: to let CrateDB add it', column);
      }
      try {
        args[i] = convertOrThrow(values[column], type);
      } catch (err) {
        const message = valueProblem(err);
        if (message === undefined) throw err;
        return failure(source, message, column);
      }
    }
    return { row: source.row, line: source.line, columns, args, signature };
  };
}

function failure(source: SourceRow, message: string, column?: string): SeedFailure {
  return { row: source.row, line: source.line, stage: 'validate', ...(column === undefined ? {} : { column }), message };
}

/** Whether `values` has exactly `keys` as its enumerable keys, in that order, none of them undefined. */
function hasKeys(values: Record<string, unknown>, keys: readonly string[]): boolean {
  let i = 0;
  for (const k in values) {
    if (k !== keys[i++] || values[k] === undefined) return false;
  }
  return i === keys.length;
}

function sameKeys(a: readonly string[], b: readonly string[]): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}
