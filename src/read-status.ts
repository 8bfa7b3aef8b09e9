/**
 * The read-only reports (`status`, `validate`) from what they read, and nothing else: the files, the
 * history, the lease row and the seeds tracking table. `createMigrator` and `createSeeder` give the same
 * answers, but their modules load everything a run needs (the check, the SQL grammar, the statement
 * runner, every seed format and csv-parse), which a `status` process would load for nothing at each start.
 * The migrator's `read`, `status` and `validate` are built on `readMigrations` and `statusWithLease` below,
 * so this module must stay as light as it is: the runner imports it. The seeds' part is the seeder's own
 * (seeds/status.ts); status-report.ts puts the two together.
 */
import type { ResolvedConfig } from './config/types.js';
import { createCrateHistory, type HistoryStore } from './migrations/history.js';
import { createCrateLock, type MigrationLock } from './migrations/lock.js';
import { inspect, statusOf, type Inspection } from './migrations/plan.js';
import { discoverSources, type MigrationFile, type SourceFs } from './migrations/source.js';
import type { DriftItem, MigrationStatus } from './migrations/types.js';
import type { Session } from './session.js';

/** The migration files against the history. `brief`, `unrefreshed`: as `HistoryStore.list` reads. */
export async function readMigrations(
  history: HistoryStore,
  config: Pick<ResolvedConfig, 'migrationsDir' | 'rootDir'>,
  options: { fs?: SourceFs; brief?: boolean; unrefreshed?: boolean } = {},
): Promise<Inspection> {
  const { fs, ...read } = options;
  // The history's request first: the files are read while it is on the wire.
  const [rows, files] = await Promise.all([
    history.list(read),
    discoverSources(config.migrationsDir, { rootDir: config.rootDir, ...(fs ? { fs } : {}) }),
  ]);
  return inspect(files.versioned, rows, files.repeatable);
}

/** Every migration with its state; the lease row is read only when a migration is `running` (is its
 * runner alive?). */
export async function statusWithLease(insp: Inspection, readHolder: MigrationLock['holder']): Promise<MigrationStatus[]> {
  if (!insp.rows.some((r) => r.status === 'running')) return statusOf(insp, null);
  const holder = await readHolder();
  return statusOf(insp, holder?.live ? holder : null);
}

const historyOf = ({ config, client, logger }: Session) =>
  createCrateHistory(client, config.historyTable, { ...(config.auth ? { auth: config.auth } : {}), logger });

/** Every migration with its state, as `Migrator.status`. */
export async function migrationStatus(session: Session): Promise<MigrationStatus[]> {
  const { config, client, logger } = session;
  const insp = await readMigrations(historyOf(session), config);
  return statusWithLease(insp, () => createCrateLock(client, { table: config.lockTable, leaseMs: config.lock.leaseMs, waitMs: config.lock.waitMs, logger }).holder());
}

/** Applied migrations whose file changed or vanished. */
export async function migrationDrift(session: Session): Promise<DriftItem[]> {
  return (await readMigrations(historyOf(session), session.config)).drift;
}

/** The migration files with no history row, in version order: what `check` checks. */
export async function pendingMigrations(session: Session): Promise<MigrationFile[]> {
  return (await readMigrations(historyOf(session), session.config)).pending;
}

