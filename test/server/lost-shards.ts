/**
 * What the cluster does to statements: while a node is down, or while the RECOVERING window of new
 * tables is on, each statement is planned (`engine.plan`) and judged (cluster.ts for lost shards,
 * recovering.ts for recovering ones) before it runs, so that it fails or waits the way CrateDB 6.4 did
 * (cluster-faults.md, transcripts/README.md). With every node up and no table recovering, only a
 * statement that may create a table is planned (with the window on); every other one goes straight to
 * the engine.
 */
import { judge, type ClusterError } from './cluster.js';
import type { Engine, SqlRequest, SqlResponse } from './contract.js';
import type { RecoveringShards } from './recovering.js';
import { crateError } from './protocol.js';

/** Only a statement starting with CREATE (after comments) can create a table: others skip planning
 * while no table is recovering and every node is up (planning a long VALUES list is not free). */
const MAY_CREATE = /^(?:\s|--[^\n]*(?:\n|$)|\/\*[\s\S]*?\*\/)*create\b/i;

/** What a node knows about the cluster it belongs to. */
export interface ClusterView {
  readonly size: number;
  alive(node: number): boolean;
  /** Resolves true as soon as one of `nodes` is alive, false after `ms` (or when the server closes). */
  waitForAny(nodes: readonly number[], ms: number): Promise<boolean>;
}

/** The shard settings a statement is judged with (the server's `faults`). */
export interface ShardWaits {
  readonly primaryWaitMs: number;
  readonly recoveringMs: number;
  readonly recovering: RecoveringShards;
}

/** Runs a statement, failing or holding it as CrateDB does for shards that are lost or still recovering. */
export async function executeInCluster(
  engine: Engine,
  cluster: ClusterView,
  shards: ShardWaits,
  request: SqlRequest,
): Promise<SqlResponse> {
  const degraded = Array.from({ length: cluster.size }, (_, i) => i).some((i) => !cluster.alive(i));
  const mayCreate = shards.recoveringMs > 0 && MAY_CREATE.test(request.stmt);
  if (!degraded && !mayCreate && !shards.recovering.active) return engine.execute(request);

  const plan = await engine.plan(request.stmt, request.session, request.bulkArgs?.[0] ?? request.args);
  if (plan === undefined) return engine.execute(request);
  if (plan.creates !== undefined && mayCreate) {
    // The creator answers once the new table's primaries started (CrateDB waits for active shards).
    const response = await engine.execute(request);
    const created = response.status === 200 && (response.body as { rowcount?: unknown }).rowcount === 1;
    if (created) {
      const table = `${plan.creates.schema}.${plan.creates.table}`;
      shards.recovering.begin(table, shards.recoveringMs);
      await shards.recovering.waitFor(table);
    }
    return response;
  }
  const recovering = shards.recovering.judge(plan);
  if (recovering.kind === 'error') return errorResponse(recovering.error);
  if (recovering.kind === 'wait' && !(await shards.recovering.waitFor(recovering.table, shards.primaryWaitMs))) {
    return errorResponse(recovering.error);
  }
  if (!degraded) return engine.execute(request);
  if (request.bulkArgs !== undefined) return executeBulkDegraded(engine, cluster, shards.primaryWaitMs, request, request.bulkArgs);

  const verdict = judge(plan, cluster.size, (i) => cluster.alive(i));
  if (verdict.kind === 'error') return errorResponse(verdict.error);
  if (verdict.kind === 'blocked' && !(await cluster.waitForAny(verdict.nodes, shards.primaryWaitMs))) {
    return errorResponse(verdict.error);
  }
  return engine.execute(request);
}

/**
 * A bulk request while nodes are down: rows routed to a shard with no live copy wait for the primary,
 * then fail on their own (`rowcount: -2` with a 5002 error) while the other rows are written.
 */
async function executeBulkDegraded(
  engine: Engine,
  cluster: ClusterView,
  primaryWaitMs: number,
  request: SqlRequest,
  rows: unknown[][],
): Promise<SqlResponse> {
  const lost = new Map<number, ClusterError>();
  const waitOn = new Set<number>();
  for (const [i, row] of rows.entries()) {
    const plan = await engine.plan(request.stmt, request.session, row);
    if (plan === undefined) continue;
    const verdict = judge(plan, cluster.size, (n) => cluster.alive(n));
    if (verdict.kind === 'error') return errorResponse(verdict.error);
    if (verdict.kind === 'blocked') {
      lost.set(i, verdict.error);
      verdict.nodes.forEach((n) => waitOn.add(n));
    }
  }
  if (lost.size === 0 || (await cluster.waitForAny([...waitOn], primaryWaitMs))) {
    return engine.execute(request);
  }
  const liveIndexes = rows.map((_, i) => i).filter((i) => !lost.has(i));
  let liveResults: unknown[] = [];
  if (liveIndexes.length > 0) {
    const response = await engine.execute({ ...request, bulkArgs: liveIndexes.map((i) => rows[i]!) });
    const results = (response.body as { results?: unknown[] } | null)?.results;
    if (response.status !== 200 || !Array.isArray(results)) return response;
    liveResults = results;
  }
  const results: unknown[] = [];
  let next = 0;
  for (let i = 0; i < rows.length; i++) {
    const error = lost.get(i);
    results.push(error ? { rowcount: -2, error: { code: error.code, message: error.message } } : liveResults[next++]);
  }
  return { status: 200, body: { cols: [], duration: 0, results } };
}

function errorResponse(error: ClusterError): SqlResponse {
  return crateError(error.status, error.code, error.message);
}

