/**
 * The cluster settings sys.cluster's `settings` column shows (CrateSettings' exposed settings, as a tree by
 * their dotted names: SysClusterTableInfo), with CrateDB's defaults, and what SET GLOBAL / RESET GLOBAL change.
 * PERSISTENT and TRANSIENT are one here: the test server never restarts with its state.
 */
import type { Catalog } from './catalog.js';
import { sqlParse } from './errors.js';
import { T, type CrateType, type ObjectField } from './types.js';

type Value = string | number | boolean;

/** Each exposed setting and its default; the default's JS type is the column's (time and byte sizes are text). */
const DEFAULTS: ReadonlyArray<[string, Value]> = [
  ['stats.enabled', true], ['stats.jobs_log_size', 10000], ['stats.jobs_log_expiration', '0s'],
  ['stats.jobs_log_filter', 'true'], ['stats.jobs_log_persistent_filter', 'false'], ['stats.operations_log_size', 10000],
  ['stats.operations_log_expiration', '0s'], ['stats.service.interval', '24h'], ['stats.service.max_bytes_per_sec', '40mb'],
  ['bulk.request_timeout', '1m'],
  ['cluster.graceful_stop.min_availability', 'PRIMARIES'], ['cluster.graceful_stop.timeout', '2h'], ['cluster.graceful_stop.force', false],
  ['udc.enabled', true], ['udc.url', 'https://udc.crate.io/'], ['udc.initial_delay', '10m'], ['udc.interval', '24h'],
  ['memory.allocation.type', 'on-heap'], ['memory.operation_limit', 0],
  ['replication.logical.ops_batch_size', 50000], ['replication.logical.reads_poll_duration', '50ms'],
  ['cluster.info.update.interval', '30s'],
  ['cluster.routing.allocation.enable', 'all'], ['cluster.routing.rebalance.enable', 'all'],
  ['cluster.routing.allocation.allow_rebalance', 'indices_all_active'], ['cluster.routing.allocation.cluster_concurrent_rebalance', 2],
  ['cluster.routing.allocation.total_shards_per_node', -1], ['cluster.routing.allocation.node_initial_primaries_recoveries', 4],
  ['cluster.routing.allocation.node_concurrent_recoveries', 2],
  ...['include', 'exclude', 'require'].flatMap((g) => ['_ip', '_id', '_host', '_name'].map((k): [string, Value] => [`cluster.routing.allocation.${g}.${k}`, ''])),
  ['cluster.routing.allocation.balance.shard', 0.45], ['cluster.routing.allocation.balance.index', 0.55],
  ['cluster.routing.allocation.balance.threshold', 1.0], ['cluster.routing.allocation.disk.threshold_enabled', true],
  ['cluster.routing.allocation.disk.watermark.low', '85%'], ['cluster.routing.allocation.disk.watermark.high', '90%'],
  ['cluster.routing.allocation.disk.watermark.flood_stage', '95%'],
  ['cluster.max_shards_per_node', 1000],
  ['indices.breaker.jobs_log.limit', '5%'], ['indices.breaker.jobs_log.overhead', 1.0],
  ['indices.breaker.operations_log.limit', '5%'], ['indices.breaker.operations_log.overhead', 1.0],
  ['indices.breaker.query.limit', '60%'], ['indices.breaker.query.overhead', 1.09],
  ['indices.breaker.request.limit', '60%'], ['indices.breaker.request.overhead', 1.0], ['indices.breaker.total.limit', '95%'],
  ['indices.recovery.max_bytes_per_sec', '40mb'], ['indices.recovery.retry_delay_state_sync', '500ms'],
  ['indices.recovery.retry_delay_network', '5s'], ['indices.recovery.internal_action_timeout', '15m'],
  ['indices.recovery.internal_action_long_timeout', '30m'], ['indices.recovery.recovery_activity_timeout', '30m'],
  ['discovery.zen.publish_timeout', '30s'],
  ['gateway.recover_after_nodes', -1], ['gateway.recover_after_data_nodes', -1], ['gateway.recover_after_time', '0ms'],
  ['gateway.expected_nodes', -1], ['gateway.expected_data_nodes', -1],
  ['overload_protection.dml.initial_concurrency', 5], ['overload_protection.dml.min_concurrency', 1],
  ['overload_protection.dml.max_concurrency', 2000], ['overload_protection.dml.queue_size', 200],
];
const DEFAULT_OF = new Map(DEFAULTS);
/** Settings with a fraction (a whole default such as 1.0 reads as a number, not an integer). */
const FRACTIONS = new Set(['cluster.routing.allocation.balance.shard', 'cluster.routing.allocation.balance.index',
  'cluster.routing.allocation.balance.threshold', 'indices.breaker.jobs_log.overhead', 'indices.breaker.operations_log.overhead',
  'indices.breaker.query.overhead', 'indices.breaker.request.overhead']);

