/**
 * information_schema and sys, materialized from the catalog into PG tables (schema `crate_sys`) so that
 * PG evaluates the user's WHERE / ORDER BY / aggregates on them exactly as on any table. A table is
 * rebuilt when the catalog changed since it was last written (or on every read, for the live ones).
 * Other users see only the rows of schemas they may see.
 */
import type { PGlite } from '@electric-sql/pglite';
import type { CrateVersion, Session } from '../contract.js';
import { parsePrivilege, type UserDef } from './catalog.js';
import { DOC_ID_FUNCTIONS_SQL } from './doc-id.js';
import { schemaUnknown } from './errors.js';
import { pgString, quoteIdent } from './format.js';
import { canSeeRelation, canSeeSchema, seesWholeSchema } from './privileges.js';
import type { Column, Tx } from './scope.js';
import { SYSTEM_SCHEMA } from './storage.js';
import { pgType, T, type CrateType } from './types.js';
import type { EngineState } from './state.js';
import { formatTableRows } from './system-rows.js';
import { settingsType } from './settings.js';
import { jobLogRows, jobRows } from './jobs-log.js';
import { clusterCheckRows, nodeCheckRows } from './system-checks.js';
import { clusterHealthRows, healthRows, partitionRows, shardRows } from './system-live.js';
import { NODE_COLUMNS, nodeRow } from './sys-nodes.js';
import { allocationRows } from './sys-allocations.js';
import { SESSION_COLUMNS, SESSION_COLUMNS_ONLY_IN, sessionRows } from './sys-sessions.js';
import { clusterSettingsType, clusterSettingsValue } from './cluster-settings.js';
import { routineRows } from './routines.js';
import { udfRoutineRows } from './udfs.js';
import { pgSettingsRows } from './session-settings.js';
import { pgCursorRows } from './cursors.js';
import { repositoryRows, restoreRows, snapshotRows } from './snapshot-state.js';
import { pgAttributeRows, pgClassRows, pgConstraintRows, pgIndexRows, pgRolesRows, pgTypeRows, schemaOid } from './pg-catalog.js';

export interface SystemTableDef {
  schema: string;
  name: string;
  columns: Array<{ name: string; type: CrateType }>;
  /** Column holding the schema a row belongs to (rows of invisible schemas are hidden). */
  schemaColumn?: string;
  /** Column holding the relation a row belongs to, beside `schemaColumn` (rows of invisible relations are hidden). */
  tableColumn?: string;
  /** Rebuilt on every read (cluster state), not only after catalog changes. */
  live?: boolean;
  /** Columns of the PG table that the relation does not show (what `schemaColumn` / `tableColumn` name). */
  hidden?: Array<{ name: string; type: CrateType }>;
  /** The rows; `session` for the tables whose rows are the reading session's own (pg_settings). */
  rows(state: EngineState, session: Session): unknown[][] | Promise<unknown[][]>;
  /** Rebuilt on every read from the reading session (implies `live`). */
  perSession?: boolean;
  /** Columns only one version has, with that version: the PG table keeps them, the other version's relation does not show them. */
  onlyIn?: Record<string, CrateVersion>;
}

const text = T.text;
const int = T.integer;
const bool = T.boolean;
const long = T.bigint;
const obj = (fields: Array<[string, CrateType]> = []): CrateType => T.object(fields.map(([name, type]) => ({ name, type })), 'strict');

function def(schema: string, name: string, columns: Array<[string, CrateType]>, rows: SystemTableDef['rows'], extra: Partial<SystemTableDef> = {}): SystemTableDef {
  return { schema, name, columns: columns.map(([n, t]) => ({ name: n, type: t })), rows, ...extra };
}

/** sys.privileges' `class` of a privilege's identifier: '' the cluster, `s` a schema, `s.t` a table or view. */
function privilegeClass(state: EngineState, ident: string): string {
  if (ident === '') return 'CLUSTER';
  const dot = ident.indexOf('.');
  if (dot < 0) return 'SCHEMA';
  return state.catalog.view(ident.slice(0, dot), ident.slice(dot + 1)) ? 'VIEW' : 'TABLE';
}

/** Columns the PG tables of pg_class, pg_attribute and pg_constraint carry beside CrateDB's, to hide rows by privilege. */
export const HIDDEN_SCHEMA = '_schema';
export const HIDDEN_TABLE = '_table';

const GRANTED_ROLES = T.array(obj([['grantor', text], ['role', text]]));

