import type { TableRef } from '../../client/types.js';

/** How rows are copied into the new table: one `INSERT ... SELECT`, or batches (large tables). */
export type CopyBatches =
  | { by: 'all' }
  /** Ranges of a column that orders the rows (the key), `size` rows each. */
  | { by: 'key'; column: string; size: number }
  /** One `INSERT ... SELECT` per value of the table's partition column. */
  | { by: 'partition' };

/** A table rebuild, as the SQL directive or `ctx.rebuildTable()` declares it (docs/rebuild.md). */
export interface RebuildSpec {
  table: TableRef;
  /** The new definition: a `CREATE TABLE` statement naming the live table (the rebuild creates it under a
   * temporary name). */
  definition: string;
  /** New column -> SQL expression over the old table's columns; a column left out is copied from the old
   * column of the same name when there is one. */
  columns: Readonly<Record<string, string>>;
  /** Keep the old table (`<table>__cm_backup`) so that the migration's down can swap it back. @default false */
  keepBackup: boolean;
  copy: CopyBatches;
}
