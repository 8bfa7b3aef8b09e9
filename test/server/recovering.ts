/**
 * Tables whose shards are RECOVERING: in the cluster state, but not started yet, as right after CrateDB
 * created a table (or opened one). What CrateDB 6.4.3 answered in that window
 * (/work/shared/cratedb/transcripts/README.md, 11-ddl-limits):
 * - the CREATE TABLE that created the table answers only once its primaries started (it waits for
 *   active shards); another client's `CREATE TABLE IF NOT EXISTS` answers rowcount 0 at once;
 * - a primary-key read answers 404/4040 `IllegalIndexShardStateException[CurrentState[RECOVERING] ...]`
 *   (79 of 100 reads with five creators at once): a GET goes to an initializing copy;
 * - a write waits for the primary (recorded after ALTER TABLE OPEN), as for a lost primary.
 * Not recorded, inferred: a scan answers 5002 "shard 0 is not available" at once, as a scan of a shard
 * with no active copy does (cluster-faults.md): CrateDB routes scans to started copies only.
 */
import { primaryInactive, shardUnavailable, type ClusterError } from './cluster.js';
import type { StatementPlan } from './contract.js';
import { shardOf } from './engine/routing.js';

/** CrateDB 6.4.3's answer to a primary-key read of a table whose shard is still recovering. */
export const RECOVERING_READ: ClusterError = {
  status: 404,
  code: 4040,
  message:
    'IllegalIndexShardStateException[CurrentState[RECOVERING] operations only allowed when shard state is one of ' +
    '[POST_RECOVERY, STARTED]]',
};

/** What the RECOVERING window does to a planned statement. */
export type RecoveringVerdict =
  | { kind: 'ok' }
  | { kind: 'error'; error: ClusterError }
  /** A write: wait until `table`'s shards started, else fail with `error` after the primary wait. */
  | { kind: 'wait'; table: string; error: ClusterError };

interface Window {
  started: Promise<void>;
  start(): void;
  timer: ReturnType<typeof setTimeout>;
}

/** The tables of one cluster that are recovering, each until its window ends (wall time, like the primary wait). */
export class RecoveringShards {
  readonly #windows = new Map<string, Window>();

  /** True while some table is recovering. */
  get active(): boolean {
    return this.#windows.size > 0;
  }

  /** Puts `table` (`schema.name`) into RECOVERING for `ms` from now; a table already recovering gets the new end. */
  begin(table: string, ms: number): void {
    if (!(ms > 0)) return;
    const open = this.#windows.get(table);
    if (open) clearTimeout(open.timer);
    let start!: () => void;
    const started = open?.started ?? new Promise<void>((resolve) => (start = resolve));
    const window: Window = { started, start: open?.start ?? start, timer: setTimeout(() => this.end(table), ms) };
    this.#windows.set(table, window);
  }

  isRecovering(table: string): boolean {
    return this.#windows.has(table);
  }

  /** Resolves true once `table`'s shards started (at once when it is not recovering), false after `ms` (no bound without it). */
  async waitFor(table: string, ms?: number): Promise<boolean> {
    const window = this.#windows.get(table);
    if (!window) return true;
    if (ms === undefined) return window.started.then(() => true);
    let timer: ReturnType<typeof setTimeout> | undefined;
    const timeout = new Promise<false>((resolve) => (timer = setTimeout(() => resolve(false), ms)));
    try {
      return await Promise.race([window.started.then(() => true as const), timeout]);
    } finally {
      clearTimeout(timer);
    }
  }

  /** Starts the shards of `table` now, or of every recovering table: their creators answer, waiting writes go on. */
  end(table?: string): void {
    for (const name of table === undefined ? [...this.#windows.keys()] : [table]) {
      const window = this.#windows.get(name);
      if (!window) continue;
      clearTimeout(window.timer);
      this.#windows.delete(name);
      window.start();
    }
  }

  /** Judges a planned statement: DDL is never affected, reads and writes of a recovering table are. */
  judge(plan: StatementPlan): RecoveringVerdict {
    if (plan.ddl) return { kind: 'ok' };
    for (const table of plan.tables) {
      const name = `${table.schema}.${table.table}`;
      if (!this.isRecovering(name)) continue;
      if (table.write) {
        const keys = table.routingKeys ?? [];
        const shard = keys.length > 0 ? shardOf(keys[0]!, table.numberOfShards) : 0;
        return { kind: 'wait', table: name, error: primaryInactive(name, shard, Math.max(1, keys.length)) };
      }
      if (table.routingKeys !== undefined && table.routingKeys.length > 0) return { kind: 'error', error: RECOVERING_READ };
      return { kind: 'error', error: shardUnavailable(name, 0) };
    }
    return { kind: 'ok' };
  }
}
