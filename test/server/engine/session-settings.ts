/**
 * CrateDB's session settings (its SessionSettingRegistry): `SHOW name` reads one, `SHOW ALL` lists them
 * with their descriptions, `SET name = v` changes the writable ones for the connection's session. A
 * `SET` of a name CrateDB does not know is ignored (it only logs it); a `SHOW` of one is an error.
 * IllegalArgumentException answers as SQLParseException (4000), UnsupportedOperationException as
 * UnsupportedFeatureException (4004).
 */
import type { Session } from '../contract.js';
import { sqlParse, unsupportedFeature } from './errors.js';

/** The values a session changed by SET; absent ones read their default. */
const changed = new WeakMap<Session, Map<string, string>>();

interface Setting {
  description: string;
  value: (session: Session) => string | null;
  /** The stored text for SET's values; absent: `"<name>" cannot be changed.` */
  set?: (values: string[]) => string;
}

const readOnly = (value: string, description: string): Setting => ({ description, value: () => value });

const bool = (name: string) => (values: string[]): string => {
  if (values.length !== 1) throw sqlParse(`${name} should have only one argument.`);
  return String(['true', 't', 'on', 'yes', 'y', '1'].includes(values[0]!.toLowerCase()));
};

const DATE_STYLES = new Set(['ISO', 'MDY', 'NONEURO', 'NONEUROPEAN', 'US', 'DMY', 'EURO', 'EUROPEAN', 'YMD']);

/** A statement_timeout given as milliseconds (a number, or digits) or `<n> <unit>`, printed as TimeValue does. */
function timeValue(values: string[]): string {
  const text = values[0]!.trim();
  const m = /^(\d+(?:\.\d+)?)\s*(ms|milliseconds?|s|secs?|seconds?|m|mins?|minutes?|h|hours?|d|days?)?$/i.exec(text);
  if (!m) throw sqlParse(`Invalid interval format: ${text}`);
  const unit = (m[2] ?? 'ms').toLowerCase();
  const scale = unit.startsWith('ms') || unit.startsWith('milli') ? 1 : unit.startsWith('s') ? 1000 : unit.startsWith('m') ? 60_000 : unit.startsWith('h') ? 3_600_000 : 86_400_000;
  return formatTimeValue(Math.round(Number(m[1]) * scale));
}

/** TimeValue.toString: the largest unit that fits, one truncated decimal unless it is 0. */
function formatTimeValue(ms: number): string {
  if (ms === 0) return '0s';
  const units: Array<[number, string]> = [[86_400_000, 'd'], [3_600_000, 'h'], [60_000, 'm'], [1000, 's'], [1, 'ms']];
  const [size, suffix] = units.find(([u]) => ms >= u)!;
  const tenths = Math.trunc((ms / size) * 10);
  return `${tenths % 10 === 0 ? tenths / 10 : (tenths / 10).toFixed(1)}${suffix}`;
}

const OPTIMIZER_RULES = [
  'DeduplicateOrder', 'EliminateCrossJoin', 'EquiJoinToLookupJoin', 'MergeAggregateAndCollectToCount',
  'MergeAggregateRenameAndCollectToCount', 'MergeFilterAndCollect', 'MergeFilterAndForeignCollect', 'MergeFilters',
  'MoveConstantJoinConditionsBeneathJoin', 'MoveFilterBeneathCorrelatedJoin', 'MoveFilterBeneathEval',
  'MoveFilterBeneathGroupBy', 'MoveFilterBeneathJoin', 'MoveFilterBeneathOrder', 'MoveFilterBeneathProjectSet',
  'MoveFilterBeneathRename', 'MoveFilterBeneathUnion', 'MoveFilterBeneathWindowAgg', 'MoveLimitBeneathEval',
  'MoveLimitBeneathRename', 'MoveOrderBeneathEval', 'MoveOrderBeneathNestedLoop', 'MoveOrderBeneathRename',
  'MoveOrderBeneathUnion', 'OptimizeCollectWhereClauseAccess', 'RemoveRedundantEval', 'ReorderHashJoin',
  'ReorderNestedLoopJoin', 'RewriteFilterOnOuterJoinToInnerJoin', 'RewriteGroupByKeysLimitToLimitDistinct',
  'RewriteToQueryThenFetch',
];

const snake = (rule: string): string => rule.replace(/[A-Z]/g, (c, i: number) => `${i > 0 ? '_' : ''}${c.toLowerCase()}`);

