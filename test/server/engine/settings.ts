/**
 * CrateDB's table settings (`WITH (...)` of CREATE TABLE, `ALTER TABLE ... SET / RESET`): the one list
 * of the settings CrateDB knows, with their value types, defaults and validation. A name not in the list
 * fails as CrateDB fails it (`Invalid property "x" passed to [ALTER | CREATE] TABLE statement`), and so
 * does a value its type does not take. information_schema.tables.settings is built from this list.
 */
import { sqlParse, type CrateError } from './errors.js';
import { T, type CrateType, type ObjectField } from './types.js';

type Kind =
  | { type: 'boolean' }
  | { type: 'integer'; min?: number }
  | { type: 'time' }
  | { type: 'bytes' }
  | { type: 'replicas' }
  | { type: 'activeShards' }
  | { type: 'enum'; values: string[] }
  | { type: 'text' };

export interface SettingDef {
  /** Dotted name, as written in `WITH (...)`; `*` matches one or more name parts. */
  name: string;
  kind: Kind;
  /** The value a table has when it was not set (as information_schema reports it); undefined: not reported. */
  default?: unknown;
  /** Accepted by CREATE TABLE only (ALTER TABLE fails on it). */
  createOnly?: boolean;
}

const bool: Kind = { type: 'boolean' };
const time: Kind = { type: 'time' };
const int = (min = 0): Kind => ({ type: 'integer', min });

/** CrateDB's table settings (crate/crate TableParameters, as documented for CREATE TABLE ... WITH). */
export const TABLE_SETTINGS: readonly SettingDef[] = [
  { name: 'number_of_replicas', kind: { type: 'replicas' }, default: '0-1' },
  { name: 'number_of_shards', kind: int(1) },
  { name: 'refresh_interval', kind: time, default: 1000 },
  { name: 'column_policy', kind: { type: 'enum', values: ['strict', 'dynamic'] }, default: 'strict' },
  { name: 'blocks.read_only', kind: bool, default: false },
  { name: 'blocks.read_only_allow_delete', kind: bool, default: false },
  { name: 'blocks.read', kind: bool, default: false },
  { name: 'blocks.write', kind: bool, default: false },
  { name: 'blocks.metadata', kind: bool, default: false },
  { name: 'codec', kind: { type: 'enum', values: ['default', 'best_compression'] }, default: 'default', createOnly: true },
  { name: 'store.type', kind: { type: 'enum', values: ['fs', 'niofs', 'mmapfs', 'hybridfs'] }, default: 'fs', createOnly: true },
  { name: 'translog.flush_threshold_size', kind: { type: 'bytes' }, default: 536870912 },
  { name: 'translog.sync_interval', kind: time, default: 5000 },
  { name: 'translog.durability', kind: { type: 'enum', values: ['REQUEST', 'ASYNC'] }, default: 'REQUEST' },
  { name: 'routing.allocation.enable', kind: { type: 'enum', values: ['all', 'primaries', 'new_primaries', 'none'] }, default: 'all' },
  { name: 'routing.allocation.total_shards_per_node', kind: int(-1), default: -1 },
  { name: 'routing.allocation.include.*', kind: { type: 'text' } },
  { name: 'routing.allocation.exclude.*', kind: { type: 'text' } },
  { name: 'routing.allocation.require.*', kind: { type: 'text' } },
  { name: 'allocation.max_retries', kind: int(0), default: 5 },
  { name: 'max_ngram_diff', kind: int(0), default: 1 },
  { name: 'max_shingle_diff', kind: int(0), default: 3 },
  { name: 'mapping.total_fields.limit', kind: int(0), default: 1000 },
  { name: 'merge.scheduler.max_thread_count', kind: int(1) },
  { name: 'soft_deletes.enabled', kind: bool, default: true, createOnly: true },
  { name: 'soft_deletes.retention_lease.period', kind: time, default: 43200000 },
  { name: 'unassigned.node_left.delayed_timeout', kind: time, default: 60000 },
  { name: 'write.wait_for_active_shards', kind: { type: 'activeShards' }, default: '1' },
  { name: 'number_of_routing_shards', kind: int(1), createOnly: true },
];

function matches(pattern: string, name: string): boolean {
  if (!pattern.endsWith('.*')) return pattern === name;
  const prefix = pattern.slice(0, -1);
  return name.startsWith(prefix) && name.length > prefix.length;
}

export function tableSetting(name: string): SettingDef | undefined {
  return TABLE_SETTINGS.find((s) => matches(s.name, name));
}

function invalidProperty(name: string): CrateError {
  return sqlParse(`Invalid property "${name}" passed to [ALTER | CREATE] TABLE statement`);
}

/** A setting CrateDB knows, or its error; `statement` tells whether ALTER TABLE may change it. */
export function knownSetting(name: string, statement: 'create' | 'alter'): SettingDef {
  const def = tableSetting(name);
  if (!def) throw invalidProperty(name);
  if (statement === 'alter' && def.createOnly) throw invalidProperty(name);
  return def;
}

/** `'0'`, `'2'`, `'0-1'`, `'1-all'`: CrateDB's replica ranges. */
export function validReplicas(value: string): boolean {
  return /^\d+$/.test(value) || /^\d+-(\d+|all)$/.test(value);
}

/** A time setting (`1000`, `'500ms'`, `'2s'`, `'1m'`) in milliseconds. */
export function durationMs(value: string, name = 'refresh_interval'): number {
  const m = /^\s*(-?\d+(?:\.\d+)?)\s*(ms|s|m|h|d)?\s*$/i.exec(value);
  if (!m) throw sqlParse(`failed to parse setting [${name}] with value [${value}] as a time value`);
  const unit = (m[2] ?? 'ms').toLowerCase();
  const factor: Record<string, number> = { ms: 1, s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000 };
  return Number(m[1]) * factor[unit]!;
}

