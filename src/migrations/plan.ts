import { DriftError, FailedStateError, OutOfOrderError, UsageError } from '../errors.js';
import type { HistoryRow } from './history.js';
import { isRepeatableName, type MigrationFile } from './source.js';
import type { DownOptions, DriftItem, MigrationStatus, UpOptions } from './types.js';

/** Files and history rows matched by name: the facts every command decides on. Pure, no I/O. */
export interface Inspection {
  files: MigrationFile[];
  rows: HistoryRow[];
  /** Files with no history row, by version. */
  pending: MigrationFile[];
  /** Rows left `failed` or `running`. */
  broken: HistoryRow[];
  /** `applied` rows whose file changed or vanished. */
  drift: DriftItem[];
  fileByName: Map<string, MigrationFile>;
  /** Repeatable files (`R__*.sql`, by name) with their rows: kept out of `rows`, so that versions,
   * drift, `down` and `repair` see versioned migrations only. */
  repeatables: Array<{ file: MigrationFile; row: HistoryRow | null }>;
  /** Repeatables `up` applies: no row yet, the file changed since, or the last application did not finish. */
  outdated: MigrationFile[];
}

/** Matches the files (ordered by version) with the history rows (ordered by seq); `repeatables` are the
 * `R__*.sql` files, whose rows are set apart. */
export function inspect(files: MigrationFile[], allRows: HistoryRow[], repeatables: MigrationFile[] = []): Inspection {
  const rows = allRows.filter((r) => !isRepeatableName(r.name));
  const repeatableRow = new Map(allRows.filter((r) => isRepeatableName(r.name)).map((r) => [r.name, r]));
  const matched = repeatables.map((file) => ({ file, row: repeatableRow.get(file.name) ?? null }));
  const fileByName = new Map(files.map((f) => [f.name, f]));
  const rowNames = new Set(rows.map((r) => r.name));
  const drift: DriftItem[] = [];
  for (const row of rows) {
    if (row.status !== 'applied') continue;
    const file = fileByName.get(row.name);
    if (!file) drift.push({ name: row.name, problem: 'missing', appliedChecksum: row.checksum, fileChecksum: null });
    else if (file.checksum !== row.checksum)
      drift.push({ name: row.name, problem: 'changed', appliedChecksum: row.checksum, fileChecksum: file.checksum });
  }
  return {
    files,
    rows,
    pending: files.filter((f) => !rowNames.has(f.name)),
    broken: rows.filter((r) => r.status !== 'applied'),
    drift,
    fileByName,
    repeatables: matched,
    outdated: matched.filter(({ file, row }) => row?.status !== 'applied' || row.checksum !== file.checksum).map((r) => r.file),
  };
}

/** Nothing for `up` to do and nothing wrong: the run can end without taking the lock. Checks the options
 * first, so that bad ones are refused even when there is nothing to do. */
export function isUpToDate(insp: Inspection, options: UpOptions): boolean {
  checkExclusive(options);
  return insp.pending.length === 0 && insp.broken.length === 0 && insp.outdated.length === 0 && (insp.drift.length === 0 || options.forceChecksum === true);
}

/** The repeatables `up` applies after its versioned migrations: the outdated ones, when the run leaves
 * no versioned migration pending (`to`/`step` stop short: they may define objects a later one creates). */
export function planRepeatables(insp: Inspection, options: UpOptions, versioned: readonly MigrationFile[]): MigrationFile[] {
  const all = options.to === undefined && options.step === undefined;
  return all || versioned.length === insp.pending.length ? insp.outdated : [];
}

/**
 * The migrations `up` applies, in order. Refuses, before anything runs:
 * a `failed`/`running` row (`FailedStateError`), drift (`DriftError`, unless `forceChecksum`), and a pending
 * migration older than the newest applied one (`OutOfOrderError`, unless `allowOutOfOrder`).
 */
export function planUp(insp: Inspection, options: UpOptions, location: string): MigrationFile[] {
  checkExclusive(options);
  if (insp.broken.length > 0) throw failedState(insp.broken, location);
  if (insp.drift.length > 0 && !options.forceChecksum) throw driftError(insp.drift);

  const newest = Math.max(-1, ...insp.rows.map((r) => r.version));
  const late = insp.pending.filter((f) => f.version < newest);
  if (late.length > 0 && !options.allowOutOfOrder) {
    const newestName = insp.rows.find((r) => r.version === newest)!.name;
    throw new OutOfOrderError(
      `${late.map((f) => f.displayPath).join(', ')} ${late.length === 1 ? 'is' : 'are'} older than ${newestName}, which is already applied. Give ${
        late.length === 1 ? 'it' : 'them'
      } a version above ${newest}, or run with allowOutOfOrder (--allow-out-of-order) to apply ${late.length === 1 ? 'it' : 'them'} anyway`,
      late.map((f) => f.name),
    );
  }

  let plan = insp.pending;
  if (options.to !== undefined) {
    const target = options.to;
    if (insp.rows.some((r) => matches(r, target))) return [];
    const index = plan.findIndex((f) => matches(f, target));
    if (index < 0) throw new UsageError(`up --to ${target}: no migration file has that name or version`);
    plan = plan.slice(0, index + 1);
  }
  if (options.step !== undefined) plan = plan.slice(0, options.step);
  return plan;
}

