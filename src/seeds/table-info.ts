import type { CrateClient, TableRef } from '../client/types.js';
import { buildColumnTypes, type ColumnType } from './column-types.js';

/** What the seeder knows about a target table. */
export interface TableInfo {
  ref: TableRef;
  /** False when information_schema shows no columns: the table is missing (or the user cannot see it). */
  exists: boolean;
  columns: Map<string, ColumnType>;
  /** Primary key columns in key order; empty when the table has none. */
  primaryKey: string[];
  /** Top-level columns CrateDB fills itself when a row has no value: a DEFAULT or GENERATED ALWAYS AS. */
  filled: Set<string>;
  /** GENERATED ALWAYS AS columns: CrateDB computes them, an upsert must not SET them. */
  generated: Set<string>;
}

/**
 * Reads a table's column types and primary key from information_schema (results read by position). Both
 * queries only read, so they may be retried on another server.
 */
export async function readTableInfo(client: CrateClient, ref: TableRef, signal?: AbortSignal): Promise<TableInfo> {
  const options = { readOnly: true, signal };
  // Both at once: a seed's start waits on these two round trips (a missing table answers no key columns).
  const [cols, keys] = await Promise.all([
    client.sql(
      'SELECT column_name, data_type, character_maximum_length, column_default, is_generated FROM information_schema.columns ' +
        'WHERE table_schema = ? AND table_name = ?',
      [ref.schema, ref.table],
      options,
    ),
    client.sql('SELECT column_name FROM information_schema.key_column_usage WHERE table_schema = ? AND table_name = ? ORDER BY ordinal_position', [ref.schema, ref.table], options),
  ]);
  if (cols.rows.length === 0) {
    return { ref, exists: false, columns: new Map(), primaryKey: [], filled: new Set(), generated: new Set() };
  }
  return {
    ref,
    exists: true,
    columns: buildColumnTypes(
      cols.rows.map((r) => ({ path: String(r[0]), dataType: String(r[1]), maxLength: r[2] as number | null })),
    ),
    primaryKey: keys.rows.map((r) => String(r[0])),
    filled: new Set(cols.rows.filter((r) => r[3] !== null || isGenerated(r[4])).map((r) => String(r[0]))),
    generated: new Set(cols.rows.filter((r) => isGenerated(r[4])).map((r) => String(r[0]))),
  };
}

/** `is_generated` is 'ALWAYS'/'NEVER' text, as the SQL standard has it; read a boolean too, as older
 * CrateDB versions may answer one (the same column changed type between versions, like is_nullable). */
function isGenerated(value: unknown): boolean {
  return value === 'ALWAYS' || value === true;
}
