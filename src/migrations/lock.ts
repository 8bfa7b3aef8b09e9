import { randomBytes } from 'node:crypto';
import os from 'node:os';
import { setTimeout as sleep } from 'node:timers/promises';
import type { Logger } from 'pino';
import { qualifiedName } from '../client/identifiers.js';
import type { CrateClient, TableRef } from '../client/types.js';
import { AbortedError, ConnectionError, CrateDbError, LockTimeoutError } from '../errors.js';

/** A held lock. */
export interface Lease {
  /** user@host:pid#random of this holder. */
  readonly owner: string;
  /** Aborted (with an `AbortedError`) when the lease is lost: another process took it over after it
   * expired, or it could not be renewed in time. The runner stops between statements. */
  readonly signal: AbortSignal;
  /** Gives the lock up. Never throws: a lease that cannot be deleted expires by itself. */
  release(): Promise<void>;
}

/** Mutual exclusion between processes running migrations against the same cluster. */
export interface MigrationLock {
  /** Waits until the lock is ours; `LockTimeoutError` after the configured wait, `AbortedError` on `signal`. */
  acquire(signal?: AbortSignal): Promise<Lease>;
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
  expiresAt: number;
  seqNo: number;
  primaryTerm: number;
  /** CrateDB's clock at the read: expiry is judged on one clock, the server's. */
  serverNow: number;
}

/**
 * A lease row in CrateDB (which has no advisory locks). Taking the lock is an `INSERT` of a fixed primary
 * key (a second inserter gets 4091); the holder is read by primary key (real-time) with `_seq_no` and
 * `_primary_term`. An EXPIRED lease is taken over, renewed and released only by compare-and-set
 * (`... WHERE id = ? AND _seq_no = ? AND _primary_term = ?`, rowcount 1 = it was still the version we
 * read), so two waiters can never both take over the same dead holder's lease.
 */
