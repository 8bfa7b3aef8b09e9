/**
 * Nodes lost (stopped: connection refused, their shards gone) on a 3-node test server: the client fails
 * over to the surviving nodes, the runner's own tables survive through their replicas, and a table without
 * replicas answers 5002/4040 as CrateDB 6.4 did in /work/shared/cratedb/cluster-faults.md, which the tool
 * reports as errors, never as "no rows" or success.
 */
import { describe, expect, it } from 'vitest';
import {
  ConnectionError,
  CrateDbError,
  MigrationError,
  createClient,
  migrate,
  status,
  type RunResult,
} from '../../../src/index.js';
import { shardOf } from '../../server/engine/routing.js';
import { caught } from '../../support/caught.js';
import type { ResolvedConfig } from '../../../src/index.js';
import { needsTestServer } from '../../support/crate.js';
import { countRows, historyRows, logger, tablesOf, useFaultCluster, type FaultProject } from './fixture.js';

const cluster = useFaultCluster({ nodes: 3, primaryWaitMs: 200 });
const project = (overrides?: Partial<ResolvedConfig>) => cluster.project(overrides);

const applied = (r: RunResult) => r.steps.map((s) => [s.name, s.status]);

/** Three migrations: two tables and a row, each statement of its own kind. */
async function writeThree(p: FaultProject): Promise<void> {
  await p.write('migrations/001_a.sql', `-- migrate:up\nCREATE TABLE ${p.table('a')} (id TEXT PRIMARY KEY);\n-- migrate:down\nDROP TABLE IF EXISTS ${p.table('a')};\n`);
  await p.write('migrations/002_row.sql', `-- migrate:up\nINSERT INTO ${p.table('a')} (id) VALUES ('one');\n-- migrate:down\nDELETE FROM ${p.table('a')} WHERE id = 'one';\n`);
  await p.write('migrations/003_b.sql', `-- migrate:up\nCREATE TABLE ${p.table('b')} (id TEXT);\n-- migrate:down\nDROP TABLE IF EXISTS ${p.table('b')};\n`);
}

describe('failover between servers', () => {
  it('with the first server stopped, migrate() applies everything through the others', async (ctx) => {
    needsTestServer(ctx, cluster.crate, 'stopping a node');
    const server = cluster.crate.server!;
    const p = await project();
    await writeThree(p);
    await server.nodes[0]!.stop();
    const seen = server.requests.length;

    const result = await migrate({ config: p.config, logger });
    expect(applied(result)).toEqual([
      ['001_a', 'applied'],
      ['002_row', 'applied'],
      ['003_b', 'applied'],
    ]);
    // Every request reached a surviving node; none was answered with an error or lost.
    const traffic = server.requests.slice(seen);
    expect(traffic.length).toBeGreaterThan(0);
    expect(new Set(traffic.map((r) => r.node))).toEqual(new Set([1, 2]));
    // The only error answer: the history table does not exist yet on the first read (4041; that read
    // skips the REFRESH, so it is the SELECT).
    expect(traffic.filter((r) => r.status !== 200).map((r) => [r.status, r.stmt])).toEqual([
      [404, `SELECT name, version, seq, checksum, status FROM "${p.config.historyTable.schema}"."migrations" ORDER BY seq`],
    ]);

    await server.nodes[0]!.start();
    expect((await historyRows(cluster.crate, p)).map((r) => r.slice(0, 3))).toEqual([
      ['001_a', 1, 'applied'],
      ['002_row', 2, 'applied'],
      ['003_b', 3, 'applied'],
    ]);
    expect(await tablesOf(cluster.crate, p.schema)).toEqual(['a', 'b']);
    expect(await countRows(cluster.crate, p.table('a'))).toBe(1);
  });

  it('with every server stopped, migrate() throws ConnectionError (nothing sent) and changes nothing', async (ctx) => {
    needsTestServer(ctx, cluster.crate, 'stopping every node');
    const server = cluster.crate.server!;
    const p = await project();
    await writeThree(p);
    const seen = server.requests.length;
    for (const node of server.nodes) await node.stop();

    const err = await caught(migrate({ config: p.config, logger }), ConnectionError);
    expect(err.code).toBe('CM_CONNECTION');
    expect(err.sent).toBe(false);
    // Every configured server is named, so the user sees what was tried.
    for (const url of p.config.servers) expect(err.message).toContain(url);

    for (const node of server.nodes) await node.start();
    expect(server.requests.length).toBe(seen);
    expect(await tablesOf(cluster.crate, p.schema)).toEqual([]);
    expect(await tablesOf(cluster.crate, `${p.schema}_migrate`)).toEqual([]);
    const report = await status({ config: p.config, logger });
    expect(report.migrations.map((m) => [m.name, m.state])).toEqual([
      ['001_a', 'pending'],
      ['002_row', 'pending'],
      ['003_b', 'pending'],
    ]);
  });
});

