/**
 * The system tables that depend on the rows, not only on the catalog: sys.shards (documents per shard
 * as the last refresh left them, one shard set per partition), sys.health (one row per table, or per
 * partition) and information_schema.table_partitions. Rebuilt on every read.
 */
import type { TableDef } from './catalog.js';
import { quoteIdent } from './format.js';
import { partitionsOf, partitionValue, type Partition } from './partitions.js';
import { shardOf } from './routing.js';
import { effectiveReplicas, type EngineState, type ShardInfo } from './state.js';
import { pgTableName } from './storage.js';
import { VERSIONS } from './version.js';

/** Searchable documents and the highest `_seq_no` per shard: the routing value is the CLUSTERED BY column, else `_id`. */
async function docsPerShard(state: EngineState, t: TableDef, shards: number, partition?: Partition): Promise<Array<{ docs: number; maxSeqNo: number }>> {
  const routing = t.clusteredBy ? quoteIdent(t.clusteredBy) : '"_id"';
  const where = partition
    ? ` WHERE ${t.partitionedBy.map((c) => (partition.values[c] === null ? `${quoteIdent(c)} IS NULL` : `CAST(${quoteIdent(c)} AS text) = ${pgLiteral(partition.values[c]!)}`)).join(' AND ')}`
    : '';
  const r = await state.pg.query<unknown[]>(`SELECT CAST(${routing} AS text), "_seq_no" FROM ${pgTableName(t, 'shadow')}${where}`, [], { rowMode: 'array' });
  const out = Array.from({ length: shards }, () => ({ docs: 0, maxSeqNo: -1 }));
  for (const [key, seq] of r.rows) {
    const shard = out[shardOf(String(key ?? ''), shards)]!;
    shard.docs++;
    shard.maxSeqNo = Math.max(shard.maxSeqNo, Number(seq));
  }
  return out;
}

function pgLiteral(s: string): string {
  return `'${s.replace(/'/g, "''")}'`;
}

/** A table's shard sets: one for a plain table, one per partition (none yet for an empty partitioned one). */
async function shardSets(state: EngineState, t: TableDef): Promise<Array<{ partition?: Partition }>> {
  if (t.partitionedBy.length === 0) return [{}];
  return (await partitionsOf(state.pg, t)).map((partition) => ({ partition }));
}

/** The cluster's shard copies, plus the replicas the table asks for that no node can hold (UNASSIGNED). */
export function withUnassignedReplicas(state: EngineState, t: TableDef): ShardInfo[] {
  const listed = state.cluster.shards(t) as ShardInfo[];
  const { wanted } = effectiveReplicas(t.numberOfReplicas, state.cluster.nodes.length);
  const out: ShardInfo[] = [];
  for (let id = 0; id < t.numberOfShards; id++) {
    const copies = listed.filter((s) => s.id === id);
    out.push(...copies);
    for (let r = copies.filter((s) => !s.primary).length; r < wanted; r++) {
      out.push({ id, primary: false, state: 'UNASSIGNED', nodeId: null, nodeName: null });
    }
  }
  return out;
}

export async function shardRows(state: EngineState): Promise<unknown[][]> {
  const out: unknown[][] = [];
  for (const t of state.catalog.tables.values()) {
    for (const { partition } of await shardSets(state, t)) {
      const view = partition ? { ...t, numberOfShards: partition.numberOfShards, numberOfReplicas: partition.numberOfReplicas } : t;
      const docs = await docsPerShard(state, t, view.numberOfShards, partition);
      for (const sh of withUnassignedReplicas(state, view)) {
        const started = sh.state === 'STARTED';
        // 6.4 reports no partition ident for a copy that is nowhere; 5.10 reports the table's.
        const ident = !started && state.version === '6.4' ? null : (partition?.ident ?? '');
        out.push(started ? startedShard(state, t, sh, docs[sh.id]!, ident) : unassignedShard(t, sh, ident));
      }
    }
  }
  return out;
}