export function createCrateLock(client: CrateClient, options: CrateLockOptions): MigrationLock {
  const table = qualifiedName(options.table);
  const id = options.id ?? 'migrations';
  const owner = options.owner ?? lockOwner();
  const { leaseMs, waitMs, logger } = options;
  /** server time - local time, learnt from each read, so that expiry written by us is on the server's clock. */
  let clockOffset = 0;
  const serverNow = () => Date.now() + clockOffset;

  const read = async (): Promise<Holder | null> => {
    const result = await client.sql(
      `SELECT owner, acquired_at, expires_at, _seq_no, _primary_term, CURRENT_TIMESTAMP FROM ${table} WHERE id = ?`,
      [id],
      { readOnly: true },
    );
    const row = result.rows[0];
    if (!row) return null;
    const holder = {
      owner: row[0] as string,
      acquiredAt: row[1] === null ? null : Number(row[1]),
      expiresAt: Number(row[2]),
      seqNo: Number(row[3]),
      primaryTerm: Number(row[4]),
      serverNow: Number(row[5]),
    };
    clockOffset = holder.serverNow - Date.now();
    return holder;
  };
  const cas = (h: Holder) => [id, h.seqNo, h.primaryTerm];
  /** Whether a write that tries to make the row ours did. When its answer was lost (the request may have
   * been applied), the row itself says: our owner id is unique to this process. */
  const ours = async (write: () => Promise<{ rowcount: number }>): Promise<boolean> => {
    try {
      return (await write()).rowcount === 1;
    } catch (err) {
      if (!(err instanceof ConnectionError && err.sent)) throw err;
      return (await read())?.owner === owner;
    }
  };

  /** One attempt: take a free lock, or take over an expired lease; else report the live holder (null
   * when the row vanished between two requests, which is worth retrying at once). */
  const tryTake = async (): Promise<{ taken: true } | { taken: false; holder: Holder | null }> => {
    // Reading first also learns CrateDB's clock, so even the first lease we write expires on its time.
    let holder = await read();
    if (holder === null) {
      const now = serverNow();
      try {
        if (await ours(() => client.sql(`INSERT INTO ${table} (id, owner, acquired_at, expires_at) VALUES (?, ?, ?, ?)`, [id, owner, now, now + leaseMs]))) {
          return { taken: true };
        }
      } catch (err) {
        if (!(err instanceof CrateDbError && err.crateCode === 4091)) throw err;
      }
      holder = await read();
      if (holder === null) return { taken: false, holder };
    }
    if (holder.expiresAt > holder.serverNow) return { taken: false, holder };
    const took = await ours(() =>
      client.sql(`UPDATE ${table} SET owner = ?, acquired_at = ?, expires_at = ? WHERE id = ? AND _seq_no = ? AND _primary_term = ?`, [
        owner,
        holder.serverNow,
        holder.serverNow + leaseMs,
        ...cas(holder),
      ]),
    );
    if (took) {
      logger.warn({ event: 'lock-takeover', previousOwner: holder.owner, expiredAt: new Date(holder.expiresAt).toISOString() }, 'took over an expired migration lock');
      return { taken: true };
    }
    return { taken: false, holder: await read() };
  };

  return {
    async acquire(signal) {
      await client.sql(
        `CREATE TABLE IF NOT EXISTS ${table} (id TEXT PRIMARY KEY, owner TEXT, acquired_at TIMESTAMP WITH TIME ZONE, expires_at TIMESTAMP WITH TIME ZONE) CLUSTERED INTO 1 SHARDS WITH (number_of_replicas = '0-2')`,
      );
      const deadline = Date.now() + waitMs;
      let delay = 50;
      let lastHolder: Holder | null = null;
      let logged = false;
      for (;;) {
        if (signal?.aborted) throw new AbortedError('aborted while waiting for the migration lock');
        const attempt = await tryTake();
        if (attempt.taken) return startLease();
        lastHolder = attempt.holder ?? lastHolder;
        const left = deadline - Date.now();
        if (left <= 0) {
          const who = lastHolder
            ? `held by ${lastHolder.owner} since ${iso(lastHolder.acquiredAt)}, lease until ${iso(lastHolder.expiresAt)}`
            : 'taken and released by others at every attempt';
          throw new LockTimeoutError(
            `the migration lock ${table} (id '${id}') is ${who}; waited ${waitMs} ms. A holder that died loses the lock when its lease expires; raise lock.wait_ms in the config to wait longer`,
            lastHolder?.owner ?? null,
          );
        }
        // Released between our insert and our read: try again at once.
        if (attempt.holder === null) continue;
        if (!logged) {
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
  };

  function startLease(): Lease {
    const controller = new AbortController();
    const lose = (why: string) => {
      if (controller.signal.aborted) return;
      logger.error({ event: 'lock-lost', owner, why }, 'lost the migration lock');
      controller.abort(new AbortedError(`aborted: lost the migration lock (${why})`));
    };
    // Our own clock measures how long ago the lease was last extended; without a renewal inside the
    // lease (minus a margin for the request), another process may already have taken it over.
    let expiryTimer: NodeJS.Timeout | undefined;
    const armExpiry = () => {
      clearTimeout(expiryTimer);
      expiryTimer = setTimeout(() => lose('not renewed within the lease'), Math.floor(leaseMs * 0.9));
      expiryTimer.unref();
    };
    armExpiry();

    let chain: Promise<void> = Promise.resolve();
    const serial = (fn: () => Promise<void>) => (chain = chain.then(fn, fn));
    const renew = async () => {
      if (controller.signal.aborted) return;
      try {
        const holder = await read();
        if (holder === null || holder.owner !== owner) return lose(holder ? `now held by ${holder.owner}` : 'the lock row vanished');
        const renewed = await client.sql(`UPDATE ${table} SET expires_at = ? WHERE id = ? AND _seq_no = ? AND _primary_term = ?`, [
          holder.serverNow + leaseMs,
          ...cas(holder),
        ]);
        if (renewed.rowcount !== 1) return lose('changed by another process');
        armExpiry();
      } catch (err) {
        // A failed renewal is retried at the next tick; the expiry timer decides when it is too late.
        logger.warn({ event: 'lock-renew-failed', err }, 'could not renew the migration lock');
      }
    };
    const interval = setInterval(() => void serial(renew), Math.max(1, Math.floor(leaseMs / 3)));
    interval.unref();

    return {
      owner,
      signal: controller.signal,
      release: async () => {
        clearInterval(interval);
        clearTimeout(expiryTimer);
        await serial(async () => {
          try {
            const holder = await read();
            if (holder?.owner !== owner) return;
            const deleted = await client.sql(`DELETE FROM ${table} WHERE id = ? AND _seq_no = ? AND _primary_term = ?`, cas(holder));
            if (deleted.rowcount !== 1) logger.warn({ event: 'lock-release-lost', owner }, 'the migration lock changed before its release');
          } catch (err) {
            logger.warn({ event: 'lock-release-failed', err }, 'could not release the migration lock; it expires by itself');
          }
        });
      },
    };
  }
}

function iso(ms: number | null): string {
  return ms === null ? 'an unknown time' : new Date(ms).toISOString();
}
