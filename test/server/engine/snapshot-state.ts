/**
 * The state of repositories and snapshots (`EngineState.snapshots`), what their statements share (WITH
 * properties bound to parameters, names, CrateDB's errors for them) and the rows of sys.repositories,
 * sys.snapshots and sys.snapshot_restore. The statements: stmt-snapshots.ts (CREATE / DROP REPOSITORY,
 * CREATE / DROP SNAPSHOT) and snapshot-restore.ts (RESTORE SNAPSHOT); split three ways for size.
 *
 * Only `fs` repositories are modelled. A repository names a place; the snapshots live in the place (its
 * repository data is in the `location` directory), so two repositories on one location list the same
 * snapshots and a dropped and re-created repository finds them again: `stores` is keyed by the resolved
 * location. A snapshot keeps a deep copy of each table definition and a PG copy of its rows (schema
 * `crate_snap`); nothing is written to the file system.
 *
 * path.repo is the system temp directory (os.tmpdir(), `/tmp` on Linux): a location must resolve inside it
 * (a relative one resolves against it), as FsRepository requires of a configured path.repo.
 */
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { PGlite } from '@electric-sql/pglite';
import type { AnalyzerDef, TableDef, UserDef, ViewDef } from './catalog.js';
import { CrateError, sqlParse } from './errors.js';
import { quoteIdent } from './format.js';
import { constantOf, type Constant } from './literals.js';
import { identName, type Ctx } from './parse.js';
import { partitionIdent, valueText, type Partition } from './partitions.js';
import { checkPrivileges } from './privileges.js';
import type { Env } from './scope.js';
import type { EngineState } from './state.js';

export const PATH_REPO: readonly string[] = [path.resolve(tmpdir())];
export const SNAPSHOT_SCHEMA = 'crate_snap';

export interface RepositoryDef {
  name: string;
  type: string;
  /** As given, values as text (Settings keeps strings): what sys.repositories shows. */
  settings: Record<string, string>;
  /** The resolved location: the key of its snapshots in `stores`. */
  location: string;
  readonly: boolean;
}

export interface SnapshotTable {
  def: TableDef;
  /** PG table in `crate_snap` holding the rows (created LIKE the live table, constraints included). */
  copy: string;
  /** The partitions taken, or null for a table that is not partitioned. */
  partitions: Partition[] | null;
}

/** What CREATE SNAPSHOT ALL takes beside the tables (CrateDB's global metadata and persistent settings). */
export interface GlobalState {
  views: ViewDef[];
  analyzers: AnalyzerDef[];
  users: UserDef[];
  clusterSettings: Array<[string, string | number | boolean]>;
}

export interface SnapshotDef {
  name: string;
  started: number;
  finished: number;
  version: string;
  tables: SnapshotTable[];
  global?: GlobalState;
}

export interface RestoreShard { partition_ident: string; shard_id: number; state: string; table_name: string; table_schema: string }

export interface RestoreEntry { id: string; name: string; repository: string; shards: RestoreShard[]; listedUntil: number }

export interface SnapshotState {
  repositories: Map<string, RepositoryDef>;
  stores: Map<string, SnapshotDef[]>;
  restores: RestoreEntry[];
  copies: number;
}

export function newSnapshotState(): SnapshotState {
  return { repositories: new Map(), stores: new Map(), restores: [], copies: 0 };
}

/** engine.reset(): no repository, no snapshot, no row copies. */
export async function resetSnapshots(pg: PGlite, s: SnapshotState): Promise<void> {
  await pg.exec(`DROP SCHEMA IF EXISTS ${SNAPSHOT_SCHEMA} CASCADE;`);
  s.repositories.clear();
  s.stores.clear();
  s.restores.length = 0;
}

// ---- WITH (...) properties, bound to the statement's parameters ----

interface Property { key: string; value: Constant | undefined; text: string }

/** A WITH clause's properties; each `?` takes the next parameter, `$n` the n-th, as CrateDB binds them. */
export function withProperties(withCtx: Ctx | null | undefined): { props: Property[]; maxParam: number } {
  const props: Property[] = [];
  let next = 0;
  let maxParam = 0;
  for (const p of (withCtx?.genericProperties().genericProperty() as Ctx[] | undefined) ?? []) {
    let value = constantOf(p.expr());
    if (value?.kind === 'param') {
      value = { ...value, index: value.explicit !== undefined ? value.explicit - 1 : next++ };
      maxParam = Math.max(maxParam, value.index + 1);
    }
    props.push({ key: identName(p.ident()), value, text: p.expr().getText().replace(/^"(.*)"$/, '$1') });
  }
  return { props, maxParam };
}

/** The properties as CrateDB's Settings hold them: text (`true`, `1`, the string itself). */
export function bindProperties(props: readonly Property[], args: readonly unknown[]): Map<string, string> {
  const out = new Map<string, string>();
  for (const p of props) {
    const v = p.value === undefined ? p.text : p.value.kind === 'param' ? args[p.value.index] : p.value.value;
    out.set(p.key, v === null || v === undefined ? 'null' : typeof v === 'object' ? JSON.stringify(v) : String(v));
  }
  return out;
}

/** GenericProperties.ensureContainsOnly (an IllegalArgumentException: 4000). */
export function onlySettings(settings: Map<string, string>, allowed: readonly string[]): void {
  for (const key of settings.keys()) if (!allowed.includes(key)) throw sqlParse(`Setting '${key}' is not supported`);
}