/**
 * A shard copy on a node, in sys.shards' column order (SysShardsTableInfo, by name). Its sequence numbers are
 * the highest `_seq_no` of its documents (the engine numbers a table's writes, not each shard's); nothing
 * waits in a translog or recovers, and the files and sizes of Lucene segments are not modelled (size 0).
 */
function startedShard(state: EngineState, t: TableDef, sh: ShardInfo, shard: { docs: number; maxSeqNo: number }, ident: string | null): unknown[] {
  const seq = shard.maxSeqNo;
  return [
    null, t.closed, { count: 0, periodic_count: 0, total_time_ns: 0 }, sh.id, VERSIONS[state.version].luceneVersion,
    { id: sh.nodeId, name: sh.nodeName }, shard.docs, false, ident, `/data/nodes/0/indices/t${t.id}/${sh.id}`, sh.primary,
    {
      files: { percent: 100, recovered: 0, reused: 0, used: 0 }, size: { percent: 100, recovered: 0, reused: 0, used: 0 },
      stage: 'DONE', total_time: 0, type: sh.primary ? 'EMPTY_STORE' : 'PEER',
    },
    null, { leases: [], primary_term: 1, version: 0 }, 'STARTED', t.schema,
    { global_checkpoint: seq, local_checkpoint: seq, max_seq_no: seq }, 0, sh.state, t.name,
    { number_of_operations: 0, size: 0, uncommitted_operations: 0, uncommitted_size: 0 },
  ];
}

/** A copy no node holds: SysShardsTableInfo.unassignedShardsExpressions, nulls but for its identity. */
function unassignedShard(t: TableDef, sh: ShardInfo, ident: string | null): unknown[] {
  return [
    null, null, null, sh.id, null, null, 0, false, ident, null, sh.primary, null, null, null, 'UNASSIGNED', t.schema, null, 0,
    sh.state, t.name, null,
  ];
}

export async function healthRows(state: EngineState): Promise<unknown[][]> {
  const out: unknown[][] = [];
  for (const t of state.catalog.tables.values()) {
    for (const { partition } of await shardSets(state, t)) {
      const view = partition ? { ...t, numberOfShards: partition.numberOfShards, numberOfReplicas: partition.numberOfReplicas } : t;
      const h = state.cluster.health(view);
      const severity = h.health === 'GREEN' ? 1 : h.health === 'YELLOW' ? 2 : 3;
      out.push([h.health, h.missing, partition?.ident ?? null, severity, t.name, t.schema, h.underreplicated]);
    }
  }
  return out;
}

/**
 * The one row of sys.cluster_health (SysClusterHealth.compute): the worst table's health, its reason, and
 * the missing and underreplicated shards summed over every table. No cluster blocks and no pending
 * cluster-state tasks here.
 */
export async function clusterHealthRows(state: EngineState): Promise<unknown[][]> {
  let [health, severity, description, missing, underreplicated] = ['GREEN', 1, '', 0, 0];
  for (const [h, m, , sev, , , u] of (await healthRows(state)) as Array<[string, number, unknown, number, unknown, unknown, number]>) {
    missing += m;
    underreplicated += u;
    if (sev > severity) {
      [health, severity] = [h, sev];
      description = h === 'RED' || m > 0 ? 'One or more tables are missing shards' : 'One or more tables have underreplicated shards';
    }
  }
  return [[description, health, missing, 0, severity, underreplicated]];
}

/**
 * A partition's values as table_partitions shows them: CrateDB keeps each as text and casts it to its
 * column's type on read (DocTableInfo.getPartitions), so a timestamp partition shows its epoch number.
 */
function typedValues(t: TableDef, p: Partition): Record<string, unknown> {
  return Object.fromEntries(Object.entries(p.values).map(([c, text]) => [c, partitionValue(t, c, text)]));
}

export async function partitionRows(state: EngineState): Promise<unknown[][]> {
  const out: unknown[][] = [];
  for (const t of state.catalog.tables.values()) {
    for (const p of await partitionsOf(state.pg, t)) {
      out.push([t.closed, p.numberOfReplicas, p.numberOfShards, p.ident, 'Murmur3', t.name, t.schema, typedValues(t, p), { created: t.createdVersion, upgraded: null }]);
    }
  }
  return out;
}
