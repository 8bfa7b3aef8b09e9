/**
 * The lease lock and the runner's own tables under what a 3-node CrateDB does at start-up and while a
 * node fails: the RECOVERING window of a table another runner just created, a primary that moves (new
 * `_primary_term`), lost renewal answers, slow statements, and node clocks that disagree. All need the
 * test server's fault injection; against a real CrateDB they are reported skipped, with the reason.
 */
import pino from 'pino';
import { describe, expect, it } from 'vitest';
import { LockTimeoutError } from '../../../src/errors.js';
import { createClient, migrate, type ResolvedConfig } from '../../../src/index.js';
import { createCrateLock } from '../../../src/migrations/lock.js';
import { caught } from '../../support/caught.js';
import { needsTestServer } from '../../support/crate.js';
import { countRows, historyRows, logger, useFaultCluster } from './fixture.js';

const cluster = useFaultCluster({ nodes: 3 });
const project = (overrides?: Partial<ResolvedConfig>) => cluster.project(overrides);
const silent = pino({ level: 'silent' });

describe('five runners at once on a fresh database, the new tables RECOVERING for 300 ms', () => {
  it('every runner succeeds and each migration is applied once: reads of our new tables wait for their shards', async (ctx) => {
    needsTestServer(ctx, cluster.crate, 'a RECOVERING window');
    const server = cluster.crate.server!;
    server.faults.recoveringMs = 300;
    const p = await project({ lock: { leaseMs: 5_000, waitMs: 30_000 } });
    const counter = p.table('counter');
    await p.write('migrations/001_counter.sql', `-- migrate:up\nCREATE TABLE ${counter} (note TEXT);\nINSERT INTO ${counter} (note) VALUES ('once');\n`);
    const seen = server.requests.length;
    const results = await Promise.all([0, 1, 2, 0, 1].map((node) => migrate({ config: p.configFrom(node), logger })));
    expect(results.flatMap((r) => r.steps.map((s) => [s.name, s.status]))).toEqual([['001_counter', 'applied']]);
    expect(await countRows(cluster.crate, counter)).toBe(1);
    // The race was real: some key reads of the lock table answered 4040 RECOVERING and were repeated.
    const recovering = server.requests.slice(seen).filter((r) => r.status === 404 && r.stmt.startsWith('SELECT owner'));
    expect(recovering.length).toBeGreaterThan(0);
  });
});

describe('the lease while the cluster changes', () => {
  const lockOf = (config: ResolvedConfig, leaseMs: number, waitMs = 5_000) =>
    createCrateLock(createClient(config), { table: config.lockTable, leaseMs, waitMs, logger: silent });

  it("survives its primary moving to another node (a new _primary_term): the renewal re-reads and is ours", async (ctx) => {
    needsTestServer(ctx, cluster.crate, 'stopping a node');
    const server = cluster.crate.server!;
    const p = await project();
    const lease = await lockOf(p.configFrom(1), 600).acquire();
    const lock = `"${p.config.lockTable.schema}"."lock"`;
    const term = async () => (await cluster.crate.server!.engine.execute({ stmt: `SELECT _primary_term FROM ${lock} WHERE id = 'migrations'`, types: false, session: { id: -1, schema: 'doc', user: 'crate' } })).body as { rows: unknown[][] };
    const before = (await term()).rows[0]![0];
    // The lock table's single shard has its primary on node 0.
    await server.nodes[0]!.stop();
    try {
      await new Promise((r) => setTimeout(r, 1_000));
      await lease.confirm();
      expect(lease.signal.aborted).toBe(false);
      expect((await term()).rows[0]![0]).toBe(Number(before) + 1);
    } finally {
      await server.nodes[0]!.start();
      await lease.release();
    }
  });

  it('a lost answer to a renewal that was applied does not lose the lease', async (ctx) => {
    needsTestServer(ctx, cluster.crate, 'dropping an answer');
    const server = cluster.crate.server!;
    const p = await project();
    const lease = await lockOf(p.config, 600).acquire();
    server.faults.dropAnswer({ match: /^UPDATE .* SET renewed_at/, times: 2 });
    await new Promise((r) => setTimeout(r, 1_200));
    await lease.confirm();
    expect(lease.signal.aborted).toBe(false);
    expect(server.requests.filter((r) => r.status === 'dropped' && r.stmt.includes('renewed_at')).length).toBe(2);
    await lease.release();
  });

  it('on a slow cluster (every answer 300 ms, a lease of 1 s) a run of several statements keeps its lease', async (ctx) => {
    needsTestServer(ctx, cluster.crate, 'latency');
    const server = cluster.crate.server!;
    const p = await project({ lock: { leaseMs: 1_000, waitMs: 20_000 } });
    const slow = p.table('slow');
    await p.write(
      'migrations/001_slow.sql',
      `-- migrate:up\nCREATE TABLE ${slow} (id TEXT PRIMARY KEY, v TEXT);\nINSERT INTO ${slow} (id) VALUES ('a');\nINSERT INTO ${slow} (id) VALUES ('b');\nUPDATE ${slow} SET v = 'x' WHERE id = 'a';\n`,
    );
    server.faults.latency(300);
    try {
      const result = await migrate({ config: p.config, logger });
      expect(result.steps.map((s) => [s.name, s.status, s.statementsRun])).toEqual([['001_slow', 'applied', 4]]);
    } finally {
      server.faults.latency(0);
    }
    expect((await historyRows(cluster.crate, p)).map((r) => r.slice(0, 3))).toEqual([['001_slow', 1, 'applied']]);
    expect(await countRows(cluster.crate, slow)).toBe(2);
  });

  it("a node whose clock runs ahead (less than a lease) does not hand a live lease to a waiter", async (ctx) => {
    needsTestServer(ctx, cluster.crate, 'a skewed node clock');
    const server = cluster.crate.server!;
    const p = await project();
    const holder = await lockOf(p.configFrom(0), 3_000).acquire();
    server.faults.clockSkew(1_500, { node: 2 });
    const err = await caught(lockOf({ ...p.config, servers: [p.config.servers[2]!] }, 3_000, 2_000).acquire(), LockTimeoutError);
    expect(err.holder).toBe(holder.owner);
    await holder.confirm();
    expect(holder.signal.aborted).toBe(false);
    await holder.release();
  });
});
