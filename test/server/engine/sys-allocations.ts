/**
 * The rows of sys.allocations (SysAllocationsTableInfo, SysAllocations): one per shard copy of the same cluster
 * view sys.shards reports, so the two tables agree on which copies exist, where, and which are started. CrateDB
 * lists every copy of the routing table and asks the allocation service why it is where it is; only the answer
 * for a started copy on a single node follows from what the test server knows, so that is the only one given:
 *
 * - A started copy is allowed to stay (no disk watermarks or allocation filters here), so CrateDB's answer is the
 *   rebalance decision (BalancedShardsAllocator.decideRebalance, MoveDecision.getExplanation). With one node there
 *   is no other node to weigh, so the node decisions are empty (`decisions` NULL) and the text depends only on
 *   whether the cluster deciders allow a rebalance: `cluster.routing.rebalance.enable` (EnableAllocationDecider),
 *   `cluster.routing.allocation.allow_rebalance` (ClusterRebalanceAllocationDecider: by default no rebalance while
 *   any copy is not started) and `cluster_concurrent_rebalance` (0 throttles).
 * - With more than one node the decisions name every other node with its deciders' messages and weights, and an
 *   unassigned copy's explanation depends on why it is unassigned (a departed node's delay, the same-shard rule
 *   quoting allocation ids): not modelled, `explanation` and `decisions` are NULL there rather than invented.
 *
 * `current_state` is the routing state sys.shards shows for the copy (a copy in its RECOVERING window is
 * UNASSIGNED there too, and so here). A partition's copies carry its ident (SysAllocation reads it from the
 * partition's metadata even for a copy that is nowhere, unlike sys.shards on 6.4); a plain table's is NULL.
 */
import type { TableDef } from './catalog.js';
import { partitionsOf } from './partitions.js';
import type { EngineState, ShardInfo } from './state.js';
import { withUnassignedReplicas } from './system-live.js';

interface Copy {
  table: TableDef;
  partitionIdent: string | null;
  shard: ShardInfo;
}

async function allCopies(state: EngineState): Promise<Copy[]> {
  const out: Copy[] = [];
  for (const t of state.catalog.tables.values()) {
    if (t.partitionedBy.length === 0) {
      for (const shard of withUnassignedReplicas(state, t)) out.push({ table: t, partitionIdent: null, shard });
      continue;
    }
    for (const p of await partitionsOf(state.pg, t)) {
      const view = { ...t, numberOfShards: p.numberOfShards, numberOfReplicas: p.numberOfReplicas };
      for (const shard of withUnassignedReplicas(state, view)) out.push({ table: t, partitionIdent: p.ident, shard });
    }
  }
  return out;
}

type DecisionType = 'YES' | 'THROTTLE' | 'NO';

/** The cluster-level rebalance decision for a started copy: a NO of any decider wins over a THROTTLE. */
function canRebalance(state: EngineState, copy: Copy, copies: Copy[]): DecisionType {
  const setting = (name: string, fallback: string | number): string => String(state.catalog.clusterSettings.get(name) ?? fallback).toLowerCase();
  const enable = setting('cluster.routing.rebalance.enable', 'all');
  const enabled = enable === 'all' || (enable === 'primaries' && copy.shard.primary) || (enable === 'replicas' && !copy.shard.primary);
  const inactive = copies.filter((c) => c.shard.state !== 'STARTED');
  const allow = setting('cluster.routing.allocation.allow_rebalance', 'indices_all_active');
  const allowed = allow === 'always' || (allow === 'indices_primaries_active' ? !inactive.some((c) => c.shard.primary) : inactive.length === 0);
  if (!enabled || !allowed) return 'NO';
  // No copy ever relocates here, so only a limit of 0 stops a rebalance (ConcurrentRebalanceAllocationDecider).
  return Number(setting('cluster.routing.allocation.cluster_concurrent_rebalance', 2)) === 0 ? 'THROTTLE' : 'YES';
}

const EXPLANATIONS: Record<DecisionType, string> = {
  NO: 'rebalancing is not allowed',
  THROTTLE: 'rebalancing is throttled',
  YES: 'cannot rebalance as no target node exists that can both allocate this shard and improve the cluster balance',
};

/**
 * Rows in sys.allocations' column order (by name): current_state, decisions, explanation, node_id,
 * partition_ident, primary, shard_id, table_name, table_schema.
 */
export async function allocationRows(state: EngineState): Promise<unknown[][]> {
  const copies = await allCopies(state);
  const singleNode = state.cluster.nodes.length === 1;
  return copies.map((c) => {
    const started = c.shard.state === 'STARTED';
    const explanation = started && singleNode ? EXPLANATIONS[canRebalance(state, c, copies)] : null;
    return [
      started ? 'STARTED' : 'UNASSIGNED', null, explanation, started ? c.shard.nodeId : null, c.partitionIdent, c.shard.primary,
      c.shard.id, c.table.name, c.table.schema,
    ];
  });
}
