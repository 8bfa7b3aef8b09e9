/**
 * TEST-ONLY crash points, for the kill -9 trials of the resume logic (test/integration/process/). Unset,
 * they do nothing. `CRATEDB_MIGRATE_TEST_CRASH` is one of:
 * - `<migration>:<statement>:<before|after>` (statement 1-based): the process kills itself with SIGKILL
 *   just before that statement is sent, or right after its answer arrived and before anything else is
 *   recorded;
 * - `rebuild:<point>[:<n>]`: SIGKILL the n-th time (default 1) a table rebuild reaches `point` (create,
 *   block, copy-batch, verify, swap, finish, revert-swap, revert-finish), before that step runs.
 */
const spec = process.env.CRATEDB_MIGRATE_TEST_CRASH;

export function crashPoint(migration: string, index: number, when: 'before' | 'after'): void {
  if (spec !== undefined && spec === `${migration}:${index + 1}:${when}`) process.kill(process.pid, 'SIGKILL');
}

let rebuildPointsSeen = 0;

export function rebuildCrashPoint(point: string): void {
  if (spec === undefined || !spec.startsWith('rebuild:')) return;
  const [, at, nth = '1'] = spec.split(':');
  if (at === point && ++rebuildPointsSeen === Number(nth)) process.kill(process.pid, 'SIGKILL');
}
