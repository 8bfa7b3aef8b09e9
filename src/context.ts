import type { Logger } from 'pino';
import type { BulkResult, CrateClient, SqlResult, TableRef } from './client/types.js';
import type { ResolvedConfig } from './config/types.js';
import type { Introspection } from './introspection.js';
import type { RebuildResult } from './migrations/rebuild/rebuild.js';
import type { CopyBatches } from './migrations/rebuild/spec.js';

/**
 * What a TS/JS migration's `up(ctx)`/`down(ctx)` and a code seed receive; `ctx.tableExists`,
 * `ctx.columns` and `ctx.serverVersion` (Introspection) read the cluster, e.g. to branch for 5.10 and 6.x.
 * Every statement runs on its own (CrateDB has no transactions): a function that fails halfway
 * leaves what it already ran applied, so write steps that can run again (`IF NOT EXISTS`, upserts).
 */
export interface MigrationContext extends Introspection {
  /** One statement, values in `args`. */
  sql(stmt: string, args?: readonly unknown[]): Promise<SqlResult>;
  /** `bulk_args` insert/update/delete. Throws `CrateDbError` if any row failed (`rowcount: -2`). */
  bulk(stmt: string, rows: readonly (readonly unknown[])[]): Promise<BulkResult>;
  /** `REFRESH TABLE`; names without a schema use the config's schema. */
  refresh(...tables: Array<string | TableRef>): Promise<void>;
  /** Rebuilds a table with a new definition, for changes CrateDB cannot make in place (a column's type, a
   * fulltext index, the key, the partitioning): create, copy, refresh, compare counts, swap. Run again after
   * a crash, it resumes. See docs/rebuild.md. */
  rebuildTable(options: RebuildTableOptions): Promise<RebuildResult>;
  /** The down of a rebuild that kept its backup: swaps `<table>__cm_backup` back in, drops the rebuilt one. */
  revertRebuild(table: string | TableRef): Promise<void>;
  log: Logger;
  client: CrateClient;
  config: ResolvedConfig;
  signal: AbortSignal;
}

/** `ctx.rebuildTable()`'s options. */
export interface RebuildTableOptions {
  /** The live table: `'schema.table'`, `'table'` (the config's schema) or `{ schema, table }`. */
  table: string | TableRef;
  /** `CREATE TABLE <table> (...)`: the new definition, naming the live table. */
  definition: string;
  /** New column -> SQL expression over the old columns; others are copied by name. */
  columns?: Readonly<Record<string, string>>;
  /** Keep the old table as `<table>__cm_backup`, so that `ctx.revertRebuild` can swap it back. @default false */
  keepBackup?: boolean;
  /** @default { by: 'all' } */
  copy?: CopyBatches;
}

/** A TS/JS migration module. */
export interface CodeMigration {
  up(ctx: MigrationContext): Promise<void>;
  down?(ctx: MigrationContext): Promise<void>;
  /** `export const rerunnable = true`: the function is safe to run again from its start, so a run that
   * crashed inside it is repeated by the next `up` without asking. */
  rerunnable?: boolean;
}