const SETTINGS: ReadonlyMap<string, Setting> = new Map<string, Setting>([
  ['application_name', {
    description: 'Optional application name. Can be set by a client to identify the application which created the connection',
    value: () => null,
    set: (values) => values[0]!,
  }],
  ['datestyle', {
    description: 'Display format for date and time values.',
    value: () => 'ISO',
    set: (values) => {
      for (const v of values.flatMap((x) => x.split(',')).map((x) => x.trim().toUpperCase())) {
        if (!DATE_STYLES.has(v)) throw sqlParse(`Invalid value for parameter "datestyle": "${v}". Valid values include: ["ISO"].`);
      }
      return 'ISO';
    },
  }],
  ['enable_hashjoin', { description: 'Considers using the Hash Join instead of the Nested Loop Join implementation.', value: () => 'true', set: bool('enable_hashjoin') }],
  ['error_on_unknown_object_key', {
    description: 'Raises or suppresses ObjectKeyUnknownException when querying nonexistent keys to dynamic objects.',
    value: () => 'true',
    set: bool('error_on_unknown_object_key'),
  }],
  ['max_identifier_length', readOnly('255', 'Shows the maximum length of identifiers in bytes.')],
  ['max_index_keys', readOnly('32', 'Shows the maximum number of index keys.')],
  ['memory.operation_limit', {
    description: 'Memory limit in bytes for an individual operation. 0 by-passes the operation limit, relying entirely on the global circuit breaker limits',
    value: () => '0',
    set: (values) => String(Math.trunc(Number(values[0]))),
  }],
  ...OPTIMIZER_RULES.map((rule): [string, Setting] => [
    `optimizer_${snake(rule)}`,
    { description: `Indicates if the optimizer rule ${rule} is activated.`, value: () => 'true', set: bool(`optimizer_${snake(rule)}`) },
  ]),
  // The schema is the session's own (Default-Schema); SET keeps the whole path for SHOW.
  ['search_path', { description: 'Sets the schema search order.', value: (s) => s.schema, set: (values) => values.join(', ') || 'doc' }],
  ['server_version', readOnly('14.0', 'Reports the emulated PostgreSQL version number')],
  ['server_version_num', readOnly('140000', 'Reports the emulated PostgreSQL version number')],
  ['standard_conforming_strings', {
    description: "Causes '...' strings to treat backslashes literally.",
    value: () => 'on',
    set: (values) => {
      if (['false', 'f', 'off', 'no', 'n', '0'].includes(values[0]!.toLowerCase())) throw unsupportedFeature('"standard_conforming_strings" cannot be changed.');
      return 'on';
    },
  }],
  ['statement_timeout', {
    description: 'The maximum duration of any statement before it gets killed. Infinite/disabled if 0',
    value: () => '0s',
    set: timeValue,
  }],
]);

/** `SHOW name`: its value on this session, or CrateDB's error for a name it does not know. */
export function showSetting(session: Session, name: string): string | null {
  const setting = SETTINGS.get(name);
  if (!setting) throw sqlParse(`Unknown session setting name '${name}'.`);
  return changed.get(session)?.get(name) ?? setting.value(session);
}

/** The CrateDB type name pg_settings' `vartype` gives a setting, read off its default. */
function varType(name: string, fallback: string | null): string {
  if (name === 'statement_timeout') return 'interval';
  if (fallback === 'true' || fallback === 'false') return 'boolean';
  return fallback !== null && /^\d+$/.test(fallback) ? 'integer' : 'text';
}

/** pg_catalog.pg_settings (PgSettingsTable): each session setting with its value on this session and its default. */
export function pgSettingsRows(session: Session): Array<Record<string, unknown>> {
  const fresh: Session = { ...session, schema: 'doc' };
  return [...SETTINGS].map(([name, s]) => {
    const boot = s.value(fresh);
    return { name, setting: showSetting(session, name), short_desc: s.description, vartype: varType(name, boot), boot_val: boot, reset_val: boot };
  });
}

/** `SHOW ALL`: name, value, description of every setting, by name. */
export function allSettings(session: Session): Array<[string, string | null, string]> {
  return [...SETTINGS].map(([name, s]) => [name, showSetting(session, name), s.description]);
}

/**
 * `SET name = v, ...` (values as text, each split at commas as CrateDB does); `DEFAULT` (no values)
 * restores the default. Returns the stored text, or undefined for a name CrateDB ignores.
 */
export function setSetting(session: Session, name: string, values: string[]): string | undefined {
  const setting = SETTINGS.get(name);
  if (!setting) return undefined;
  if (!setting.set) throw unsupportedFeature(`"${name}" cannot be changed.`);
  const own = changed.get(session) ?? new Map<string, string>();
  changed.set(session, own);
  const parts = values.flatMap((v) => v.split(',')).map((v) => v.trim()).filter((v) => v !== '');
  if (parts.length === 0) {
    own.delete(name);
    return undefined;
  }
  const stored = setting.set(parts);
  own.set(name, stored);
  return stored;
}
