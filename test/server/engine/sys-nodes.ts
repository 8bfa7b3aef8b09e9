/**
 * sys.nodes with every column of CrateDB's SysNodesTableInfo. The node facts that only a JVM has (heap, JVM
 * version, thread pools) come from this process or are fixed; the machine's (load, memory, disk, uptime) are
 * read from the OS at each query, so health checks that read `load['1']` or `heap['used']` get real numbers.
 */
import { readdirSync, statfsSync } from 'node:fs';
import { availableParallelism, freemem, loadavg, release, totalmem, uptime } from 'node:os';
import { getHeapStatistics } from 'node:v8';
import type { EngineState } from './state.js';
import { T, type CrateType } from './types.js';
import { VERSIONS } from './version.js';

const text = T.text;
const int = T.integer;
const long = T.bigint;
const short: CrateType = { kind: 'smallint' };
const ts = T.timestamptz;
const obj = (fields: Array<[string, CrateType]>): CrateType => T.object(fields.map(([name, type]) => ({ name, type })), 'strict');
const openTotal = obj([['open', long], ['total', long]]);

/** The columns in name order, as CrateDB lists a system table's. */
export const NODE_COLUMNS: Array<[string, CrateType]> = [
  ['attributes', T.object([], 'dynamic')],
  ['cluster_state_version', long],
  ['connections', obj([['http', openTotal], ['psql', openTotal], ['transport', openTotal]])],
  ['fs', obj([
    ['data', T.array(obj([['dev', text], ['path', text]]))],
    ['disks', T.array(obj([['available', long], ['dev', text], ['size', long], ['used', long]]))],
    ['total', obj([['available', long], ['bytes_read', long], ['bytes_written', long], ['reads', long], ['size', long], ['used', long], ['writes', long]])],
  ])],
  ['heap', obj([['free', long], ['max', long], ['probe_timestamp', ts], ['used', long]])],
  ['hostname', text],
  ['id', text],
  ['load', obj([['1', T.double], ['15', T.double], ['5', T.double], ['probe_timestamp', ts]])],
  ['mem', obj([['free', long], ['free_percent', short], ['probe_timestamp', ts], ['used', long], ['used_percent', short]])],
  ['name', text],
  ['os', obj([
    ['cgroup', obj([
      ['cpu', obj([['cfs_period_micros', long], ['cfs_quota_micros', long], ['control_group', text], ['num_elapsed_periods', long],
        ['num_times_throttled', long], ['time_throttled_nanos', long]])],
      ['cpuacct', obj([['control_group', text], ['usage_nanos', long]])],
      ['mem', obj([['control_group', text], ['limit_bytes', text], ['usage_bytes', text]])],
    ])],
    ['cpu', obj([['system', short], ['used', short], ['user', short]])],
    ['probe_timestamp', ts], ['timestamp', ts], ['uptime', long],
  ])],
  ['os_info', obj([
    ['arch', text], ['available_processors', int],
    ['jvm', obj([['version', text], ['vm_name', text], ['vm_vendor', text], ['vm_version', text]])],
    ['name', text], ['version', text],
  ])],
  ['port', obj([['http', int], ['psql', int], ['transport', int]])],
  ['process', obj([['cpu', obj([['percent', short]])], ['max_open_file_descriptors', long], ['open_file_descriptors', long], ['probe_timestamp', ts]])],
  ['rest_url', text],
  ['thread_pools', T.array(obj([['active', int], ['completed', long], ['largest', int], ['name', text], ['queue', int], ['rejected', long], ['threads', int]]))],
  ['version', obj([['build_hash', text], ['build_snapshot', T.boolean], ['minimum_index_compatibility_version', text],
    ['minimum_wire_compatibility_version', text], ['number', text]])],
];

/** The thread pools CrateDB's nodes list (idle here). */
const THREAD_POOLS = ['fetch_shard_started', 'fetch_shard_store', 'force_merge', 'generic', 'get', 'listener', 'logical_replication',
  'management', 'refresh', 'search', 'snapshot', 'warmer', 'write'];

function openFileDescriptors(): number {
  try {
    return readdirSync('/proc/self/fd').length;
  } catch {
    return -1;
  }
}

function disk(): { size: number; used: number; available: number } {
  try {
    const f = statfsSync(process.cwd());
    return { size: f.blocks * f.bsize, used: (f.blocks - f.bfree) * f.bsize, available: f.bavail * f.bsize };
  } catch {
    return { size: -1, used: -1, available: -1 };
  }
}

/** One node's row, in NODE_COLUMNS' order. Node i's transport and psql ports count up from 4300 and 5432. */
export function nodeRow(state: EngineState, node: { id: string; name: string; restUrl: string }, i: number): unknown[] {
  const now = Date.now();
  const v = VERSIONS[state.version];
  const heap = getHeapStatistics();
  const total = totalmem();
  const free = freemem();
  const d = disk();
  const [l1, l5, l15] = loadavg() as [number, number, number];
  const none = null;
  return [
    {},
    state.catalog.version,
    { http: { open: 1, total: 1 }, psql: { open: 0, total: 0 }, transport: { open: 0, total: 0 } },
    {
      data: [{ dev: 'data', path: `/data/nodes/${i}` }],
      disks: [{ available: d.available, dev: 'data', size: d.size, used: d.used }],
      total: { available: d.available, bytes_read: -1, bytes_written: -1, reads: -1, size: d.size, used: d.used, writes: -1 },
    },
    { free: heap.heap_size_limit - heap.used_heap_size, max: heap.heap_size_limit, probe_timestamp: now, used: heap.used_heap_size },
    'localhost',
    node.id,
    { 1: l1, 15: l15, 5: l5, probe_timestamp: now },
    { free, free_percent: Math.round((free / total) * 100), probe_timestamp: now, used: total - free, used_percent: Math.round(((total - free) / total) * 100) },
    node.name,
    {
      cgroup: {
        cpu: { cfs_period_micros: none, cfs_quota_micros: none, control_group: none, num_elapsed_periods: none, num_times_throttled: none, time_throttled_nanos: none },
        cpuacct: { control_group: none, usage_nanos: none },
        mem: { control_group: none, limit_bytes: none, usage_bytes: none },
      },
      cpu: { system: -1, used: -1, user: -1 },
      probe_timestamp: now, timestamp: now, uptime: Math.round(uptime() * 1000),
    },
    {
      arch: process.arch === 'x64' ? 'amd64' : process.arch, available_processors: availableParallelism(),
      jvm: { version: '24', vm_name: 'OpenJDK 64-Bit Server VM', vm_vendor: 'Eclipse Adoptium', vm_version: '24' },
      name: 'Linux', version: release(),
    },
    { http: Number(/:(\d+)$/.exec(node.restUrl)?.[1] ?? 4200), psql: 5432 + i, transport: 4300 + i },
    { cpu: { percent: 0 }, max_open_file_descriptors: 1048576, open_file_descriptors: openFileDescriptors(), probe_timestamp: now },
    node.restUrl,
    THREAD_POOLS.map((name) => ({ active: 0, completed: 0, largest: 0, name, queue: 0, rejected: 0, threads: 0 })),
    {
      build_hash: v.buildHash, build_snapshot: false, minimum_index_compatibility_version: v.minimumIndexCompatibilityVersion,
      minimum_wire_compatibility_version: v.minimumWireCompatibilityVersion, number: v.number,
    },
  ];
}
