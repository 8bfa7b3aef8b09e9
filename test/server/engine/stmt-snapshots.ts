/**
 * CREATE / DROP REPOSITORY and CREATE / DROP SNAPSHOT, after CrateDB's analyzers and plans
 * (CreateRepositoryAnalyzer / CreateRepositoryPlan with RepositoryParamValidator and TypeSettings,
 * RepositoryService, CreateSnapshotAnalyzer / CreateSnapshotPlan, DropSnapshotAnalyzer / DropSnapshotPlan,
 * SnapshotSettings), Elasticsearch's FsRepository (the path.repo check) and SnapshotsService (name checks,
 * duplicates), and the doctested answers of docs/admin/snapshots.rst. The state they change and the sys rows:
 * snapshot-state.ts; RESTORE: snapshot-restore.ts.
 *
 * A snapshot copies the live rows, refreshed or not: it is taken from a flushed Lucene commit, which holds
 * every indexed document.
 */
import path from 'node:path';
import type { PGlite } from '@electric-sql/pglite';
import { checkOpen, type TableDef } from './catalog.js';
import { CrateError, sqlParse, unsupportedFeature } from './errors.js';
import { identName, qnameParts, type Ctx } from './parse.js';
import { namedPartition, partitionsOf, type Partition } from './partitions.js';
import { rowcountStatement, type Prepared, type RunContext } from './run.js';
import type { Env } from './scope.js';
import { existingTable } from './stmt-ddl.js';
import { pgTableName } from './storage.js';
import { VERSIONS } from './version.js';
import {
  administrator, bindProperties, boolSetting, idsOfPartitions, onlySettings, partitionAssignments, repositoryOf, snapshotsAt,
  withProperties, PATH_REPO, SNAPSHOT_SCHEMA, SNAPSHOT_SETTINGS, type GlobalState, type SnapshotDef, type SnapshotTable,
} from './snapshot-state.js';

// ---- CREATE / DROP REPOSITORY ----

/**
 * The repository types CrateDB ships (TypeSettings of each): fs with its required and optional settings; the
 * others reach a storage service over the network, which the test server does not, so they are refused (4004).
 */
const FS_SETTINGS = { required: ['location'], all: ['location', 'compress', 'chunk_size', 'readonly', 'max_restore_bytes_per_sec', 'max_snapshot_bytes_per_sec'] };
const NETWORK_TYPES = ['url', 's3', 'azure', 'gcs'];

/** FsRepository's location check (Environment.resolveRepoFile): inside one of path.repo, relative ones resolved against it. */
function resolveLocation(location: string): string | undefined {
  for (const root of PATH_REPO) {
    const p = path.resolve(root, location);
    if (p === root || p.startsWith(root.endsWith(path.sep) ? root : root + path.sep)) return p;
  }
  return undefined;
}

export function prepareCreateRepository(node: Ctx, env: Env): Prepared {
  const name = identName(node.name ?? node.ident(0));
  const type = identName(node.type ?? node.ident(1));
  const { props, maxParam } = withProperties(node.withProperties?.());
  return {
    returnsRows: false,
    maxParam,
    async run(ctx, args) {
      const { snapshots } = ctx.state;
      if (snapshots.repositories.has(name)) throw new CrateError(409, 4095, `RepositoryAlreadyExistsException[Repository '${name}' already exists]`);
      administrator(env);
      const settings = bindProperties(props, args);
      if (type !== 'fs' && !NETWORK_TYPES.includes(type)) throw sqlParse(`Invalid repository type "${type}"`);
      if (type !== 'fs') {
        throw unsupportedFeature(`Statement not supported by the test server: CREATE REPOSITORY of TYPE ${type} (only fs repositories are modelled; ${type} needs the network)`);
      }
      onlySettings(settings, FS_SETTINGS.all);
      const missing = FS_SETTINGS.required.filter((k) => !settings.has(k));
      if (missing.length > 0) throw sqlParse(`The following required parameters are missing to create a repository of type "${type}": [${missing.join(', ')}]`);
      // RepositoriesService wraps FsRepository's failure in "failed to create repository"; RepositoryService keeps the cause's text.
      const failed = (why: string) => new CrateError(500, 5000, `RepositoryException[[] [${name}] failed to create repository: [${name}] ${why}]`);
      const location = settings.get('location')!;
      if (location === '') throw failed('missing location');
      const resolved = resolveLocation(location);
      if (resolved === undefined) throw failed(`location [${location}] doesn't match any of the locations specified by path.repo`);
      snapshots.repositories.set(name, { name, type, settings: Object.fromEntries(settings), location: resolved, readonly: settings.get('readonly') === 'true' });
      ctx.state.catalog.touch();
      return { kind: 'count', rowcount: 1 };
    },
  };
}

