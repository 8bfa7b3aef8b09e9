/**
 * cratedb-migrate's public API. Each function resolves the config (file, environment, `CRATEDB_URL`,
 * overrides), opens a client, does its work and closes the client. Results are plain objects; a failure
 * still throws (a `CrateMigrateError` subclass with a stable `code`, carrying the partial result).
 *
 * @example
 * import { migrate } from 'cratedb-migrate';
 * await migrate({ config: 'crate.config.yaml', env: process.env.NODE_ENV });
 */
export { baseline, check, createMigration, createSeed, migrate, plan, repair, rollback, seed, status, validate, type StatusReport } from './api.js';
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
