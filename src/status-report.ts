/**
 * The `status` report: every migration's state (read-status.ts) and every seed's (seeds/status.ts). A module
 * of its own so that both are static imports here: they load together, and the two reads, history and seeds
 * table, go on the wire together. read-status.ts cannot import the seeds' code itself: the runner imports it.
 */
import { migrationStatus } from './read-status.js';
import { seedStatus } from './seeds/status.js';
import type { MigrationStatus } from './migrations/types.js';
import type { SeedStatusEntry } from './seeds/types.js';
import type { Session } from './session.js';

/** What `status()` returns: every migration and every seed with its state. */
export interface StatusReport {
  migrations: MigrationStatus[];
  seeds: SeedStatusEntry[];
}

export async function statusReport(session: Session): Promise<StatusReport> {
  const { config, client, signal } = session;
  const [migrations, seeds] = await Promise.all([migrationStatus(session), seedStatus(config, client, signal)]);
  return { migrations, seeds };
}