function bytes(value: string, name: string): number {
  const m = /^\s*(\d+(?:\.\d+)?)\s*(b|kb|mb|gb|tb)?\s*$/i.exec(value);
  if (!m) throw sqlParse(`failed to parse setting [${name}] with value [${value}] as a size in bytes`);
  const factor: Record<string, number> = { b: 1, kb: 1024, mb: 1024 ** 2, gb: 1024 ** 3, tb: 1024 ** 4 };
  return Math.round(Number(m[1]) * factor[(m[2] ?? 'b').toLowerCase()]!);
}

/**
 * Checks a value against its setting's type and returns it as the table stores it (booleans and numbers
 * as their text, times in ms). `value` is the property as written (`1`, `'0-1'`, `true`).
 */
export function validateSetting(name: string, value: string, statement: 'create' | 'alter'): string {
  const def = knownSetting(name, statement);
  const kind = def.kind;
  switch (kind.type) {
    case 'replicas':
      if (!validReplicas(value)) throw sqlParse(`The "number_of_replicas" range "${value}" isn't valid`);
      return value;
    case 'boolean':
      if (!/^(true|false)$/i.test(value)) throw sqlParse(`Failed to parse value [${value}] as only [true] or [false] are allowed.`);
      return value.toLowerCase();
    case 'integer': {
      if (!/^-?\d+$/.test(value)) throw sqlParse(`Failed to parse value [${value}] for setting [${name}]`);
      const n = Number(value);
      if (kind.min !== undefined && n < kind.min) throw sqlParse(`Failed to parse value [${value}] for setting [${name}] must be >= ${kind.min}`);
      return String(n);
    }
    case 'time':
      return String(durationMs(value, name));
    case 'bytes':
      return String(bytes(value, name));
    case 'activeShards':
      if (!/^(all|\d+)$/i.test(value)) throw sqlParse(`Invalid value [${value}] for setting [${name}]`);
      return value.toLowerCase();
    case 'enum': {
      const hit = kind.values.find((v) => v.toLowerCase() === value.toLowerCase());
      if (!hit) throw sqlParse(`Invalid value for argument '${name}'`);
      return hit;
    }
    case 'text':
      return value;
  }
}

/** A stored setting's value as information_schema reports it (typed per the setting's kind). */
export function reportedValue(name: string, stored: string): unknown {
  const kind = tableSetting(name)?.kind;
  if (kind?.type === 'boolean') return stored === 'true';
  if (kind?.type === 'integer' || kind?.type === 'time' || kind?.type === 'bytes') return Number(stored);
  return stored;
}

/**
 * information_schema.tables.settings: every setting with a default, overridden by the table's own,
 * nested by name parts (`settings['blocks']['write']`).
 */
export function settingsObject(own: Record<string, string>, typed: Record<string, unknown>): Record<string, unknown> {
  const flat: Record<string, unknown> = {};
  for (const s of TABLE_SETTINGS) if (s.default !== undefined && !s.name.includes('*')) flat[s.name] = s.default;
  for (const [k, v] of Object.entries(own)) flat[k] = reportedValue(k, v);
  Object.assign(flat, typed);
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(flat)) {
    const parts = k.split('.');
    let node = out;
    for (const p of parts.slice(0, -1)) {
      if (typeof node[p] !== 'object' || node[p] === null) node[p] = {};
      node = node[p] as Record<string, unknown>;
    }
    node[parts[parts.length - 1]!] = v;
  }
  return out;
}

/**
 * Cluster settings `SET GLOBAL` may change (CrateDB's runtime-changeable settings, by name or by group
 * prefix, or a group itself); any other name is `Setting '<name>' is not supported`.
 */
const CLUSTER_SETTINGS = [
  'stats.', 'bulk.request_timeout', 'discovery.zen.', 'cluster.routing.', 'cluster.info.', 'cluster.graceful_stop.',
  'cluster.max_shards_per_node', 'indices.breaker.', 'indices.recovery.', 'indices.replication.', 'gateway.',
  'overload_protection.', 'memory.', 'statement_timeout', 'udc.', 'logger.', 'replication.', 'license.',
];

export function checkClusterSetting(name: string): void {
  // A group's own name counts too (`SET GLOBAL stats = {...}`, `RESET GLOBAL stats`): CrateSettings.isValidSetting.
  const known = CLUSTER_SETTINGS.some((s) => (s.endsWith('.') ? name.startsWith(s) && name.length > s.length : name === s) || s.startsWith(`${name}.`));
  if (!known) throw sqlParse(`Setting '${name}' is not supported`);
}

/** The type of information_schema.tables.settings: one (nested) field per setting with a default. */
export function settingsType(): CrateType {
  const root: ObjectField[] = [];
  for (const s of TABLE_SETTINGS) {
    if (s.default === undefined || s.name.includes('*')) continue;
    const parts = s.name.split('.');
    let fields = root;
    for (const p of parts.slice(0, -1)) {
      let f = fields.find((x) => x.name === p);
      if (!f) {
        f = { name: p, type: T.object([], 'strict') };
        fields.push(f);
      }
      fields = (f.type as Extract<CrateType, { kind: 'object' }>).fields;
    }
    const k = s.kind.type;
    const type = k === 'boolean' ? T.boolean : k === 'integer' ? T.integer : k === 'time' || k === 'bytes' ? T.bigint : T.text;
    fields.push({ name: parts[parts.length - 1]!, type });
  }
  return T.object(root, 'strict');
}