/** SysUsersTableInfo / SysRolesTableInfo `granted_roles`, sorted by role name. */
function grantedRoles(u: UserDef): Array<{ grantor: string; role: string }> {
  return (u.granted ?? []).map((g) => ({ grantor: g.grantor, role: g.role.name })).sort((a, b) => (a.role < b.role ? -1 : a.role > b.role ? 1 : 0));
}

const BY_RELATION = { schemaColumn: 'table_schema', tableColumn: 'table_name' } as const;

/**
 * A pg_catalog table whose rows are records by column name: CrateDB lists a system table's columns in name
 * order. With `hiddenRelation`, the records also carry the schema and table they describe, for `visibleRows`.
 */
function pgDef(name: string, columns: Array<[string, CrateType]>, rows: (s: EngineState, session: Session) => Array<Record<string, unknown>>, hiddenRelation = false): SystemTableDef {
  const sorted = [...columns].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  const hidden = hiddenRelation ? [HIDDEN_SCHEMA, HIDDEN_TABLE].map((n) => ({ name: n, type: text })) : [];
  const names = [...sorted.map(([n]) => n), ...hidden.map((h) => h.name)];
  return def('pg_catalog', name, sorted, (s, session) => rows(s, session).map((r) => names.map((n) => r[n] ?? null)),
    hiddenRelation ? { hidden, schemaColumn: HIDDEN_SCHEMA, tableColumn: HIDDEN_TABLE } : {});
}

const short: CrateType = { kind: 'smallint' };
const real = T.real;
const textArr = T.array(text);

