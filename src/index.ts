/**
 * cratedb-migrate's public API. Each function resolves the config (file, environment, `CRATEDB_URL`,
 * overrides), opens a client, does its work and closes the client. Results are plain objects; a failure
 * still throws (a `CrateMigrateError` subclass with a stable `code`, carrying the partial result).
 *
 * @example
 * import { migrate } from 'cratedb-migrate';
 * await migrate({ config: 'crate.config.yaml', env: process.env.NODE_ENV });
 */
import { UsageError } from './errors.js';
import { checkErrorOf, checkFiles, pendingFiles } from './migrations/check/files.js';
import type { CheckResult } from './migrations/check/types.js';
import { createMigrationFile } from './migrations/create.js';
import { createMigrator } from './migrations/runner.js';
import type { BaselineOptions, BaselineResult, DownOptions, DriftItem, MigrationStatus, PlanOptions, PlanResult, RepairResult, RunResult, UpOptions } from './migrations/types.js';
import { createSeedFile } from './seeds/create.js';
import { createSeeder } from './seeds/seeder.js';
import type { SeedFormat, SeedProgress, SeedRunOptions, SeedRunResult, SeedStatusEntry } from './seeds/types.js';
import { resolveConfig, withSession, type ApiOptions } from './session.js';

/** Applies pending migrations. Many processes may call it at once: a lease lock in CrateDB lets one run,
 * the others wait and then find nothing to do. */
export function migrate(options: ApiOptions & UpOptions = {}): Promise<RunResult> {
  return withSession(options, (s) => createMigrator(s).up(options));
}

/** Reverts applied migrations in the order they were applied, newest first (one by default). */
export function rollback(options: ApiOptions & DownOptions = {}): Promise<RunResult> {
  return withSession(options, (s) => createMigrator(s).down(options));
}

/** What `status()` returns: every migration and every seed with its state. */
export interface StatusReport {
  migrations: MigrationStatus[];
  seeds: SeedStatusEntry[];
}

/** Every migration (applied, pending, failed, running, changed, missing) and every seed. Read-only. */
export function status(options: ApiOptions = {}): Promise<StatusReport> {
  return withSession(options, async (s) => ({
    migrations: await createMigrator(s).status(),
    seeds: await createSeeder(s).status(),
  }));
}

/** Applied migrations whose file changed or vanished since it was applied. Read-only, never throws drift. */
export function validate(options: ApiOptions = {}): Promise<DriftItem[]> {
  return withSession(options, (s) => createMigrator(s).validate());
}

/** Accepts the present state: realigns stored checksums to the files and removes rows of vanished files and
 * of failed or interrupted migrations, which become pending again. */
export function repair(options: ApiOptions = {}): Promise<RepairResult> {
  return withSession(options, (s) => createMigrator(s).repair());
}

/** Records the pending migrations up to `to` (a name or version) as applied without running them, for a
 * cluster that already has their tables; `status` shows them as `baseline`, `down` refuses them unless
 * `includeBaseline`. Throws `UsageError` (exit 2), writing nothing, when a migration is failed, interrupted
 * or recorded past `to`. */
export async function baseline(options: ApiOptions & BaselineOptions): Promise<BaselineResult> {
  if (typeof options?.to !== 'string' || options.to === '') throw new UsageError("baseline needs 'to': the name or version of the last migration the cluster already has");
  return withSession(options, (s) => createMigrator(s).baseline({ to: options.to }));
}

/** What `migrate` would run now, read-only (it creates nothing): per pending migration its statements with
 * placeholders substituted, the check's findings and what each rebuild will copy. Never throws for a
 * finding: `check.errors` says whether `migrate` would refuse. */
export function plan(options: ApiOptions & PlanOptions = {}): Promise<PlanResult> {
  return withSession(options, (s) => createMigrator(s).plan(options));
}

/** Runs the seeds in `seeds/` and `seeds/<env>/`. Throws `SeedError` (with the result) if any row failed. */
export function seed(options: ApiOptions & SeedRunOptions & { progress?: SeedProgress } = {}): Promise<SeedRunResult> {
  return withSession(options, (s) => createSeeder({ ...s, ...(options.progress ? { progress: options.progress } : {}) }).run(options));
}

/**
 * Checks the pending migrations against CrateDB's rules and the tables in the cluster, read-only
 * (docs/check.md). Returns every finding; throws `CheckError` (code `CM_CHECK`, exit 2, the result in
 * `.result`) when one is an error, i.e. a statement CrateDB will refuse. Warnings alone return.
 */
export function check(options: ApiOptions = {}): Promise<CheckResult> {
  return withSession(options, async (s) => {
    const pending = (await createMigrator(s).status()).filter((m) => m.state === 'pending').map((m) => m.name);
    const result = await checkFiles(s, await pendingFiles(s.config, new Set(pending)));
    const error = checkErrorOf(result);
    if (error) throw error;
    return result;
  });
}

/** Writes a new migration file with the next version number; returns its path. No database needed. */
export async function createMigration(options: ApiOptions & { name: string; kind?: 'sql' | 'ts' }): Promise<string> {
  const config = await resolveConfig(options);
  return createMigrationFile({ dir: config.migrationsDir, name: options.name, kind: options.kind ?? 'sql' });
}

/** Writes a new seed file template; returns its path. No database needed. */
export async function createSeed(options: ApiOptions & { name: string; format?: SeedFormat }): Promise<string> {
  const config = await resolveConfig(options);
  return createSeedFile({ dir: config.seedsDir, name: options.name, format: options.format ?? 'yaml' });
}

export type { ApiOptions } from './session.js';
export { createClient } from './client/client.js';
export { quoteIdent, qualifiedName } from './client/identifiers.js';
export type { BulkItem, BulkResult, CrateClient, QueryOptions, SqlResult, TableRef } from './client/types.js';
export { loadConfig, type ConfigOverrides, type LoadConfigOptions } from './config/load.js';
export { defaultConfig } from './config/defaults.js';
export type { Auth, ResolvedConfig, TlsOptions } from './config/types.js';
export { createLogger } from './logger.js';
export type { CodeMigration, MigrationContext, RebuildTableOptions } from './context.js';
export type { ColumnInfo, Introspection, ServerVersion } from './introspection.js';
export { abandonRebuild, planRebuild, rebuildTable, revertRebuild, type RebuildDeps, type RebuildPlan, type RebuildResult } from './migrations/rebuild/rebuild.js';
export { createRebuildTableStore, type RebuildProgress, type RebuildStore } from './migrations/rebuild/progress.js';
export type { CopyBatches, RebuildSpec } from './migrations/rebuild/spec.js';
export { createMigrator, type Migrator, type MigratorOptions } from './migrations/runner.js';
export type * from './migrations/types.js';
export type { CheckCode, CheckResult, Finding, Severity } from './migrations/check/types.js';
export { CHECK_CODES } from './migrations/check/types.js';
export { createSeeder, type Seeder, type SeederOptions } from './seeds/seeder.js';
export type * from './seeds/types.js';
export { SEED_MODES } from './seeds/types.js';
export * from './errors.js';