/** A boolean setting read as Booleans.parseBoolean reads it: `true` or `false` exactly. */
export function boolSetting(settings: Map<string, string>, key: string): boolean {
  const v = settings.get(key);
  if (v === undefined) return false;
  if (v !== 'true' && v !== 'false') throw sqlParse(`Failed to parse value [${v}] as only [true] or [false] are allowed.`);
  return v === 'true';
}

/** SnapshotSettings: what CREATE SNAPSHOT and RESTORE SNAPSHOT accept. */
export const SNAPSHOT_SETTINGS = ['ignore_unavailable', 'wait_for_completion', 'schema_rename_pattern', 'schema_rename_replacement', 'table_rename_pattern', 'table_rename_replacement'];

// ---- names and errors ----

export function repositoryOf(state: EngineState, name: string): RepositoryDef {
  const r = state.snapshots.repositories.get(name);
  if (!r) throw new CrateError(404, 4047, `RepositoryMissingException[[${name}] missing]`);
  return r;
}

export function snapshotsAt(state: EngineState, repo: RepositoryDef): SnapshotDef[] {
  let list = state.snapshots.stores.get(repo.location);
  if (!list) state.snapshots.stores.set(repo.location, (list = []));
  return list;
}

/** Repositories and snapshots are cluster administration: AL cluster-wide (the access control checks after analysis). */
export function administrator(env: Env): void {
  checkPrivileges(env.user, [{ schema: '', type: 'AL' }]);
}

/** CrateDB's index name (IndexName.encode): `t` in doc, `s.t` elsewhere; a partition `.partitioned.t.<ident>`. */
export function indexName(t: { schema: string; name: string }, ident?: string): string {
  const base = ident === undefined ? t.name : `.partitioned.${t.name}.${ident}`;
  return t.schema === 'doc' ? base : `${t.schema}.${base}`;
}

/** The `_id`s of a PG copy's rows that belong to the partitions `idents` of `def`. */
export async function idsOfPartitions(pg: PGlite, table: string, def: TableDef, idents: ReadonlySet<string>): Promise<string[]> {
  const cols = def.partitionedBy.map(quoteIdent).join(', ');
  const r = await pg.query<unknown[]>(`SELECT "_id", ${cols} FROM ${table}`, [], { rowMode: 'array' });
  return r.rows.filter((row) => idents.has(partitionIdent(row.slice(1).map(valueText)))).map((row) => String(row[0]));
}

/** The `PARTITION (col = value, ...)` of a table reference, as written (column -> literal value). */
export function partitionAssignments(ref: Ctx): Map<string, unknown> | undefined {
  if (!ref.PARTITION?.()) return undefined;
  const out = new Map<string, unknown>();
  for (const asg of ref.assignment() as Ctx[]) {
    const c = constantOf(asg.expr());
    out.set(identName(asg.primaryExpression().ident?.() ?? asg.primaryExpression()), c?.kind === 'value' ? c.value : asg.expr().getText());
  }
  return out;
}

// ---- sys.repositories, sys.snapshots, sys.snapshot_restore ----

/** Settings.getAsStructuredMap: `a.b` keys nest. */
function structured(settings: Record<string, string>): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(settings)) {
    const names = key.split('.');
    let node = out;
    for (const n of names.slice(0, -1)) node = (node[n] ??= {}) as Record<string, unknown>;
    node[names[names.length - 1]!] = value;
  }
  return out;
}

/** name, settings, type (SysRepositoriesTableInfo), in the order the repositories were created. */
export function repositoryRows(s: EngineState): unknown[][] {
  return [...s.snapshots.repositories.values()].map((r) => [r.name, structured(r.settings), r.type]);
}

const iso = (ms: number): string => new Date(ms).toISOString();

/**
 * Every repository's snapshots (SysSnapshots reads each repository's data, so two repositories on one location
 * both list them), in sys.snapshots' column order: concrete_indices, failures, finished, name, repository, started,
 * state, table_partitions, tables, version.
 */
export function snapshotRows(s: EngineState): unknown[][] {
  const rows: unknown[][] = [];
  for (const repo of s.snapshots.repositories.values()) {
    for (const snap of s.snapshots.stores.get(repo.location) ?? []) {
      const indices = snap.tables.flatMap((t) => (t.partitions === null ? [indexName(t.def)] : t.partitions.map((p) => indexName(t.def, p.ident)))).sort();
      const partitions = snap.tables.flatMap((t) => (t.partitions ?? []).map((p) => ({
        table_name: t.def.name, table_schema: t.def.schema, values: t.def.partitionedBy.map((c) => p.values[c] ?? null),
      })));
      const tables = snap.tables.map((t) => `${t.def.schema}.${t.def.name}`).sort();
      rows.push([indices, [], iso(snap.finished), snap.name, repo.name, iso(snap.started), 'SUCCESS', partitions, tables, snap.version]);
    }
  }
  return rows;
}

/** Restores still listed (snapshot-restore.ts): id, name, repository, shards, state. */
export function restoreRows(s: EngineState): unknown[][] {
  const now = s.clock.now();
  return s.snapshots.restores.filter((r) => now < r.listedUntil).map((r) => [r.id, r.name, r.repository, r.shards, 'SUCCESS']);
}
