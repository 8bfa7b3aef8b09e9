import pino from 'pino';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { qualifiedName } from '../../../src/client/identifiers.js';
import { AbortedError, LockTimeoutError, MigrationError } from '../../../src/errors.js';
import { createCrateLock, type MigrationLock } from '../../../src/migrations/lock.js';
import { describeMigrationLock } from '../../unit/migrations/lock-contract.js';
import { startCrate, type CrateTarget } from '../../support/crate.js';
import { createProject, type TestProject } from './project.js';
import { caught } from '../../support/caught.js';

let crate: CrateTarget;
const projects: TestProject[] = [];
beforeAll(async () => {
  crate = await startCrate();
});
afterAll(() => crate?.close());
afterEach(async () => {
  for (const p of projects.splice(0)) await p.close();
});

async function project(config: Parameters<typeof createProject>[1] = {}): Promise<TestProject> {
  const p = await createProject(crate, config);
  projects.push(p);
  return p;
}

const lockTable = (p: TestProject) => qualifiedName(p.config.lockTable);
const historyTable = (p: TestProject) => qualifiedName(p.config.historyTable);

/** Creates the lock table and a lease row held by someone else, expiring `inMs` from now (negative: expired). */
async function foreignLease(p: TestProject, inMs: number): Promise<void> {
  await crate.sql(
    `CREATE TABLE IF NOT EXISTS ${lockTable(p)} (id TEXT PRIMARY KEY, owner TEXT, acquired_at TIMESTAMP WITH TIME ZONE, expires_at TIMESTAMP WITH TIME ZONE) CLUSTERED INTO 1 SHARDS WITH (number_of_replicas = '0-2')`,
  );
  const now = Date.now();
  await crate.sql(`INSERT INTO ${lockTable(p)} (id, owner, acquired_at, expires_at) VALUES ('migrations', 'ghost@elsewhere:1#dead', ?, ?)`, [
    now - 60_000,
    now + inMs,
  ]);
}

describe('the migration lock', () => {
  it('two migrators racing: each migration is applied exactly once', async () => {
    const p = await project();
    // A second process: its own directory with the same files, the same cluster tables.
    const q = await project({ schema: p.schema, historyTable: p.config.historyTable, lockTable: p.config.lockTable });
    const files = {
      '001_a.sql': `-- migrate:up\nCREATE TABLE "${p.schema}"."a" (id TEXT PRIMARY KEY);\n`,
      // A plain INSERT of a fixed key: running it twice would fail with a duplicate key.
      '002_b.sql': `-- migrate:up\nINSERT INTO "${p.schema}"."a" (id) VALUES ('once');\n`,
      '003_c.sql': `-- migrate:up\nCREATE TABLE "${p.schema}"."c" (id TEXT);\n`,
    };
    for (const [name, text] of Object.entries(files)) {
      await p.write(name, text);
      await q.write(name, text);
    }

    const [r1, r2] = await Promise.all([p.migrator().up(), q.migrator().up()]);
    const applied = [...r1.steps, ...r2.steps].filter((s) => s.status === 'applied').map((s) => s.name).sort();
    expect(applied).toEqual(['001_a', '002_b', '003_c']);

    await crate.sql(`REFRESH TABLE ${historyTable(p)}`);
    const history = await crate.sql(`SELECT name, seq, status FROM ${historyTable(p)} ORDER BY seq`);
    expect(history.rows).toEqual([
      ['001_a', 1, 'applied'],
      ['002_b', 2, 'applied'],
      ['003_c', 3, 'applied'],
    ]);
    await crate.sql(`REFRESH TABLE "${p.schema}"."a"`);
    expect((await crate.sql(`SELECT count(*) FROM "${p.schema}"."a"`)).rows).toEqual([[1]]);
    expect((await crate.sql(`SELECT count(*) FROM ${lockTable(p)}`)).rows).toEqual([[0]]);
  });

  it('takes over an expired lease', async () => {
    const p = await project();
    await p.write('001_a.sql', `-- migrate:up\nCREATE TABLE "${p.schema}"."a" (id TEXT);\n`);
    await foreignLease(p, -1_000);
    const result = await p.migrator().up();
    expect(result.steps.map((s) => s.status)).toEqual(['applied']);
    expect((await crate.sql(`SELECT count(*) FROM ${lockTable(p)}`)).rows).toEqual([[0]]);
  });

  it('two waiters on an expired lease: one takes it over, each migration still runs once', async () => {
    const p = await project();
    const q = await project({ schema: p.schema, historyTable: p.config.historyTable, lockTable: p.config.lockTable });
    const text = `-- migrate:up\nCREATE TABLE "${p.schema}"."a" (id TEXT PRIMARY KEY);\nINSERT INTO "${p.schema}"."a" (id) VALUES ('once');\n`;
    await p.write('001_a.sql', text);
    await q.write('001_a.sql', text);
    await foreignLease(p, -1_000);
    const [r1, r2] = await Promise.all([p.migrator().up(), q.migrator().up()]);
    expect([...r1.steps, ...r2.steps].map((s) => [s.name, s.status])).toEqual([['001_a', 'applied']]);
    await crate.sql(`REFRESH TABLE "${p.schema}"."a"`);
    expect((await crate.sql(`SELECT count(*) FROM "${p.schema}"."a"`)).rows).toEqual([[1]]);
  });

  it('waits for a live lease, then fails with LockTimeoutError naming the holder', async () => {
    const p = await project({ lock: { leaseMs: 5_000, waitMs: 400 } });
    await p.write('001_a.sql', `-- migrate:up\nCREATE TABLE "${p.schema}"."a" (id TEXT);\n`);
    await foreignLease(p, 60_000);
    const err = await caught(p.migrator().up(), LockTimeoutError);
    expect(err.holder).toBe('ghost@elsewhere:1#dead');
    expect(err.code).toBe('CM_LOCK_TIMEOUT');
    // What to do names the config key as a user writes it (snake_case), not the resolved field.
    expect(err.message).toContain('lock.wait_ms');
    // Nothing ran: the history table was not even created (that happens under the lock).
    const tables = await crate.sql('SELECT table_name FROM information_schema.tables WHERE table_schema = ?', [p.config.lockTable.schema]);
    expect(tables.rows).toEqual([['lock']]);
  });

  it('renews the lease while a long migration runs', async () => {
    // Renewed every 200 ms; without renewals the lease would be lost after 540 ms.
    const p = await project({ lock: { leaseMs: 600, waitMs: 5_000 } });
    await p.write(
      '001_slow.mjs',
      `export async function up(ctx) {
         await new Promise((r) => setTimeout(r, 2000));
         await ctx.sql('CREATE TABLE "${p.schema}"."slow" (id TEXT)');
       }`,
    );
    const result = await p.migrator().up();
    expect(result.steps.map((s) => s.status)).toEqual(['applied']);
  });

  it('a lost lease stops the run between statements', async () => {
    const p = await project({ lock: { leaseMs: 600, waitMs: 5_000 } });
    const table = lockTable(p);
    await p.write(
      '001_stolen.mjs',
      `export async function up(ctx) {
         await ctx.sql("UPDATE ${table.replaceAll('"', '\\"')} SET owner = 'thief' WHERE id = 'migrations'");
         await new Promise((r) => setTimeout(r, 1500));
         await ctx.sql('CREATE TABLE "${p.schema}"."never" (id TEXT)');
       }`,
    );
    const err = await caught(p.migrator().up(), MigrationError);
    expect(err.code).toBe('CM_MIGRATION');
    await crate.sql(`REFRESH TABLE ${historyTable(p)}`);
    const row = await crate.sql(`SELECT status, statements_run, error FROM ${historyTable(p)}`);
    expect(row.rows[0]!.slice(0, 2)).toEqual(['failed', 1]);
    expect(row.rows[0]![2]).toContain('lost the migration lock');
    expect((await crate.sql(`SELECT table_name FROM information_schema.tables WHERE table_schema = ?`, [p.schema])).rows).toEqual([]);
  });
});

