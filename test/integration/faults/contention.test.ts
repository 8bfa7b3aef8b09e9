/**
 * A slow node and many processes at once: requests to a node with latency still complete and the lock's
 * lease is renewed through it, and five `migrate()` calls started together through different nodes apply
 * every migration exactly once.
 */
import { describe, expect, it } from 'vitest';
import { migrate, type RunResult } from '../../../src/index.js';
import type { ResolvedConfig } from '../../../src/index.js';
import { needsTestServer } from '../../support/crate.js';
import { countRows, historyRows, logger, useFaultCluster } from './fixture.js';

const cluster = useFaultCluster({ nodes: 3 });
const project = (overrides?: Partial<ResolvedConfig>) => cluster.project(overrides);

const applied = (results: RunResult[]) =>
  results.flatMap((r) => r.steps.filter((s) => s.status === 'applied').map((s) => s.name)).sort();

describe('latency on one node', () => {
  it('requests through it complete and the lease is renewed through it, so a migration longer than the lease is not stopped', async (ctx) => {
    needsTestServer(ctx, cluster.crate, 'latency on one node');
    const server = cluster.crate.server!;
    // Renewed every 666 ms; without a renewal the lease counts as lost after 1800 ms, and the migration
    // below waits 3000 ms between its two statements. 200 ms of latency is well below the lease.
    const p = await project({ lock: { leaseMs: 2_000, waitMs: 10_000 } });
    const slow = p.table('slow');
    await p.write(
      'migrations/001_slow.mjs',
      `export async function up(ctx) {
         await ctx.sql('CREATE TABLE ${slow} (id TEXT PRIMARY KEY)');
         await new Promise((resolve) => setTimeout(resolve, 3000));
         await ctx.sql("INSERT INTO ${slow.replaceAll('"', '\\"')} (id) VALUES ('after-the-wait')");
       }`,
    );
    server.faults.latency(200, { node: 1 });
    const seen = server.requests.length;

    const result = await migrate({ config: p.config, logger });
    expect(result.steps.map((s) => [s.name, s.status, s.statementsRun])).toEqual([['001_slow', 'applied', 2]]);
    expect(await countRows(cluster.crate, slow)).toBe(1);
    expect((await historyRows(cluster.crate, p)).map((r) => r.slice(0, 3))).toEqual([['001_slow', 1, 'applied']]);

    const traffic = server.requests.slice(seen);
    const lock = `"${p.config.lockTable.schema}"."lock"`;
    const renewals = traffic.filter((r) => r.stmt.startsWith(`UPDATE ${lock} SET renewed_at`));
    expect(renewals.length).toBeGreaterThanOrEqual(2);
    expect(renewals.every((r) => r.status === 200)).toBe(true);
    // The slow node took its share of the traffic and answered all of it.
    const viaSlow = traffic.filter((r) => r.node === 1);
    expect(viaSlow.length).toBeGreaterThan(0);
    expect(viaSlow.filter((r) => r.status !== 200 && !r.stmt.startsWith('REFRESH TABLE'))).toEqual([]);
  });
});

describe('five migrate() calls at once', () => {
  it('through different nodes: every migration applied exactly once, its side effect too', async () => {
    const p = await project({ lock: { leaseMs: 3_000, waitMs: 20_000 } });
    const counter = p.table('counter');
    // No primary key: an INSERT run twice would leave two rows.
    await p.write('migrations/001_counter.sql', `-- migrate:up\nCREATE TABLE ${counter} (note TEXT);\n`);
    await p.write('migrations/002_one.sql', `-- migrate:up\nINSERT INTO ${counter} (note) VALUES ('002');\n`);
    await p.write(
      'migrations/003_two.sql',
      `-- migrate:up\nINSERT INTO ${counter} (note) VALUES ('003');\nCREATE TABLE ${p.table('other')} (id TEXT);\n`,
    );
    const n = cluster.crate.urls.length;

    const results = await Promise.all(Array.from({ length: 5 }, (_, i) => migrate({ config: p.configFrom(i % n), logger })));
    expect(applied(results)).toEqual(['001_counter', '002_one', '003_two']);
    // The others waited for the lock and then found nothing to do.
    for (const r of results) expect(r.steps.every((s) => s.status === 'applied')).toBe(true);

    expect((await historyRows(cluster.crate, p)).map((r) => r.slice(0, 4))).toEqual([
      ['001_counter', 1, 'applied', 1],
      ['002_one', 2, 'applied', 1],
      ['003_two', 3, 'applied', 2],
    ]);
    await cluster.crate.sql(`REFRESH TABLE ${counter}`);
    expect((await cluster.crate.sql(`SELECT note FROM ${counter} ORDER BY note`)).rows).toEqual([['002'], ['003']]);
    expect(await countRows(cluster.crate, `"${p.config.lockTable.schema}"."lock"`)).toBe(0);
  });
});
