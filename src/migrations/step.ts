import type { Logger } from 'pino';
import type { CrateClient, SqlResult } from '../client/types.js';
import type { ResolvedConfig } from '../config/types.js';
import { AbortedError, ConnectionError, CrateDbError } from '../errors.js';
import { createMigrationContext } from './context.js';
import { crashPoint } from './crash-hook.js';
import type { HistoryStore, RunningEntry } from './history.js';
import type { Section } from './migration.js';
import type { SqlStatement } from './sql-file.js';
import { createRebuildTableStore } from './rebuild/progress.js';
import { rebuildTable, revertRebuild } from './rebuild/rebuild.js';
import { createVisibility } from './visibility.js';

export interface StepDeps {
  client: CrateClient;
  history: HistoryStore;
  config: ResolvedConfig;
  logger: Logger;
  /** The caller's abort and the lease's loss, combined. Checked between statements only. */
  signal: AbortSignal;
  /** Resolves when the lock is still ours (`Lease.confirm`); called before every statement. */
  confirmLease: () => Promise<void>;
}

/** Where a section starts: from its first statement, or where an interrupted run stopped. */
export interface StartPoint {
  /** Index of the first statement to send; the ones before it ran in the interrupted run. */
  at: number;
  /** The statement at `at` may already have run and is sent again (it is safe to repeat): a DROP that
   * then answers "unknown" is taken as done. */
  rerun: boolean;
}

/** A section that stopped: what ran before the failure, and the text recorded in the history. */
export class StepFailure extends Error {
  constructor(
    readonly error: string,
    /** Statements sent, the failed one included when it may have been applied (`inFlight`). */
    readonly statementsRun: number,
    /** Whether the `failed` row was written; when not, the history may still say `running`. */
    readonly recorded: boolean,
    options: { cause: unknown },
  ) {
    super(error, options);
  }
}

/**
 * Runs one section (up or down) of a migration. The history row says `running` before its first
 * statement, and before each further statement `statements_run` is raised to count it: one primary-key
 * write per statement, real-time in CrateDB, no REFRESH. So a crash leaves a row that never under-counts
 * and knows which statement may have been in flight, which is what lets the next runner resume. On
 * failure the row says `failed` with the error, the count, and whether the last one may have run. The
 * caller records success (through umzug's storage).
 */
export async function runSection(
  section: Section,
  entry: Omit<RunningEntry, 'statementsRun' | 'inFlight' | 'statementHashes'>,
  file: string,
  deps: StepDeps,
  start: StartPoint = { at: 0, rerun: false },
): Promise<number> {
  const { client, history, logger, signal } = deps;
  const started = performance.now();
  const visibility = createVisibility(client, deps.config.schema, logger);
  let done = start.at;
  let inFlight = false;
  let origin: { file: string; line: number } | undefined;
  let recording = false;
  const before = async () => {
    if (signal.aborted) throw abortReason(signal);
    await deps.confirmLease();
  };
  // Nothing of the section has been sent before the running row is written: a failure here is thrown as
  // it is, and the history keeps what it had.
  await before();
  if (section.kind === 'sql') {
    const statements = section.statements;
    await history.markRunning({
      ...entry,
      statementHashes: statements.map((s) => s.hash),
      statementsRun: Math.min(done + 1, statements.length),
      inFlight: done < statements.length,
    });
  } else {
    await history.markRunning({ ...entry, statementHashes: null, statementsRun: 0, inFlight: true });
  }
  try {
    if (section.kind === 'sql') {
      const statements = section.statements;
      // Resumed: what the dead runner wrote may not have been refreshed; searches must see it.
      visibility.wrote(statements.slice(0, start.at).flatMap((s) => s.writes));
      for (let index = done; index < statements.length; index++) {
        const stmt = statements[index]!;
        if (index > start.at) {
          await before();
          recording = true;
          await history.markProgress(entry.name, index + 1);
          recording = false;
        }
        origin = { file, line: stmt.line };
        await visibility.beforeStatement(stmt);
        logger.debug({ event: 'statement', file, line: stmt.line, type: stmt.type }, 'statement');
        crashPoint(entry.name, index, 'before');
        inFlight = true;
        const result = stmt.rebuild || stmt.revert ? await rebuildStep(deps, stmt) : await send(client, stmt, origin, index === start.at && start.rerun, logger);
        inFlight = false;
        crashPoint(entry.name, index, 'after');
        done = index + 1;
        origin = undefined;
        visibility.wrote(stmt.writes);
        if (stmt.type === 'REFRESH') visibility.refreshed(stmt.writes);
        if (stmt.type === 'COPY' && result) warnOnEmptyCopy(result, file, stmt, logger);
      }
      await visibility.finish();
      return done;
    }
    const ctx = createMigrationContext({
      client,
      config: deps.config,
      logger: logger.child({ migration: entry.name }),
      signal,
      beforeStatement: deps.confirmLease,
      visibility,
    });
    try {
      // Past 0: the interrupted run's work was declared done (--in-flight done); nothing runs again.
      if (start.at === 0) await section.run(ctx);
      await visibility.finish();
    } finally {
      done = ctx.statementsRun;
    }
    return done;
  } catch (err) {
    // The statement may have been applied when its answer was lost: it counts, so the count never
    // under-counts, and the row says it was in flight.
    const maybeApplied = (inFlight || section.kind === 'code') && isUnknownOutcome(err);
    const statementsRun = maybeApplied ? done + 1 : done;
    // A failed progress write comes after a statement that succeeded: it must not carry that statement's line.
    const error = recording ? progressProblem(err, file, done, history.location) : describe(err, origin ?? { file, line: 0 });
    let recorded = true;
    try {
      await history.markFailed(entry.name, {
        finishedAt: new Date(),
        durationMs: Math.round(performance.now() - started),
        statementsRun,
        error,
        inFlight: maybeApplied,
      });
    } catch (recordErr) {
      // The row stays `running`, which the next run resumes or refuses: the state is still not lost.
      recorded = false;
      logger.error({ event: 'history-write-failed', name: entry.name, err: recordErr }, 'could not record the failure');
    }
    throw new StepFailure(error, statementsRun, recorded, { cause: err });
  }
}

