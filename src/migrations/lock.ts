import { randomBytes } from 'node:crypto';
import os from 'node:os';
import { setTimeout as sleep } from 'node:timers/promises';
import type { Logger } from 'pino';
import { qualifiedName } from '../client/identifiers.js';
import { isMissingRelation } from '../client/missing.js';
import { shardNotStarted, whileShardsStart } from '../client/shard-start.js';
import type { CrateClient, SqlResult, TableRef } from '../client/types.js';
import { AbortedError, ConnectionError, CrateDbError, LockTimeoutError } from '../errors.js';

/** A held lock. */
export interface Lease {
  /** user@host:pid#random of this holder. */
  readonly owner: string;
  /** Aborted (with an `AbortedError`) when the lease is known lost: another process took it over, or the
   * row changed under us. The runner stops between statements. */
  readonly signal: AbortSignal;
  /** Called before each statement: resolves at once while the last confirmed renewal still covers most of
   * the lease, else renews first; throws `AbortedError` when the lease cannot be confirmed, so that no
   * statement is sent by a runner that may no longer hold the lock. */
  confirm(): Promise<void>;
  /** Gives the lock up. Never throws: a lease that cannot be deleted expires by itself. */
  release(): Promise<void>;
}

/** Who holds the lock, as `status` shows it. */
export interface LockHolder {
  owner: string;
  acquiredAt: Date | null;
  /** On CrateDB's clock. */
  expiresAt: Date;
  /** The lease has not expired (judged on CrateDB's clock, at the read). */
  live: boolean;
}

/** Mutual exclusion between processes running migrations against the same cluster. */
export interface MigrationLock {
  /** Waits until the lock is ours; `LockTimeoutError` after the configured wait, `AbortedError` on `signal`. */
  acquire(signal?: AbortSignal): Promise<Lease>;
  /** The current holder, read without taking the lock; null when nobody holds it. */
  holder(): Promise<LockHolder | null>;
}

export interface CrateLockOptions {
  table: TableRef;
  /** How long a lease lasts without renewal; renewed every third of it. */
  leaseMs: number;
  /** How long `acquire` waits for another holder before `LockTimeoutError`. */
  waitMs: number;
  logger: Logger;
  /** The lock row's primary key: one lock per purpose. @default 'migrations' */
  id?: string;
  /** @default user@host:pid#random */
  owner?: string;
  /** This process's monotonic clock, in ms; it only measures how long ago a renewal was sent, never
   * compared with CrateDB's time. Injected by tests. @default performance.now */
  now?: () => number;
}

/** The identity written into the lock row: who to look for when a lock is stuck. */
function lockOwner(): string {
  return `${userAtHost()}:${process.pid}#${randomBytes(4).toString('hex')}`;
}

/** user@host, as recorded in `applied_by`. */
export function userAtHost(): string {
  let user: string;
  try {
    user = os.userInfo().username;
  } catch {
    // A container user without a passwd entry.
    user = process.env.USER ?? 'unknown';
  }
  return `${user}@${os.hostname()}`;
}

interface Holder {
  owner: string;
  acquiredAt: number | null;
  /** On CrateDB's clock: its `renewed_at` plus the holder's own `lease_ms`. */
  expiresAt: number;
  version: Version;
  /** CrateDB's clock at the read: expiry is judged on one clock, the server's. */
  serverNow: number;
}

/** The row's `_seq_no` and `_primary_term`, for compare-and-set. */
interface Version {
  seqNo: number;
  primaryTerm: number;
}

const CREATE = (table: string) =>
  `CREATE TABLE IF NOT EXISTS ${table} (id TEXT PRIMARY KEY, owner TEXT, acquired_at TIMESTAMP WITH TIME ZONE, expires_at TIMESTAMP WITH TIME ZONE, renewed_at TIMESTAMP WITH TIME ZONE, lease_ms BIGINT) CLUSTERED INTO 1 SHARDS WITH (number_of_replicas = '0-2')`;

/**
 * A lease row in CrateDB (which has no advisory locks). Taking the lock is an `INSERT` of a fixed primary
 * key (a second inserter gets 4091); the holder is read by primary key (real-time) with `_seq_no` and
 * `_primary_term`. Every time in the row is CrateDB's `CURRENT_TIMESTAMP`, never this process's clock:
 * a lease is `renewed_at + lease_ms`, judged against CrateDB's time of the read. An expired lease is taken
 * over, and ours renewed and released, only by compare-and-set (`WHERE id = ? AND _seq_no = ? AND
 * _primary_term = ?`, rowcount 1 = the version we knew), each write returning the row's new version, so
 * two waiters can never both take over the same dead holder's lease and a renewal is one request.
 */
