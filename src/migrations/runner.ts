import type { Logger } from 'pino';
import type { CrateClient } from '../client/types.js';
import type { ResolvedConfig } from '../config/types.js';
import { AbortedError, ConnectionError, CrateDbError, CrateMigrateError, FileFormatError, MigrationError } from '../errors.js';
import { createCrateHistory, type HistoryRow, type HistoryStore } from './history.js';
import { createCrateLock, userAtHost, type Lease, type MigrationLock } from './lock.js';
import { loadMigration, type LoadedMigration, type Section } from './migration.js';
import { driftError, failedState, inspect, isUpToDate, planBaseline, planDown, planRepeatables, planUp, withoutBroken, type Inspection } from './plan.js';
import { isRepeatableName, type MigrationFile, type SourceFs } from './source.js';
import { checkErrorOf, checkFiles } from './check/files.js';
import type { CheckResult } from './check/types.js';
import { readMigrations, statusWithLease } from '../read-status.js';
import { canResume, resumePoint } from './resume.js';
import { runSection, StepFailure, type StartPoint } from './step.js';
import { plannedStatements, previewOf } from './preview.js';
import type { BaselineOptions, BaselineResult, DownOptions, DriftItem, MigrationStatus, PlanOptions, PlanResult, RepairResult, RunResult, StepResult, UpOptions } from './types.js';

/** One migration of a run: the section to run, its history keys, and where it starts when resumed. */
interface Entry {
  section: Section;
  seq: number;
  checksum: string;
  start?: StartPoint;
}

/** CrateDB 6.x's default `statement_max_length`. */
const STATEMENT_MAX_LENGTH = 262_144;

/** What `createMigrator` needs; `history`, `lock` and `fs` replace the CrateDB and disk defaults. */
export interface MigratorOptions {
  config: ResolvedConfig;
  client: CrateClient;
  logger: Logger;
  /** Aborting stops a run between two statements; the migration in progress is recorded `failed`
   * ("aborted"), as CrateDB cannot undo the statements it already ran. */
  signal?: AbortSignal;
  /** Reads the migration files. @default node:fs/promises */
  fs?: SourceFs;
  /** @default the history table `config.historyTable` in CrateDB */
  history?: HistoryStore;
  /** @default the lease row in `config.lockTable` */
  lock?: MigrationLock;
  /** Checks the migrations `up` is about to run, before anything is written (docs/check.md).
   * @default the check module against the cluster's tables (read-only) */
  check?: (files: readonly MigrationFile[]) => Promise<CheckResult>;
}

/** The migration commands. Each reads the files in `config.migrationsDir` and the history afresh. */
export interface Migrator {
  /** Applies pending migrations in version order. Throws `FailedStateError`, `DriftError`,
   * `OutOfOrderError` before running anything, `MigrationError` (with `.result`) when one fails. */
  up(options?: UpOptions): Promise<RunResult>;
  /** Reverts applied migrations in applied order (highest `seq` first); by default the last one. */
  down(options?: DownOptions): Promise<RunResult>;
  /** Every migration from files and history, by version. Read-only, takes no lock. */
  status(): Promise<MigrationStatus[]>;
  /** Applied migrations whose file changed or vanished. Read-only; returns the list, never throws it. */
  validate(): Promise<DriftItem[]>;
  /** Accepts the present state: stored checksums realigned to the files, rows of vanished files and
   * `failed`/`running` rows removed (the latter become pending again). */
  repair(): Promise<RepairResult>;
  /** Records the pending migrations up to `to` as applied without running them (`baseline` rows), for a
   * cluster that already has what they make. Under the lock; throws `UsageError` before writing anything
   * when a migration is broken or recorded past `to`. */
  baseline(options: BaselineOptions): Promise<BaselineResult>;
  /** What `up` would run now: per pending migration its statements, the check's findings and its rebuilds'
   * plans. Read-only, takes no lock (as a dry run). */
  plan(options?: PlanOptions): Promise<PlanResult>;
}

/**
 * Creates the migrator. umzug is the execution engine (loaded only when there is something to run):
 * this module decides WHAT runs, which umzug does not do the way CrateDB needs (it records a migration
 * only after it succeeded, runs an older file added later silently and reverts in file order), and hands
 * umzug the exact list, with a storage adapter over the history.
 */
