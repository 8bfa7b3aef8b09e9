import type { Logger } from 'pino';
import type { CrateClient, TableRef } from '../client/types.js';
import { CrateDbError } from '../errors.js';
import { searchedTables } from './sql-file.js';

/**
 * Keeps one migration's writes visible to its own later statements. CrateDB's searches (a non-key WHERE,
 * INSERT ... SELECT, a count) read only refreshed data, so `INSERT ...; UPDATE t SET ... WHERE v = 'a'`
 * would silently update nothing. Tables written since their last REFRESH are "dirty"; before a
 * statement that may search one of them, those are refreshed (one request, only when needed), and at the
 * end every dirty table is, so the next migration and the application see the rows.
 */
export interface Visibility {
  /** Before a statement: REFRESH the dirty tables it may search (all dirty ones when the grammar cannot
   * name its tables). */
  beforeStatement(stmt: { sql: string; searches: boolean }): Promise<void>;
  /** After a statement that wrote rows of these tables. */
  wrote(tables: readonly TableRef[]): void;
  /** A `REFRESH` the migration ran itself. */
  refreshed(tables: readonly TableRef[]): void;
  /** At the end of the section: REFRESH what is still dirty. A failure only delays visibility (CrateDB
   * refreshes by itself within its refresh_interval), so it is logged, not thrown. */
  finish(): Promise<void>;
}

export function createVisibility(client: CrateClient, defaultSchema: string, logger: Logger): Visibility {
  const dirty = new Map<string, TableRef>();
  const key = (t: TableRef) => `${t.schema}\u0000${t.table}`;

  return {
    async beforeStatement(stmt) {
      if (!stmt.searches || dirty.size === 0) return;
      const named = await searchedTables(stmt.sql, defaultSchema);
      const targets = named === 'unknown' ? [...dirty.values()] : named.filter((t) => dirty.has(key(t)));
      if (targets.length === 0) return;
      logger.debug({ event: 'refresh-before-search', tables: targets }, 'refreshing tables written earlier in this migration');
      await refreshExisting(client, targets, logger);
      for (const t of targets) dirty.delete(key(t));
    },
    wrote(tables) {
      for (const t of tables) dirty.set(key(t), t);
    },
    refreshed(tables) {
      for (const t of tables) dirty.delete(key(t));
    },
    async finish() {
      if (dirty.size === 0) return;
      try {
        await refreshExisting(client, [...dirty.values()], logger);
        dirty.clear();
      } catch (err) {
        logger.warn({ event: 'refresh-failed', tables: [...dirty.values()], err }, 'could not refresh the tables the migration wrote');
      }
    },
  };
}

/** REFRESH of tables, skipping those dropped or renamed since they were written (4041): one unknown table
 * fails a whole multi-table REFRESH. */
async function refreshExisting(client: CrateClient, tables: TableRef[], logger: Logger): Promise<void> {
  try {
    await client.refresh(tables);
  } catch (err) {
    if (!(err instanceof CrateDbError && err.crateCode === 4041)) throw err;
    if (tables.length === 1) return logger.debug({ event: 'refresh-skipped', table: tables[0] }, 'written table no longer exists');
    for (const table of tables) await refreshExisting(client, [table], logger);
  }
}