/** The history rows `down` reverts, newest applied (highest `seq`) first. Reverting a `failed`/`running`
 * migration is allowed: it is one of the ways out of that state. */
export function planDown(insp: Inspection, options: DownOptions): HistoryRow[] {
  checkExclusive(options);
  const applied = [...insp.rows].sort((a, b) => b.seq - a.seq);
  let plan: HistoryRow[];
  if (options.to === 0) plan = applied;
  else if (options.to !== undefined) {
    const target = options.to;
    const index = applied.findIndex((r) => matches(r, target));
    if (index < 0) throw new UsageError(`down --to ${target}: no applied migration has that name or version`);
    plan = applied.slice(0, index + 1);
  } else plan = applied.slice(0, options.step ?? 1);

  const baselined = plan.filter((r) => r.baseline);
  if (baselined.length > 0 && !options.includeBaseline) {
    throw new UsageError(
      `down would revert ${baselined.map((r) => r.name).join(', ')}, recorded by baseline: ${baselined.length === 1 ? 'its up was' : 'their ups were'} never run by cratedb-migrate, so the down section would drop objects the cluster had before. Nothing was reverted. Revert fewer (--to/--step), or pass includeBaseline (--include-baseline) if you mean it`,
    );
  }
  const missing = plan.filter((r) => !insp.fileByName.has(r.name));
  if (missing.length > 0) {
    throw new DriftError(
      `cannot revert ${missing.map((r) => r.name).join(', ')}: the file is gone, so there is no down section to run. Restore the file, or undo it by hand and run repair`,
      missing.map((r) => ({ name: r.name, problem: 'missing' as const })),
    );
  }
  return plan;
}

/**
 * The files `baseline` records as applied, in version order: every pending one up to and including the
 * file `to` names (none left: nothing to do). Otherwise refuses, before anything is written, a history with a `failed`/`running` row or a
 * migration recorded past the target: the target would not be where the history starts.
 */
export function planBaseline(insp: Inspection, to: string): MigrationFile[] {
  const target = insp.files.find((f) => matches(f, to));
  if (!target) throw new UsageError(`baseline --to ${to}: no migration file has that name or version`);
  const todo = insp.pending.filter((f) => f.version <= target.version);
  // Run again after a baseline (a deploy script's every run): nothing to record is not a conflict.
  if (todo.length === 0) return [];
  if (insp.broken.length > 0) {
    throw new UsageError(
      `baseline --to ${to}: ${insp.broken.map((r) => `${r.name} is ${r.status}`).join(', ')}; a baseline records untouched migrations, not half-run ones. Resolve ${insp.broken.length === 1 ? 'it' : 'them'} first (up, down or repair; see status)`,
    );
  }
  const past = insp.rows.filter((r) => r.version > target.version);
  if (past.length > 0) {
    throw new UsageError(
      `baseline --to ${to}: ${past.map((r) => r.name).join(', ')} ${past.length === 1 ? 'is' : 'are'} already applied, past ${target.name}: a baseline marks where the history starts, so it must come before every applied migration. Target ${past[past.length - 1]!.name} or a later migration instead`,
    );
  }
  return todo;
}

/** Every migration known from files or history, by version. `holder`: the lock's live holder, which tells
 * a `running` row being run now from one left by a dead runner (`interrupted`). */