/** Every system table, keyed `schema.name`. */
export const SYSTEM_TABLES: Map<string, SystemTableDef> = new Map(
  [
    def('information_schema', 'tables', [
      ['blobs_path', text], ['closed', bool], ['clustered_by', text], ['column_policy', text],
      ['number_of_replicas', text], ['number_of_shards', int], ['partitioned_by', T.array(text)],
      ['reference_generation', text], ['routing_hash_function', text], ['self_referencing_column_name', text],
      ['settings', settingsType()], ['table_catalog', text],
      ['table_name', text], ['table_schema', text], ['table_type', text],
      ['version', obj([['created', text], ['upgraded', text]])],
    ], (s) => formatTableRows(s).tables, BY_RELATION),
    def('information_schema', 'columns', [
      ['character_maximum_length', int], ['character_octet_length', int], ['character_set_catalog', text],
      ['character_set_name', text], ['character_set_schema', text], ['check_action', int], ['check_references', text],
      ['collation_catalog', text], ['collation_name', text], ['collation_schema', text], ['column_default', text],
      ['column_details', obj([['name', text], ['path', T.array(text)]])], ['column_name', text], ['data_type', text],
      ['datetime_precision', int], ['domain_catalog', text], ['domain_name', text], ['domain_schema', text],
      ['generation_expression', text], ['identity_cycle', bool], ['identity_generation', text], ['identity_increment', text],
      ['identity_maximum', text], ['identity_minimum', text], ['identity_start', text], ['interval_precision', int],
      ['interval_type', text], ['is_generated', text], ['is_identity', bool], ['is_nullable', text],
      ['numeric_precision', int], ['numeric_precision_radix', int], ['numeric_scale', int], ['ordinal_position', int],
      ['table_catalog', text], ['table_name', text], ['table_schema', text], ['udt_catalog', text], ['udt_name', text],
      ['udt_schema', text],
    ], (s) => formatTableRows(s).columns, BY_RELATION),
    def('information_schema', 'schemata', [
      ['catalog_name', text], ['default_character_set_catalog', text], ['default_character_set_name', text],
      ['default_character_set_schema', text], ['schema_name', text], ['schema_owner', text], ['sql_path', text],
    ], (s) => formatTableRows(s).schemata, { schemaColumn: 'schema_name' }),
    def('information_schema', 'table_constraints', [
      ['constraint_catalog', text], ['constraint_name', text], ['constraint_schema', text], ['constraint_type', text],
      ['initially_deferred', text], ['is_deferrable', text], ['nulls_distinct', text], ['table_catalog', text],
      ['table_name', text], ['table_schema', text],
    ], (s) => formatTableRows(s).constraints, BY_RELATION),
    def('information_schema', 'key_column_usage', [
      ['column_name', text], ['constraint_catalog', text], ['constraint_name', text], ['constraint_schema', text],
      ['ordinal_position', int], ['table_catalog', text], ['table_name', text], ['table_schema', text],
    ], (s) => formatTableRows(s).keys, BY_RELATION),
    def('information_schema', 'views', [
      ['check_option', text], ['is_updatable', bool], ['owner', text], ['table_catalog', text], ['table_name', text],
      ['table_schema', text], ['view_definition', text],
    ], (s) => formatTableRows(s).views, BY_RELATION),
    def('sys', 'cluster', [
      ['id', text], ['license', obj([['expiry_date', T.timestamptz], ['issued_to', text], ['max_nodes', int]])],
      ['master_node', text], ['name', text], ['settings', clusterSettingsType()],
    ], (s) => [[s.cluster.id, null, s.cluster.nodes[0]?.id ?? null, s.cluster.name, clusterSettingsValue(s.catalog)]], { live: true }),
    def('sys', 'nodes', NODE_COLUMNS, (s) => s.cluster.nodes.map((n, i) => nodeRow(s, n, i)), { live: true }),
    def('sys', 'health', [
      ['health', text], ['missing_shards', int], ['partition_ident', text], ['severity', T.integer],
      ['table_name', text], ['table_schema', text], ['underreplicated_shards', int],
    ], healthRows, { live: true }),
    def('sys', 'shards', [
      ['blob_path', text], ['closed', bool], ['flush_stats', obj([['count', long], ['periodic_count', long], ['total_time_ns', long]])],
      ['id', int], ['min_lucene_version', text], ['node', obj([['id', text], ['name', text]])], ['num_docs', long],
      ['orphan_partition', bool], ['partition_ident', text], ['path', text], ['primary', bool],
      ['recovery', obj([
        ['files', obj([['percent', real], ['recovered', int], ['reused', int], ['used', int]])],
        ['size', obj([['percent', real], ['recovered', long], ['reused', long], ['used', long]])],
        ['stage', text], ['total_time', long], ['type', text],
      ])],
      ['relocating_node', text],
      ['retention_leases', obj([
        ['leases', T.array(obj([['id', text], ['retaining_seq_no', long], ['source', text], ['timestamp', T.timestamptz]]))],
        ['primary_term', long], ['version', long],
      ])],
      ['routing_state', text], ['schema_name', text],
      ['seq_no_stats', obj([['global_checkpoint', long], ['local_checkpoint', long], ['max_seq_no', long]])], ['size', long],
      ['state', text], ['table_name', text],
      ['translog_stats', obj([['number_of_operations', int], ['size', long], ['uncommitted_operations', int], ['uncommitted_size', long]])],
    ], shardRows, { live: true }),
    def('information_schema', 'table_partitions', [
      ['closed', bool], ['number_of_replicas', text], ['number_of_shards', int], ['partition_ident', text],
      ['routing_hash_function', text], ['table_name', text], ['table_schema', text], ['values', T.object([], 'ignored')],
      ['version', obj([['created', text], ['upgraded', text]])],
    ], partitionRows, { ...BY_RELATION, live: true }),
    // PgTablesTable: every table (not views), system ones included; the other columns are constants there.
    def('pg_catalog', 'pg_tables', [
      ['hasindexes', bool], ['hasrules', bool], ['hastriggers', bool], ['rowsecurity', bool], ['schemaname', text],
      ['tablename', text], ['tableowner', text], ['tablespace', text],
    ], (s) => [...s.catalog.tables.values(), ...SYSTEM_TABLES.values()].map((t) => [false, false, false, false, t.schema, t.name, null, null]),
    { schemaColumn: 'schemaname', tableColumn: 'tablename' }),
    def('pg_catalog', 'pg_namespace', [['nspacl', T.array(text)], ['nspname', text], ['nspowner', int], ['oid', int]],
      (s) => formatTableRows(s).schemata.map((r) => [null, r[4], 0, schemaOid(r[4] as string)]), { schemaColumn: 'nspname' }),
    pgDef('pg_class', [
      ['oid', int], ['relname', text], ['relnamespace', int], ['reltype', int], ['reloftype', int], ['relowner', int], ['relam', int],
      ['relfilenode', int], ['reltablespace', int], ['relpages', int], ['reltuples', real], ['relallvisible', int], ['reltoastrelid', int],
      ['relhasindex', bool], ['relisshared', bool], ['relpersistence', text], ['relkind', text], ['relnatts', short], ['relchecks', short],
      ['relhasrules', bool], ['relhastriggers', bool], ['relhassubclass', bool], ['relrowsecurity', bool], ['relforcerowsecurity', bool],
      ['relispopulated', bool], ['relreplident', text], ['relispartition', bool], ['relrewrite', int], ['relfrozenxid', int],
      ['relminmxid', int], ['relacl', textArr], ['reloptions', textArr], ['relpartbound', text],
    ], pgClassRows, true),
    pgDef('pg_attribute', [
      ['attrelid', int], ['attname', text], ['atttypid', int], ['attstattarget', int], ['attlen', short], ['attnum', int], ['attndims', int],
      ['attcacheoff', int], ['atttypmod', int], ['attbyval', bool], ['attalign', text], ['attstorage', text], ['attnotnull', bool],
      ['atthasdef', bool], ['atthasmissing', bool], ['attidentity', text], ['attgenerated', text], ['attisdropped', bool],
      ['attislocal', bool], ['attinhcount', int], ['attcollation', int], ['attacl', textArr], ['attoptions', textArr],
      ['attfdwoptions', textArr], ['attmissingval', textArr],
    ], pgAttributeRows, true),
    pgDef('pg_constraint', [
      ['oid', int], ['conname', text], ['connamespace', int], ['contype', text], ['condeferrable', bool], ['condeferred', bool],
      ['convalidated', bool], ['conrelid', int], ['contypid', int], ['conindid', int], ['conparentid', int], ['confrelid', int],
      ['confupdtype', text], ['confdeltype', text], ['confmatchtype', text], ['conislocal', bool], ['coninhcount', int],
      ['connoinherit', bool], ['conkey', T.array(short)], ['confkey', T.array(short)], ['conpfeqop', T.array(int)],
      ['conppeqop', T.array(int)], ['conffeqop', T.array(int)], ['conexclop', T.array(int)], ['conbin', text],
    ], pgConstraintRows, true),
    pgDef('pg_index', [
      ['indexrelid', int], ['indrelid', int], ['indnatts', short], ['indnkeyatts', short], ['indisunique', bool], ['indisprimary', bool],
      ['indisexclusion', bool], ['indimmediate', bool], ['indisclustered', bool], ['indisvalid', bool], ['indcheckxmin', bool],
      ['indisready', bool], ['indislive', bool], ['indisreplident', bool], ['indkey', T.array(int)], ['indcollation', T.array(int)],
      ['indclass', T.array(int)], ['indoption', T.array(short)], ['indexprs', text], ['indpred', text],
    ], pgIndexRows),
    pgDef('pg_database', [
      ['oid', int], ['datname', text], ['datdba', int], ['encoding', int], ['datcollate', text], ['datctype', text], ['datistemplate', bool],
      ['datallowconn', bool], ['datconnlimit', int], ['datlastsysoid', int], ['datfrozenxid', int], ['datminmxid', int],
      ['dattablespace', int], ['datacl', textArr],
    ], () => [{ oid: 0, datname: 'crate', datdba: 1, encoding: 6, datcollate: 'en_US.UTF-8', datctype: 'en_US.UTF-8', datistemplate: false, datallowconn: true, datconnlimit: -1 }]),
    pgDef('pg_roles', [
      ['rolname', text], ['rolsuper', bool], ['rolinherit', bool], ['rolcreaterole', bool], ['rolcreatedb', bool], ['rolcanlogin', bool],
      ['rolreplication', bool], ['rolconnlimit', int], ['rolpassword', text], ['rolvaliduntil', T.timestamptz], ['rolbypassrls', bool],
      ['rolconfig', textArr], ['oid', int],
    ], pgRolesRows),
    def('pg_catalog', 'pg_views', [['definition', text], ['schemaname', text], ['viewname', text], ['viewowner', text]],
      (s) => [...s.catalog.views.values()].map((v) => [v.definition, v.schema, v.name, v.owner]), { schemaColumn: 'schemaname', tableColumn: 'viewname' }),
    { ...pgDef('pg_settings', [
      ['name', text], ['setting', text], ['unit', text], ['category', text], ['short_desc', text], ['extra_desc', text], ['context', text],
      ['vartype', text], ['source', text], ['enumvals', textArr], ['min_val', text], ['max_val', text], ['boot_val', text],
      ['reset_val', text], ['sourcefile', text], ['sourceline', int], ['pending_restart', bool],
    ], (_s, session) => pgSettingsRows(session)), perSession: true },
    { ...pgDef('pg_cursors', [['name', text], ['statement', text], ['is_holdable', bool], ['is_binary', bool], ['is_scrollable', bool], ['creation_time', T.timestamptz]], (_s, session) => pgCursorRows(session)), perSession: true },
    pgDef('pg_type', [
      ['oid', int], ['typname', text], ['typnamespace', int], ['typowner', int], ['typlen', short], ['typbyval', bool], ['typtype', text],
      ['typcategory', text], ['typisdefined', bool], ['typdelim', text], ['typrelid', int], ['typsubscript', text], ['typelem', int],
      ['typarray', int], ['typinput', text], ['typoutput', text], ['typreceive', text], ['typsend', text], ['typmodin', text],
      ['typmodout', text], ['typanalyze', text], ['typalign', text], ['typstorage', text], ['typnotnull', bool], ['typbasetype', int],
      ['typtypmod', int], ['typndims', int], ['typcollation', int], ['typdefaultbin', text], ['typdefault', text], ['typacl', text],
    ], pgTypeRows),
    // Tables CrateDB has but always leaves empty.
    pgDef('pg_description', [['objoid', int], ['classoid', int], ['objsubid', int], ['description', text]], () => []),
    pgDef('pg_attrdef', [['oid', int], ['adrelid', int], ['adnum', int], ['adbin', text], ['adsrc', text]], () => []),
    pgDef('pg_indexes', [['schemaname', text], ['tablename', text], ['indexname', text], ['tablespace', text], ['indexdef', text]], () => []),
    pgDef('pg_am', [['oid', int], ['amname', text], ['amhandler', text], ['amtype', { kind: 'byte' }]], () => []),
    // Tables of features a single node without enums, ranges, locks, tablespaces or logical replication has
    // no rows for (PgEnumTable, PgRangeTable, ...); regproc and regclass columns are read as text and integer.
    pgDef('pg_enum', [['oid', int], ['enumtypid', int], ['enumsortorder', real], ['enumlabel', text]], () => []),
    pgDef('pg_range', [['rngtypid', int], ['rngsubtype', int], ['rngcollation', int], ['rngsubopc', int], ['rngcanonical', text], ['rngsubdiff', text]], () => []),
    pgDef('pg_locks', [
      ['locktype', text], ['database', int], ['relation', int], ['page', int], ['tuple', short], ['virtualxid', text], ['transactionid', int],
      ['classid', int], ['objid', text], ['objsubid', short], ['virtualtransaction', text], ['pid', int], ['mode', text], ['granted', bool],
      ['fastpath', bool], ['waitstart', T.timestamptz],
    ], () => []),
    pgDef('pg_shdescription', [['objoid', int], ['classoid', int], ['description', text]], () => []),
    pgDef('pg_tablespace', [['oid', int], ['spcname', text], ['spcowner', int], ['spcacl', textArr], ['spcoptions', textArr]], () => []),
    pgDef('pg_publication', [['oid', int], ['pubname', text], ['pubowner', int], ['puballtables', bool], ['pubinsert', bool], ['pubupdate', bool], ['pubdelete', bool]], () => []),
    pgDef('pg_publication_tables', [['pubname', text], ['schemaname', text], ['tablename', text]], () => []),
    pgDef('pg_subscription', [
      ['oid', int], ['subdbid', int], ['subname', text], ['subowner', text], ['subenabled', bool], ['subbinary', bool], ['substream', bool],
      ['subconninfo', text], ['subslotname', text], ['subsynccommit', text], ['subpublications', textArr],
    ], () => []),
    pgDef('pg_subscription_rel', [['srsubid', int], ['srrelid', int], ['srsubstate', text], ['srsubstate_reason', text], ['srsublsn', T.bigint]], () => []),
    def('information_schema', 'routines', [
      ['data_type', text], ['is_deterministic', bool], ['routine_body', text], ['routine_definition', text], ['routine_name', text],
      ['routine_schema', text], ['routine_type', text], ['specific_name', text],
    ], (s) => [...routineRows(s.catalog.analyzers), ...udfRoutineRows(s.catalog.functions)]),
    def('information_schema', 'referential_constraints', [
      ['constraint_catalog', text], ['constraint_name', text], ['constraint_schema', text], ['delete_rule', text],
      ['match_option', text], ['unique_constraint_catalog', text], ['unique_constraint_name', text],
      ['unique_constraint_schema', text], ['update_rule', text],
    ], () => []),
    def('sys', 'checks', [['description', text], ['id', int], ['passed', bool], ['severity', int]], clusterCheckRows),
    def('sys', 'node_checks', [['acknowledged', bool], ['description', text], ['id', int], ['node_id', text], ['passed', bool], ['severity', int]],
      nodeCheckRows, { live: true }),
    def('sys', 'cluster_health', [
      ['description', text], ['health', text], ['missing_shards', long], ['pending_tasks', long], ['severity', { kind: 'smallint' }],
      ['underreplicated_shards', long],
    ], clusterHealthRows, { live: true }),
    // From the repositories and snapshots of snapshot-state.ts; a listed restore expires by the clock (live).
    def('sys', 'repositories', [['name', text], ['settings', T.object([], 'dynamic')], ['type', text]], repositoryRows),
    def('sys', 'snapshots', [
      ['concrete_indices', T.array(text)], ['failures', T.array(text)], ['finished', T.timestamptz], ['name', text],
      ['repository', text], ['started', T.timestamptz], ['state', text],
      ['table_partitions', T.array(obj([['table_name', text], ['table_schema', text], ['values', T.array(text)]]))],
      ['tables', T.array(text)], ['version', text],
    ], snapshotRows),
    def('sys', 'snapshot_restore', [
      ['id', text], ['name', text], ['repository', text],
      ['shards', T.array(obj([['partition_ident', text], ['shard_id', int], ['state', text], ['table_name', text], ['table_schema', text]]))],
      ['state', text],
    ], restoreRows, { live: true }),
    def('sys', 'users', [['granted_roles', GRANTED_ROLES], ['jwt', obj([['aud', text], ['iss', text], ['username', text]])], ['name', text], ['password', text], ['superuser', bool]],
      (s) => [...s.catalog.users.values()].filter((u) => !u.role)
        .map((u) => [grantedRoles(u), null, u.name, u.password === undefined ? null : '********', u.superuser])),
    def('sys', 'roles', [['granted_roles', GRANTED_ROLES], ['name', text]],
      (s) => [...s.catalog.users.values()].filter((u) => u.role).map((u) => [grantedRoles(u), u.name])),
    def('sys', 'privileges', [['class', text], ['grantee', text], ['grantor', text], ['ident', text], ['state', text], ['type', text]],
      (s) => [...s.catalog.users.values()].flatMap((u) => [...u.privileges].map((p) => {
        const { denied, type, ident } = parsePrivilege(p);
        return [privilegeClass(s, ident), u.name, 'crate', ident === '' ? null : ident, denied ? 'DENY' : 'GRANT', type];
      }))),
    // SysSummitsTableInfo. Its rows are the summits data set CrateDB ships in its jar, which the test server
    // does not have: empty, rather than a partial list that a count or a lookup would take for the real one.
    def('sys', 'summits', [
      ['classification', text], ['coordinates', { kind: 'geo_point' }], ['country', text], ['first_ascent', int], ['height', int],
      ['mountain', text], ['prominence', int], ['range', text], ['region', text],
    ], () => []),
    // SysOperationsTableInfo / SysOperationsLogTableInfo. CrateDB's operations are the execution phases of
    // its plans (collect, merge, fetch...; a query on sys.operations sees its own), which PGlite's plan has no
    // counterpart for: empty, rather than phases made up that a client would take for CrateDB's.
    def('sys', 'operations', [
      ['id', text], ['job_id', text], ['name', text], ['node', obj([['id', text], ['name', text]])], ['started', T.timestamptz],
      ['used_bytes', long],
    ], () => []),
    def('sys', 'operations_log', [
      ['ended', T.timestamptz], ['error', text], ['id', text], ['job_id', text], ['name', text], ['started', T.timestamptz],
      ['used_bytes', long],
    ], () => []),
    // SysMetricsTableInfo. CrateDB groups its histograms by classification, whose labels are the operators of
    // its logical plan (not modelled: sys.jobs_log's are empty), and counts affected rows the engine does not
    // keep: rows derived from sys.jobs_log would group SELECTs as CrateDB never does, so it stays empty.
    // `total_affected_row_count` came after 5.10 (crate/crate#18672).
    def('sys', 'jobs_metrics', [
      ['classification', obj([['labels', T.array(text)], ['type', text]])], ['failed_count', long], ['max', long], ['mean', T.double],
      ['min', long], ['node', obj([['id', text], ['name', text]])],
      ['percentiles', obj([['25', long], ['50', long], ['75', long], ['90', long], ['95', long], ['99', long]])],
      ['stdev', T.double], ['sum_of_durations', long], ['total_affected_row_count', long], ['total_count', long],
    ], () => [], { onlyIn: { total_affected_row_count: '6.4' } }),
    def('sys', 'allocations', [
      ['current_state', text],
      ['decisions', T.array(obj([['explanations', T.array(text)], ['node_id', text], ['node_name', text]]))],
      ['explanation', text], ['node_id', text], ['partition_ident', text], ['primary', bool], ['shard_id', int], ['table_name', text],
      ['table_schema', text],
    ], allocationRows, { ...BY_RELATION, live: true }),
    // SysSegmentsTableInfo. The rows are the Lucene segments of each shard copy, which PG's storage has none
    // of; how many there are after a refresh depends on Lucene's flushes and merges: empty. `merge_id` and
    // `fully_merged_docs` came with 6.0 (6.0.0's release notes).
    def('sys', 'segments', [
      ['attributes', T.object([], 'dynamic')], ['committed', bool], ['compound', bool], ['deleted_docs', int], ['fully_merged_docs', int],
      ['generation', long], ['memory', long], ['merge_id', text], ['node', obj([['id', text], ['name', text]])], ['num_docs', int],
      ['partition_ident', text], ['primary', bool], ['search', bool], ['segment_name', text], ['shard_id', int], ['size', long],
      ['table_name', text], ['table_schema', text], ['version', text],
    ], () => [], { ...BY_RELATION, onlyIn: { fully_merged_docs: '6.4', merge_id: '6.4' } }),
    def('sys', 'sessions', SESSION_COLUMNS, sessionRows, { perSession: true, onlyIn: SESSION_COLUMNS_ONLY_IN }),
    def('sys', 'jobs_log', [
      ['classification', obj([['labels', T.array(text)], ['type', text]])], ['ended', T.timestamptz], ['error', text], ['id', text],
      ['node', obj([['id', text], ['name', text]])], ['started', T.timestamptz], ['stmt', text], ['username', text],
    ], (s) => jobLogRows(s.jobsLog, s.cluster.nodes[0]), { live: true }),
    def('sys', 'jobs', [['id', text], ['node', obj([['id', text], ['name', text]])], ['started', T.timestamptz], ['stmt', text], ['username', text]],
      (s) => jobRows([...(s.running ? [s.running] : []), ...s.leakedJobs], s.cluster.nodes[0]), { live: true }),
  ].map((d) => [`${d.schema}.${d.name}`, d]),
);

