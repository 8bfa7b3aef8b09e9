import type { Logger } from 'pino';
import type { CrateClient, TableRef } from '../../client/types.js';
import { qualifiedName, quoteIdent, refreshStatement } from '../../client/identifiers.js';
import { RebuildError } from '../../errors.js';
import { createIntrospection } from '../../introspection.js';
import { rebuildCrashPoint } from '../crash-hook.js';
import { loadSqlGrammar } from '../sql-grammar.js';
import { copyBatch, copyColumns, insertSelect } from './copy.js';
import { newTableSql } from './definition.js';
import type { RebuildProgress, RebuildStore } from './progress.js';
import type { RebuildSpec } from './spec.js';

/** The points a test can stop a rebuild at (each before the statements of that step). */
export type RebuildPoint = 'create' | 'block' | 'copy-batch' | 'verify' | 'swap' | 'finish' | 'revert-swap' | 'revert-finish';

export interface RebuildDeps {
  client: CrateClient;
  store: RebuildStore;
  logger?: Logger;
  /** Called before each step; throwing from it simulates a process killed there. */
  hook?: (point: RebuildPoint) => void | Promise<void>;
}

export interface RebuildResult {
  table: TableRef;
  /** Rows in the new table (the same as in the old one: checked before the swap). */
  rows: number;
  /** Where the old table was kept; null when it was dropped. */
  backup: TableRef | null;
  /** This run finished a rebuild an earlier run had started. */
  resumed: boolean;
}

/** The names a rebuild uses next to the live table. */
export function rebuildNames(table: TableRef): { temp: TableRef; backup: TableRef } {
  return { temp: { schema: table.schema, table: `${table.table}__cm_rebuild` }, backup: { schema: table.schema, table: `${table.table}__cm_backup` } };
}

/**
 * The DDL a rebuild sends, written once for the run, its undo and revert, and the plan that shows them:
 * `from` is the table whose name the other takes in the swap.
 */
const ddl = {
  blockWrites: (t: TableRef) => `ALTER TABLE ${qualifiedName(t)} SET ("blocks.write" = true)`,
  unblockWrites: (t: TableRef) => `ALTER TABLE ${qualifiedName(t)} SET ("blocks.write" = false)`,
  swap: (from: TableRef, to: TableRef) => `ALTER CLUSTER SWAP TABLE ${qualifiedName(from)} TO ${qualifiedName(to)}`,
  drop: (t: TableRef) => `DROP TABLE IF EXISTS ${qualifiedName(t)}`,
  rename: (t: TableRef, to: TableRef) => `ALTER TABLE ${qualifiedName(t)} RENAME TO ${quoteIdent(to.table)}`,
  /** What happens to the old table, at the temporary name after the swap. */
  retire: (temp: TableRef, backup: TableRef | null) => (backup ? ddl.rename(temp, backup) : ddl.drop(temp)),
};

/**
 * Rebuilds a table: CREATE TABLE under a temporary name, REFRESH the old one (a search sees refreshed rows
 * only), `INSERT INTO new SELECT ... FROM old` (in batches if asked), REFRESH the new one, compare the row
 * counts, `ALTER CLUSTER SWAP TABLE`, then drop the old table or keep it as `<table>__cm_backup`.
 * Writes to the live table are blocked (`blocks.write`) from the copy until the swap, so the counts can
 * match. Progress is recorded before each step: run it again after a crash and it resumes; `abandonRebuild`
 * undoes one that has not swapped yet. The live table is never missing: the swap is one statement.
 */
