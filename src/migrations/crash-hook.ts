/**
 * TEST-ONLY crash point, for the kill -9 trials of the resume logic (test/integration/process/): with
 * `CRATEDB_MIGRATE_TEST_CRASH=<migration>:<statement>:<before|after>` (statement 1-based) the process
 * kills itself with SIGKILL just before that statement is sent, or right after its answer arrived and
 * before anything else is recorded. Unset, it does nothing.
 */
const spec = process.env.CRATEDB_MIGRATE_TEST_CRASH;

export function crashPoint(migration: string, index: number, when: 'before' | 'after'): void {
  if (spec !== undefined && spec === `${migration}:${index + 1}:${when}`) process.kill(process.pid, 'SIGKILL');
}
