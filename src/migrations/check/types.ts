import type { TableRef } from '../../client/types.js';
import type { RebuildSpec } from '../rebuild/spec.js';
import type { TableDefinition } from './table-definition.js';

/** `error`: CrateDB will refuse the statement (or it cannot be checked safely): `up` must not start.
 * `warning`: it runs, but does something the author may not expect. */
export type Severity = 'error' | 'warning';

/** Stable codes of the check's findings (documented in docs/check.md). */
export const CHECK_CODES = {
  alterType: 'CM_CHECK_ALTER_TYPE',
  analyzer: 'CM_CHECK_ANALYZER',
  addGenerated: 'CM_CHECK_ADD_GENERATED',
  addPrimaryKey: 'CM_CHECK_ADD_PRIMARY_KEY',
  dropColumnUsed: 'CM_CHECK_DROP_COLUMN_USED',
  shardsWriteBlock: 'CM_CHECK_SHARDS_WRITE_BLOCK',
  shardsFactor: 'CM_CHECK_SHARDS_FACTOR',
  irreversible: 'CM_CHECK_IRREVERSIBLE',
  sessionSetting: 'CM_CHECK_SET',
  unqualified: 'CM_CHECK_UNQUALIFIED',
  searchAfterWrite: 'CM_CHECK_SEARCH_AFTER_WRITE',
  unknownTable: 'CM_CHECK_UNKNOWN_TABLE',
  createTableAs: 'CM_CHECK_CREATE_TABLE_AS',
  version: 'CM_CHECK_VERSION',
  addColumnIfNotExists: 'CM_CHECK_ADD_COLUMN_IF_NOT_EXISTS',
  columnExists: 'CM_CHECK_COLUMN_EXISTS',
  columnUnknown: 'CM_CHECK_COLUMN_UNKNOWN',
  tableExists: 'CM_CHECK_TABLE_EXISTS',
  duplicateColumn: 'CM_CHECK_DUPLICATE_COLUMN',
  dropAnalyzer: 'CM_CHECK_DROP_ANALYZER',
  dateStorage: 'CM_CHECK_DATE_STORAGE',
  tableName: 'CM_CHECK_TABLE_NAME',
} as const;

export type CheckCode = (typeof CHECK_CODES)[keyof typeof CHECK_CODES];

/** One thing the check found, at a statement's file:line. */
export interface Finding {
  severity: Severity;
  code: CheckCode;
  /** The migration's name (`002_add_author_index`). */
  migration: string;
  file: string;
  line: number;
  message: string;
  /** What to write instead. */
  fix: string;
  /** For a change CrateDB cannot make in place: the new definition (the live table's SHOW CREATE TABLE
   * with the change made), ready for a rebuild. */
  definition?: string;
}

/** A statement of a migration's up section as the check sees it: a parsed statement (a `SqlStatement` from
 * sql-file.ts fits; `searches` is its "may search rows" flag), or a rebuild directive. */
export type CheckStatement = { sql: string; line: number; searches?: boolean } | { line: number; rebuild: RebuildSpec };

/** A pending migration to check. Code migrations are listed so that the check can say it did not read them. */
export interface CheckMigration {
  name: string;
  file: string;
  kind: 'sql' | 'code';
  /** Up statements in order (empty for a code migration). */
  up: CheckStatement[];
  /** Whether the migration has a down (section or function): what `up` drops, `down` cannot bring back. */
  hasDown: boolean;
}

/** A table as the cluster has it now, read-only. */
export interface LiveTable {
  /** From SHOW CREATE TABLE; null for a view. */
  definition: TableDefinition | null;
  /** SHOW CREATE TABLE as CrateDB printed it; null for a view. */
  createSql: string | null;
  /** `count(*)`: like CrateDB's own "isn't empty" test, it counts only refreshed rows. */
  rows: number;
  blocksWrite: boolean;
  shards: number | null;
}

/** Reads one table from the cluster; null when it does not exist (or the user cannot see it). */
export type TableReader = (ref: TableRef) => Promise<LiveTable | null>;

export interface CheckOptions {
  migrations: readonly CheckMigration[];
  readTable: TableReader;
  /** Schema of unqualified names (the config's `schema`). */
  defaultSchema: string;
  /** Report unqualified table names (config `check.qualify_names`). @default false */
  qualifyNames?: boolean;
  /** The runner refreshes the tables a migration wrote before a later statement of it that may search them
   * (src/migrations/visibility.ts), so such a search sees the rows, and so does an ALTER TABLE's "isn't
   * empty" test. `false` checks the files for a runner that does not: then a search right after a write
   * is reported. @default true */
  refreshBeforeSearch?: boolean;
  /** The server's version (major, minor), for what one version refuses and another accepts; unknown: those
   * statements are reported as warnings. */
  serverVersion?: { major: number; minor: number } | null;
}

export interface CheckResult {
  findings: Finding[];
  errors: number;
  warnings: number;
  /** Migrations whose statements were checked. */
  checked: string[];
  /** Code migrations: their statements are known only when they run, so they were not read. */
  notChecked: string[];
}