export function isSystemSchema(schema: string): boolean {
  return schema === 'information_schema' || schema === 'sys' || schema === 'pg_catalog';
}

function pgName(d: SystemTableDef): string {
  return `${SYSTEM_SCHEMA}.${quoteIdent(`${d.schema}.${d.name}`)}`;
}

/** The FROM item of a system table as the session's user may see it. */
export function systemRelation(schema: string, name: string, tx: Tx): { sql: string; columns: Column[] } | undefined {
  const d = SYSTEM_TABLES.get(`${schema}.${name}`);
  const { user } = tx.env;
  if (!canSeeSchema(user, schema)) throw schemaUnknown(schema);
  if (!d) return undefined;
  tx.systemTables.add(`${schema}.${name}`);
  if (schema === 'sys') tx.need('sys', 'DQL');
  let sql = pgName(d);
  if (!user.superuser && d.schemaColumn) sql = `(SELECT * FROM ${sql} WHERE ${visibleRows(d, tx)})`;
  return { sql, columns: systemColumns(d, tx.env.version) };
}

const textArray = (values: string[]): string => `ARRAY[${values.map(pgString).join(', ') || "''"}]::text[]`;

/**
 * The rows another user may see: of the schemas it sees whole (a privilege on the schema or the cluster), and
 * where the table has a relation column, of the relations it holds a privilege on in other schemas.
 */