function leafType(name: string, v: Value): CrateType {
  if (typeof v === 'boolean') return T.boolean;
  if (typeof v === 'number') return FRACTIONS.has(name) ? T.double : T.integer;
  return T.text;
}

/** The type of sys.cluster's `settings`: nested strict objects down to each setting, and `logger`. */
export function clusterSettingsType(): CrateType {
  const root: ObjectField[] = [{ name: 'logger', type: T.array(T.object([{ name: 'level', type: T.text }, { name: 'name', type: T.text }], 'strict')) }];
  for (const [name, v] of DEFAULTS) {
    const parts = name.split('.');
    let fields = root;
    for (const p of parts.slice(0, -1)) {
      let f = fields.find((x) => x.name === p);
      if (!f) fields.push((f = { name: p, type: T.object([], 'strict') }));
      fields = (f.type as Extract<CrateType, { kind: 'object' }>).fields;
    }
    fields.push({ name: parts[parts.length - 1]!, type: leafType(name, v) });
  }
  return T.object(root, 'strict');
}

/** The value of `settings`: defaults overlaid with what SET GLOBAL changed. */
export function clusterSettingsValue(catalog: Catalog): Record<string, unknown> {
  const out: Record<string, unknown> = { logger: [] };
  for (const [name, v] of DEFAULTS) {
    const parts = name.split('.');
    let node = out;
    for (const p of parts.slice(0, -1)) node = (node[p] ??= {}) as Record<string, unknown>;
    node[parts[parts.length - 1]!] = catalog.clusterSettings.get(name) ?? v;
  }
  return out;
}

/**
 * SET GLOBAL name = value: an object value sets each of its keys below the name (`stats = {jobs_log_size = 1}`),
 * an array is its items joined by commas (CrateSettings.flattenSettings). Settings sys.cluster does not show
 * (logger.*, license, ...) are accepted and not kept.
 */
export function setClusterSetting(catalog: Catalog, name: string, value: unknown): void {
  if (value !== null && typeof value === 'object' && !Array.isArray(value)) {
    for (const [k, v] of Object.entries(value as Record<string, unknown>)) setClusterSetting(catalog, `${name}.${k}`, v);
    return;
  }
  if (value === null || value === undefined) {
    throw sqlParse(`Cannot set "${name}" to \`null\`. Use \`RESET [GLOBAL] "${name}"\` to reset a setting to its default value`);
  }
  const def = DEFAULT_OF.get(name);
  if (def === undefined) return;
  const text = Array.isArray(value) ? value.map(String).join(',') : String(value);
  catalog.clusterSettings.set(name, parseValue(name, def, text));
}

function parseValue(name: string, def: Value, text: string): Value {
  if (typeof def === 'boolean') {
    if (text !== 'true' && text !== 'false') throw sqlParse(`Failed to parse value [${text}] as only [true] or [false] are allowed.`);
    return text === 'true';
  }
  if (typeof def === 'number') {
    const n = Number(text);
    if (text.trim() === '' || Number.isNaN(n) || (!FRACTIONS.has(name) && !Number.isInteger(n))) {
      throw sqlParse(`Failed to parse value [${text}] for setting [${name}]`);
    }
    return n;
  }
  return text;
}

/** RESET GLOBAL name: the setting, or every setting below a prefix (`RESET GLOBAL stats`), back to its default. */
export function resetClusterSetting(catalog: Catalog, name: string): void {
  for (const key of [...catalog.clusterSettings.keys()]) {
    if (key === name || key.startsWith(`${name}.`)) catalog.clusterSettings.delete(key);
  }
}
