import { qualifiedName } from '../client/identifiers.js';
import { whileShardsStart } from '../client/shard-start.js';
import { isMissingRelation } from '../client/missing.js';
import type { CrateClient, TableRef } from '../client/types.js';

/** A row of the seeds tracking table. */
export interface SeedRecord {
  name: string;
  checksum: string;
  rowsWritten: number;
  rowsUnchanged: number;
  rowsFailed: number;
  seededAt: Date;
  durationMs: number;
}

const COLUMNS = 'name, checksum, rows_written, rows_unchanged, rows_failed, seeded_at, duration_ms';

/**
 * The seeds tracking table (`cratedb_migrate.seeds` by default): one row per seed name with the checksum
 * and counts of its last run. One shard, replicas '0-2', so that losing a node never loses it.
 */
export class SeedTracking {
  readonly #client: CrateClient;
  readonly #table: TableRef;
  /** Set once a read answered from the table: then `ensure` has nothing to create. */
  #exists = false;

  constructor(client: CrateClient, table: TableRef) {
    this.#client = client;
    this.#table = table;
  }

  /** `CREATE TABLE IF NOT EXISTS`, race-safe: a concurrent creator makes it answer rowcount 0. Not sent
   * when a read of this run found the table: one round trip less before the rows. */
  async ensure(signal?: AbortSignal): Promise<void> {
    if (this.#exists) return;
    await this.#client.sql(
      `CREATE TABLE IF NOT EXISTS ${qualifiedName(this.#table)} (name TEXT PRIMARY KEY, checksum TEXT, ` +
        'rows_written BIGINT, rows_unchanged BIGINT, rows_failed BIGINT, seeded_at TIMESTAMP WITH TIME ZONE, ' +
        "duration_ms BIGINT) CLUSTERED INTO 1 SHARDS WITH (number_of_replicas = '0-2')",
      [],
      { signal },
    );
    this.#exists = true;
  }

  /** One seed's record, read by primary key (real-time, no REFRESH needed); undefined when none. */
  async get(name: string, signal?: AbortSignal): Promise<SeedRecord | undefined> {
    try {
      // Right after another seeder created the table, its shard may still be starting.
      const r = await whileShardsStart(
        () => this.#client.sql(`SELECT ${COLUMNS} FROM ${qualifiedName(this.#table)} WHERE name = ?`, [name], { readOnly: true, signal }),
        { what: qualifiedName(this.#table) },
      );
      this.#exists = true;
      return r.rows[0] ? toRecord(r.rows[0]) : undefined;
    } catch (err) {
      if (isMissingRelation(err)) return undefined;
      throw err;
    }
  }

  /** Every record, after a REFRESH so that the scan sees the latest runs. */
  async list(signal?: AbortSignal): Promise<SeedRecord[]> {
    try {
      const r = await whileShardsStart(
        async () => {
          await this.#client.refresh([this.#table], { signal });
          return this.#client.sql(`SELECT ${COLUMNS} FROM ${qualifiedName(this.#table)} ORDER BY name`, [], { readOnly: true, signal });
        },
        { what: qualifiedName(this.#table) },
      );
      this.#exists = true;
      return r.rows.map(toRecord);
    } catch (err) {
      if (isMissingRelation(err)) return [];
      throw err;
    }
  }

  /** Upserts a seed's record by primary key (real-time: `get` sees it at once, `list` refreshes first). */
  async record(rec: SeedRecord): Promise<void> {
    await this.#client.sql(
      `INSERT INTO ${qualifiedName(this.#table)} (${COLUMNS}) VALUES (?, ?, ?, ?, ?, ?, ?) ON CONFLICT (name) DO UPDATE SET ` +
        'checksum = excluded.checksum, rows_written = excluded.rows_written, rows_unchanged = excluded.rows_unchanged, ' +
        'rows_failed = excluded.rows_failed, seeded_at = excluded.seeded_at, duration_ms = excluded.duration_ms',
      [rec.name, rec.checksum, rec.rowsWritten, rec.rowsUnchanged, rec.rowsFailed, rec.seededAt.getTime(), rec.durationMs],
    );
  }
}

function toRecord(row: unknown[]): SeedRecord {
  return {
    name: String(row[0]),
    checksum: String(row[1] ?? ''),
    rowsWritten: Number(row[2] ?? 0),
    rowsUnchanged: Number(row[3] ?? 0),
    rowsFailed: Number(row[4] ?? 0),
    seededAt: new Date(Number(row[5] ?? 0)),
    durationMs: Number(row[6] ?? 0),
  };
}
