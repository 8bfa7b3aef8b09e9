import type { CrateClient, TableRef } from '../../client/types.js';
import { qualifiedName } from '../../client/identifiers.js';
import { whileShardsStart } from '../../client/shard-start.js';

/**
 * Where a rebuild is between two statements. Written BEFORE each step's statements, so that a rebuild
 * killed anywhere finds on its next run which step to repeat or finish:
 * - `create`: the new table may exist under the temporary name (CREATE TABLE IF NOT EXISTS again).
 * - `copy`: rows are being copied; `cursor` is the last finished batch (INSERT ... SELECT skips rows whose
 *   key is already there, so a batch that ran twice does not double; a new table without a key is made
 *   again instead).
 * - `swap`: the swap may or may not have happened: `shape` (SHOW CREATE TABLE of the new table) tells.
 * - `swapped`: the new table is live; the old one is at the temporary name, to drop or keep.
 * Until `swap`, undoing drops the temporary table and lifts the write block; the live table is never touched.
 */
export interface RebuildProgress {
  /** `schema.table` of the live table (its rebuild, or its revert when `direction` is down). */
  id: string;
  direction: 'up' | 'down';
  step: 'create' | 'copy' | 'verify' | 'swap' | 'swapped';
  live: TableRef;
  temp: TableRef;
  backup: TableRef | null;
  /** The write block this rebuild put on the live table during the copy (lifted when it ends). */
  blockedWrites: boolean;
  /** SHOW CREATE TABLE of the table that is to become live, its own name left out. */
  shape: string | null;
  /** The copy's last finished batch: a key value, or how many partition values are done. */
  cursor: unknown;
  /** Rows of the live table when the copy started (refreshed), then of the new one. */
  rows: number | null;
}

/** Where progress records live. The lead's runner may back this with its history table. */
export interface RebuildStore {
  /** Read by id; must see the latest write at once (a primary-key read in CrateDB is real-time). */
  read(id: string): Promise<RebuildProgress | null>;
  write(progress: RebuildProgress): Promise<void>;
  clear(id: string): Promise<void>;
}

/**
 * A store in a table of this package (`"cratedb_migrate"."rebuilds"` next to the history by default):
 * `id TEXT PRIMARY KEY, progress TEXT` (the record as JSON), `updated_at`. Created on first write,
 * `CREATE TABLE IF NOT EXISTS` (race-safe), replicated like the history. Every read is by primary key.
 */
export function createRebuildTableStore(client: CrateClient, table: TableRef): RebuildStore {
  const name = qualifiedName(table);
  let ensured = false;
  return {
    async read(id) {
      try {
        const found = await whileShardsStart(() => client.sql(`SELECT progress FROM ${name} WHERE id = ?`, [id], { readOnly: true }), { what: name });
        const text = found.rows[0]?.[0];
        return typeof text === 'string' ? (JSON.parse(text) as RebuildProgress) : null;
      } catch (err) {
        if ((err as { crateCode?: number }).crateCode === 4041 || (err as { crateCode?: number }).crateCode === 4045) return null;
        throw err;
      }
    },
    async write(progress) {
      if (!ensured) {
        await client.sql(
          `CREATE TABLE IF NOT EXISTS ${name} (id TEXT PRIMARY KEY, progress TEXT, updated_at TIMESTAMP WITH TIME ZONE) CLUSTERED INTO 1 SHARDS WITH (number_of_replicas = '0-2')`,
        );
        ensured = true;
      }
      await client.sql(
        `INSERT INTO ${name} (id, progress, updated_at) VALUES (?, ?, CURRENT_TIMESTAMP) ON CONFLICT (id) DO UPDATE SET progress = excluded.progress, updated_at = excluded.updated_at`,
        [progress.id, JSON.stringify(progress)],
      );
    },
    async clear(id) {
      try {
        await client.sql(`DELETE FROM ${name} WHERE id = ?`, [id]);
      } catch (err) {
        if ((err as { crateCode?: number }).crateCode !== 4041) throw err;
      }
    },
  };
}