/** Sends one statement. When it is re-sent after an interrupted run (`rerun`), a DROP answering "unknown"
 * (4041 relation, 4045 schema, 4043 column) had already run. */
async function send(
  client: CrateClient,
  stmt: SqlStatement,
  origin: { file: string; line: number },
  rerun: boolean,
  logger: Logger,
): Promise<SqlResult | undefined> {
  try {
    return await client.sql(stmt.sql, [], { origin });
  } catch (err) {
    const gone = err instanceof CrateDbError && [4041, 4043, 4045].includes(err.crateCode);
    if (!(rerun && gone && (stmt.type === 'DROP' || stmt.type === 'ALTER'))) throw err;
    logger.info({ event: 'rerun-already-done', file: origin.file, line: origin.line, code: err.crateCode }, 're-run statement had already been applied');
    return undefined;
  }
}

/** A `-- migrate:rebuild` / `-- migrate:rebuild-revert` step: resumable by itself (its progress is recorded
 * before each of its steps), so after a crash it is simply run again. */
async function rebuildStep(deps: StepDeps, stmt: SqlStatement): Promise<undefined> {
  const rebuildDeps = {
    client: deps.client,
    store: createRebuildTableStore(deps.client, { schema: deps.config.historyTable.schema, table: 'rebuilds' }),
    logger: deps.logger,
  };
  if (stmt.rebuild) await rebuildTable(rebuildDeps, stmt.rebuild);
  else await revertRebuild(rebuildDeps, stmt.revert!);
  return undefined;
}

/** Whether an error leaves open whether the statement was applied: its answer was lost after it was sent. */
function isUnknownOutcome(err: unknown): boolean {
  return (err instanceof ConnectionError && err.sent) || (err instanceof AbortedError && /may or may not/.test(err.message));
}

/** CrateDB answers COPY FROM with HTTP 200 even when it loaded nothing: say so. With RETURN SUMMARY (one
 * row per file: node, uri, success_count, error_count, errors) a file that could not be read has null
 * counts and its message in `errors`; a glob that matched nothing gives no row at all. */
function warnOnEmptyCopy(result: SqlResult, file: string, stmt: SqlStatement, logger: Logger): void {
  const where = `${file}:${stmt.line}`;
  const col = (name: string) => result.cols.indexOf(name);
  if (col('error_count') < 0) {
    if (result.rowcount === 0) {
      logger.warn({ event: 'copy-from-empty', where }, `${where}: COPY FROM loaded 0 rows (CrateDB answers success anyway): check the URI, and add RETURN SUMMARY to see per-file errors`);
    }
    return;
  }
  const [success, failures, errors, uri] = [col('success_count'), col('error_count'), col('errors'), col('uri')];
  const loaded = result.rows.reduce((sum, row) => sum + Number(row[success] ?? 0), 0);
  const bad = result.rows.filter((row) => row[success] === null || Number(row[failures] ?? 0) > 0 || Object.keys((row[errors] as object | null) ?? {}).length > 0);
  if (bad.length === 0 && loaded > 0) return;
  const failed = bad.reduce((sum, row) => sum + Number(row[failures] ?? 1), 0);
  logger.warn(
    { event: 'copy-from-incomplete', where, loaded, failed, files: bad.map((row) => ({ uri: row[uri], errors: row[errors] })) },
    `${where}: COPY FROM loaded ${loaded} rows and failed ${failed}${result.rows.length === 0 ? ' (no file matched)' : ''}; CrateDB answers success anyway`,
  );
}

function abortReason(signal: AbortSignal): AbortedError {
  return signal.reason instanceof AbortedError ? signal.reason : new AbortedError();
}

/** The text stored in `error`: CrateDB's message with the statement's file:line (added when the client's
 * message does not carry it already), or "aborted". */
function describe(err: unknown, origin: { file: string; line: number }): string {
  if (err instanceof AbortedError && !isUnknownOutcome(err)) return err.message;
  const message = err instanceof Error ? err.message : String(err);
  const where = origin.line > 0 ? `${origin.file}:${origin.line}` : origin.file;
  return message.includes(where) ? message : `${where}: ${message}`;
}

/** The text stored in `error` when recording progress failed after a statement had succeeded. */
function progressProblem(err: unknown, file: string, statementsRun: number, location: string): string {
  const message = err instanceof Error ? err.message : String(err);
  return `${file}: ${statementsRun} statements ran, then recording that in ${location} failed: ${message}`;
}
