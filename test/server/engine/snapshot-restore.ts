/**
 * RESTORE SNAPSHOT repo.snap { ALL | METADATA | TABLE t [PARTITION (...)], ... | TABLES, VIEWS, ... } WITH (...),
 * after CrateDB's RestoreSnapshotAnalyzer and RestoreSnapshotPlan, and the answers of docs/admin/snapshots.rst.
 * Split from stmt-snapshots.ts (the other statements) and snapshot-state.ts (the state) for size.
 *
 * Everything is checked before anything changes, as the restore is one cluster-state update. A restored
 * table gets a new internal id, its definition from the snapshot's copy and its rows from the snapshot's PG
 * copy, into the live table and the searchable copy alike: a restored shard recovers its Lucene files and
 * opens a reader on them, so its rows are found without a REFRESH. The table's `_seq_no` sequence goes on
 * from the highest restored one.
 */
import { randomUUID } from 'node:crypto';
import { checkBlocks, type TableDef } from './catalog.js';
import { CrateError, relationExists, sqlParse } from './errors.js';
import { quoteIdent } from './format.js';
import { identName, qnameParts, type Ctx } from './parse.js';
import { partitionIdent, partitionsOf, partitionValue, valueText } from './partitions.js';
import type { Prepared, RunContext } from './run.js';
import type { Env } from './scope.js';
import { pgTableName, seqName } from './storage.js';
import {
  administrator, bindProperties, boolSetting, idsOfPartitions, onlySettings, partitionAssignments, repositoryOf, snapshotsAt,
  withProperties, SNAPSHOT_SETTINGS, type GlobalState, type RestoreShard, type SnapshotDef, type SnapshotTable,
} from './snapshot-state.js';

/** How long a restore run without wait_for_completion stays in sys.snapshot_restore, by the engine's clock (see README). */
export const RESTORE_LISTED_MS = 1000;

/** What a RESTORE takes (AnalyzedRestoreSnapshot's flags); `settings` filters the persistent settings by prefix. */
interface Sections { tables: boolean; views: boolean; users: boolean; analyzers: boolean; settings: boolean }

const ALL: Sections = { tables: true, views: true, users: true, analyzers: true, settings: true };

/** RestoreSnapshotAnalyzer's data sections; USERS and PRIVILEGES are the deprecated names of USERMANAGEMENT. */
function sectionsOf(node: Ctx): Sections {
  if (node.ALL?.()) return ALL;
  // METADATA restores the global settings with the analysis prefix only (the analyzer adds it as a filter).
  if (node.METADATA?.()) return { tables: false, views: true, users: true, analyzers: true, settings: false };
  if (node.TABLE?.()) return { tables: true, views: false, users: false, analyzers: false, settings: false };
  const s: Sections = { tables: false, views: false, users: false, analyzers: false, settings: false };
  for (const ident of (node.idents?.()?.ident() as Ctx[] | undefined) ?? []) {
    const type = identName(ident).toUpperCase();
    if (type === 'TABLES') s.tables = true;
    else if (type === 'ANALYZERS') s.analyzers = true;
    else if (type === 'VIEWS') s.views = true;
    else if (type === 'USERS' || type === 'PRIVILEGES' || type === 'USERMANAGEMENT') s.users = true;
    else if (type !== 'UDFS') throw sqlParse(`Unknown metadata type '${type}'`);
  }
  return s;
}

interface Request { schema: string; name: string; partition?: Map<string, unknown> }

