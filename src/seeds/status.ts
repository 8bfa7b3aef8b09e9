/**
 * Every seed file and every recorded seed, with its state (pending, seeded, changed, failed, missing), from
 * the files and the seeds table only. Shared by `Seeder.status` and the light `status` path
 * (src/read-status.ts), so it imports no seed format, no writer and no csv-parse.
 */
import type { CrateClient } from '../client/types.js';
import type { ResolvedConfig } from '../config/types.js';
import { checksumOf, discoverSeeds, displayPath } from './discover.js';
import { SeedTracking, type SeedRecord } from './tracking.js';
import type { SeedStatusEntry } from './types.js';

export async function seedStatus(config: ResolvedConfig, client: CrateClient, signal?: AbortSignal): Promise<SeedStatusEntry[]> {
  const tracking = new SeedTracking(client, config.seedsTable);
  // The request first: the files are read while it is on the wire.
  const [recorded, seeds] = await Promise.all([tracking.list(signal), discoverSeeds(config.seedsDir, config.env)]);
  const records = new Map(recorded.map((r) => [r.name, r]));
  const entries: SeedStatusEntry[] = [];
  for (const seed of seeds) {
    const checksum = await checksumOf(seed);
    const rec = records.get(seed.name);
    records.delete(seed.name);
    const file = displayPath(config.rootDir, seed.path);
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