export function statusOf(insp: Inspection, holder: { owner: string; expiresAt: Date } | null = null): MigrationStatus[] {
  const rowByName = new Map(insp.rows.map((r) => [r.name, r]));
  const driftByName = new Map(insp.drift.map((d) => [d.name, d]));
  const names = new Set([...insp.files.map((f) => f.name), ...insp.rows.map((r) => r.name)]);
  const entries = [...names].map((name): MigrationStatus => {
    const file = insp.fileByName.get(name);
    const row = rowByName.get(name);
    const live = row?.status === 'running' && holder !== null && holder.owner === row.lockOwner;
    return {
      version: file?.version ?? row!.version,
      name,
      file: file?.displayPath ?? null,
      state: !row
        ? 'pending'
        : row.status === 'running'
          ? live
            ? 'running'
            : 'interrupted'
          : row.status !== 'applied'
            ? row.status
            : (driftByName.get(name)?.problem ?? (row.baseline ? 'baseline' : 'applied')),
      checksum: file?.checksum ?? null,
      ...recordedIn(row),
      direction: row && row.status !== 'applied' ? row.direction : null,
      ...(live ? { lease: holder! } : {}),
    };
  });
  const outdated = new Set(insp.outdated);
  const repeatables = insp.repeatables.map(({ file, row }): MigrationStatus => ({
    version: 0,
    name: file.name,
    file: file.displayPath,
    // A changed or unfinished repeatable is simply applied again by the next up.
    state: outdated.has(file) ? 'pending' : 'applied',
    repeatable: true,
    checksum: file.checksum,
    ...recordedIn(row),
    direction: null,
  }));
  return [...entries.sort((a, b) => a.version - b.version || a.name.localeCompare(b.name)), ...repeatables];
}

/** What a status entry shows from its history row (all null without one). */
function recordedIn(row: HistoryRow | null | undefined) {
  return {
    appliedChecksum: row?.checksum ?? null,
    seq: row?.seq ?? null,
    appliedAt: row?.finishedAt ?? null,
    durationMs: row?.durationMs ?? null,
    appliedBy: row?.appliedBy ?? null,
    statementsRun: row?.statementsRun ?? null,
    statementsTotal: row?.statementsTotal ?? null,
    error: row?.error ?? null,
  };
}

/** The `DriftError` for these items, saying how to resolve it. */
export function driftError(drift: DriftItem[]): DriftError {
  const lines = drift.map((d) => `${d.name} (${d.problem === 'changed' ? 'file changed since it was applied' : 'file vanished'})`);
  return new DriftError(
    `applied migrations differ from their files: ${lines.join(', ')}. Restore the files; or, if the change is intended and the database already matches it, run repair to accept it (or up with forceChecksum to run anyway)`,
    drift.map((d) => ({ name: d.name, problem: d.problem })),
  );
}

/** The `FailedStateError` (exit 3) for rows `up` must not continue by itself, saying how to get out. */
export function failedState(broken: HistoryRow[], location: string): FailedStateError {
  const reverting = broken.filter((r) => r.direction === 'down');
  const lines = broken.map((r) => {
    const total = r.statementsTotal === null ? '' : ` of ${r.statementsTotal}`;
    const doing = r.direction === 'down' ? 'its revert (down)' : 'it';
    const what = r.status === 'running' ? `was left running (its process died or lost the lock) in ${doing}` : `failed in ${doing}: ${r.error ?? 'no error recorded'}`;
    return `${r.name} ${what}; ${r.statementsRun}${total} statements were sent and stay applied`;
  });
  const ways =
    reverting.length === broken.length
      ? 'To recover, run down again (it continues the revert where it stopped), or put back what the revert undid and run repair (the migration is recorded applied again)'
      : 'To recover, either fix the cause, undo those statements by hand and run repair (the migration becomes pending and runs again from its first statement), or run down to revert it with its down section (write it so it works on a half-applied migration)';
  return new FailedStateError(
    `${lines.join('; ')}. CrateDB has no transactions, so nothing was rolled back. ${ways}. History: ${location}`,
    broken.map((r) => ({ name: r.name, status: r.status, error: r.error })),
  );
}

/** The inspection with its broken rows set aside, for planning the pending files around them. */
export function withoutBroken(insp: Inspection): Inspection {
  return { ...insp, broken: [] };
}

function checkExclusive(options: { to?: unknown; step?: number; inFlight?: string }): void {
  if (options.inFlight !== undefined && options.inFlight !== 'done' && options.inFlight !== 'rerun') {
    throw new UsageError(`'inFlight' must be 'done' (the in-flight statement was applied) or 'rerun' (it was not), not ${JSON.stringify(options.inFlight)}`);
  }
  if (options.to !== undefined && options.step !== undefined) throw new UsageError("'to' and 'step' cannot be used together");
  if (options.step !== undefined && !(Number.isInteger(options.step) && options.step >= 1)) {
    throw new UsageError(`'step' must be a whole number of at least 1, not ${options.step}`);
  }
}

/** A migration named by `to`: its full name, or its version as digits (`1` or `001`). */
function matches(m: { name: string; version: number }, to: string): boolean {
  return m.name === to || (/^\d+$/.test(to) && Number(to) === m.version);
}