export function prepareRestoreSnapshot(node: Ctx, env: Env): Prepared {
  const parts = qnameParts(node.qname());
  const { props, maxParam } = withProperties(node.withProperties?.());
  const refs = node.TABLE?.() ? (node.tableWithPartitions().tableWithPartition() as Ctx[]) : [];
  // RestoreSnapshotPlan names a table in the current schema (RelationName.of), not along the search path.
  const requests: Request[] = refs.map((r) => {
    const q = qnameParts(r.qname());
    const partition = partitionAssignments(r);
    return { schema: q.length > 1 ? q[q.length - 2]! : env.schema, name: q[q.length - 1]!, ...(partition ? { partition } : {}) };
  });
  return {
    returnsRows: false,
    maxParam,
    async run(ctx, args) {
      if (parts.length !== 2) throw sqlParse('Snapshot name not supported, only <repository>.<snapshot> works.)');
      const repo = repositoryOf(ctx.state, parts[0]!);
      const sections = sectionsOf(node);
      administrator(env);
      const settings = bindProperties(props, args);
      onlySettings(settings, SNAPSHOT_SETTINGS);
      const options = {
        ignoreUnavailable: boolSetting(settings, 'ignore_unavailable'),
        wait: boolSetting(settings, 'wait_for_completion'),
        schema: [settings.get('schema_rename_pattern') ?? '(.+)', settings.get('schema_rename_replacement') ?? '$1'] as const,
        table: [settings.get('table_rename_pattern') ?? '(.+)', settings.get('table_rename_replacement') ?? '$1'] as const,
      };
      const wanted = requests.map((r) => {
        const t = ctx.state.catalog.table(r.schema, r.name);
        if (t) checkBlocks(t, 'RESTORE SNAPSHOT');
        return { ...r, ident: r.partition && identOf(t, r.partition) };
      });
      const snapshot = snapshotsAt(ctx.state, repo).find((s) => s.name === parts[1]);
      if (!snapshot) throw new CrateError(500, 5000, `SnapshotRestoreException[[${repo.name}:${parts[1]}] snapshot does not exist]`);
      const plan = sections.tables ? await planTables(ctx, snapshot, wanted, options) : [];
      const shards: RestoreShard[] = [];
      for (const p of plan) shards.push(...(await restoreTable(ctx, p)));
      if (snapshot.global) restoreGlobal(ctx, snapshot.global, sections);
      if (!options.wait) {
        ctx.state.snapshots.restores.push({ id: randomUUID(), name: snapshot.name, repository: repo.name, shards, listedUntil: ctx.state.clock.now() + RESTORE_LISTED_MS });
      }
      ctx.state.catalog.touch();
      return { kind: 'count', rowcount: 1 };
    },
  };
}

/**
 * A PARTITION's ident: converted by the column types when the table exists (PartitionName.ofAssignmentsUnsafe),
 * else from the values as written in the order written (ofAssignments), so `date = '1970-01-01'` names
 * another partition than the stored `0` once the table is gone, as CrateDB's docs show.
 */
function identOf(t: TableDef | undefined, values: Map<string, unknown>): string {
  if (t) return partitionIdent(t.partitionedBy.map((c) => valueText(partitionValue(t, c, values.get(c)))));
  return partitionIdent([...values.values()].map(valueText));
}

interface TablePlan { source: SnapshotTable; schema: string; name: string; idents: string[] | null }

/** ES's renamedIndices: the pattern replaced everywhere in the name (Java's replaceAll; `$1` groups alike). */
function renamed(name: string, [pattern, replacement]: readonly [string, string]): string {
  return name.replace(new RegExp(pattern, 'g'), replacement);
}

async function planTables(
  ctx: RunContext, snapshot: SnapshotDef, wanted: Array<Request & { ident?: string }>,
  options: { ignoreUnavailable: boolean; schema: readonly [string, string]; table: readonly [string, string] },
): Promise<TablePlan[]> {
  const picks = new Map<SnapshotTable, Set<string> | null>();
  const whole = (t: SnapshotTable) => picks.set(t, t.partitions && new Set(t.partitions.map((p) => p.ident)));
  if (wanted.length === 0) snapshot.tables.forEach(whole);
  for (const w of wanted) {
    const source = snapshot.tables.find((t) => t.def.schema === w.schema && t.def.name === w.name);
    if (!source) {
      if (options.ignoreUnavailable) continue;
      throw new CrateError(404, 4041, `RelationUnknown[Relation '${w.schema}.${w.name}' unknown]`);
    }
    if (w.ident === undefined) {
      whole(source);
      continue;
    }
    if (!source.partitions?.some((p) => p.ident === w.ident)) {
      if (options.ignoreUnavailable) continue;
      throw new CrateError(404, 4046, `PartitionUnknownException[No partition for table '${w.schema}.${w.name}' with ident '${w.ident}' exists]`);
    }
    const set = picks.get(source) ?? new Set<string>();
    set.add(w.ident);
    picks.set(source, set);
  }
  const { catalog, pg } = ctx.state;
  const plans: TablePlan[] = [];
  for (const [source, idents] of picks) {
    const schema = renamed(source.def.schema, options.schema);
    const name = renamed(source.def.name, options.table);
    const fqn = `${schema}.${name}`;
    if (plans.some((p) => `${p.schema}.${p.name}` === fqn) || catalog.view(schema, name)) throw relationExists(fqn);
    const existing = catalog.table(schema, name);
    // A table must not exist, a partitioned one may as long as the partitions restored do not.
    if (existing && (idents === null || existing.partitionedBy.length === 0)) throw relationExists(fqn);
    if (existing && (await partitionsOf(pg, existing)).some((p) => idents!.has(p.ident))) throw relationExists(fqn);
    plans.push({ source, schema, name, idents: idents && [...idents] });
  }
  return plans;
}