describe('a node lost on a 3-node cluster', () => {
  /** Keys of `fragile` (3 shards, no replicas) on a shard whose only copy is on `node`, and on other nodes. */
  function keysBy(node: number, prefix: string): { lost: string[]; live: string[] } {
    const keys = Array.from({ length: 30 }, (_, i) => `${prefix}${i}`);
    return {
      lost: keys.filter((k) => shardOf(k, 3) % 3 === node),
      live: keys.filter((k) => shardOf(k, 3) % 3 !== node),
    };
  }

  it("the runner's replicated tables keep status() and up() working; a table without replicas answers 5002/4040 as errors", async (ctx) => {
    needsTestServer(ctx, cluster.crate, 'stopping a node');
    const server = cluster.crate.server!;
    const p = await project();
    const fragile = p.table('fragile');
    // Node 0 holds the primaries of the history and lock tables (1 shard each) and shard 0 of fragile.
    const gone = 0;
    const { lost, live } = keysBy(gone, 'k');
    const fresh = keysBy(gone, 'new').lost[0]!;
    expect(lost.length).toBeGreaterThan(0);
    expect(live.length).toBeGreaterThan(0);
    const values = [...lost, ...live].map((k) => `('${k}', 1)`).join(', ');
    await p.write(
      'migrations/001_fragile.sql',
      `-- migrate:up\nCREATE TABLE ${fragile} (id TEXT PRIMARY KEY, v INTEGER) CLUSTERED INTO 3 SHARDS WITH (number_of_replicas = 0);\n` +
        `INSERT INTO ${fragile} (id, v) VALUES ${values};\n-- migrate:down\nDROP TABLE IF EXISTS ${fragile};\n`,
    );
    await migrate({ config: p.config, logger });

    await server.nodes[gone]!.stop();
    // status() reads the history (1 shard, '0-2' replicas) through the survivors.
    const report = await status({ config: p.config, logger });
    expect(report.migrations.map((m) => [m.name, m.state])).toEqual([['001_fragile', 'applied']]);

    // up() takes the lock, runs and records a migration on a replicated table.
    await p.write(
      'migrations/002_sturdy.sql',
      `-- migrate:up\nCREATE TABLE ${p.table('sturdy')} (id TEXT PRIMARY KEY) WITH (number_of_replicas = 1);\n` +
        `INSERT INTO ${p.table('sturdy')} (id) VALUES ('s');\n-- migrate:down\nDROP TABLE IF EXISTS ${p.table('sturdy')};\n`,
    );
    expect(applied(await migrate({ config: p.config, logger }))).toEqual([['002_sturdy', 'applied']]);

    const client = createClient(p.config, { logger });
    try {
      // A search over the table with a lost shard: 5002, not a count of the surviving rows.
      const scan = await caught(client.sql(`SELECT count(*) FROM ${fragile}`, [], { readOnly: true }), CrateDbError);
      expect([scan.code, scan.crateCode, scan.httpStatus]).toEqual(['CM_CRATEDB', 5002, 500]);
      // A primary-key read of a key on the lost shard: 4040, not "no such row".
      const read = await caught(client.sql(`SELECT v FROM ${fragile} WHERE id = ?`, [lost[0]], { readOnly: true }), CrateDbError);
      expect([read.crateCode, read.httpStatus]).toEqual([4040, 404]);
      // A key on a live shard is still served.
      expect((await client.sql(`SELECT v FROM ${fragile} WHERE id = ?`, [live[0]], { readOnly: true })).rows).toEqual([[1]]);
      // A write to the lost shard blocks for the primary wait, then 5002: never reported as written.
      const write = await caught(client.sql(`INSERT INTO ${fragile} (id, v) VALUES (?, 2)`, [fresh]), CrateDbError);
      expect(write.crateCode).toBe(5002);
    } finally {
      await client.close();
    }

    // A migration that touches the lost shard is recorded failed with CrateDB's error, not applied.
    await p.write('migrations/003_bump.sql', `-- migrate:up\nUPDATE ${fragile} SET v = v + 1;\n-- migrate:down\nUPDATE ${fragile} SET v = v - 1;\n`);
    const failed = await caught(migrate({ config: p.config, logger }), MigrationError);
    expect(failed.cause).toBeInstanceOf(CrateDbError);
    expect((failed.cause as CrateDbError).crateCode).toBe(5002);
    expect(applied(failed.result as RunResult)).toEqual([['003_bump', 'failed']]);

    await server.nodes[gone]!.start();
    const rows = await historyRows(cluster.crate, p);
    expect(rows.map((r) => r.slice(0, 4))).toEqual([
      ['001_fragile', 1, 'applied', 2],
      ['002_sturdy', 2, 'applied', 2],
      ['003_bump', 3, 'failed', 0],
    ]);
    expect(rows[2]![5]).toContain('5002');
    expect(rows[2]![5]).toContain('migrations/003_bump.sql:2');
    // Once the node is back, every row is there, unchanged, and the blocked write left nothing.
    expect(await countRows(cluster.crate, fragile)).toBe(lost.length + live.length);
    expect((await cluster.crate.sql(`SELECT count(*) FROM ${fragile} WHERE v <> 1`)).rows).toEqual([[0]]);
  });
});
