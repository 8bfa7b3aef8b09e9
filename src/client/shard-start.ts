import { setTimeout as sleep } from 'node:timers/promises';
import type { Logger } from 'pino';
import { CrateDbError } from '../errors.js';

/** How long a read of a table this package owns waits for its shards to start. CrateDB starts the
 * shards of a new 1-shard table within ~50 ms (measurements.md); a busy cluster takes longer. */
const SHARD_START_WAIT_MS = 10_000;

/**
 * CrateDB's answers while a shard is not started yet: right after another connection's `CREATE TABLE IF
 * NOT EXISTS` answered rowcount 0, the table exists but its primary may still be RECOVERING, and a
 * primary-key read answers 404/4040 `IllegalIndexShardStateException[CurrentState[RECOVERING] ...]`; a
 * scan can answer 5002 `UnavailableShardsException`, and after `ALTER TABLE ... OPEN` also 5000.
 */
export function shardNotStarted(err: unknown): err is CrateDbError {
  if (!(err instanceof CrateDbError)) return false;
  if (err.crateCode === 4040 || err.crateCode === 5002) return true;
  return err.crateCode === 5000 && /shard/i.test(err.message);
}

/**
 * Runs an idempotent READ of a table this package owns, repeating it with backoff while its shards are
 * starting (bounded by SHARD_START_WAIT_MS, then the last error is thrown). Every table we create is
 * replicated, so a shard that stays unavailable past that is a real fault, reported as such.
 */
export async function whileShardsStart<T>(read: () => Promise<T>, context: { logger?: Logger | undefined; what: string }): Promise<T> {
  const deadline = Date.now() + SHARD_START_WAIT_MS;
  let delay = 25;
  for (let attempt = 1; ; attempt++) {
    try {
      return await read();
    } catch (err) {
      if (!shardNotStarted(err) || Date.now() + delay > deadline) throw err;
      context.logger?.debug(
        { event: 'shard-not-started', table: context.what, attempt, code: err.crateCode, retryInMs: delay },
        `${context.what}: shard not started yet, reading again in ${delay} ms`,
      );
      await sleep(delay);
      delay = Math.min(delay * 2, 500);
    }
  }
}
