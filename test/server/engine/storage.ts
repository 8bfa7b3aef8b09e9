/**
 * How CrateDB tables live in PGlite. Each table (internal id N) is three PG objects in schema `crate`:
 * `tN`, the live rows (what primary-key lookups and writes see); `tN_s`, the searchable copy that
 * scans, aggregations and match() read, replaced by REFRESH (unlogged: a copy has nothing to recover);
 * and `tN_q`, the `_seq_no` sequence.
 * Names never change: RENAME and SWAP only move the catalog entry.
 *
 * Hidden columns: `_id` (the document id: the primary key value(s), else random), `_seq_no`,
 * `_primary_term`, `_version`.
 */
import type { PGlite } from '@electric-sql/pglite';
import type { CheckDef, ColumnDef, TableDef } from './catalog.js';
import { quoteIdent } from './format.js';
import { pgType } from './types.js';

export const USER_SCHEMA = 'crate';
export const SYSTEM_SCHEMA = 'crate_sys';

/** SQL that fails the statement with `messageSql` (a text expression) where a value of `pgType` is expected (`fail`, system-tables.ts). */
export function sqlFail(messageSql: string, pgType: string): string {
  return `${SYSTEM_SCHEMA}.fail(${messageSql}, CAST(NULL AS ${pgType}))`;
}

export function pgTableName(t: TableDef, mode: 'live' | 'shadow'): string {
  return `${USER_SCHEMA}.t${t.id}${mode === 'shadow' ? '_s' : ''}`;
}

export function seqName(t: TableDef): string {
  return `${USER_SCHEMA}.t${t.id}_q`;
}

export const HIDDEN_COLUMNS = '"_id" text NOT NULL, "_seq_no" bigint NOT NULL, "_primary_term" bigint NOT NULL DEFAULT 1, "_version" bigint NOT NULL DEFAULT 1';

export function columnSql(c: ColumnDef): string {
  return `${quoteIdent(c.name)} ${pgType(c.type)}`;
}

/** DDL creating a table's live table, searchable copy and sequence. Constraints are PG checks. */
export function createTableSql(t: TableDef, checks: Array<{ name: string; sql: string }>): string {
  const cols = t.columns.map(columnSql);
  const key = t.primaryKey.length > 0 ? t.primaryKey.map(quoteIdent).join(', ') : '"_id"';
  const constraints = checks.map((c) => `, CONSTRAINT ${quoteIdent(c.name)} CHECK (${c.sql})`).join('');
  const live = `CREATE TABLE ${pgTableName(t, 'live')} (${[...cols, HIDDEN_COLUMNS].join(', ')}, PRIMARY KEY (${key})${
    t.primaryKey.length > 0 ? ', UNIQUE ("_id")' : ''
  }${constraints})`;
  // UNLOGGED: the copy is rebuilt from the live table, and without WAL a REFRESH that copies 100,000 rows
  // took 72-77 ms instead of 116-194 ms (CrateDB: 115 ms after 300,000 rows).
  const shadow = `CREATE UNLOGGED TABLE ${pgTableName(t, 'shadow')} (${[...cols, HIDDEN_COLUMNS].join(', ')})`;
  const seq = `CREATE SEQUENCE ${seqName(t)} MINVALUE 0 START 0`;
  return `${live}; ${shadow}; ${seq};`;
}

export function dropTableSql(t: TableDef): string {
  return `DROP TABLE IF EXISTS ${pgTableName(t, 'live')}; DROP TABLE IF EXISTS ${pgTableName(t, 'shadow')}; DROP SEQUENCE IF EXISTS ${seqName(t)};`;
}

/** The PG constraint names of a table's CHECKs and NOT NULLs (they are checks too: `NOT VALID` lets
 * ALTER TABLE ADD COLUMN ... NOT NULL pass on a table with rows, as CrateDB does). */
export function notNullCheck(t: TableDef, column: string): { name: string; sql: string } {
  const name = `nn_${t.id}_${Object.keys(t.notNullChecks).length + 1}`;
  t.notNullChecks[name] = column;
  return { name, sql: `${quoteIdent(column)} IS NOT NULL` };
}

export function checkConstraintName(t: TableDef): string {
  return `ck_${t.id}_${t.checks.length + 1}_${Math.random().toString(36).slice(2, 8)}`;
}

/**
 * The table's catalog entry (columns, checks, visibility, ...) as it is now; the function returned puts it
 * back, for after a PG ROLLBACK of what changed it.
 */
export function tableSnapshot(t: TableDef): () => void {
  const saved = structuredClone(t);
  return () => {
    for (const key of Object.keys(t)) if (!(key in saved)) delete (t as unknown as Record<string, unknown>)[key];
    Object.assign(t, saved);
  };
}

/** Runs `work` in one PG transaction: committed when it succeeds, else rolled back with the table's catalog entry. */
export async function allOrNothing<T>(pg: PGlite, t: TableDef, work: () => Promise<T>): Promise<T> {
  const restore = tableSnapshot(t);
  await pg.exec('BEGIN');
  try {
    const result = await work();
    await pg.exec('COMMIT');
    return result;
  } catch (e) {
    await pg.exec('ROLLBACK');
    restore();
    throw e;
  }
}

/** Marks rows as written since the last refresh. */
export function markDirty(t: TableDef, ids: Iterable<string> | 'all', now: number): void {
  const v = t.visibility;
  if (v.since === null) v.since = now;
  if (ids === 'all' || v.dirty === 'all') {
    v.dirty = 'all';
    return;
  }
  for (const id of ids) v.dirty.add(id);
  if (v.dirty.size > 50_000) v.dirty = 'all';
}

/** Makes every write so far searchable: replaces the changed rows of the searchable copy. */
export async function refreshTable(pg: PGlite, t: TableDef): Promise<void> {
  const v = t.visibility;
  if (v.since === null) return;
  const live = pgTableName(t, 'live');
  const shadow = pgTableName(t, 'shadow');
  if (v.dirty === 'all') {
    // TRUNCATE, not DELETE: a DELETE of every row took twice as long (412 against 194 ms for 100,000 rows)
    // and left them all as dead tuples that later scans of the copy read past (PGlite runs no autovacuum).
    await pg.exec(`TRUNCATE ${shadow}; INSERT INTO ${shadow} SELECT * FROM ${live};`);
  } else if (v.dirty.size > 0) {
    const ids = [...v.dirty];
    await pg.query(`WITH d AS (DELETE FROM ${shadow} WHERE "_id" = ANY($1::text[])) INSERT INTO ${shadow} SELECT * FROM ${live} WHERE "_id" = ANY($1::text[])`, [ids]);
  }
  v.dirty = new Set();
  v.since = null;
}

/** Refreshes a table when its `refresh_interval` has passed since its first unrefreshed write. */
export async function periodicRefresh(pg: PGlite, t: TableDef, now: number): Promise<void> {
  const v = t.visibility;
  if (v.since === null || t.refreshInterval <= 0) return;
  if (now - v.since >= t.refreshInterval) await refreshTable(pg, t);
}

export type { CheckDef };
