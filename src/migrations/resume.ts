import { FailedStateError } from '../errors.js';
import type { HistoryRow } from './history.js';
import type { LoadedMigration, Section } from './migration.js';
import type { StartPoint } from './step.js';

/** What the user said about the statement that was in flight when a run died (`--in-flight`). */
export type InFlightChoice = 'done' | 'rerun';

/**
 * Whether a `running`/`failed` row can be continued without a person: a `running` row whose runner is
 * gone (the caller holds the lock, so its owner does not), a `failed` row whose last statement's answer
 * was lost (`inFlight`), or one stopped cleanly between statements (aborted, lost lock). A row that failed
 * because CrateDB refused a statement needs someone to look: the same statement would fail again.
 */
export function canResume(row: HistoryRow): boolean {
  if (row.status === 'running') return true;
  return row.status === 'failed' && (row.inFlight || (row.error ?? '').startsWith('aborted'));
}

/**
 * Where an interrupted section continues. Statements `0 .. statementsRun - 2` ran for sure; when the row is
 * `inFlight`, statement `statementsRun - 1` may or may not have: it is sent again only when that is safe
 * by its form or the file says `-- migrate:rerunnable` (code: `export const rerunnable = true`), or the
 * user told which (`inFlight`). The statements skipped must be those that ran, unchanged (by hash).
 * Throws `FailedStateError` (exit 3) naming the file, the line and the ways out.
 */
export function resumePoint(row: HistoryRow, m: LoadedMigration, section: Section, choice: InFlightChoice | undefined, location: string): StartPoint {
  const file = m.file.displayPath;
  const stuck = (what: string, ways: string) =>
    new FailedStateError(`${row.name} (${file}) was interrupted ${what}. ${ways} History: ${location}`, [{ name: row.name, status: row.status, error: row.error }]);

  if (section.kind === 'code') {
    if (!row.inFlight && row.statementsRun === 0 && row.status === 'failed') return { at: 0, rerun: false };
    if (choice === 'done') return { at: Number.POSITIVE_INFINITY, rerun: false };
    if (choice === 'rerun' || m.rerunnable) return { at: 0, rerun: true };
    throw stuck(
      `inside its ${row.direction ?? 'up'}(ctx) function, after ${row.statementsRun} or more statements`,
      `A code migration cannot be resumed halfway. Either make ${row.direction ?? 'up'}(ctx) safe to run again and export \`rerunnable = true\` (or run once with --in-flight rerun), or finish its work by hand and run with --in-flight done to record it.`,
    );
  }

  const statements = section.statements;
  const uncertain = row.inFlight && row.statementsRun > 0;
  const done = uncertain ? row.statementsRun - 1 : row.statementsRun;
  const checked = Math.min(uncertain ? done + 1 : done, statements.length);
  const stored = row.statementHashes;
  const changedAt = stored === null ? -1 : statements.slice(0, checked).findIndex((s, i) => s.hash !== stored[i]);
  if (stored === null) {
    throw stuck(
      `after ${row.statementsRun} of ${row.statementsTotal ?? '?'} statements were sent, by an older version that recorded no statement hashes`,
      `What ran cannot be checked against the file: undo what ran by hand and run repair (the migration then runs from its first statement), or run down to revert it with its down section.`,
    );
  }
  if (changedAt >= 0 || stored.length < checked) {
    const where = changedAt < 0 ? 'its first statements' : `line ${statements[changedAt]!.line}`;
    throw stuck(
      `after ${done} of ${row.statementsTotal ?? '?'} statements, and the file changed since (${where} differs from what ran)`,
      `Restore the file as it was and run up again to resume, or undo what ran by hand and run repair (it then runs from its first statement).`,
    );
  }
  if (!uncertain) return { at: done, rerun: false };
  const inFlight = statements[done]!;
  if (choice === 'done') return { at: done + 1, rerun: false };
  if (choice === 'rerun' || inFlight.rerunnable) return { at: done, rerun: true };
  throw stuck(
    `while ${file}:${inFlight.line} was in flight (${done} of ${statements.length} statements had run): it may or may not have been applied, and it is not safe to send twice`,
    `Check the database: if it was applied, run 'cratedb-migrate ${row.direction ?? 'up'} --in-flight done' (resumes after it); if not, 'cratedb-migrate ${row.direction ?? 'up'} --in-flight rerun' (resumes with it). To let this happen by itself next time, write the statement so that it can run twice (IF NOT EXISTS, ON CONFLICT ...) or add '-- migrate:rerunnable' to the file.`,
  );
}