export function prepareDropRepository(node: Ctx, env: Env): Prepared {
  const name = identName(node.ident());
  return rowcountStatement(async (ctx) => {
    repositoryOf(ctx.state, name);
    administrator(env);
    // The snapshots stay in their location (DROP REPOSITORY deletes only the registration).
    ctx.state.snapshots.repositories.delete(name);
    ctx.state.catalog.touch();
    return 1;
  });
}

// ---- CREATE / DROP SNAPSHOT ----

/** Strings.INVALID_FILENAME_CHARS as its HashSet prints. */
const INVALID_FILENAME_CHARS = '[ , ", *, \\, <, |, ,, >, /, ?]';

/** SnapshotsService.validate: InvalidSnapshotNameException, which CrateDB answers as a name taken (409, 4096). */
function validateSnapshotName(repo: string, snapshot: string): void {
  const invalid = (why: string) => new CrateError(409, 4096, `InvalidSnapshotNameException[[${repo}:${snapshot}] Invalid snapshot name [${snapshot}], ${why}]`);
  if (snapshot.length === 0) throw invalid('cannot be empty');
  if (snapshot.includes(' ')) throw invalid('must not contain whitespace');
  if (snapshot.includes(',')) throw invalid("must not contain ','");
  if (snapshot.includes('#')) throw invalid("must not contain '#'");
  if (snapshot.startsWith('_')) throw invalid("must not start with '_'");
  if (snapshot.toLowerCase() !== snapshot) throw invalid('must be lowercase');
  if (/[\\/*?"<>| ,]/.test(snapshot)) throw invalid(`must not contain the following characters ${INVALID_FILENAME_CHARS}`);
}

export function prepareCreateSnapshot(node: Ctx, env: Env): Prepared {
  const parts = qnameParts(node.qname());
  const { props, maxParam } = withProperties(node.withProperties?.());
  const refs = node.ALL?.() ? null : (node.tableWithPartitions().tableWithPartition() as Ctx[]);
  return {
    returnsRows: false,
    maxParam,
    run: async (ctx, args) => ({ kind: 'count', rowcount: await createSnapshot(ctx, env, parts, refs, bindProperties(props, args)) }),
  };
}

async function createSnapshot(ctx: RunContext, env: Env, parts: string[], refs: Ctx[] | null, settings: Map<string, string>): Promise<number> {
  const { state } = ctx;
  const { pg, catalog } = state;
  if (parts.length < 2) throw sqlParse('Snapshot must be specified by "<repository_name>"."<snapshot_name>"');
  const repoName = parts.slice(0, -1).join('.');
  if (parts.length > 2) throw sqlParse(`Invalid repository name '${repoName}'`);
  const snapshot = parts[parts.length - 1]!;
  const repo = repositoryOf(state, repoName);
  administrator(env);
  onlySettings(settings, SNAPSHOT_SETTINGS);
  const ignoreUnavailable = boolSetting(settings, 'ignore_unavailable');
  boolSetting(settings, 'wait_for_completion');
  const picked = new Map<TableDef, Partition[] | null>();
  if (refs === null) {
    for (const t of [...catalog.tables.values()].sort((a, b) => (`${a.schema}.${a.name}` < `${b.schema}.${b.name}` ? -1 : 1))) {
      checkOpen(t, 'READ');
      picked.set(t, t.partitionedBy.length > 0 ? await partitionsOf(pg, t) : null);
    }
  } else {
    for (const ref of refs) {
      let t: TableDef;
      try {
        t = existingTable(ref.qname(), env, 'CREATE SNAPSHOT');
      } catch (e) {
        // ResourceUnknownException (an unknown table or schema) is what ignore_unavailable skips.
        if (ignoreUnavailable && e instanceof CrateError && (e.code === 4041 || e.code === 4045)) continue;
        throw e;
      }
      checkOpen(t, 'CREATE SNAPSHOT');
      const values = partitionAssignments(ref);
      if (t.partitionedBy.length === 0) {
        if (values) throw sqlParse(`table '${t.schema}.${t.name}' is not partitioned`);
        picked.set(t, null);
        continue;
      }
      let taken: Partition[];
      if (values === undefined) taken = await partitionsOf(pg, t);
      else {
        try {
          taken = [await namedPartition(pg, t, values)];
        } catch (e) {
          if (ignoreUnavailable && e instanceof CrateError && e.code === 4046) continue;
          throw e;
        }
      }
      const before = picked.get(t) ?? [];
      picked.set(t, [...before, ...taken.filter((p) => !before.some((b) => b.ident === p.ident))]);
    }
  }
  validateSnapshotName(repo.name, snapshot);
  if (repo.readonly) throw new CrateError(500, 5000, `RepositoryException[[${repo.name}] cannot create snapshot in a readonly repository]`);
  const store = snapshotsAt(state, repo);
  if (store.some((s) => s.name === snapshot)) {
    throw new CrateError(409, 4096, `InvalidSnapshotNameException[[${repo.name}:${snapshot}] Invalid snapshot name [${snapshot}], snapshot with the same name already exists]`);
  }
  const started = state.clock.now();
  await pg.exec(`CREATE SCHEMA IF NOT EXISTS ${SNAPSHOT_SCHEMA};`);
  const tables: SnapshotTable[] = [];
  for (const [t, partitions] of picked) {
    const copy = `${SNAPSHOT_SCHEMA}.c${++state.snapshots.copies}`;
    const live = pgTableName(t, 'live');
    await pg.exec(`CREATE TABLE ${copy} (LIKE ${live} INCLUDING ALL);`);
    if (partitions === null) await pg.exec(`INSERT INTO ${copy} SELECT * FROM ${live};`);
    else {
      const ids = await idsOfPartitions(pg, live, t, new Set(partitions.map((p) => p.ident)));
      await pg.query(`INSERT INTO ${copy} SELECT * FROM ${live} WHERE "_id" = ANY($1::text[])`, [ids]);
    }
    tables.push({ def: structuredClone(t), copy, partitions: partitions && structuredClone(partitions) });
  }
  // ALL includes the global state (CreateSnapshotRequest.includeGlobalState), a TABLE list does not.
  const global: GlobalState | undefined = refs === null ? {
    views: structuredClone([...catalog.views.values()]),
    analyzers: structuredClone([...catalog.analyzers.values()]),
    users: structuredClone([...catalog.users.values()]),
    clusterSettings: [...catalog.clusterSettings.entries()],
  } : undefined;
  store.push({ name: snapshot, started, finished: state.clock.now(), version: VERSIONS[state.version].number, tables, ...(global ? { global } : {}) });
  catalog.touch();
  return 1;
}

export async function dropCopies(pg: PGlite, snapshot: SnapshotDef): Promise<void> {
  for (const t of snapshot.tables) await pg.exec(`DROP TABLE IF EXISTS ${t.copy};`);
}

export function prepareDropSnapshot(node: Ctx, env: Env): Prepared {
  const parts = qnameParts(node.qname());
  return rowcountStatement(async (ctx) => {
    const { state } = ctx;
    if (parts.length !== 2) throw sqlParse('Snapshot name not supported, only <repository>.<snapshot> works.');
    const [repoName, snapshot] = parts as [string, string];
    const repo = repositoryOf(state, repoName);
    administrator(env);
    if (repo.readonly) throw new CrateError(500, 5000, `RepositoryException[[${repo.name}] cannot delete snapshot from a readonly repository]`);
    const store = snapshotsAt(state, repo);
    const i = store.findIndex((s) => s.name === snapshot);
    if (i < 0) throw new CrateError(404, 4048, `SnapshotMissingException[[${repo.name}:${snapshot}] is missing]`);
    await dropCopies(state.pg, store[i]!);
    store.splice(i, 1);
    state.catalog.touch();
    return 1;
  });
}
