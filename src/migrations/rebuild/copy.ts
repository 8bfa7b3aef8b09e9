import type { CrateClient, TableRef } from '../../client/types.js';
import { qualifiedName, quoteIdent } from '../../client/identifiers.js';
import { RebuildError } from '../../errors.js';
import type { TableDefinition } from '../check/table-definition.js';
import type { CopyBatches } from './spec.js';

/** What goes from the old table into the new one: `INSERT INTO new (columns) SELECT expressions FROM old`. */
export interface CopyColumns {
  columns: string[];
  expressions: string[];
}

/**
 * The column mapping: each column of the new table that is not generated takes its expression from
 * `mapping`, else the old column of the same name; a new column with neither is left to its DEFAULT.
 */
export function copyColumns(display: string, next: TableDefinition, oldColumns: readonly string[], mapping: Readonly<Record<string, string>>): CopyColumns {
  const writable = next.columns.filter((c) => c.generatedFrom === null).map((c) => c.name);
  const unknown = Object.keys(mapping).filter((c) => !writable.includes(c));
  if (unknown.length > 0) {
    throw new RebuildError(
      'CM_REBUILD',
      `rebuild of ${display}: the column mapping names ${unknown.map((c) => `"${c}"`).join(', ')}, not a (non-generated) column of the new definition (${writable.join(', ')})`,
      display,
    );
  }
  const old = new Set(oldColumns);
  const columns = writable.filter((c) => mapping[c] !== undefined || old.has(c));
  if (columns.length === 0) {
    throw new RebuildError('CM_REBUILD', `rebuild of ${display}: no column of the new definition is in the old table or the mapping: nothing would be copied`, display);
  }
  return { columns, expressions: columns.map((c) => mapping[c] ?? quoteIdent(c)) };
}

/** `INSERT INTO to (columns) SELECT expressions FROM from`, without a condition. */
export function insertSelect(from: TableRef, to: TableRef, cols: CopyColumns): string {
  return `INSERT INTO ${qualifiedName(to)} (${cols.columns.map(quoteIdent).join(', ')}) SELECT ${cols.expressions.join(', ')} FROM ${qualifiedName(from)}`;
}

/** One batch copied: where the copy stands afterwards (`done` when nothing is left). */
export interface BatchResult {
  cursor: unknown;
  done: boolean;
}

/**
 * Copies the next batch after `cursor` (null: from the start). By key: the rows up to the key `size` rows
 * further (one search for that bound, then one INSERT ... SELECT of the range). By partition: the rows of
 * the next value of the partition columns. All at once: one INSERT ... SELECT.
 */
export async function copyBatch(
  client: CrateClient,
  copy: CopyBatches,
  from: TableRef,
  to: TableRef,
  cols: CopyColumns,
  cursor: unknown,
  partitionedBy: readonly string[],
): Promise<BatchResult> {
  const insert = insertSelect(from, to, cols);
  if (copy.by === 'all') {
    await client.sql(insert);
    return { cursor: null, done: true };
  }
  if (copy.by === 'key') {
    const key = quoteIdent(copy.column);
    const after = cursor === null ? '' : `${key} > ? AND `;
    const bound = await client.sql(
      `SELECT ${key} FROM ${qualifiedName(from)}${cursor === null ? '' : ` WHERE ${key} > ?`} ORDER BY ${key} LIMIT 1 OFFSET ${copy.size - 1}`,
      cursor === null ? [] : [cursor],
      { readOnly: true },
    );
    const upper = bound.rows[0]?.[0];
    if (upper === undefined) {
      // The last batch, with the rows whose key is null (a key column that is not the primary key).
      await client.sql(`${insert} WHERE ${cursor === null ? 'true' : `${key} > ?`} OR ${key} IS NULL`, cursor === null ? [] : [cursor]);
      return { cursor, done: true };
    }
    await client.sql(`${insert} WHERE ${after}${key} <= ?`, cursor === null ? [upper] : [cursor, upper]);
    return { cursor: upper, done: false };
  }
  if (partitionedBy.length === 0) {
    throw new RebuildError('CM_REBUILD', `rebuild of ${qualifiedName(from)}: copy by partition, but the table is not partitioned; copy by key instead`, qualifiedName(from));
  }
  const parts = partitionedBy.map(quoteIdent);
  const values = await client.sql(`SELECT DISTINCT ${parts.join(', ')} FROM ${qualifiedName(from)} ORDER BY ${parts.map((_, i) => i + 1).join(', ')}`, [], { readOnly: true });
  const doneCount = typeof cursor === 'number' ? cursor : 0;
  const value = values.rows[doneCount];
  if (value === undefined) return { cursor: doneCount, done: true };
  const where = parts.map((p, i) => (value[i] === null ? `${p} IS NULL` : `${p} = ?`)).join(' AND ');
  await client.sql(`${insert} WHERE ${where}`, value.filter((v) => v !== null));
  return { cursor: doneCount + 1, done: doneCount + 1 >= values.rows.length };
}
