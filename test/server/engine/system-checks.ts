/**
 * sys.checks and sys.node_checks as CrateDB 6.4 lists them (SysChecksModule, SysNodeChecksModule): the
 * cluster checks 2 and 3 and the node checks 1-3 and 5-8 (4 was removed, and ids are never reused), each
 * description followed by its documentation link. On the test server's cluster every check passes, except
 * that without `gateway.expected_data_nodes` / `recover_after_data_nodes` (never set here) the two recovery
 * checks fail as soon as more than one node is up.
 */
import type { EngineState } from './state.js';

const LOW = 1;
const MEDIUM = 2;
const HIGH = 3;

const CLUSTER_CHECKS: Array<[id: number, severity: number, description: string]> = [
  [2, MEDIUM, 'The total number of partitions of one or more partitioned tables should not be greater than 1000. A large amount of shards can significantly reduce performance.'],
  // TablesNeedUpgradeSysCheck prints the list of tables created before the current major version: none here.
  [3, LOW, 'The following tables need to be recreated for compatibility with future major versions of CrateDB: []'],
];

const NODE_CHECKS: Array<[id: number, severity: number, description: string]> = [
  [1, MEDIUM, "It has been detected that the 'gateway.expected_data_nodes' setting (or the deprecated 'gateway.recovery_after_nodes' setting) is not configured or it does not match the actual number of (data) nodes in the cluster."],
  [2, MEDIUM, "The cluster setting 'gateway.recover_after_data_nodes' (or the deprecated `gateway.recovery_after_nodes` setting) is not configured or it is set to a value that seems low in relation to the the maximum/expected number of (data) nodes in the cluster."],
  [3, MEDIUM, 'If any of the "expected data nodes" recovery settings are set (or the deprecated "expected nodes" settings),the value of \'gateway.recover_after_time\' must not be zero. Otherwise the "expected (data) nodes" setting wouldn\'t have any effect.'],
  [5, HIGH, 'The high disk watermark is exceeded on the node. The cluster will attempt to relocate shards to another node. Please check the node disk usage.'],
  [6, HIGH, 'The low disk watermark is exceeded on the node. The cluster will not allocate new shards to the node. Please check the node disk usage.'],
  [7, HIGH, 'The flood stage disk watermark is exceeded on the node. Tables that reside on an affected disk on this node have been made read-only. Please check the node disk usage.'],
  [8, MEDIUM, 'The amount of shards on the node reached 90 % of the limit of the cluster setting `cluster.max_shards_per_node`. Creating new tables or partitions which would push the number of shards beyond 100 % of the limit will be rejected.'],
];

/** Rows of sys.checks: description, id, passed, severity. */
export function clusterCheckRows(): unknown[][] {
  return CLUSTER_CHECKS.map(([id, severity, text]) => [`${text} https://cr8.is/d-cluster-check-${id}`, id, true, severity]);
}

/** Rows of sys.node_checks: acknowledged, description, id, node_id, passed, severity. */
export function nodeCheckRows(state: EngineState): unknown[][] {
  // RecoveryExpectedNodesSysCheck and RecoveryAfterNodesSysCheck pass for one node whatever the settings.
  const single = state.cluster.nodes.length === 1;
  return state.cluster.nodes.flatMap((node) =>
    NODE_CHECKS.map(([id, severity, text]) => [false, `${text} https://cr8.is/d-node-check-${id}`, id, node.id, id > 2 || single, severity]),
  );
}