describeMigrationLock('CrateDB', async () => {
  const p = await project();
  const logger = pino({ level: 'silent' });
  return (waitMs) => createCrateLock(p.client, { table: p.config.lockTable, leaseMs: 5_000, waitMs, logger });
});

describe('the lease lock on CrateDB', () => {
  const silent = pino({ level: 'silent' });
  const lockOf = (p: TestProject, over: Partial<Parameters<typeof createCrateLock>[1]> = {}) =>
    createCrateLock(p.client, { table: p.config.lockTable, leaseMs: 1_000, waitMs: 5_000, logger: silent, ...over });

  it("writes every lease time from CrateDB's clock: a process whose clock is hours off neither steals nor loses a lease", async () => {
    const p = await project();
    const hour = 3_600_000;
    const holder = await lockOf(p, { now: () => performance.now() - hour }).acquire();
    // A waiter whose clock runs an hour ahead: the lease is judged on CrateDB's time, so it is still live.
    const err = await caught(lockOf(p, { now: () => performance.now() + hour, waitMs: 1_500 }).acquire(), LockTimeoutError);
    expect(err.holder).toBe(holder.owner);
    const row = await crate.sql(`SELECT renewed_at, lease_ms, CURRENT_TIMESTAMP FROM ${lockTable(p)} WHERE id = 'migrations'`);
    const [renewedAt, leaseMs, serverNow] = row.rows[0]!.map(Number);
    expect(leaseMs).toBe(1_000);
    // Renewed on CrateDB's clock within the last lease, whatever this process's clocks say.
    expect(serverNow! - renewedAt!).toBeLessThanOrEqual(1_000);
    await holder.confirm();
    expect(holder.signal.aborted).toBe(false);
    await holder.release();
  });

  it('a renewal is one compare-and-set; a stale version is refused, and _seq_no without _primary_term is a 4000', async () => {
    const p = await project();
    const lease = await lockOf(p, { leaseMs: 5_000 }).acquire();
    const read = await crate.sql(`SELECT _seq_no, _primary_term, owner FROM ${lockTable(p)} WHERE id = 'migrations'`);
    const [seqNo, primaryTerm] = read.rows[0]!;
    // Another process writes the row (as a takeover would): the holder's next renewal must not win.
    const took = await crate.sql(`UPDATE ${lockTable(p)} SET owner = 'other' WHERE id = 'migrations' AND _seq_no = ? AND _primary_term = ?`, [seqNo, primaryTerm]);
    expect(took.rowcount).toBe(1);
    const stale = await crate.sql(`UPDATE ${lockTable(p)} SET owner = 'again' WHERE id = 'migrations' AND _seq_no = ? AND _primary_term = ?`, [seqNo, primaryTerm]);
    expect(stale.rowcount).toBe(0);
    await expect(crate.sql(`UPDATE ${lockTable(p)} SET owner = 'x' WHERE id = 'migrations' AND _seq_no = ?`, [seqNo])).rejects.toThrow(/VersioningValidationException/);
    // The holder learns it at its next confirmation, before it sends another statement.
    await caught(waitForLoss(lease), AbortedError);
    expect(lease.signal.aborted).toBe(true);
  });
});

/** Confirms the lease until the lock says it is lost (bounded). */
async function waitForLoss(lease: Awaited<ReturnType<MigrationLock['acquire']>>): Promise<void> {
  for (let i = 0; i < 50; i++) {
    await lease.confirm();
    await new Promise((r) => setTimeout(r, 100));
  }
}