export async function rebuildTable(deps: RebuildDeps, spec: RebuildSpec): Promise<RebuildResult> {
  const { client, store } = deps;
  const grammar = await loadSqlGrammar();
  const live = spec.table;
  const display = qualifiedName(live);
  const { temp, backup } = rebuildNames(live);
  const next = newTableSql(grammar, spec.definition, live, temp);
  const hook = async (point: RebuildPoint) => {
    rebuildCrashPoint(point);
    await deps.hook?.(point);
  };
  const tables = createIntrospection(client, live.schema);

  let progress = await store.read(display);
  const resumed = progress !== null;
  const resumedAt = progress?.step;
  if (progress && progress.direction !== 'up') {
    throw new RebuildError('CM_REBUILD', `${display}: a revert of its rebuild was interrupted; run the migration's down again to finish it`, display);
  }
  if (!progress) {
    if (!(await tables.tableExists(live))) throw new RebuildError('CM_REBUILD', `rebuild of ${display}: the table does not exist (or this user cannot see it)`, display);
    for (const [what, ref] of [['temporary', temp], ...(spec.keepBackup ? [['backup', backup] as const] : [])] as const) {
      if (await tables.tableExists(ref)) {
        throw new RebuildError(
          'CM_REBUILD',
          `rebuild of ${display}: its ${what} name ${qualifiedName(ref)} is taken and no rebuild is recorded for it; drop or rename that table first`,
          display,
        );
      }
    }
    progress = { id: display, direction: 'up', step: 'create', live, temp, backup: spec.keepBackup ? backup : null, blockedWrites: false, shape: null, cursor: null, rows: null };
    await store.write(progress);
  }
  const save = async (change: Partial<RebuildProgress>) => {
    progress = { ...progress!, ...change };
    await store.write(progress);
  };
  deps.logger?.info({ event: 'rebuild', table: display, step: progress.step, resumed }, `rebuild of ${display}: ${resumed ? 'resuming at' : 'starting with'} ${progress.step}`);

  if (progress.step === 'create') {
    await hook('create');
    await client.sql(next.createSql);
    const shape = await shapeOf(client, temp);
    if (shape === (await shapeOf(client, live))) {
      await undo(client, store, progress);
      throw new RebuildError('CM_REBUILD', `rebuild of ${display}: the new definition is the same as the live table's; nothing to rebuild`, display);
    }
    await save({ step: 'copy', shape });
  }

  if (progress.step === 'copy') {
    if (resumedAt === 'copy' && next.definition.primaryKey.length === 0) {
      // Without a key, INSERT ... SELECT of a batch that already ran would copy its rows twice: start over.
      await client.sql(ddl.drop(temp));
      await client.sql(next.createSql);
      await save({ cursor: null });
    }
    if (!progress.blockedWrites) {
      await hook('block');
      await save({ blockedWrites: true });
      await client.sql(ddl.blockWrites(live));
    }
    await client.refresh([live]);
    const columns = copyColumns(display, next.definition, (await tables.columns(live)).map((c) => c.name).filter((n) => !n.includes('[')), spec.columns);
    const partitionedBy = spec.copy.by === 'partition' ? await partitionColumns(client, live) : [];
    for (let done = false; !done; ) {
      await hook('copy-batch');
      const batch = await copyBatch(client, spec.copy, live, temp, columns, progress.cursor, partitionedBy);
      done = batch.done;
      await save({ cursor: batch.cursor, ...(done ? { step: 'verify' as const } : {}) });
    }
  }

  if (progress.step === 'verify') {
    await hook('verify');
    await client.refresh([live, temp]);
    const [before, after] = [await countOf(client, live), await countOf(client, temp)];
    if (before !== after) {
      await undo(client, store, progress);
      throw new RebuildError(
        'CM_REBUILD_COUNT',
        `rebuild of ${display}: the old table has ${before} rows, the new one got ${after}; nothing was swapped and the new table was dropped. ` +
          'INSERT ... SELECT skips rows whose new primary key repeats and rows the new definition refuses: make the key unique or map the columns',
        display,
      );
    }
    await save({ step: 'swap', rows: after });
  }

  if (progress.step === 'swap') {
    await hook('swap');
    // A crash right after the swap leaves the step at `swap`: the live name shows the new shape then.
    if ((await shapeOf(client, live)) !== progress.shape) await client.sql(ddl.swap(temp, live));
    await save({ step: 'swapped' });
  }

  await hook('finish');
  // The old table is at the temporary name now (or already renamed or dropped by an earlier run).
  if (await tables.tableExists(temp)) {
    // CrateDB refuses DROP and RENAME of a table with blocks.write (Operation.WRITE_DISABLED_OPERATIONS).
    if (progress.blockedWrites) await client.sql(ddl.unblockWrites(temp));
    await client.sql(ddl.retire(temp, spec.keepBackup ? backup : null));
  }
  await store.clear(display);
  deps.logger?.info({ event: 'rebuilt', table: display, rows: progress.rows, backup: spec.keepBackup ? qualifiedName(backup) : null }, `rebuilt ${display}`);
  return { table: live, rows: progress.rows ?? 0, backup: spec.keepBackup ? backup : null, resumed };
}

/**
 * Undoes a rebuild that has not swapped: drops the temporary table, lifts the write block, forgets the
 * progress. After the swap it refuses: the new table is live, run the rebuild again to finish it. Returns
 * whether there was anything to undo.
 */
export async function abandonRebuild(deps: RebuildDeps, table: TableRef): Promise<boolean> {
  const display = qualifiedName(table);
  const progress = await deps.store.read(display);
  if (!progress) return false;
  if (progress.direction === 'up' && (progress.step === 'swapped' || (progress.step === 'swap' && (await shapeOf(deps.client, table)) === progress.shape))) {
    throw new RebuildError('CM_REBUILD', `rebuild of ${display}: the new table is already live (swapped); run the rebuild again to finish it, then revert it if needed`, display);
  }
  await undo(deps.client, deps.store, progress);
  return true;
}

/**
 * The down of a rebuild that kept its backup: swaps `<table>__cm_backup` back in and drops the rebuilt
 * table. Rows written to the rebuilt table since the rebuild are dropped with it. Resumable like the rebuild.
 */
