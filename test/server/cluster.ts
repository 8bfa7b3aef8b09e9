/**
 * Where shards live and what a statement gets when nodes are down, as CrateDB 6.4 answered in
 * /work/shared/cratedb/cluster-faults.md: shard k's primary is on node (k mod N), its replicas on the
 * next nodes; a shard with no live copy fails a scan with 5002 at once, a primary-key read of a key on
 * it with 4040, and a write to it blocks (the primary wait) and then fails with 5002. A shard with a
 * live replica is unaffected: the replica is promoted.
 */
import type { StatementPlan } from './contract.js';
import { shardOf } from './engine/routing.js';
import type { PlacedTable } from './primaries.js';

type PlannedTable = StatementPlan['tables'][number];

/** A CrateDB error answer the cluster produces for a statement. */
export interface ClusterError {
  status: number;
  code: number;
  message: string;
}

/** What the cluster says about a planned statement. */
export type Verdict =
  | { kind: 'ok' }
  | { kind: 'error'; error: ClusterError }
  /** A write to a shard with no live copy: wait for its node, then fail with `error`. */
  | { kind: 'blocked'; error: ClusterError; nodes: number[] };


/**
 * Replicas actually allocated for CrateDB's `number_of_replicas` on `nodeCount` nodes: a range
 * `'0-1'` means up to its upper bound (`'0-all'`: every other node), and a copy never shares a node
 * with another copy of the same shard, so at most N-1.
 */
export function allocatedReplicas(numberOfReplicas: string, nodeCount: number): number {
  const spec = String(numberOfReplicas).trim().toLowerCase();
  const upper = spec.includes('-') ? spec.slice(spec.indexOf('-') + 1) : spec;
  const wanted = upper === 'all' ? nodeCount - 1 : Number.parseInt(upper, 10);
  return Math.max(0, Math.min(Number.isFinite(wanted) ? wanted : 0, nodeCount - 1));
}

/** Node indexes holding shard `shard`: the primary first, then its replicas. */
export function shardCopies(shard: number, replicas: number, nodeCount: number): number[] {
  return Array.from({ length: replicas + 1 }, (_, i) => (shard + i) % nodeCount);
}

/** CrateDB's answer to a scan that needs a shard with no started copy (cluster-faults.md). */
export function shardUnavailable(table: string, shard: number): ClusterError {
  return { status: 500, code: 5002, message: `UnavailableShardsException[[${table}] shard ${shard} is not available]` };
}

/** CrateDB's answer to a write whose primary did not become active within the wait (cluster-faults.md). */
export function primaryInactive(table: string, shard: number, requests: number): ClusterError {
  return {
    status: 500,
    code: 5002,
    message:
      `UnavailableShardsException[[${table}][${shard}] primary shard is not active Timeout: [1m], ` +
      `request: [BulkShardRequest [[${table}][${shard}]] containing [${requests}] requests]]`,
  };
}

/** Judges a planned statement against the set of live nodes. DDL only touches the cluster state: never failed. */
export function judge(plan: StatementPlan, nodeCount: number, alive: (node: number) => boolean): Verdict {
  if (plan.ddl) return { kind: 'ok' };
  for (const table of plan.tables) {
    const lost = lostShards(table, nodeCount, alive);
    if (lost.length === 0) continue;
    const name = `${table.schema}.${table.table}`;
    if (table.routingKeys === undefined || table.routingKeys.length === 0) {
      return { kind: 'error', error: shardUnavailable(name, lost[0]!) };
    }
    const hit = table.routingKeys.map((key) => shardOf(key, table.numberOfShards)).find((s) => lost.includes(s));
    if (hit === undefined) continue;
    if (!table.write) {
      return { kind: 'error', error: { status: 404, code: 4040, message: 'ShardNotFoundException[no such shard]' } };
    }
    const replicas = allocatedReplicas(table.numberOfReplicas, nodeCount);
    return {
      kind: 'blocked',
      nodes: shardCopies(hit, replicas, nodeCount),
      error: primaryInactive(name, hit, table.routingKeys.length),
    };
  }
  return { kind: 'ok' };
}

