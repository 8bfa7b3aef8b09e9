/**
 * Seeds under faults: a bulk request answered with a 5xx, and rows routed to a shard lost with its node.
 * Whatever happens, the result accounts for every row it read, and no row is reported written that a
 * search after REFRESH does not find.
 */
import { describe, expect, it } from 'vitest';
import { SeedError, seed, status, type SeedResult, type SeedRunResult } from '../../../src/index.js';
import { shardOf } from '../../server/engine/routing.js';
import { caught } from '../../support/caught.js';
import type { ResolvedConfig } from '../../../src/index.js';
import { needsTestServer } from '../../support/crate.js';
import { countRows, logger, useFaultCluster } from './fixture.js';

const cluster = useFaultCluster({ nodes: 3, primaryWaitMs: 200 });
const project = (overrides?: Partial<ResolvedConfig>) => cluster.project(overrides);

/** An NDJSON seed of `ids`, row i (1-based) being `{ id: ids[i-1], n: i }`. */
function ndjson(ids: string[]): string {
  return ids.map((id, i) => JSON.stringify({ id, n: i + 1 })).join('\n') + '\n';
}

/** The seed's result from the SeedError it must have thrown. */
async function failedSeed(run: Promise<SeedRunResult>): Promise<SeedResult> {
  const err = await caught(run, SeedError);
  expect(err.code).toBe('CM_SEED');
  const result = err.result as SeedRunResult;
  expect(result.seeds).toHaveLength(1);
  return result.seeds[0]!;
}

/** Ids in the table, read by a search after REFRESH. */
async function idsIn(table: string): Promise<string[]> {
  await cluster.crate.sql(`REFRESH TABLE ${table}`);
  return (await cluster.crate.sql(`SELECT id FROM ${table} ORDER BY id`)).rows.map((r) => r[0] as string).sort();
}

describe('seeds under faults', () => {
  it('a 5xx on one bulk batch: that batch failed, the good ones written, SeedError; the table agrees with the counts', async (ctx) => {
    needsTestServer(ctx, cluster.crate, 'an injected 503');
    const p = await project();
    const items = p.table('items');
    await cluster.crate.sql(`CREATE TABLE ${items} (id TEXT PRIMARY KEY, n INTEGER) WITH (number_of_replicas = 1)`);
    const ids = Array.from({ length: 10 }, (_, i) => `i${String(i + 1).padStart(2, '0')}`);
    await p.write('seeds/items.ndjson', ndjson(ids));
    // Batches of 3 rows; the second bulk request to arrive is answered 503. Two are in flight at once, so
    // which batch that is depends on arrival order: the assertions hold for either.
    cluster.crate.server!.faults.fail(503, { match: new RegExp(`^INSERT INTO "${p.schema}"\\."items"`), nth: 2 });

    const result = await failedSeed(seed({ config: p.config, logger, batchSize: 3 }));
    expect(result.status).toBe('failed');
    expect(result.rows).toBe(result.written + result.unchanged + result.skipped + result.failed);
    expect(result.failed).toBe(3);
    expect(result.written).toBeGreaterThanOrEqual(3);
    expect(result.failures).toHaveLength(3);
    expect(result.failures.every((f) => f.stage === 'write')).toBe(true);
    // The failed rows are one whole batch: rows 3k+1 .. 3k+3.
    const failedRows = result.failures.map((f) => f.row).sort((a, b) => a - b);
    const k = (failedRows[0]! - 1) / 3;
    expect(failedRows).toEqual([3 * k + 1, 3 * k + 2, 3 * k + 3]);

    const stored = await idsIn(items);
    expect(stored).toHaveLength(result.written);
    for (const row of failedRows) expect(stored).not.toContain(ids[row - 1]);
    expect(stored.every((id) => ids.includes(id))).toBe(true);

    // Not recorded as seeded: the next run writes it whole.
    const report = await status({ config: p.config, logger });
    expect(report.seeds.map((s) => [s.name, s.state])).toEqual([['items', 'pending']]);
    cluster.crate.server!.faults.clear();
    const again = await seed({ config: p.config, logger, batchSize: 3 });
    expect(again.seeds[0]).toMatchObject({ status: 'seeded', rows: 10, written: 10, failed: 0 });
    expect(await idsIn(items)).toEqual(ids);
  });

  it('rows routed to a shard lost with its node fail with 5002, the others are written; the table agrees', async (ctx) => {
    needsTestServer(ctx, cluster.crate, 'stopping a node');
    const server = cluster.crate.server!;
    const p = await project();
    const fragile = p.table('fragile');
    await cluster.crate.sql(`CREATE TABLE ${fragile} (id TEXT PRIMARY KEY, n INTEGER) CLUSTERED INTO 3 SHARDS WITH (number_of_replicas = 0)`);
    const ids = Array.from({ length: 12 }, (_, i) => `f${String(i + 1).padStart(2, '0')}`);
    // Shard s lives only on node s (3 shards, 3 nodes, no replicas): node 2 takes shard 2 with it.
    const lost = ids.filter((id) => shardOf(id, 3) === 2);
    expect(lost.length).toBeGreaterThan(0);
    expect(lost.length).toBeLessThan(ids.length);
    await p.write('seeds/fragile.ndjson', ndjson(ids));
    await server.nodes[2]!.stop();

    const result = await failedSeed(seed({ config: p.config, logger, batchSize: 4 }));
    expect(result).toMatchObject({ status: 'failed', rows: 12, written: 12 - lost.length, failed: lost.length, skipped: 0 });
    expect(result.failures.map((f) => [ids[f.row - 1], f.code, f.stage])).toEqual(lost.map((id) => [id, 5002, 'write']));

    await server.nodes[2]!.start();
    const stored = await idsIn(fragile);
    expect(stored).toEqual(ids.filter((id) => !lost.includes(id)));
    expect(await countRows(cluster.crate, fragile)).toBe(result.written);
    const report = await status({ config: p.config, logger });
    expect(report.seeds).toMatchObject([{ name: 'fragile', state: 'failed', rowsWritten: 12 - lost.length, rowsFailed: lost.length }]);

    // With the node back, running it again writes every row.
    const again = await seed({ config: p.config, logger, batchSize: 4 });
    expect(again.seeds[0]).toMatchObject({ status: 'seeded', written: 12, failed: 0 });
    expect(await idsIn(fragile)).toEqual(ids);
  });
});
