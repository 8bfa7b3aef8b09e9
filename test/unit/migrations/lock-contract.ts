/** The behaviour every MigrationLock must have, run against the in-memory lock (unit) and the CrateDB lease
 * lock (integration: the test server, or the real CrateDB at CRATEDB_URL). */
import { describe, expect, it } from 'vitest';
import { AbortedError, LockTimeoutError } from '../../../src/errors.js';
import type { MigrationLock } from '../../../src/migrations/lock.js';
import { caught } from '../../support/caught.js';

/** `make(waitMs)` gives a lock handle of a new process on the same lock (same table and id). */
export function describeMigrationLock(name: string, make: () => Promise<(waitMs: number) => MigrationLock>): void {
  describe(`MigrationLock: ${name}`, () => {
    it('is held by one process at a time; a waiter gets it when the holder releases', async () => {
      const lock = await make();
      const first = await lock(5_000).acquire();
      expect(await lock(5_000).holder()).toMatchObject({ owner: first.owner, live: true });
      let secondHas = false;
      const second = lock(5_000)
        .acquire()
        .then((lease) => ((secondHas = true), lease));
      await new Promise((r) => setTimeout(r, 300));
      expect(secondHas).toBe(false);
      await first.confirm();
      await first.release();
      const lease = await second;
      expect(lease.owner).not.toBe(first.owner);
      expect(lease.signal.aborted).toBe(false);
      await lease.confirm();
      await lease.release();
      expect(await lock(5_000).holder()).toBeNull();
    });

    it('a waiter gives up after its wait with LockTimeoutError naming the holder', async () => {
      const lock = await make();
      const held = await lock(5_000).acquire();
      const err = await caught(lock(200).acquire(), LockTimeoutError);
      expect(err.holder).toBe(held.owner);
      await held.release();
    });

    it('a waiter stops on its AbortSignal', async () => {
      const lock = await make();
      const held = await lock(5_000).acquire();
      const controller = new AbortController();
      const waiting = lock(10_000).acquire(controller.signal);
      setTimeout(() => controller.abort(), 100);
      await caught(waiting, AbortedError);
      await held.release();
    });
  });
}
