import type { Logger } from 'pino';
import type { BulkResult, CrateClient, SqlResult, TableRef } from './client/types.js';
import type { ResolvedConfig } from './config/types.js';
import type { Introspection } from './introspection.js';

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
  log: Logger;
  client: CrateClient;
  config: ResolvedConfig;
  signal: AbortSignal;
}

/** A TS/JS migration module. */
export interface CodeMigration {
  up(ctx: MigrationContext): Promise<void>;
  down?(ctx: MigrationContext): Promise<void>;
  /** `export const rerunnable = true`: the function is safe to run again from its start, so a run that
   * crashed inside it is repeated by the next `up` without asking. */
  rerunnable?: boolean;
}
