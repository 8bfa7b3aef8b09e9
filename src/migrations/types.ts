/** Options and results of the migrator's commands (Kysely style: every step accounted for). */
import type { CheckResult, Finding } from './check/types.js';
import type { RebuildPlan } from './rebuild/rebuild.js';

/** `up` options. `to` and `step` exclude each other. */
export interface UpOptions {
  /** Apply pending migrations up to and including this one (its name `001_create_books`, or its
   * version `1`). Already applied: nothing to do. */
  to?: string;
  /** Apply at most this many pending migrations. */
  step?: number;
  /** Run pending migrations older than the newest applied one instead of refusing with
   * `OutOfOrderError`. @default false */
  allowOutOfOrder?: boolean;
  /** Run although applied files changed or vanished (`DriftError` otherwise). The stored checksums
   * stay as they are: `repair` realigns them. @default false */
  forceChecksum?: boolean;
  /** Return the statements that would run; change nothing (not even create the history table). */
  dryRun?: boolean;
  /** A run that died left a statement in flight that is not safe to send twice: say whether it was
   * applied (`done`: continue after it) or not (`rerun`: send it again). */
  inFlight?: 'done' | 'rerun';
}

/** `down` options. `to` and `step` exclude each other; default: revert the last applied migration. */
export interface DownOptions {
  /** Revert every migration applied after this one AND this one (name or version); `0`: all. */
  to?: string | 0;
  /** Revert this many migrations, newest applied first. @default 1 */
  step?: number;
  dryRun?: boolean;
  /** As for `up`: the in-flight statement of an interrupted revert was applied (`done`) or not (`rerun`). */
  inFlight?: 'done' | 'rerun';
  /** Also revert migrations recorded by `baseline`: their down sections then run against objects this
   * tool did not create. Without it, `down` refuses such a migration (`UsageError`). @default false */
  includeBaseline?: boolean;
}

/** `baseline` options. */
export interface BaselineOptions {
  /** The last migration to record (its name or version): it and every pending one before it. */
  to: string;
}

/** What `baseline` recorded, in version order. Empty: every migration up to `to` was already recorded. */
export interface BaselineResult {
  baselined: Array<{ name: string; version: number; file: string; seq: number }>;
  durationMs: number;
}

/** What happened to one migration in a run. `planned` only in dry runs; `not-run` for the steps after a
 * failure, which were planned but never started. */
export type StepStatus = 'applied' | 'reverted' | 'failed' | 'not-run' | 'planned';

/** A statement as it would be sent, for dry runs. */
export interface PlannedStatement {
  sql: string;
  file: string;
  line: number;
}

/** One migration's part in a run: what ran, how far it got, and why it stopped. */
export interface StepResult {
  name: string;
  version: number;
  /** The file, relative to the project root when possible. */
  file: string;
  direction: 'up' | 'down';
  status: StepStatus;
  durationMs: number;
  statementsRun: number;
  /** Statements in the section; null for code migrations (not known before they run). */
  statementsTotal: number | null;
  /** Dry runs: the statements `up`/`down` would run; null for code migrations (their `up(ctx)` decides). */
  statements?: PlannedStatement[] | null;
  /** On `failed`: CrateDB's message with the statement's file:line, or "aborted". */
  error?: string;
}

/** The result of `up` or `down`. A failed run throws `MigrationError` with this as `.result`. */
export interface RunResult {
  direction: 'up' | 'down';
  dryRun: boolean;
  /** In execution order. Empty: nothing to do. */
  steps: StepResult[];
  durationMs: number;
  /** `up`: the check of the pending migrations (findings with file:line), run before anything was written;
   * absent when nothing was pending. A real run with an error finding throws `CheckError` instead. */
  check?: CheckResult;
}

/** A migration's state as `status()` reports it. `changed`/`missing`: applied, but the file's checksum
 * differs now / the file is gone (drift). `running`: another process is running it now (it holds the lock);
 * `interrupted`: left `running` by a runner that is gone (the next `up` resumes it, or says why not);
 * `baseline`: recorded by `baseline` as applied without being run. */
export type MigrationState = 'applied' | 'baseline' | 'pending' | 'failed' | 'running' | 'interrupted' | 'changed' | 'missing';

/** One migration as `status()` reports it: from its file, its history row, or both. */
export interface MigrationStatus {
  version: number;
  name: string;
  /** null when the file is missing. */
  file: string | null;
  state: MigrationState;
  /** The file's checksum (null when missing). */
  checksum: string | null;
  /** The checksum recorded when it was applied (null when pending). */
  appliedChecksum: string | null;
  /** Applied order (null when pending). */
  seq: number | null;
  appliedAt: Date | null;
  durationMs: number | null;
  appliedBy: string | null;
  statementsRun: number | null;
  statementsTotal: number | null;
  error: string | null;
  /** `running`/`failed`/`interrupted`: the section it was in. */
  direction: 'up' | 'down' | null;
  /** `running`: who holds the lock, and until when (CrateDB's clock) unless renewed. */
  lease?: { owner: string; expiresAt: Date };
  /** A repeatable migration (`R__<name>.sql`, version 0, listed after the versioned ones): `pending` when
   * its file changed since it was last applied (or it never was, or that did not finish). */
  repeatable?: true;
}

/** An applied migration whose file changed or vanished. */
export interface DriftItem {
  name: string;
  problem: 'changed' | 'missing';
  appliedChecksum: string;
  /** null when the file is missing. */
  fileChecksum: string | null;
}

/** What `repair()` did. */
export interface RepairResult {
  /** Applied migrations whose stored checksum now matches the edited file. */
  checksumsUpdated: string[];
  /** History rows removed because their file vanished. */
  removedMissing: string[];
  /** `failed`/`running` rows of an `up` removed: those migrations are pending again. */
  removedFailed: string[];
  /** `failed`/`running` rows of a `down` recorded `applied` again (put back by hand, as repair assumes). */
  restored: string[];
}

/** `plan` options: the `up` options that choose what runs. */
export type PlanOptions = Pick<UpOptions, 'to' | 'step' | 'allowOutOfOrder' | 'forceChecksum'>;

/** One pending migration as `up` would run it now. */
export interface PlannedMigration {
  name: string;
  version: number;
  file: string;
  /** The statements in order, placeholders substituted; null for a code migration (its `up(ctx)` decides). */
  statements: PlannedStatement[] | null;
  /** The check's findings in this migration's statements. */
  findings: Finding[];
  /** What each of its table rebuilds will create, copy and swap (read from the live table). */
  rebuilds: RebuildPlan[];
  /** Rebuilds that cannot be planned now, with why (say, the table is made by an earlier pending migration). */
  unplannedRebuilds: Array<{ file: string; line: number; table: string; reason: string }>;
}

/** What `plan` returns: the pending migrations in the order `up` runs them, and the check's totals. */
export interface PlanResult {
  migrations: PlannedMigration[];
  /** The check of them all; null when nothing is pending. */
  check: Omit<CheckResult, 'findings'> | null;
}
