/**
 * The read-only reports (`status`, `validate`) from what they read, and nothing else: the files, the
 * history, the lease row and the seeds tracking table. `createMigrator` and `createSeeder` give the same
 * answers, but their modules load everything a run needs (the check, the SQL grammar, the statement
 * runner, every seed format and csv-parse), which a `status` process would load for nothing at each start.
 * Keep these in step with `Migrator.status/validate` (migrations/runner.ts) and `Seeder.status`
 * (seeds/seeder.ts); test/integration/migrations/read-status.test.ts compares them.
 */
import path from 'node:path';
import { createCrateHistory } from './migrations/history.js';
import { createCrateLock } from './migrations/lock.js';
import { inspect, statusOf, type Inspection } from './migrations/plan.js';
import { discoverSources } from './migrations/source.js';
import type { DriftItem, MigrationStatus } from './migrations/types.js';
import { checksumOf, discoverSeeds } from './seeds/discover.js';
import { SeedTracking, type SeedRecord } from './seeds/tracking.js';
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
export async function seedStatus({ config, client, signal }: Session): Promise<SeedStatusEntry[]> {
  const tracking = new SeedTracking(client, config.seedsTable);
  const seeds = await discoverSeeds(config.seedsDir, config.env);
  const records = new Map((await tracking.list(signal)).map((r) => [r.name, r]));
  const entries: SeedStatusEntry[] = [];
  for (const seed of seeds) {
    const checksum = await checksumOf(seed);
    const rec = records.get(seed.name);
    records.delete(seed.name);
    // As seeds/open.ts displayPath shows a seed's file.
    const file = path.relative(config.rootDir, seed.path) || seed.path;
    if (!rec) {
      entries.push({ name: seed.name, file, state: 'pending', checksum });
      continue;
    }
    const state = rec.rowsFailed > 0 ? 'failed' : rec.checksum === checksum ? 'seeded' : 'changed';
    entries.push({ ...recordFields(rec), name: seed.name, file, state, checksum });
  }
  for (const rec of records.values()) entries.push({ ...recordFields(rec), name: rec.name, state: 'missing' });
  return entries.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
}

function recordFields({ seededAt, rowsWritten, rowsUnchanged, rowsFailed, durationMs }: SeedRecord) {
  return { seededAt, rowsWritten, rowsUnchanged, rowsFailed, durationMs };
}