/** One table's rows (and definition, when it does not exist) from the snapshot; its shards for sys.snapshot_restore. */
async function restoreTable(ctx: RunContext, p: TablePlan): Promise<RestoreShard[]> {
  const { pg, catalog } = ctx.state;
  const { copy, def } = p.source;
  let t = catalog.table(p.schema, p.name);
  if (!t) {
    t = structuredClone(def) as TableDef;
    Object.assign(t, { id: catalog.newTableId(), schema: p.schema, name: p.name, closed: false, visibility: { dirty: new Set(), since: null } });
    await pg.exec(`CREATE TABLE ${pgTableName(t, 'live')} (LIKE ${copy} INCLUDING ALL);
      CREATE UNLOGGED TABLE ${pgTableName(t, 'shadow')} (LIKE ${copy} INCLUDING DEFAULTS);
      CREATE SEQUENCE ${seqName(t)} MINVALUE 0 START 0;`);
    catalog.addTable(t);
  }
  // Into an existing partitioned table by column name: its columns may have grown since the snapshot.
  const own = new Set(t.columns.map((c) => c.name));
  const cols = [...def.columns.filter((c) => own.has(c.name)).map((c) => c.name), '_id', '_seq_no', '_primary_term', '_version'].map(quoteIdent).join(', ');
  const ids = p.idents === null ? undefined : await idsOfPartitions(pg, copy, def, new Set(p.idents));
  const where = ids === undefined ? '' : ' WHERE "_id" = ANY($1::text[])';
  for (const target of [pgTableName(t, 'live'), pgTableName(t, 'shadow')]) {
    await pg.query(`INSERT INTO ${target} (${cols}) SELECT ${cols} FROM ${copy}${where}`, ids === undefined ? [] : [ids]);
  }
  const seq = seqName(t);
  await pg.query(`SELECT setval('${seq}', m) FROM (SELECT max("_seq_no") AS m FROM ${pgTableName(t, 'live')}) x
    WHERE m IS NOT NULL AND m > (SELECT CASE WHEN is_called THEN last_value ELSE last_value - 1 END FROM ${seq})`);
  const idents = p.idents ?? [''];
  return idents.flatMap((ident) => Array.from({ length: t.partitionSettings?.[ident]?.numberOfShards ?? t.numberOfShards }, (_, shard) => ({
    partition_ident: ident, shard_id: shard, state: 'SUCCESS', table_name: p.name, table_schema: p.schema,
  })));
}

/**
 * The global state of a snapshot taken with ALL. Sections already present are overwritten by name (CrateDB's
 * docs: metadata and settings that exist "will be overwritten"); what the snapshot lacks stays.
 */
function restoreGlobal(ctx: RunContext, g: GlobalState, s: Sections): void {
  const { catalog } = ctx.state;
  if (s.views) for (const v of structuredClone(g.views)) catalog.views.set(`${v.schema}.${v.name}`, v);
  if (s.analyzers) for (const a of structuredClone(g.analyzers)) catalog.analyzers.set(a.name, a);
  if (s.settings) for (const [k, v] of g.clusterSettings) catalog.clusterSettings.set(k, v);
  if (s.users) {
    for (const u of structuredClone(g.users)) if (u.name !== 'crate') catalog.users.set(u.name, u);
    // Granted roles point at the restored users, not at the snapshot's copies.
    for (const u of catalog.users.values()) u.granted = u.granted?.map((grant) => ({ ...grant, role: catalog.users.get(grant.role.name) ?? grant.role }));
  }
}