export function createCrateLock(client: CrateClient, options: CrateLockOptions): MigrationLock {
  const table = qualifiedName(options.table);
  const id = options.id ?? 'migrations';
  const owner = options.owner ?? lockOwner();
  const { leaseMs, waitMs, logger } = options;
  const now = options.now ?? (() => performance.now());
  let upgraded = false;

  /** A table made by an older version lacks renewed_at and lease_ms (CrateDB has no ADD COLUMN IF NOT
   * EXISTS): on 4043, add them once, then repeat. A concurrent upgrader's ALTER wins; ours then fails. */
  const withColumns = async <T>(fn: () => Promise<T>): Promise<T> => {
    try {
      return await fn();
    } catch (err) {
      if (upgraded || !(err instanceof CrateDbError && err.crateCode === 4043)) throw err;
      upgraded = true;
      for (const column of ['renewed_at TIMESTAMP WITH TIME ZONE', 'lease_ms BIGINT']) {
        await client.sql(`ALTER TABLE ${table} ADD COLUMN ${column}`).catch((e: unknown) => {
          logger.debug({ event: 'lock-upgrade', column, err: e }, 'adding a lock column failed (added by another process?)');
        });
      }
      return fn();
    }
  };

  const read = (): Promise<Holder | null> =>
    whileShardsStart(
      () =>
        withColumns(async () => {
          const result = await client.sql(
            `SELECT owner, acquired_at, renewed_at, lease_ms, expires_at, _seq_no, _primary_term, CURRENT_TIMESTAMP FROM ${table} WHERE id = ?`,
            [id],
            { readOnly: true },
          );
          const row = result.rows[0];
          if (!row) return null;
          // A row written by an older version has no renewed_at: its expires_at is its lease.
          const expiresAt = row[2] === null ? Number(row[4]) : Number(row[2]) + Number(row[3]);
          return {
            owner: row[0] as string,
            acquiredAt: row[1] === null ? null : Number(row[1]),
            expiresAt,
            version: { seqNo: Number(row[5]), primaryTerm: Number(row[6]) },
            serverNow: Number(row[7]),
          };
        }),
      { logger, what: table },
    );
  const versionOf = (result: SqlResult): Version | null => {
    const row = result.rowcount === 1 ? result.rows[0] : undefined;
    return row ? { seqNo: Number(row[0]), primaryTerm: Number(row[1]) } : null;
  };
  /** Runs a write that makes the row ours and returns its new version, or null when it did not. When its
   * answer was lost (it may have been applied), the row itself says: our owner id is unique to us. */
  const ours = async (write: () => Promise<SqlResult>): Promise<Version | null> => {
    try {
      return versionOf(await withColumns(write));
    } catch (err) {
      if (!(err instanceof ConnectionError && err.sent)) throw err;
      const holder = await read();
      return holder?.owner === owner ? holder.version : null;
    }
  };
  const casWhere = `WHERE id = ? AND _seq_no = ? AND _primary_term = ? RETURNING _seq_no, _primary_term`;
  const cas = (v: Version) => [id, v.seqNo, v.primaryTerm];

  /** One attempt: take a free lock, or take over an expired lease; else report the live holder (null
   * when the row vanished between two requests, which is worth retrying at once). */
  const tryTake = async (): Promise<{ taken: Version } | { taken: null; holder: Holder | null }> => {
    let holder = await read();
    if (holder === null) {
      try {
        const taken = await ours(() =>
          client.sql(
            `INSERT INTO ${table} (id, owner, acquired_at, renewed_at, lease_ms) VALUES (?, ?, CURRENT_TIMESTAMP, CURRENT_TIMESTAMP, ?) RETURNING _seq_no, _primary_term`,
            [id, owner, leaseMs],
          ),
        );
        if (taken) return { taken };
      } catch (err) {
        if (!(err instanceof CrateDbError && err.crateCode === 4091)) throw err;
      }
      holder = await read();
      if (holder === null) return { taken: null, holder };
    }
    if (holder.expiresAt > holder.serverNow) return { taken: null, holder };
    const expired = holder;
    const taken = await ours(() =>
      client.sql(
        `UPDATE ${table} SET owner = ?, acquired_at = CURRENT_TIMESTAMP, renewed_at = CURRENT_TIMESTAMP, lease_ms = ? ${casWhere}`,
        [owner, leaseMs, ...cas(expired.version)],
      ),
    );
    if (taken) {
      logger.warn({ event: 'lock-takeover', previousOwner: expired.owner, expiredAt: iso(expired.expiresAt) }, 'took over an expired migration lock');
      return { taken };
    }
    return { taken: null, holder: await read() };
  };

  return {
    async acquire(signal) {
      await client.sql(CREATE(table));
      const deadline = Date.now() + waitMs;
      let delay = 50;
      let lastHolder: Holder | null = null;
      let logged = false;
      for (;;) {
        if (signal?.aborted) throw new AbortedError('aborted while waiting for the migration lock');
        const sentAt = now();
        let attempt: Awaited<ReturnType<typeof tryTake>>;
        try {
          attempt = await tryTake();
        } catch (err) {
          // A write to a shard that is still starting: nothing was written, try again after the pause.
          if (!shardNotStarted(err)) throw err;
          logger.debug({ event: 'shard-not-started', table, code: err.crateCode }, 'lock table not started yet');
          attempt = { taken: null, holder: lastHolder };
        }
        if (attempt.taken) return startLease(attempt.taken, sentAt);
        lastHolder = attempt.holder ?? lastHolder;
        const left = deadline - Date.now();
        if (left <= 0) {
          const who = lastHolder
            ? `held by ${lastHolder.owner} since ${iso(lastHolder.acquiredAt)}, lease until ${iso(lastHolder.expiresAt)} (CrateDB's clock)`
            : 'taken and released by others at every attempt';
          throw new LockTimeoutError(
            `the migration lock ${table} (id '${id}') is ${who}; waited ${waitMs} ms. A holder that died loses the lock when its lease expires; raise lock.wait_ms in the config to wait longer`,
            lastHolder?.owner ?? null,
          );
        }
        if (!logged && attempt.holder) {
          logger.info({ event: 'lock-wait', holder: attempt.holder.owner, waitMs }, 'waiting for the migration lock');
          logged = true;
        }
        // Jitter spreads replicas that started together, so they do not retry in lock-step.
        const pause = Math.min(left, delay * (0.5 + Math.random()));
        delay = Math.min(delay * 2, 1_000);
        try {
          await sleep(pause, undefined, signal ? { signal } : undefined);
        } catch {
          throw new AbortedError('aborted while waiting for the migration lock');
        }
      }
    },
    async holder() {
      let h: Holder | null;
      try {
        h = await read();
      } catch (err) {
        // No lock table yet: nobody has ever held the lock.
        if (isMissingRelation(err)) return null;
        throw err;
      }
      if (h === null) return null;
      return { owner: h.owner, acquiredAt: h.acquiredAt === null ? null : new Date(h.acquiredAt), expiresAt: new Date(h.expiresAt), live: h.expiresAt > h.serverNow };
    },
  };

  function startLease(first: Version, firstSentAt: number): Lease {
    const controller = new AbortController();
    let version: Version | null = first;
    /** On our monotonic clock: the lease is ours at least until then (measured from when the write that
     * extended it was SENT, since CrateDB's renewed_at is no earlier than that). */
    let validUntil = firstSentAt + leaseMs;
    let renewing: Promise<boolean> | undefined;

    const lose = (why: string): false => {
      if (!controller.signal.aborted) {
        logger.error({ event: 'lock-lost', owner, why }, 'lost the migration lock');
        controller.abort(new AbortedError(`aborted: lost the migration lock (${why})`));
      }
      return false;
    };
    /** One renewal at a time, shared by the timer and `confirm()`; true when the lease was extended. */
    const renew = (): Promise<boolean> =>
      (renewing ??= (async () => {
        if (controller.signal.aborted) return false;
        const sentAt = now();
        try {
          let next = version === null ? null : await ours(() => client.sql(`UPDATE ${table} SET renewed_at = CURRENT_TIMESTAMP ${casWhere}`, cas(version!)));
          if (next === null) {
            // The version moved: a lost answer we already applied, a primary that moved (new
            // _primary_term), or another owner. The row says which.
            const holder = await read();
            if (holder === null) return lose('the lock row vanished');
            if (holder.owner !== owner) return lose(`now held by ${holder.owner}`);
            next = await ours(() => client.sql(`UPDATE ${table} SET renewed_at = CURRENT_TIMESTAMP ${casWhere}`, cas(holder.version)));
            if (next === null) return lose('changed by another process');
          }
          version = next;
          validUntil = sentAt + leaseMs;
          return true;
        } catch (err) {
          // Retried at the next tick; `confirm()` refuses the next statement while the lease is unconfirmed.
          logger.warn({ event: 'lock-renew-failed', err }, 'could not renew the migration lock');
          return false;
        } finally {
          renewing = undefined;
        }
      })());

    const interval = setInterval(() => void renew(), Math.max(1, Math.floor(leaseMs / 3)));
    interval.unref();

    return {
      owner,
      signal: controller.signal,
      async confirm() {
        if (controller.signal.aborted) throw controller.signal.reason as AbortedError;
        // More than half the lease left: the timer renews at a third, so this is the usual case.
        if (validUntil - now() > leaseMs / 2) return;
        if ((await renew()) && validUntil - now() > 0) return;
        if (controller.signal.aborted) throw controller.signal.reason as AbortedError;
        const why = 'could not be confirmed: the renewal failed';
        lose(why);
        throw controller.signal.reason as AbortedError;
      },
      release: async () => {
        clearInterval(interval);
        await renewing;
        if (controller.signal.aborted) return;
        try {
          let known = version;
          for (let tries = 0; tries < 2; tries++) {
            if (known !== null) {
              const deleted = await client.sql(`DELETE FROM ${table} WHERE id = ? AND _seq_no = ? AND _primary_term = ?`, cas(known));
              if (deleted.rowcount === 1) return;
            }
            const holder = await read();
            if (holder?.owner !== owner) return;
            known = holder.version;
          }
          logger.warn({ event: 'lock-release-lost', owner }, 'the migration lock changed before its release');
        } catch (err) {
          logger.warn({ event: 'lock-release-failed', err }, 'could not release the migration lock; it expires by itself');
        }
      },
    };
  }
}

function iso(ms: number | null): string {
  return ms === null ? 'an unknown time' : new Date(ms).toISOString();
}
