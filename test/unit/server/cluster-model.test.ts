import { afterAll, describe, expect, it } from 'vitest';
import { allocatedReplicas, judge, shardCopies, sysView } from '../../server/cluster.js';
import { shardOf } from '../../server/engine/routing.js';
import type { StatementPlan } from '../../server/contract.js';
import { Faults } from '../../server/faults.js';
import { Primaries } from '../../server/primaries.js';
import { RECOVERING_READ, RecoveringShards } from '../../server/recovering.js';

function table(over: Partial<StatementPlan['tables'][number]> = {}): StatementPlan['tables'][number] {
  return { schema: 'doc', table: 'fragile', numberOfShards: 6, numberOfReplicas: '0', write: false, ...over };
}

describe('shard placement', () => {
  it('routes a key to the same shard every time, within range', () => {
    const shards = ['a', 'b', 'f1', 'ü', '123'].map((k) => shardOf(k, 6));
    expect(shards).toEqual(['a', 'b', 'f1', 'ü', '123'].map((k) => shardOf(k, 6)));
    expect(shards.every((s) => s >= 0 && s < 6)).toBe(true);
    const spread = new Set(Array.from({ length: 100 }, (_, i) => shardOf(`k${i}`, 6)));
    expect(spread.size).toBe(6);
  });

  it("reads number_of_replicas ranges as their upper bound, at most N-1", () => {
    expect(allocatedReplicas('0-1', 3)).toBe(1);
    expect(allocatedReplicas('0-2', 2)).toBe(1);
    expect(allocatedReplicas('0-all', 4)).toBe(3);
    expect(allocatedReplicas('0', 3)).toBe(0);
    expect(allocatedReplicas('2', 1)).toBe(0);
  });

  it('puts the primary on node k mod N and replicas on the next nodes', () => {
    expect(shardCopies(4, 1, 3)).toEqual([1, 2]);
    expect(shardCopies(5, 0, 3)).toEqual([2]);
  });
});