function visibleRows(d: SystemTableDef, tx: Tx): string {
  const { user, catalog } = tx.env;
  const schemas = catalog.userSchemas().concat(['blob', 'sys', 'information_schema', 'pg_catalog']);
  const schemaCol = quoteIdent(d.schemaColumn!);
  if (!d.tableColumn) return `${schemaCol} = ANY(${textArray(schemas.filter((s) => canSeeSchema(user, s)))})`;
  const whole = schemas.filter((s) => s === 'information_schema' || s === 'pg_catalog' || seesWholeSchema(user, s));
  const relations = [...catalog.tables.values(), ...catalog.views.values()]
    .filter((r) => !whole.includes(r.schema) && canSeeRelation(user, r.schema, r.name))
    .map((r) => `${r.schema}.${r.name}`);
  return `(${schemaCol} = ANY(${textArray(whole)}) OR ${schemaCol} || '.' || ${quoteIdent(d.tableColumn)} = ANY(${textArray(relations)}))`;
}

/** The columns of a system table's PG table: the ones it shows, then the hidden ones. */
function storedColumns(d: SystemTableDef): Array<{ name: string; type: CrateType }> {
  return d.hidden ? [...d.columns, ...d.hidden] : d.columns;
}

/** Creates the PG tables of every system table (once per engine). */
export function createSystemTablesSql(version: '6.4' | '5.10'): string {
  const parts = [
    `CREATE SCHEMA IF NOT EXISTS ${SYSTEM_SCHEMA};`,
    // TRY_CAST: the cast, or NULL when the value does not convert.
    `CREATE FUNCTION ${SYSTEM_SCHEMA}.try_cast(v text, target anyelement) RETURNS anyelement LANGUAGE plpgsql IMMUTABLE AS $$
     DECLARE r target%TYPE;
     BEGIN EXECUTE format('SELECT CAST(%L AS %s)', v, pg_typeof(target)) INTO r; RETURN r;
     EXCEPTION WHEN others THEN RETURN NULL; END $$;`,
    // An object as text: compact JSON, as StringType prints a map (PG's jsonb text has spaces).
    `CREATE FUNCTION ${SYSTEM_SCHEMA}.json_text(j jsonb) RETURNS text LANGUAGE plpgsql IMMUTABLE AS $$
     BEGIN
       IF jsonb_typeof(j) = 'object' THEN
         RETURN '{' || COALESCE((SELECT string_agg(to_json(k)::text || ':' || ${SYSTEM_SCHEMA}.json_text(v), ',' ORDER BY n)
           FROM jsonb_each(j) WITH ORDINALITY AS e(k, v, n)), '') || '}';
       ELSIF jsonb_typeof(j) = 'array' THEN
         RETURN '[' || COALESCE((SELECT string_agg(${SYSTEM_SCHEMA}.json_text(v), ',' ORDER BY n)
           FROM jsonb_array_elements(j) WITH ORDINALITY AS e(v, n)), '') || ']';
       END IF;
       RETURN j::text;
     END $$;`,
    // An IllegalArgumentException CrateDB raises while evaluating (4000), for a check PG cannot express.
    `CREATE FUNCTION ${SYSTEM_SCHEMA}.fail(message text, typed anyelement) RETURNS anyelement LANGUAGE plpgsql AS $$
     BEGIN RAISE EXCEPTION USING ERRCODE = 'CR400', MESSAGE = message; END $$;`,
    DOC_ID_FUNCTIONS_SQL,
  ];
  for (const d of SYSTEM_TABLES.values()) {
    const cols = storedColumns(d).map((c) => `${quoteIdent(c.name)} ${c.name === 'is_nullable' && version === '5.10' ? 'boolean' : pgType(c.type)}`);
    parts.push(`CREATE TABLE ${pgName(d)} (${cols.join(', ')});`);
  }
  return parts.join('\n');
}

