import type { Logger } from 'pino';
import type { CrateClient } from '../client/types.js';
import type { ResolvedConfig } from '../config/types.js';
import type { MigrationContext } from '../context.js';
import { AbortedError, CrateDbError, UsageError } from '../errors.js';
import { createIntrospection, toTableRef } from '../introspection.js';
import type { RebuildStore } from './rebuild/progress.js';
import type { Visibility } from './visibility.js';

/** The statement parser's modules, imported on the first ctx.sql/ctx.bulk (a seed of rows never sends one)
 * and then kept: a migration of many statements does not import them again for each. */
let parser: Promise<[typeof import('./sql-file.js'), typeof import('./statement-kind.js')]> | undefined;
const statementParser = () => (parser ??= Promise.all([import('./sql-file.js'), import('./statement-kind.js')]));

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
  /** Runs before each statement: the lease check (a runner that may have lost the lock sends nothing). */
  beforeStatement?: () => Promise<void>;
  /** Refreshes tables this migration wrote before a statement searches them (see visibility.ts). */
  visibility?: Visibility;
  /** Where `ctx.rebuildTable` records its progress. @default a `rebuilds` table next to the history table */
  rebuilds?: RebuildStore;
}): CountingContext {
  const { client, config, signal, visibility } = deps;
  // The rebuild code (and the table-definition parser it uses) is imported on the first ctx.rebuildTable:
  // seeds and most migrations never call it, and a seed process need not load it at start-up.
  const rebuilding = async () => {
    const [{ rebuildTable, revertRebuild }, { createRebuildTableStore }] = await Promise.all([
      import('./rebuild/rebuild.js'),
      import('./rebuild/progress.js'),
    ]);
    const rebuildDeps = {
      client,
      logger: deps.logger,
      store: deps.rebuilds ?? createRebuildTableStore(client, { schema: config.historyTable.schema, table: 'rebuilds' }),
    };
    return { rebuildTable, revertRebuild, rebuildDeps };
  };
  let statementsRun = 0;
  const checkAbort = () => {
    if (signal.aborted) throw signal.reason instanceof AbortedError ? signal.reason : new AbortedError();
  };
  /** The checks a SQL file's statements get when parsed, made here as each statement is sent. */
  const prepare = async (stmt: string) => {
    checkAbort();
    await deps.beforeStatement?.();
    const [{ describeStatement }, { sessionAdvice, sessionStatement }] = await statementParser();
    const facts = await describeStatement(stmt, config.schema);
    if (sessionStatement(facts.words)) {
      throw new UsageError(
        `ctx.sql('${facts.words.slice(0, 2).join(' ')} ...') changes the SQL session, which CrateDB keeps per pooled connection; it would leak into later statements and miss the other connections. ${sessionAdvice(facts.words)}`,
      );
    }
    await visibility?.beforeStatement({ sql: stmt, searches: facts.searches });
    return facts;
  };
  return {
    ...createIntrospection(client, config.schema),
    get statementsRun() {
      return statementsRun;
    },
    async sql(stmt, args) {
      const facts = await prepare(stmt);
      const result = await client.sql(stmt, args);
      statementsRun++;
      visibility?.wrote(facts.writes);
      return result;
    },
    async bulk(stmt, rows) {
      const facts = await prepare(stmt);
      const result = await client.bulk(stmt, rows);
      statementsRun++;
      visibility?.wrote(facts.writes);
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
      const refs = tables.map((t) => toTableRef(t, config.schema));
      await client.refresh(refs);
      visibility?.refreshed(refs);
    },
    async rebuildTable(options) {
      checkAbort();
      await deps.beforeStatement?.();
      const { rebuildTable, rebuildDeps } = await rebuilding();
      const result = await rebuildTable(rebuildDeps, {
        table: toTableRef(options.table, config.schema),
        definition: options.definition,
        columns: options.columns ?? {},
        keepBackup: options.keepBackup ?? false,
        copy: options.copy ?? { by: 'all' },
      });
      statementsRun++;
      return result;
    },
    async revertRebuild(table) {
      checkAbort();
      await deps.beforeStatement?.();
      const { revertRebuild, rebuildDeps } = await rebuilding();
      await revertRebuild(rebuildDeps, toTableRef(table, config.schema));
      statementsRun++;
    },
    log: deps.logger,
    client,
    config,
    signal,
  };
}