function lostShards(table: PlannedTable, nodeCount: number, alive: (node: number) => boolean): number[] {
  const replicas = allocatedReplicas(table.numberOfReplicas, nodeCount);
  const lost: number[] = [];
  for (let shard = 0; shard < table.numberOfShards; shard++) {
    if (!shardCopies(shard, replicas, nodeCount).some(alive)) lost.push(shard);
  }
  return lost;
}

/** What the sys view asks the rest of the cluster model about shards. */
export interface ShardStates {
  /** The node holding the shard's primary now (after promotions), when a copy of it is live. */
  primaryOf(t: PlacedTable, shard: number, alive: (node: number) => boolean): number | undefined;
  /** True while the table (`schema.name`) is in its RECOVERING window (recovering.ts). */
  isRecovering(table: string): boolean;
}

/** A node as `sys.nodes` shows it. */
export interface SysNode {
  id: string;
  name: string;
  restUrl: string;
}

/**
 * What `sys.nodes`, `sys.health` and `sys.shards` report for this cluster, given which nodes are live:
 * a shard without a live copy is missing (table RED), one with fewer live copies than its replicas ask
 * for is under-replicated (YELLOW), and a replica is promoted at once when its primary's node goes
 * (primaries.ts). After a node loss that gives books ('0-1') YELLOW, fragile ('0') RED, hist ('0-2')
 * GREEN, as cluster-faults.md recorded. A table in its RECOVERING window has its copies in state
 * `RECOVERING` and is RED with every shard missing (inferred: its primaries are not active yet).
 * Structurally the engine's `ClusterView` (engine/state.ts).
 */
export function sysView(
  id: string,
  name: string,
  nodes: readonly SysNode[],
  alive: (node: number) => boolean,
  states: ShardStates,
): {
  readonly id: string;
  readonly name: string;
  readonly nodes: SysNode[];
  health(t: PlacedTable): { health: 'GREEN' | 'YELLOW' | 'RED'; missing: number; underreplicated: number };
  shards(t: PlacedTable): Array<{
    id: number;
    primary: boolean;
    state: 'STARTED' | 'RECOVERING' | 'UNASSIGNED';
    nodeId: string | null;
    nodeName: string | null;
  }>;
} {
  const copiesOf = (t: PlacedTable) => {
    const replicas = allocatedReplicas(t.numberOfReplicas, nodes.length);
    return Array.from({ length: t.numberOfShards }, (_, shard) => shardCopies(shard, replicas, nodes.length));
  };
  const recovering = (t: PlacedTable) => states.isRecovering(`${t.schema}.${t.name}`);
  return {
    id,
    name,
    get nodes() {
      return nodes.filter((_, i) => alive(i));
    },
    health(t) {
      if (recovering(t)) return { health: 'RED', missing: t.numberOfShards, underreplicated: 0 };
      // An auto-expanding range ('0-2') shrinks with the live nodes, so its table stays GREEN when a
      // node goes; a fixed count, or a range still above what is live, leaves the shard under-replicated.
      const liveNodes = nodes.filter((_, i) => alive(i)).length;
      const spec = String(t.numberOfReplicas).trim();
      const required = 1 + (spec.includes('-') ? allocatedReplicas(spec, liveNodes) : Number.parseInt(spec, 10) || 0);
      let missing = 0;
      let underreplicated = 0;
      for (const copies of copiesOf(t)) {
        const live = copies.filter(alive).length;
        if (live === 0) missing += 1;
        else if (live < required) underreplicated += 1;
      }
      return { health: missing > 0 ? 'RED' : underreplicated > 0 ? 'YELLOW' : 'GREEN', missing, underreplicated };
    },
    shards(t) {
      const started = recovering(t) ? ('RECOVERING' as const) : ('STARTED' as const);
      return copiesOf(t).flatMap((copies, shard) => {
        const primary = states.primaryOf(t, shard, alive);
        return copies.map((node) => {
          const live = alive(node);
          return {
            id: shard,
            primary: primary === undefined ? node === copies[0] : node === primary,
            state: live ? started : ('UNASSIGNED' as const),
            nodeId: live ? nodes[node]!.id : null,
            nodeName: live ? nodes[node]!.name : null,
          };
        });
      });
    },
  };
}
