/**
 * The read-only reports (`status`, `validate`) from what they read, and nothing else: the files, the
 * history, the lease row and the seeds tracking table. `createMigrator` and `createSeeder` give the same
 * answers, but their modules load everything a run needs (the check, the SQL grammar, the statement
 * runner, every seed format and csv-parse), which a `status` process would load for nothing at each start.
 * The seeds' part is the seeder's own (seeds/status.ts); keep the migrations' part in step with
 * `Migrator.status/validate` (migrations/runner.ts): test/integration/migrations/read-status.test.ts compares them.
 */
import { createCrateHistory } from './migrations/history.js';
import { createCrateLock } from './migrations/lock.js';
import { inspect, statusOf, type Inspection } from './migrations/plan.js';
import { discoverSources } from './migrations/source.js';
import type { DriftItem, MigrationStatus } from './migrations/types.js';
import { seedStatus as readSeedStatus } from './seeds/status.js';
import type { SeedStatusEntry } from './seeds/types.js';
import type { Session } from './session.js';

/** The migration files against the history, as the migrator reads them. */
async function readMigrations({ config, client, logger }: Session): Promise<Inspection> {
  const history = createCrateHistory(client, config.historyTable, { ...(config.auth ? { auth: config.auth } : {}), logger });
  // The history's request first: the files are read while it is on the wire.
  const [rows, files] = await Promise.all([history.list(), discoverSources(config.migrationsDir, { rootDir: config.rootDir })]);
  return inspect(files.versioned, rows, files.repeatable);
}

/** Every migration with its state; the lease row is read only when a migration is `running`. */
export async function migrationStatus(session: Session): Promise<MigrationStatus[]> {
  const { config, client, logger } = session;
  const insp = await readMigrations(session);
  if (!insp.rows.some((r) => r.status === 'running')) return statusOf(insp, null);
  const lock = createCrateLock(client, { table: config.lockTable, leaseMs: config.lock.leaseMs, waitMs: config.lock.waitMs, logger });
  const holder = await lock.holder();
  return statusOf(insp, holder?.live ? holder : null);
}

/** Applied migrations whose file changed or vanished. */
export async function migrationDrift(session: Session): Promise<DriftItem[]> {
  return (await readMigrations(session)).drift;
}

/** Every seed file and every recorded seed, with its state, by name. */
export function seedStatus({ config, client, signal }: Session): Promise<SeedStatusEntry[]> {
  return readSeedStatus(config, client, signal);
}
