/**
 * The engine's shared state: PGlite, the catalog, the impersonated version, the clock and the
 * cluster view that sys.nodes / sys.health / sys.shards report.
 */
import type { PGlite } from '@electric-sql/pglite';
import type { Clock, CrateVersion } from '../contract.js';
import type { Catalog, TableDef } from './catalog.js';
import type { JobLogEntry } from './jobs-log.js';
import type { SnapshotState } from './snapshot-state.js';

export interface ShardInfo {
  id: number;
  primary: boolean;
  state: 'STARTED' | 'UNASSIGNED';
  nodeId: string | null;
  nodeName: string | null;
}

/**
 * What the cluster looks like to sys tables. The default is one healthy node holding every primary;
 * the test server's cluster layer may pass its own (nodes down make tables YELLOW or RED).
 */
export interface ClusterView {
  readonly id: string;
  readonly name: string;
  /** Live nodes. */
  readonly nodes: ReadonlyArray<{ id: string; name: string; restUrl: string }>;
  health(t: TableDef): { health: 'GREEN' | 'YELLOW' | 'RED'; missing: number; underreplicated: number };
  shards(t: TableDef): ShardInfo[];
}

/** Replicas a table gets on `nodes` data nodes: `'0-1'` auto-expands up to what the nodes allow. */
export function effectiveReplicas(numberOfReplicas: string, nodes: number): { wanted: number; assignable: number } {
  const m = /^(\d+)-(\d+|all)$/.exec(numberOfReplicas);
  const wanted = m ? Math.max(Number(m[1]), Math.min(m[2] === 'all' ? nodes - 1 : Number(m[2]), nodes - 1)) : Number(numberOfReplicas) || 0;
  return { wanted, assignable: Math.min(wanted, nodes - 1) };
}

const NODE = { id: 'dZlbZ5iOSZ-Lz8K2Dbx0Cw', name: 'n1' };

/** One node holding every primary; replicas a table asks for beyond auto-expansion stay unassigned (YELLOW). */
export const singleNode: ClusterView = {
  id: 'Ag2ZTaXCRgWy0qgTf3LMUg',
  name: 'crate',
  nodes: [{ ...NODE, restUrl: '127.0.0.1:4200' }],
  health: (t) => {
    const { wanted, assignable } = effectiveReplicas(t.numberOfReplicas, 1);
    const missing = (wanted - assignable) * t.numberOfShards;
    return { health: missing > 0 ? 'YELLOW' : 'GREEN', missing: 0, underreplicated: missing };
  },
  shards: (t) => {
    const { wanted } = effectiveReplicas(t.numberOfReplicas, 1);
    const out: ShardInfo[] = [];
    for (let id = 0; id < t.numberOfShards; id++) {
      out.push({ id, primary: true, state: 'STARTED', nodeId: NODE.id, nodeName: NODE.name });
      for (let r = 0; r < wanted; r++) out.push({ id, primary: false, state: 'UNASSIGNED', nodeId: null, nodeName: null });
    }
    return out;
  },
};

/** A row of sys.jobs. */
export interface JobInfo {
  id: string;
  stmt: string;
  username: string;
  /** Epoch ms, by the engine's clock. */
  started: number;
}

export interface EngineState {
  readonly pg: PGlite;
  readonly catalog: Catalog;
  readonly version: CrateVersion;
  readonly clock: Clock;
  cluster: ClusterView;
  /** The statement running now (it sees itself in sys.jobs), and the jobs CrateDB never removed: a bulk
   * request that failed on a row after it started leaves its job behind. */
  running?: JobInfo;
  readonly leakedJobs: JobInfo[];
  /** Finished statements, for sys.jobs_log (jobs-log.ts). */
  readonly jobsLog: JobLogEntry[];
  /** Repositories, the snapshots in their locations and the restores still listed (snapshot-state.ts). */
  readonly snapshots: SnapshotState;
  /** Catalog version each system table was last written at. */
  readonly materialized: Map<string, number>;
}