describe('judge (node 2 of 3 lost)', () => {
  const alive = (n: number) => n !== 2;

  it('fails a scan of an unreplicated table at once with 5002 naming a lost shard', () => {
    expect(judge({ tables: [table()] }, 3, alive)).toEqual({
      kind: 'error',
      error: { status: 500, code: 5002, message: 'UnavailableShardsException[[doc.fragile] shard 2 is not available]' },
    });
  });

  it('fails a primary-key read of a key on a lost shard with 4040, and serves a key on a live shard', () => {
    const lostKey = ['a', 'b', 'c', 'd', 'e', 'f', 'g', 'h'].find((k) => shardOf(k, 6) % 3 === 2)!;
    const liveKey = ['a', 'b', 'c', 'd', 'e', 'f', 'g', 'h'].find((k) => shardOf(k, 6) % 3 !== 2)!;
    expect(judge({ tables: [table({ routingKeys: [lostKey] })] }, 3, alive)).toEqual({
      kind: 'error',
      error: { status: 404, code: 4040, message: 'ShardNotFoundException[no such shard]' },
    });
    expect(judge({ tables: [table({ routingKeys: [liveKey] })] }, 3, alive)).toEqual({ kind: 'ok' });
    const write = judge({ tables: [table({ routingKeys: [lostKey], write: true })] }, 3, alive);
    expect(write).toMatchObject({ kind: 'blocked', nodes: [2], error: { status: 500, code: 5002 } });
    expect(write.kind === 'blocked' && write.error.message).toMatch(/^UnavailableShardsException\[\[doc\.fragile\]\[\d\] primary shard is not active Timeout: \[1m\]/);
  });

  it('never fails DDL: CREATE, DROP and SHOW only touch the cluster state', () => {
    expect(judge({ tables: [table()], ddl: true }, 3, alive)).toEqual({ kind: 'ok' });
  });

  it('leaves replicated tables alone', () => {
    expect(judge({ tables: [table({ numberOfReplicas: '0-1' })] }, 3, alive)).toEqual({ kind: 'ok' });
    expect(judge({ tables: [table({ numberOfShards: 1, numberOfReplicas: '0-2', write: true })] }, 3, alive)).toEqual({ kind: 'ok' });
  });
});

describe('Faults.take', () => {
  it('fires on the Nth matching statement for `times` requests, counting only its node', () => {
    const faults = new Faults(1000);
    faults.fail(503, { match: /insert/i, nth: 2, times: 2, node: 0 });
    const seen = ['INSERT a', 'SELECT', 'INSERT b', 'INSERT c', 'INSERT d'].map((s) => faults.take(s, 0)?.kind ?? 'none');
    expect(seen).toEqual(['none', 'none', 'status', 'status', 'none']);
    expect(faults.take('INSERT e', 1)).toBeUndefined();
  });

  it('clear() removes faults and latency and restores the primary wait', () => {
    const faults = new Faults(1000);
    faults.dropAnswer({ match: (s) => s.startsWith('UPDATE') });
    faults.latency(50, { node: 1 });
    faults.primaryWaitMs = 5;
    expect(faults.take('UPDATE t', 0)).toEqual({ kind: 'drop', applied: true });
    expect(faults.latencyFor(1)).toBe(50);
    faults.clear();
    faults.dropAnswer({ match: /x/ }, { applied: false });
    expect(faults.take('x', 0)).toEqual({ kind: 'drop', applied: false });
    expect(faults.latencyFor(1)).toBe(0);
    expect(faults.primaryWaitMs).toBe(1000);
  });
});

describe('sysView (node 2 of 3 lost)', () => {
  const nodes = ['a', 'b', 'c'].map((n, i) => ({ id: `id-${n}`, name: n, restUrl: `127.0.0.1:${4200 + i}` }));
  const alive = (n: number) => n !== 2;
  const primaries = new Primaries(3);
  const view = sysView('cid', 'test', nodes, alive, {
    primaryOf: (t, shard) => primaries.primaryOf(t, shard, alive),
    isRecovering: () => false,
  });
  const placed = (numberOfShards: number, numberOfReplicas: string) => ({ schema: 'doc', name: 't', numberOfShards, numberOfReplicas });

  it('lists only live nodes and grades tables RED, YELLOW or GREEN', () => {
    expect(view.nodes.map((n) => n.name)).toEqual(['a', 'b']);
    expect(view.health(placed(6, '0'))).toEqual({ health: 'RED', missing: 2, underreplicated: 0 });
    expect(view.health(placed(6, '0-1'))).toEqual({ health: 'YELLOW', missing: 0, underreplicated: 4 });
    expect(view.health(placed(1, '0-2'))).toEqual({ health: 'GREEN', missing: 0, underreplicated: 0 });
  });

  it('promotes the first live copy to primary and shows lost copies unassigned', () => {
    expect(view.shards(placed(3, '1')).filter((s) => s.id === 2)).toEqual([
      { id: 2, primary: false, state: 'UNASSIGNED', nodeId: null, nodeName: null },
      { id: 2, primary: true, state: 'STARTED', nodeId: 'id-a', nodeName: 'a' },
    ]);
  });
});

describe('RecoveringShards.judge', () => {
  const shards = new RecoveringShards();
  shards.begin('doc.fragile', 600_000);
  afterAll(() => shards.end());

  it('fails a key read with 4040, a scan with 5002, makes a write wait and leaves DDL and other tables alone', () => {
    expect(shards.judge({ tables: [table({ routingKeys: ['a'] })] })).toEqual({ kind: 'error', error: RECOVERING_READ });
    expect(shards.judge({ tables: [table()] })).toMatchObject({ kind: 'error', error: { status: 500, code: 5002 } });
    expect(shards.judge({ tables: [table({ write: true, routingKeys: ['a'] })] })).toMatchObject({ kind: 'wait', table: 'doc.fragile' });
    expect(shards.judge({ tables: [table()], ddl: true })).toEqual({ kind: 'ok' });
    expect(shards.judge({ tables: [table({ table: 'other' })] })).toEqual({ kind: 'ok' });
  });

  it('lets a waiting write through when the shards start', async () => {
    const waiting = shards.waitFor('doc.fragile', 600_000);
    shards.end('doc.fragile');
    expect(await waiting).toBe(true);
    expect(shards.isRecovering('doc.fragile')).toBe(false);
  });
});

describe('Primaries', () => {
  const t = { id: 7, schema: 'doc', name: 'hist', numberOfShards: 1, numberOfReplicas: '0-2' };

  it('promotes the next live copy when the primary node stops, once per stop, and keeps it there', () => {
    const primaries = new Primaries(3);
    const alive = new Set([1, 2]);
    expect(primaries.afterStop(t, 0, 0, (n) => alive.has(n))).toBe(2);
    expect(primaries.afterStop(t, 0, 0, (n) => alive.has(n))).toBe(2);
    expect(primaries.primaryOf(t, 0, (n) => alive.has(n) || n === 0)).toBe(1);
    expect(primaries.afterStop(t, 0, 2, (n) => n !== 2)).toBe(2);
  });
});
