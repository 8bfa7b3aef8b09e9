import type { CrateClient, TableRef } from '../client/types.js';
import type { Logger } from 'pino';
import { qualifiedName } from '../client/identifiers.js';
import { grantHint, missingTable } from '../client/missing.js';
import type { Auth } from '../config/types.js';

/** A history row's state. `running`: started, not finished (or its process died); `failed`: stopped on an
 * error with `statements_run` statements applied (CrateDB has no transactions to undo them). */
export type HistoryStatus = 'running' | 'applied' | 'failed';

/** One row of the history table (columns fixed in docs/architecture.md, "Tables this package owns"). */
export interface HistoryRow {
  /** File name without extension, the primary key. */
  name: string;
  version: number;
  /** Applied order: `down` reverts by descending `seq`; never order by timestamps. */
  seq: number;
  checksum: string;
  status: HistoryStatus;
  startedAt: Date | null;
  finishedAt: Date | null;
  durationMs: number | null;
  /** user@host of the process that ran it. */
  appliedBy: string | null;
  statementsRun: number;
  /** Statements in the section being run; null for code migrations (unknown in advance). */
  statementsTotal: number | null;
  /** CrateDB's message with the statement's file:line, or "aborted". */
  error: string | null;
}

/** What the runner records when a migration starts. */
export type RunningEntry = Pick<HistoryRow, 'name' | 'version' | 'seq' | 'checksum' | 'appliedBy' | 'statementsTotal'> & {
  startedAt: Date;
};

/**
 * Where applied migrations are recorded. How to implement one:
 * 1. `list()` returns every row ordered by `seq`, and `[]` when the table does not exist yet (a dry run
 *    must not create it); it must see every write made before it, by any process.
 * 2. `ensure()` creates the storage if missing and is safe to call from several processes at once.
 * 3. Each `mark*` writes one row by its name; callers hold the migration lock, so there is no contention.
 */
export interface HistoryStore {
  /** Where the rows live, for messages: `"cratedb_migrate"."migrations"`. */
  readonly location: string;
  ensure(): Promise<void>;
  list(): Promise<HistoryRow[]>;
  /** Inserts or overwrites the row as `running`, `statements_run` 0, no error (before the first statement). */
  markRunning(entry: RunningEntry): Promise<void>;
  /** Records how many statements have completed, so a crash leaves an accurate `running` row. */
  markProgress(name: string, statementsRun: number): Promise<void>;
  markApplied(name: string, done: { finishedAt: Date; durationMs: number; statementsRun: number }): Promise<void>;
  markFailed(name: string, done: { finishedAt: Date; durationMs: number; statementsRun: number; error: string }): Promise<void>;
  remove(name: string): Promise<void>;
  /** `repair`: the stored checksum is realigned to the file. */
  updateChecksum(name: string, checksum: string): Promise<void>;
}

const COLUMNS = [
  'name',
  'version',
  'seq',
  'checksum',
  'status',
  'started_at',
  'finished_at',
  'duration_ms',
  'applied_by',
  'statements_run',
  'statements_total',
  'error',
] as const;

/**
 * The history table in CrateDB. Every write is followed by `REFRESH TABLE`, and `list()` refreshes
 * before it reads, so the next step, the next process and a crash survivor all see the latest rows
 * (a search reads only refreshed data; writes by primary key are real-time).
 */
export function createCrateHistory(
  client: CrateClient,
  table: TableRef,
  options: { auth?: Auth; logger?: Logger } = {},
): HistoryStore {
  const name = qualifiedName(table);
  let exists = false;

  const write = async (stmt: string, args: unknown[]) => {
    await client.sql(stmt, args);
    await client.refresh([table]);
  };
  const update = (set: Record<string, unknown>, key: string) => {
    const cols = Object.keys(set);
    return write(`UPDATE ${name} SET ${cols.map((c) => `${c} = ?`).join(', ')} WHERE name = ?`, [...Object.values(set), key]);
  };

  return {
    location: name,
    async ensure() {
      if (exists) return;
      await client.sql(
        `CREATE TABLE IF NOT EXISTS ${name} (
  name TEXT PRIMARY KEY, version BIGINT, seq BIGINT, checksum TEXT, status TEXT,
  started_at TIMESTAMP WITH TIME ZONE, finished_at TIMESTAMP WITH TIME ZONE, duration_ms BIGINT,
  applied_by TEXT, statements_run INTEGER, statements_total INTEGER, error TEXT
) CLUSTERED INTO 1 SHARDS WITH (number_of_replicas = '0-2')`,
      );
      exists = true;
    },
    async list() {
      try {
        await client.refresh([table], { readOnly: true });
        const result = await client.sql(`SELECT ${COLUMNS.join(', ')} FROM ${name} ORDER BY seq`, [], { readOnly: true });
        exists = true;
        return result.rows.map(toRow);
      } catch (err) {
        const missing = missingTable(err, options.auth);
        if (missing === undefined) throw err;
        if (missing === 'missing-or-hidden') {
          options.logger?.warn({ event: 'history-not-visible', table: name }, `${name} reads as empty: ${grantHint(table.schema, options.auth)}`);
        }
        return [];
      }
    },
    markRunning(entry) {
      const values = [
        entry.name,
        entry.version,
        entry.seq,
        entry.checksum,
        'running',
        entry.startedAt.getTime(),
        null,
        null,
        entry.appliedBy,
        0,
        entry.statementsTotal,
        null,
      ];
      const updates = COLUMNS.filter((c) => c !== 'name').map((c) => `${c} = excluded.${c}`);
      return write(
        `INSERT INTO ${name} (${COLUMNS.join(', ')}) VALUES (${COLUMNS.map(() => '?').join(', ')}) ON CONFLICT (name) DO UPDATE SET ${updates.join(', ')}`,
        values,
      );
    },
    markProgress: (key, statementsRun) => update({ statements_run: statementsRun }, key),
    markApplied: (key, done) =>
      update(
        {
          status: 'applied',
          finished_at: done.finishedAt.getTime(),
          duration_ms: done.durationMs,
          statements_run: done.statementsRun,
          error: null,
        },
        key,
      ),
    markFailed: (key, done) =>
      update(
        {
          status: 'failed',
          finished_at: done.finishedAt.getTime(),
          duration_ms: done.durationMs,
          statements_run: done.statementsRun,
          error: done.error,
        },
        key,
      ),
    remove: (key) => write(`DELETE FROM ${name} WHERE name = ?`, [key]),
    updateChecksum: (key, checksum) => update({ checksum }, key),
  };
}

function toRow(row: unknown[]): HistoryRow {
  const date = (v: unknown) => (v === null || v === undefined ? null : new Date(v as number));
  const num = (v: unknown) => (v === null || v === undefined ? null : Number(v));
  return {
    name: row[0] as string,
    version: Number(row[1]),
    seq: Number(row[2]),
    checksum: row[3] as string,
    status: row[4] as HistoryStatus,
    startedAt: date(row[5]),
    finishedAt: date(row[6]),
    durationMs: num(row[7]),
    appliedBy: (row[8] as string | null) ?? null,
    statementsRun: num(row[9]) ?? 0,
    statementsTotal: num(row[10]),
    error: (row[11] as string | null) ?? null,
  };
}