export function createMigrator(options: MigratorOptions): Migrator {
  const { config, client, logger } = options;
  const history = options.history ?? createCrateHistory(client, config.historyTable, { ...(config.auth ? { auth: config.auth } : {}), logger });
  const lock =
    options.lock ??
    createCrateLock(client, { table: config.lockTable, leaseMs: config.lock.leaseMs, waitMs: config.lock.waitMs, logger });
  const userSignal = options.signal ?? new AbortController().signal;
  const checkFilesOf = options.check ?? ((files: readonly MigrationFile[]) => checkFiles({ client, config }, files));

  /** The check of the files about to run, its findings logged; none to run: no check, no request. */
  const runCheck = async (files: readonly MigrationFile[], options: { unreadable?: 'run-without' } = {}): Promise<CheckResult | undefined> => {
    if (files.length === 0) return undefined;
    let result: CheckResult;
    try {
      result = await checkFilesOf(files);
    } catch (err) {
      // `up` with a table whose shards are lost: the check cannot read it, and the migration's own
      // statement then fails and is recorded with CrateDB's error, which says more than the check could.
      if (options.unreadable !== 'run-without' || !(err instanceof CrateDbError || err instanceof ConnectionError)) throw err;
      logger.warn({ event: 'check-skipped', err }, `the check could not read the cluster (${err.message}); running without it`);
      return undefined;
    }
    for (const f of result.findings) {
      logger.warn({ event: 'check-finding', severity: f.severity, code: f.code, file: f.file, line: f.line }, `${f.file}:${f.line}: ${f.severity} ${f.code}: ${f.message}. Fix: ${f.fix}`);
    }
    return result;
  };

  /** The files and the history. `brief`: the rows without what only a broken row or a run needs (see
   * `HistoryStore.list`). */
  const read = (readOptions: { brief?: boolean; unrefreshed?: boolean } = {}): Promise<Inspection> =>
    readMigrations(history, config, { ...(options.fs ? { fs: options.fs } : {}), ...readOptions });
  /** Under the lock only the history can have changed (another replica ran); the files were read already. */
  const reread = async (first: Inspection): Promise<Inspection> =>
    inspect(first.files, await history.list(), first.repeatables.map((r) => r.file));

  const withLock = async <T>(fn: (lease: Lease) => Promise<T>): Promise<T> => {
    const lease = await lock.acquire(userSignal);
    try {
      return await fn(lease);
    } finally {
      await lease.release();
    }
  };

  const loadAll = (files: LoadedMigration['file'][]) => Promise.all(files.map((f) => loadMigration(f, config)));

  async function up(opts: UpOptions = {}): Promise<RunResult> {
    const started = performance.now();
    // Brief rows answer a start-up with nothing to do and plan the usual run; a broken row is refused or
    // resumed by what only the whole row says (its error, direction, counts). The first read skips the
    // REFRESH (one request): it can miss only the history writes of the last refresh interval (CrateDB's
    // default 1 s), which leave a migration looking pending, broken or changed, and a `down` of that moment.
    // So "every file applied, unchanged" is trusted; anything else is read again, refreshed, before it
    // decides or refuses. No table (a fresh database) needs no second look.
    let first = await read({ brief: true, unrefreshed: !opts.dryRun });
    if (!opts.dryRun && first.rows.length > 0 && !isUpToDate(first, opts)) first = await read({ brief: true });
    if (first.broken.length > 0) first = await reread(first);
    if (opts.dryRun) {
      const { loaded, check } = await dryRunUp(first, opts);
      return { direction: 'up', dryRun: true, steps: loaded.map((m) => planned(m, 'up', m.up)), durationMs: since(started), ...(check ? { check } : {}) };
    }
    // Most start-ups find nothing to do: answer from one read of the history, without the lock.
    if (isUpToDate(first, opts)) {
      logger.info({ event: 'up-to-date', applied: first.rows.length }, 'no pending migrations');
      return { direction: 'up', dryRun: false, steps: [], durationMs: since(started) };
    }
    // Every file that may run is read and checked before the first request that writes (the lock and
    // history tables are created under the lock): bad input leaves the database as it was.
    const cache = new Map<string, Promise<LoadedMigration>>();
    const load = (file: MigrationFile) => {
      let loading = cache.get(file.name);
      if (!loading) cache.set(file.name, (loading = loadMigration(file, config)));
      return loading;
    };
    const broken = interruptedUp(first);
    const firstPlan = planUp(withoutBroken(first), opts, history.location);
    const files = [...broken.map((r) => first.fileByName.get(r.name)!), ...firstPlan, ...planRepeatables(first, opts, firstPlan)];
    await checkLengths((await Promise.all(files.map(load))).map(repeatableChecked), 'up');
    let check: CheckResult | undefined;
    const run = await withLock(async (lease) => {
      // Re-read under the lock: a replica that waited finds the migrations another one just applied,
      // and a `running` row now surely belongs to a runner that is gone (it would hold the lock). The
      // whole rows, read before `ensure()`: they tell it which columns an older table lacks. With no rows
      // at the first read (a fresh database) the table is made first, so the re-read is no second 404.
      if (first.rows.length === 0) await history.ensure();
      const insp = await reread(first);
      await history.ensure();
      const interrupted = interruptedUp(insp);
      const plan = planUp(withoutBroken(insp), opts, history.location);
      // The check reads the tables the plan will meet, so under the lock: before it, a replica may still
      // be creating them. Before any statement of a migration runs. Migrations being resumed ran partly,
      // so it skips them.
      check = await runCheck(plan, { unreadable: 'run-without' });
      const refused = check && checkErrorOf(check);
      if (refused) throw refused;
      if (opts.forceChecksum && insp.drift.length > 0) logger.warn({ event: 'drift-ignored', drift: insp.drift }, driftError(insp.drift).message);
      const resumed = await Promise.all(interrupted.map(async (row) => {
        const m = await load(insp.fileByName.get(row.name)!);
        return { m, row, start: resumePoint(row, m, m.up, opts.inFlight, history.location) };
      }));
      for (const r of resumed) logger.warn({ event: 'resuming', name: r.row.name, at: r.start.at, rerun: r.start.rerun, leftBy: r.row.lockOwner }, `resuming ${r.row.name}, interrupted by a runner that is gone`);
      // Repeatables last: they define objects (views, functions, privileges) over what the versioned ones made.
      const pending = await Promise.all([...plan, ...planRepeatables(insp, opts, plan)].map(load));
      const nextSeq = Math.max(0, ...insp.rows.map((r) => r.seq), ...insp.repeatables.map((r) => r.row?.seq ?? 0)) + 1;
      const entries = new Map<string, Entry>();
      for (const r of resumed) entries.set(r.m.file.name, { section: r.m.up, seq: r.row.seq, checksum: r.m.file.checksum, start: r.start });
      pending.forEach((m, i) => entries.set(m.file.name, { section: m.up, seq: nextSeq + i, checksum: m.file.checksum }));
      const applied = insp.rows.filter((r) => r.status === 'applied');
      return execute('up', [...resumed.map((r) => r.m), ...pending], applied, (m) => entries.get(m.file.name)!, lease, started);
    });
    return check ? { ...run, check } : run;
  }

  /** What `up` would run now, loaded, and the check of it: a dry run reports the check's findings with the
   * statements; only a real run refuses on them. */
  async function dryRunUp(first: Inspection, opts: UpOptions) {
    const files = planUp(first, opts, history.location);
    const [loaded, check] = await Promise.all([loadAll([...files, ...planRepeatables(first, opts, files)]), runCheck(files)]);
    return { loaded: loaded.map(repeatableChecked), check };
  }

  /** A repeatable migration is applied whole again, never reverted: a down section in it is refused. */
  function repeatableChecked(m: LoadedMigration): LoadedMigration {
    if (isRepeatableName(m.file.name) && m.down !== null) {
      throw new FileFormatError(`${m.file.displayPath}: a repeatable migration has no '-- migrate:down' section (it is never reverted); remove it, and drop its objects in a versioned migration when they go`, m.file.displayPath);
    }
    return m;
  }

  /** The broken rows `up` continues, oldest first; throws `FailedStateError` (exit 3) for one it must not:
   * a failed statement, or an interrupted `down` (which `down` continues). */
  function interruptedUp(insp: Inspection): HistoryRow[] {
    const stuck = insp.broken.filter((r) => !canResume(r) || r.direction === 'down' || !insp.fileByName.has(r.name));
    if (stuck.length > 0) throw failedState(stuck, history.location);
    return [...insp.broken].sort((a, b) => a.seq - b.seq);
  }

  /** CrateDB 6.x refuses a statement longer than `statement_max_length` (262,144 characters by default)
   * with 4000 after earlier statements ran; found before anything is sent. Asks the server its version
   * only when a statement is that long. */
  async function checkLengths(loaded: LoadedMigration[], direction: 'up' | 'down'): Promise<void> {
    const long = loaded.flatMap((m) => {
      const section = direction === 'up' ? m.up : m.down;
      return section?.kind === 'sql' ? section.statements.filter((s) => s.sql.length > STATEMENT_MAX_LENGTH).map((s) => ({ m, s })) : [];
    });
    if (long.length === 0) return;
    const { version } = await client.ping();
    if (Number.parseInt(version, 10) < 6) return;
    const { m, s } = long[0]!;
    throw new FileFormatError(
      `${m.file.displayPath}:${s.line}: the statement is ${s.sql.length} characters long; CrateDB ${version} refuses statements over ${STATEMENT_MAX_LENGTH} (statement_max_length). Split it, or load the data with a seed (bulk_args) or COPY FROM instead of inline values`,
      m.file.displayPath,
      s.line,
    );
  }

  async function down(opts: DownOptions = {}): Promise<RunResult> {
    const started = performance.now();
    const first = await read();
    if (opts.dryRun) {
      const loaded = await loadDown(first, planDown(first, opts));
      return { direction: 'down', dryRun: true, steps: loaded.map(({ m, section }) => planned(m, 'down', section)), durationMs: since(started) };
    }
    // Checks the options, and answers "nothing to revert" without the lock.
    const firstPlan = planDown(first, opts);
    if (firstPlan.length === 0) return { direction: 'down', dryRun: false, steps: [], durationMs: since(started) };
    // Read and check every file before the first write (see up).
    await checkLengths((await loadDown(first, firstPlan)).map((l) => l.m), 'down');
    return withLock(async (lease) => {
      const insp = await reread(first);
      const plan = planDown(insp, opts);
      const changed = insp.drift.filter((d) => d.problem === 'changed' && plan.some((r) => r.name === d.name));
      if (changed.length > 0) logger.warn({ event: 'revert-changed', names: changed.map((d) => d.name) }, 'reverting with files edited since they were applied');
      const loaded = await loadDown(insp, plan);
      const rowByName = new Map(insp.rows.map((r) => [r.name, r]));
      const entries = new Map(
        loaded.map(({ m, section }): [string, Entry] => {
          const row = rowByName.get(m.file.name)!;
          // A revert that stopped continues where it stopped (the user asked for `down` again); an
          // interrupted `up` is reverted with its down section from the start.
          const start = row.status !== 'applied' && row.direction === 'down' ? resumePoint(row, m, section, opts.inFlight, history.location) : undefined;
          return [m.file.name, { section, seq: row.seq, checksum: row.checksum, ...(start ? { start } : {}) }];
        }),
      );
      return execute('down', loaded.map((l) => l.m), insp.rows, (m) => entries.get(m.file.name)!, lease, started);
    });
  }

  /** Loads the files of the rows to revert; refuses them all if one has no down section. */
  async function loadDown(insp: Inspection, rows: HistoryRow[]) {
    const loaded = await loadAll(rows.map((r) => insp.fileByName.get(r.name)!));
    const irreversible = loaded.filter((m) => m.down === null);
    if (irreversible.length > 0) {
      const m = irreversible[0]!;
      const how = m.file.kind === 'sql' ? "has no '-- migrate:down' section" : 'exports no down(ctx) function';
      throw new FileFormatError(
        `${m.file.displayPath} ${how}, so it cannot be reverted; nothing was reverted. Add one (an empty '-- migrate:down' section if there is nothing to undo)`,
        m.file.displayPath,
      );
    }
    return loaded.map((m) => ({ m, section: m.down! }));
  }

  /** Runs the planned migrations through umzug, building the result as it goes. */
  async function execute(
    direction: 'up' | 'down',
    loaded: LoadedMigration[],
    rows: HistoryRow[],
    entryOf: (m: LoadedMigration) => Entry,
    lease: Lease,
    started: number,
  ): Promise<RunResult> {
    const result: RunResult = { direction, dryRun: false, steps: loaded.map((m) => notRun(m, direction, entryOf(m).section)), durationMs: 0 };
    if (loaded.length === 0) {
      result.durationMs = since(started);
      return result;
    }
    const signal = AbortSignal.any([userSignal, lease.signal]);
    const appliedBy = userAtHost();
    const timing = new Map<string, { started: number; statementsRun: number }>();
    const stepOf = (name: string) => result.steps.find((s) => s.name === name)!;

    const run = async (m: LoadedMigration) => {
      if (signal.aborted) throw signal.reason instanceof AbortedError ? signal.reason : new AbortedError();
      const { section, seq, checksum, start } = entryOf(m);
      const step = stepOf(m.file.name);
      const t0 = performance.now();
      logger.info({ event: direction === 'up' ? 'migrating' : 'reverting', name: m.file.name }, `${direction} ${m.file.name}`);
      try {
        const entry = {
          name: m.file.name,
          version: m.file.version,
          seq,
          checksum,
          appliedBy,
          statementsTotal: step.statementsTotal,
          startedAt: new Date(),
          direction,
          lockOwner: lease.owner,
        };
        const deps = { client, history, config, logger, signal, confirmLease: () => lease.confirm() };
        const statementsRun = await runSection(section, entry, m.file.displayPath, deps, start);
        timing.set(m.file.name, { started: t0, statementsRun });
      } catch (err) {
        Object.assign(step, { status: 'failed', durationMs: since(t0), error: (err as Error).message });
        if (err instanceof StepFailure) step.statementsRun = err.statementsRun;
        throw err;
      }
    };
    const finish = async (name: string, write: () => Promise<void>) => {
      const t = timing.get(name)!;
      const step = stepOf(name);
      try {
        await write();
      } catch (err) {
        // Every statement ran, but the history still says `running`: the next run refuses until repaired.
        Object.assign(step, { status: 'failed', statementsRun: t.statementsRun, error: `ran, but could not be recorded: ${(err as Error).message}` });
        throw err;
      }
      Object.assign(step, { status: direction === 'up' ? 'applied' : 'reverted', durationMs: since(t.started), statementsRun: t.statementsRun });
      logger.info({ event: step.status, name, durationMs: step.durationMs, statementsRun: t.statementsRun }, `${step.status} ${name}`);
    };

    const { Umzug } = await import('umzug');
    const umzug = new Umzug({
      migrations: loaded.map((m) => ({ name: m.file.name, path: m.file.path, up: () => run(m), down: () => run(m) })),
      logger: undefined,
      // umzug records a migration only after it succeeded: `running` and `failed` rows are written by
      // runSection; `executed` is the history read under the lock, which nothing else can change.
      storage: {
        executed: async () => rows.map((r) => r.name),
        logMigration: ({ name }) =>
          finish(name, () => {
            const t = timing.get(name)!;
            return history.markApplied(name, { finishedAt: new Date(), durationMs: since(t.started), statementsRun: t.statementsRun });
          }),
        unlogMigration: ({ name }) => finish(name, () => history.remove(name)),
      },
    });
    try {
      const names = loaded.map((m) => m.file.name);
      // `migrations` makes umzug run exactly our list in our order (for down: descending seq).
      await (direction === 'up' ? umzug.up({ migrations: names }) : umzug.down({ migrations: names }));
    } catch (err) {
      result.durationMs = since(started);
      // umzug wraps what a migration's up/down throws; what our storage callbacks throw (the history write
      // that records success) reaches here unwrapped and must keep its own cause.
      const cause = err instanceof CrateMigrateError ? err : ((err as { cause?: unknown }).cause ?? err);
      const failed = result.steps.find((s) => s.status === 'failed');
      const name = failed?.name ?? result.steps.find((s) => s.status === 'not-run')?.name ?? loaded[0]!.file.name;
      const original = cause instanceof StepFailure ? (cause.cause ?? cause) : cause;
      const message = failed
        ? `${direction} ${name} failed after ${failed.statementsRun}${failed.statementsTotal === null ? '' : ` of ${failed.statementsTotal}`} statements: ${
            failed.error?.replace(/\.+$/, '')
          }. ${afterFailure(cause, failed.statementsRun)}`
        : `${direction} stopped before ${name}: ${(original as Error).message}`;
      throw new MigrationError(
        message,
        name,
        direction,
        result,
        { cause: original },
      );
    }
    result.durationMs = since(started);
    return result;
  }

  return {
    up,
    down,
    async status() {
      return statusWithLease(await read(), () => lock.holder());
    },
    async validate() {
      return (await read()).drift;
    },
    async plan(opts = {}) {
      const { loaded, check } = await dryRunUp(await read(), opts);
      return previewOf(client, loaded, check);
    },
    async baseline(opts) {
      const started = performance.now();
      const first = await read();
      // Checks the target and the history, and answers "already recorded" without the lock.
      if (planBaseline(first, opts.to).length === 0) return { baselined: [], durationMs: since(started) };
      return withLock(async () => {
        await history.ensure();
        const insp = await reread(first);
        const files = planBaseline(insp, opts.to);
        const nextSeq = Math.max(0, ...insp.rows.map((r) => r.seq)) + 1;
        const appliedBy = userAtHost();
        const baselined: BaselineResult['baselined'] = [];
        for (const [i, f] of files.entries()) {
          await history.markBaseline({ name: f.name, version: f.version, seq: nextSeq + i, checksum: f.checksum, appliedBy, finishedAt: new Date() });
          baselined.push({ name: f.name, version: f.version, file: f.displayPath, seq: nextSeq + i });
        }
        logger.info({ event: 'baselined', names: baselined.map((b) => b.name) }, `recorded ${baselined.length} migration(s) as applied without running them`);
        return { baselined, durationMs: since(started) };
      });
    },
    async repair() {
      const done: RepairResult = { checksumsUpdated: [], removedMissing: [], removedFailed: [], restored: [] };
      const first = await read();
      if (first.broken.length === 0 && first.drift.length === 0) return done;
      return withLock(async () => {
        const insp = await reread(first);
        for (const row of insp.rows) {
          const file = insp.fileByName.get(row.name);
          if (row.status !== 'applied' && row.direction === 'down' && file) {
            // The up had run whole; repair after a failed revert means its effects were put back.
            await history.markApplied(row.name, { finishedAt: new Date(), durationMs: row.durationMs ?? 0, statementsRun: row.statementsTotal ?? row.statementsRun });
            if (file.checksum !== row.checksum) await history.updateChecksum(row.name, file.checksum);
            done.restored.push(row.name);
          } else if (row.status !== 'applied') {
            await history.remove(row.name);
            done.removedFailed.push(row.name);
          } else if (!file) {
            await history.remove(row.name);
            done.removedMissing.push(row.name);
          } else if (file.checksum !== row.checksum) {
            await history.updateChecksum(row.name, file.checksum);
            done.checksumsUpdated.push(row.name);
          }
        }
        logger.info({ event: 'repaired', ...done }, 'history repaired');
        return done;
      });
    },
  };
}

