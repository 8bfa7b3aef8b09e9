import type { Logger } from 'pino';
import type { CrateClient, TableRef } from '../client/types.js';
import type { ResolvedConfig } from '../config/types.js';
import { AbortedError, CrateDbError } from '../errors.js';
import { createMigrationContext } from './context.js';
import type { HistoryStore, RunningEntry } from './history.js';
import type { Section } from './migration.js';

export interface StepDeps {
  client: CrateClient;
  history: HistoryStore;
  config: ResolvedConfig;
  logger: Logger;
  /** The caller's abort and the lease's loss, combined. Checked between statements only. */
  signal: AbortSignal;
}

/** A section that stopped: what ran before the failure, and the text recorded in the history. */
export class StepFailure extends Error {
  constructor(
    readonly error: string,
    readonly statementsRun: number,
    /** Whether the `failed` row was written; when not, the history may still say `running`. */
    readonly recorded: boolean,
    options: { cause: unknown },
  ) {
    super(error, options);
  }
}

/**
 * Runs one section (up or down) of a migration between a `running` row before its first statement and,
 * on failure, a `failed` row with the error and `statements_run` (the caller records success, through
 * umzug's storage). Progress is recorded after each statement but the last, so a crash leaves a
 * `running` row that says how far it got. Tables written by INSERT/UPDATE/DELETE are refreshed at the
 * end, so the next migration and the application see the rows.
 */
export async function runSection(section: Section, entry: RunningEntry, file: string, deps: StepDeps): Promise<number> {
  const { client, history, logger, signal } = deps;
  const started = performance.now();
  await history.markRunning(entry);
  let statementsRun = 0;
  let origin: { file: string; line: number } | undefined;
  let recording = false;
  try {
    if (section.kind === 'sql') {
      const written = new Map<string, TableRef>();
      for (const [index, stmt] of section.statements.entries()) {
        if (signal.aborted) throw abortReason(signal);
        origin = { file, line: stmt.line };
        logger.debug({ event: 'statement', file, line: stmt.line, type: stmt.type }, 'statement');
        await client.sql(stmt.sql, [], { origin });
        statementsRun++;
        origin = undefined;
        for (const t of stmt.writes) written.set(`${t.schema}\u0000${t.table}`, t);
        if (index < section.statements.length - 1) {
          recording = true;
          await history.markProgress(entry.name, statementsRun);
          recording = false;
        }
      }
      await refreshWritten(client, [...written.values()], logger);
    } else {
      const ctx = createMigrationContext({ client, config: deps.config, logger: logger.child({ migration: entry.name }), signal });
      try {
        if (signal.aborted) throw abortReason(signal);
        await section.run(ctx);
      } finally {
        statementsRun = ctx.statementsRun;
      }
    }
    return statementsRun;
  } catch (err) {
    // A failed progress write comes after a statement that succeeded: it must not carry that statement's line.
    const error = recording ? progressProblem(err, file, statementsRun, history.location) : describe(err, origin ?? { file, line: 0 });
    let recorded = true;
    try {
      await history.markFailed(entry.name, {
        finishedAt: new Date(),
        durationMs: Math.round(performance.now() - started),
        statementsRun,
        error,
      });
    } catch (recordErr) {
      // The row stays `running`, which the next run also refuses: the state is still not lost.
      recorded = false;
      logger.error({ event: 'history-write-failed', name: entry.name, err: recordErr }, 'could not record the failure');
    }
    throw new StepFailure(error, statementsRun, recorded, { cause: err });
  }
}

function abortReason(signal: AbortSignal): AbortedError {
  return signal.reason instanceof AbortedError ? signal.reason : new AbortedError();
}

/** The text stored in `error`: CrateDB's message with the statement's file:line (added when the client's
 * message does not carry it already), or "aborted". */
function describe(err: unknown, origin: { file: string; line: number }): string {
  if (err instanceof AbortedError) return err.message;
  const message = err instanceof Error ? err.message : String(err);
  const where = origin.line > 0 ? `${origin.file}:${origin.line}` : origin.file;
  return message.includes(where) ? message : `${where}: ${message}`;
}

/** The text stored in `error` when recording progress failed after a statement had succeeded. */
function progressProblem(err: unknown, file: string, statementsRun: number, location: string): string {
  const message = err instanceof Error ? err.message : String(err);
  return `${file}: ${statementsRun} statements ran, then recording that in ${location} failed: ${message}`;
}

/** REFRESH of the tables a section wrote. A table the same section dropped or renamed afterwards is
 * skipped (4041), because one unknown table fails a whole multi-table REFRESH. */
async function refreshWritten(client: CrateClient, tables: TableRef[], logger: Logger): Promise<void> {
  if (tables.length === 0) return;
  try {
    await client.refresh(tables);
    return;
  } catch (err) {
    if (!(err instanceof CrateDbError && err.crateCode === 4041)) return refreshFailed(logger, tables, err);
  }
  for (const table of tables) {
    try {
      await client.refresh([table]);
    } catch (err) {
      if (err instanceof CrateDbError && err.crateCode === 4041) logger.debug({ event: 'refresh-skipped', table }, 'written table no longer exists');
      else refreshFailed(logger, [table], err);
    }
  }
}

/** Every statement has run: a failed REFRESH only delays visibility (CrateDB refreshes by itself within
 * its refresh_interval), so it is no reason to record the migration as failed. */
function refreshFailed(logger: Logger, tables: TableRef[], err: unknown): void {
  logger.warn({ event: 'refresh-failed', tables, err }, 'could not refresh the tables the migration wrote');
}
