/**
 * The API functions of src/index.ts. Each loads the code of its work when called, not when imported:
 * the CLI imports this module (not the index, which re-exports every piece) so that a command loads only
 * what it runs, and `status` and `validate` read through read-status.ts (and status-report.ts) without the
 * runner's and the seeder's code. The index re-exports these functions and types unchanged.
 */
import { UsageError } from './errors.js';
import type { CheckResult } from './migrations/check/types.js';
import type { BaselineOptions, BaselineResult, DownOptions, DriftItem, PlanOptions, PlanResult, RepairResult, RunResult, UpOptions } from './migrations/types.js';
import type { SeedFormat, SeedProgress, SeedRunOptions, SeedRunResult } from './seeds/types.js';
import type { StatusReport } from './status-report.js';
import { resolveConfig, withSession, type ApiOptions } from './session.js';

const runner = () => import('./migrations/runner.js');
const seeder = () => import('./seeds/seeder.js');
const readStatus = () => import('./read-status.js');

/** Applies pending migrations. Many processes may call it at once: a lease lock in CrateDB lets one run,
 * the others wait and then find nothing to do. */
export function migrate(options: ApiOptions & UpOptions = {}): Promise<RunResult> {
  return withSession(options, async (s) => (await runner()).createMigrator(s).up(options));
}

/** Reverts applied migrations in the order they were applied, newest first (one by default). */
export function rollback(options: ApiOptions & DownOptions = {}): Promise<RunResult> {
  return withSession(options, async (s) => (await runner()).createMigrator(s).down(options));
}

export type { StatusReport };

/** Every migration (applied, pending, failed, running, changed, missing) and every seed. Read-only. */
export function status(options: ApiOptions = {}): Promise<StatusReport> {
  // Loaded while the config is read.
  const report = import('./status-report.js');
  return withSession(options, async (s) => (await report).statusReport(s));
}

/** Applied migrations whose file changed or vanished since it was applied. Read-only, never throws drift. */
export function validate(options: ApiOptions = {}): Promise<DriftItem[]> {
  return withSession(options, async (s) => (await readStatus()).migrationDrift(s));
}

/** Accepts the present state: realigns stored checksums to the files and removes rows of vanished files and
 * of failed or interrupted migrations, which become pending again. */
export function repair(options: ApiOptions = {}): Promise<RepairResult> {
  return withSession(options, async (s) => (await runner()).createMigrator(s).repair());
}

/** Records the pending migrations up to `to` (a name or version) as applied without running them, for a
 * cluster that already has their tables; `status` shows them as `baseline`, `down` refuses them unless
 * `includeBaseline`. Throws `UsageError` (exit 2), writing nothing, when a migration is failed, interrupted
 * or recorded past `to`. */
export async function baseline(options: ApiOptions & BaselineOptions): Promise<BaselineResult> {
  if (typeof options?.to !== 'string' || options.to === '') throw new UsageError("baseline needs 'to': the name or version of the last migration the cluster already has");
  return withSession(options, async (s) => (await runner()).createMigrator(s).baseline({ to: options.to }));
}

/** What `migrate` would run now, read-only (it creates nothing): per pending migration its statements with
 * placeholders substituted, the check's findings and what each rebuild will copy. Never throws for a
 * finding: `check.errors` says whether `migrate` would refuse. */
export function plan(options: ApiOptions & PlanOptions = {}): Promise<PlanResult> {
  return withSession(options, async (s) => (await runner()).createMigrator(s).plan(options));
}

/** Runs the seeds in `seeds/` and `seeds/<env>/`. Throws `SeedError` (with the result) if any row failed. */
export function seed(options: ApiOptions & SeedRunOptions & { progress?: SeedProgress } = {}): Promise<SeedRunResult> {
  return withSession(options, async (s) => (await seeder()).createSeeder({ ...s, ...(options.progress ? { progress: options.progress } : {}) }).run(options));
}

/**
 * Checks the pending migrations against CrateDB's rules and the tables in the cluster, read-only
 * (docs/check.md). Returns every finding; throws `CheckError` (code `CM_CHECK`, exit 2, the result in
 * `.result`) when one is an error, i.e. a statement CrateDB will refuse. Warnings alone return.
 */
export function check(options: ApiOptions = {}): Promise<CheckResult> {
  return withSession(options, async (s) => {
    // The pending files from one read of the folder and the history, through read-status.ts as `status`.
    const [{ pendingMigrations }, { checkErrorOf, checkFiles }] = await Promise.all([readStatus(), import('./migrations/check/files.js')]);
    const result = await checkFiles(s, await pendingMigrations(s));
    const error = checkErrorOf(result);
    if (error) throw error;
    return result;
  });
}

/** Writes a new migration file with the next version number; returns its path. No database needed. */
export async function createMigration(options: ApiOptions & { name: string; kind?: 'sql' | 'ts' }): Promise<string> {
  const config = await resolveConfig(options);
  const { createMigrationFile } = await import('./migrations/create.js');
  return createMigrationFile({ dir: config.migrationsDir, name: options.name, kind: options.kind ?? 'sql' });
}

/** Writes a new seed file template; returns its path. No database needed. */
export async function createSeed(options: ApiOptions & { name: string; format?: SeedFormat }): Promise<string> {
  const config = await resolveConfig(options);
  const { createSeedFile } = await import('./seeds/create.js');
  return createSeedFile({ dir: config.seedsDir, name: options.name, format: options.format ?? 'yaml' });
}
