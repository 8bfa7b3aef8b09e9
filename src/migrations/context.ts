import type { Logger } from 'pino';
import type { CrateClient, TableRef } from '../client/types.js';
import type { ResolvedConfig } from '../config/types.js';
import type { MigrationContext } from '../context.js';
import { AbortedError, CrateDbError } from '../errors.js';

/** A `MigrationContext` plus the count of statements it sent, which the runner records as `statements_run`. */
export interface CountingContext extends MigrationContext {
  readonly statementsRun: number;
}

/**
 * The `ctx` a TS/JS migration receives. Each `ctx.sql`/`ctx.bulk` first checks `signal`: an abort (SIGINT,
 * a lost lock) stops the migration BETWEEN statements. The signal is not passed to the request itself:
 * cancelling a DDL statement in flight leaves its outcome unknown, while letting it finish keeps
 * `statements_run` true.
 */
export function createMigrationContext(deps: {
  client: CrateClient;
  config: ResolvedConfig;
  logger: Logger;
  signal: AbortSignal;
}): CountingContext {
  const { client, config, signal } = deps;
  let statementsRun = 0;
  const checkAbort = () => {
    if (signal.aborted) throw signal.reason instanceof AbortedError ? signal.reason : new AbortedError();
  };
  return {
    get statementsRun() {
      return statementsRun;
    },
    async sql(stmt, args) {
      checkAbort();
      const result = await client.sql(stmt, args);
      statementsRun++;
      return result;
    },
    async bulk(stmt, rows) {
      checkAbort();
      const result = await client.bulk(stmt, rows);
      statementsRun++;
      const failed = result.results.flatMap((item, index) => (item.rowcount === -2 ? [{ index, item }] : []));
      if (failed.length > 0) {
        const first = failed[0]!;
        throw new CrateDbError(
          `${failed.length} of ${rows.length} bulk rows failed; first, row ${first.index + 1} of the rows given: ${
            first.item.error?.message ?? 'no error message (CrateDB reports only the first 10 per shard)'
          }`,
          first.item.error?.code ?? 0,
          200,
          '',
          stmt,
        );
      }
      return result;
    },
    async refresh(...tables) {
      checkAbort();
      await client.refresh(tables.map((t) => toTableRef(t, config.schema)));
    },
    log: deps.logger,
    client,
    config,
    signal,
  };
}

/** `"schema.table"` or `"table"` (the config's schema) as a `TableRef`. */
function toTableRef(table: string | TableRef, defaultSchema: string): TableRef {
  if (typeof table !== 'string') return table;
  const dot = table.indexOf('.');
  return dot < 0 ? { schema: defaultSchema, table } : { schema: table.slice(0, dot), table: table.slice(dot + 1) };
}