/** What a failed step left behind, said as it is: what ran stays (no transactions), and whether the
 * history says so. */
function afterFailure(cause: unknown, statementsRun: number): string {
  if (!(cause instanceof StepFailure)) {
    // The `running` row could not be written: no statement of the migration was sent.
    return statementsRun === 0 ? 'Nothing of it ran.' : 'The statements that ran stay applied (CrateDB has no transactions).';
  }
  const kept = statementsRun === 0 ? 'Nothing of it ran' : 'The statements that ran stay applied (CrateDB has no transactions)';
  return cause.recorded
    ? `${kept}; the history marks it failed`
    : `${kept}; recording the failure in the history failed too, so it may still say running (see status)`;
}

function since(t0: number): number {
  return Math.round(performance.now() - t0);
}

function statementsTotal(section: Section): number | null {
  return section.kind === 'sql' ? section.statements.length : null;
}

function notRun(m: LoadedMigration, direction: 'up' | 'down', section: Section): StepResult {
  return {
    name: m.file.name,
    version: m.file.version,
    file: m.file.displayPath,
    direction,
    status: 'not-run',
    durationMs: 0,
    statementsRun: 0,
    statementsTotal: statementsTotal(section),
  };
}

function planned(m: LoadedMigration, direction: 'up' | 'down', section: Section): StepResult {
  return {
    ...notRun(m, direction, section),
    status: 'planned',
    statements: plannedStatements(m, section),
  };
}