/** The column types of a system table as this version reports them. */
export function systemColumns(d: SystemTableDef, version: '6.4' | '5.10'): Column[] {
  return d.columns
    .filter((c) => (d.onlyIn?.[c.name] ?? version) === version)
    .map((c) => (c.name === 'is_nullable' && version === '5.10' ? { name: c.name, type: T.boolean } : c));
}

/** Rewrites the system tables a statement reads when the catalog changed since they were written. */
export async function materialize(pg: PGlite, state: EngineState, keys: Iterable<string>, session: Session): Promise<void> {
  for (const key of keys) {
    const d = SYSTEM_TABLES.get(key);
    if (!d) continue;
    if (!d.live && !d.perSession && state.materialized.get(key) === state.catalog.version) continue;
    const rows = await d.rows(state, session);
    const stored = storedColumns(d);
    const cols = stored.map((c) => quoteIdent(c.name)).join(', ');
    const types = stored.map((c) => `${quoteIdent(c.name)} ${c.name === 'is_nullable' && state.version === '5.10' ? 'boolean' : pgType(c.type)}`).join(', ');
    const records = rows.map((r) => Object.fromEntries(stored.map((c, i) => [c.name, r[i] ?? null])));
    await pg.query(
      `WITH d AS (DELETE FROM ${pgName(d)}) INSERT INTO ${pgName(d)} (${cols}) SELECT ${cols} FROM jsonb_to_recordset($1::jsonb) AS r(${types})`,
      [JSON.stringify(records)],
    );
    state.materialized.set(key, state.catalog.version);
  }
}