export async function revertRebuild(deps: RebuildDeps, table: TableRef): Promise<void> {
  const { client, store } = deps;
  const display = qualifiedName(table);
  const { backup } = rebuildNames(table);
  const tables = createIntrospection(client, table.schema);
  let progress = await store.read(display);
  if (progress && progress.direction !== 'down') {
    throw new RebuildError('CM_REBUILD', `${display}: its rebuild was interrupted; run the migration's up again to finish it (or abandon it) before reverting`, display);
  }
  if (!progress) {
    if (!(await tables.tableExists(backup))) {
      throw new RebuildError('CM_REBUILD', `revert of the rebuild of ${display}: no backup ${qualifiedName(backup)} (the rebuild ran without keep_backup, or the backup was dropped); the old table cannot be brought back`, display);
    }
    progress = { id: display, direction: 'down', step: 'swap', live: table, temp: backup, backup: null, blockedWrites: false, shape: await shapeOf(client, backup), cursor: null, rows: null };
    await store.write(progress);
  }
  if (progress.step === 'swap') {
    rebuildCrashPoint('revert-swap');
    await deps.hook?.('revert-swap');
    if ((await shapeOf(client, table)) !== progress.shape) await client.sql(ddl.swap(backup, table));
    progress = { ...progress, step: 'swapped' };
    await store.write(progress);
  }
  rebuildCrashPoint('revert-finish');
  await deps.hook?.('revert-finish');
  await client.sql(ddl.drop(backup));
  await store.clear(display);
}

async function undo(client: CrateClient, store: RebuildStore, progress: RebuildProgress): Promise<void> {
  await client.sql(ddl.drop(progress.temp));
  if (progress.blockedWrites) await client.sql(ddl.unblockWrites(progress.live));
  await store.clear(progress.id);
}

/** SHOW CREATE TABLE without the table's own name: equal texts are the same definition. */
async function shapeOf(client: CrateClient, ref: TableRef): Promise<string> {
  const shown = await client.sql(`SHOW CREATE TABLE ${qualifiedName(ref)}`, [], { readOnly: true });
  return String(shown.rows[0]?.[0] ?? '').replace(qualifiedName(ref), '<table>');
}

async function countOf(client: CrateClient, ref: TableRef): Promise<number> {
  const counted = await client.sql(`SELECT count(*) FROM ${qualifiedName(ref)}`, [], { readOnly: true });
  return Number(counted.rows[0]?.[0]);
}

async function partitionColumns(client: CrateClient, ref: TableRef): Promise<string[]> {
  const found = await client.sql('SELECT partitioned_by FROM information_schema.tables WHERE table_schema = ? AND table_name = ?', [ref.schema, ref.table], { readOnly: true });
  const value = found.rows[0]?.[0];
  return Array.isArray(value) ? value.map(String) : [];
}

/** What a rebuild will do, for `plan` and dry runs: read-only. */
export interface RebuildPlan {
  table: TableRef;
  /** The statements in order (batch statements shown once, with their `?`). */
  statements: string[];
  /** New column <- expression over the old table. */
  copies: Array<{ column: string; from: string }>;
  /** Rows the old table has now (refreshed rows). */
  rows: number;
  backup: TableRef | null;
}

/** The statements a rebuild would send and what it would copy, without sending any write. */
export async function planRebuild(client: CrateClient, spec: RebuildSpec): Promise<RebuildPlan> {
  const grammar = await loadSqlGrammar();
  const live = spec.table;
  const display = qualifiedName(live);
  const { temp, backup } = rebuildNames(live);
  const next = newTableSql(grammar, spec.definition, live, temp);
  const tables = createIntrospection(client, live.schema);
  const oldColumns = (await tables.columns(live)).map((c) => c.name).filter((n) => !n.includes('['));
  if (oldColumns.length === 0) throw new RebuildError('CM_REBUILD', `rebuild of ${display}: the table does not exist (or this user cannot see it)`, display);
  const columns = copyColumns(display, next.definition, oldColumns, spec.columns);
  const insert = insertSelect(live, temp, columns);
  const key = spec.copy.by === 'key' ? quoteIdent(spec.copy.column) : '';
  const batched =
    spec.copy.by === 'key' ? `${insert} WHERE ${key} > ? AND ${key} <= ?  -- ${spec.copy.size} rows a batch` : spec.copy.by === 'partition' ? `${insert} WHERE <partition columns> = ?  -- a partition a batch` : insert;
  return {
    table: live,
    statements: [
      next.createSql,
      ddl.blockWrites(live),
      refreshStatement([live]),
      batched,
      refreshStatement([live, temp]),
      ddl.swap(temp, live),
      ddl.unblockWrites(temp),
      ddl.retire(temp, spec.keepBackup ? backup : null),
    ],
    copies: columns.columns.map((column, i) => ({ column, from: columns.expressions[i]! })),
    rows: await countOf(client, live),
    backup: spec.keepBackup ? backup : null,
  };
}
