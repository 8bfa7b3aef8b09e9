import type { ColumnDefinition, TableDefinition } from './table-definition.js';
import { redefine, type ColumnChange } from './redefine.js';
import { CHECK_CODES, type CheckCode, type Severity } from './types.js';

/**
 * The rules, each grounded in what CrateDB 6.4.3 and 5.10.16 answered (../shared/cratedb/transcripts*,
 * 11-ddl-limits and 12-introspection; docs/check.md lists them). A rule returns what it found for one
 * action against what is known of the table at that point: its definition (from the cluster, or from a
 * CREATE TABLE earlier in the pending migrations) and whether it has rows.
 */
export interface Problem {
  severity: Severity;
  code: CheckCode;
  message: string;
  fix: string;
  definition?: string;
}

/** What is known of a table while the migrations are walked in order. */
export interface TableState {
  /** Quoted `"schema"."table"`, for messages and fixes. */
  display: string;
  definition: TableDefinition | null;
  /** `rows`: refreshed rows exist (what CrateDB's "isn't empty" counts); `unknown`: not read. */
  rows: 'empty' | 'rows' | 'unknown';
  /** Rows written earlier in this migration and not refreshed since (the runner refreshes at its end). */
  unrefreshed: boolean;
  /** Of those writes, some added rows (INSERT ... VALUES): refreshed, the table is not empty. */
  pendingRows: boolean;
  /** Of those writes, some may have added rows (INSERT ... SELECT, COPY FROM): refreshed, an empty table
   * may no longer be. */
  maybeRows: boolean;
  blocksWrite: boolean;
  /** Rows were written to it with `column_policy = 'dynamic'`: they may have added columns no definition
   * shows, so a column not in the definition may still exist. */
  openColumns: boolean;
  /** The live table's SHOW CREATE TABLE while no pending statement has changed it; else null. */
  createSql: string | null;
}

/** The fix for every change CrateDB cannot make in place: a rebuild (docs/rebuild.md). */
export function rebuildFix(table: TableState, what: string): string {
  return (
    `rebuild the table with the new definition (${what}): in a SQL migration write ` +
    `'-- migrate:rebuild ${table.display} keep_backup' followed by 'CREATE TABLE ${table.display} (...the new definition...);', ` +
    `or call ctx.rebuildTable({ table: '${table.display}', definition: 'CREATE TABLE ...', keepBackup: true }) in a TS migration (docs/rebuild.md)`
  );
}

export function alterType(table: TableState, column: string, type: string): Problem {
  return withDefinition(table, column, { type }, {
    severity: 'error',
    code: CHECK_CODES.alterType,
    message: `${table.display}: CrateDB cannot change the type of column "${column}" (ALTER COLUMN ... TYPE is a syntax error on 6.4 and 5.10)`,
    fix: rebuildFix(table, `"${column}" ${type}`),
  });
}

/** Adds the new definition, when the live table's is known, to the fix of a change made by a rebuild. */
function withDefinition(table: TableState, column: string | null, change: ColumnChange, problem: Problem): Problem {
  const definition = table.createSql !== null && column !== null ? redefine(table.createSql, column, change) : null;
  return definition === null ? problem : { ...problem, fix: `${problem.fix}; the new definition:\n${definition}`, definition };
}

export function analyzer(table: TableState, column: string | null, analyzerName: string, how: 'alter-column' | 'add-index' | 'create-index'): Problem {
  const what = { 'alter-column': 'ALTER COLUMN ... SET (analyzer = ...)', 'add-index': 'ALTER TABLE ... ADD INDEX', 'create-index': 'CREATE INDEX' }[how];
  const col = column === null ? 'a column' : `column "${column}"`;
  return withDefinition(table, column, { analyzer: analyzerName }, {
    severity: 'error',
    code: CHECK_CODES.analyzer,
    message: `${table.display}: CrateDB cannot add a fulltext index or change an analyzer on an existing column (${what} is a syntax error); ${col} keeps its index`,
    fix: rebuildFix(table, `${col} with 'INDEX USING FULLTEXT WITH (analyzer = '${analyzerName}')', or a named 'INDEX name USING FULLTEXT (${column ?? 'col'})' that keeps the column's plain index`),
  });
}

/** ADD COLUMN of a generated or primary-key column: refused on a table with refreshed rows. */
export function addColumn(table: TableState, column: ColumnDefinition): Problem[] {
  const kinds: Array<{ code: CheckCode; what: string; refused: string }> = [];
  if (column.generatedFrom !== null) kinds.push({ code: CHECK_CODES.addGenerated, what: 'a generated column', refused: 'Cannot add a generated column to a table that isn\'t empty' });
  if (column.primaryKey) kinds.push({ code: CHECK_CODES.addPrimaryKey, what: 'a primary key column', refused: 'Cannot add a primary key column to a table that isn\'t empty' });
  return kinds.flatMap(({ code, what, refused }): Problem[] => {
    if (table.rows === 'rows') {
      return [{ severity: 'error', code, message: `${table.display} has rows: CrateDB refuses to add ${what} ("${column.name}"): ${refused}`, fix: rebuildFix(table, `"${column.name}" in the new definition`) }];
    }
    if (table.pendingRows) {
      return [{
        severity: 'warning',
        code,
        message: `${table.display}: rows written earlier in this migration are not refreshed yet, so CrateDB will accept ${what} ("${column.name}") but leave it null in those rows (its "isn't empty" test counts refreshed rows only)`,
        fix: `add "${column.name}" before writing the rows, or declare it in the CREATE TABLE`,
      }];
    }
    return [];
  });
}

/** DROP COLUMN of a column another part of the table depends on (CrateDB's 4004 refusals). */
export function dropColumn(table: TableState, column: string): Problem[] {
  const def = table.definition;
  if (!def) return [];
  const refusals: string[] = [];
  if (def.columns.length === 1 && def.columns[0]!.name === column) refusals.push('Dropping all columns of a table is not allowed');
  for (const c of def.columns) {
    if (c.generatedFrom?.includes(column) && c.name !== column) refusals.push(`it is used in generated column "${c.name}"`);
  }
  // A CHECK on the column alone goes with it; one that also names another column blocks the drop.
  for (const check of def.checks) {
    if (check.columns.includes(column) && check.columns.some((n) => n !== column)) refusals.push(`it is used in CHECK constraint ${check.name ?? '(unnamed)'}`);
  }
  if (def.primaryKey.includes(column)) refusals.push('it is part of the PRIMARY KEY');
  for (const index of def.indexes) if (index.columns.includes(column)) refusals.push(`it is part of INDEX "${index.name}"`);
  if (def.clusteredBy === column) refusals.push("it is used in 'CLUSTERED BY'");
  if (def.partitionedBy.includes(column)) refusals.push("it is used in 'PARTITIONED BY'");
  if (refusals.length === 0) return [];
  return [{
    severity: 'error',
    code: CHECK_CODES.dropColumnUsed,
    message: `${table.display}: CrateDB refuses to drop column "${column}": ${refusals.join('; ')}`,
    fix: refusals.some((r) => r.startsWith('it is used in CHECK'))
      ? `drop the CHECK constraint first (ALTER TABLE ${table.display} DROP CONSTRAINT <name>; it cannot be added back later), or ${rebuildFix(table, `no "${column}"`)}`
      : rebuildFix(table, `no "${column}"`),
  }];
}

/** `SET (number_of_shards = n)`: needs `blocks.write` first, and a shrink needs a factor of the count. */
export function setShards(table: TableState, shards: string): Problem[] {
  const problems: Problem[] = [];
  if (!table.blocksWrite) {
    problems.push({
      severity: 'error',
      code: CHECK_CODES.shardsWriteBlock,
      message: `${table.display}: CrateDB changes number_of_shards only on a read-only table ("Table/Partition needs to be at a read-only state")`,
      fix: `ALTER TABLE ${table.display} SET ("blocks.write" = true); then this statement; then ALTER TABLE ${table.display} SET ("blocks.write" = false);`,
    });
  }
  const current = table.definition?.shards ?? null;
  const wanted = Number(shards);
  if (current !== null && Number.isInteger(wanted) && wanted > 0 && wanted < current && current % wanted !== 0) {
    problems.push({
      severity: 'error',
      code: CHECK_CODES.shardsFactor,
      message: `${table.display}: ${wanted} shards is not a factor of the current ${current} (CrateDB: "needs to be a factor of the current one")`,
      fix: `use a factor of ${current} (${factors(current).join(', ')}), or rebuild the table with CLUSTERED INTO ${wanted} SHARDS (docs/rebuild.md)`,
    });
  }
  return problems;
}

function factors(n: number): number[] {
  return Array.from({ length: n - 1 }, (_, i) => i + 1).filter((k) => n % k === 0);
}

export function irreversible(what: string, target: string): Problem {
  return {
    severity: 'warning',
    code: CHECK_CODES.irreversible,
    message: `${what} ${target} cannot be undone: this migration has a down, but the rows it removes are gone for good`,
    fix: `keep the data: rename instead (ALTER TABLE ... RENAME TO ...), or rebuild with keep_backup so that down swaps the old table back; or remove the down section and say so in a comment`,
  };
}

export function sessionSetting(global: boolean, text: string): Problem {
  return global
    ? {
        severity: 'warning',
        code: CHECK_CODES.sessionSetting,
        message: `'${text} ...' changes a cluster-wide setting that no history row records and no down restores by itself`,
        fix: 'set cluster settings in the cluster\'s configuration, or pair it with the RESET GLOBAL in the down section',
      }
    : {
        severity: 'warning',
        code: CHECK_CODES.sessionSetting,
        message: `'${text} ...' changes the session of one pooled connection only: later statements may run on another connection, and later work on this one inherits it`,
        fix: 'schema-qualify names instead of SET search_path; pass settings per statement; never SET in a migration',
      };
}

export function unqualified(name: string, defaultSchema: string): Problem {
  return {
    severity: 'warning',
    code: CHECK_CODES.unqualified,
    message: `table "${name}" is not schema-qualified; it resolves to the session's schema (here "${defaultSchema}"), which a SET on a pooled connection can change`,
    fix: `write "${defaultSchema}"."${name}" (or \${placeholder}."${name}")`,
  };
}

export function searchAfterWrite(table: TableState): Problem {
  return {
    severity: 'warning',
    code: CHECK_CODES.searchAfterWrite,
    message: `${table.display} was written earlier in this migration and not refreshed: this statement searches it and will not see those rows (only a lookup by the full primary key would)`,
    fix: `add 'REFRESH TABLE ${table.display};' before this statement`,
  };
}

export function unknownTable(display: string): Problem {
  return {
    severity: 'warning',
    code: CHECK_CODES.unknownTable,
    message: `${display} is not in the cluster (or not visible to this user) and no earlier pending SQL migration creates it: CrateDB would answer 4041 RelationUnknown`,
    fix: `create it in an earlier migration, or fix the name`,
  };
}

export function createTableAs(display: string): Problem {
  return {
    severity: 'warning',
    code: CHECK_CODES.createTableAs,
    message: `CREATE TABLE ${display} AS SELECT makes a table without the source's primary key, CLUSTERED BY, indexes or settings (CrateDB copies only the columns)`,
    fix: `write CREATE TABLE ${display} (...) with the key and indexes, then INSERT INTO ${display} SELECT ...`,
  };
}

/** CrateDB 6.4 refuses a statement longer than `statement_max_length` (262144 characters); 5.10 does not. */
export const STATEMENT_MAX_LENGTH = 262_144;

/**
 * What one CrateDB version refuses and the other runs (the 5.10.16 and 6.4.3 recordings): statements over
 * `statement_max_length` on 6.x, `CREATE SCHEMA` / `DROP SCHEMA` and `ALTER COLUMN ... SET DEFAULT` on 5.x.
 * An error for the server's version; a warning when the version is not known.
 */
export function versionLimits(sql: string, words: readonly string[], version: { major: number } | null): Problem[] {
  const problems: Array<{ refusedBy: (major: number) => boolean; versions: string; message: string; fix: string }> = [];
  if (sql.length > STATEMENT_MAX_LENGTH) {
    problems.push({
      refusedBy: (major) => major >= 6,
      versions: '6.x',
      message: `the statement is ${sql.length} characters; CrateDB 6.4 refuses more than ${STATEMENT_MAX_LENGTH} (statement_max_length)`,
      fix: 'split it (several INSERTs), or send the values as parameters from a TS migration (ctx.bulk) or a seed',
    });
  }
  if ((words[0] === 'CREATE' || words[0] === 'DROP') && words[1] === 'SCHEMA') {
    problems.push({
      refusedBy: (major) => major < 6,
      versions: '5.x',
      message: `${words[0]} SCHEMA is a syntax error on CrateDB 5.10 (schemas exist only through their tables there)`,
      fix: 'leave it out: CREATE TABLE schema.table creates the schema, and it goes with its last table',
    });
  }
  if (words[0] === 'ALTER' && words[1] === 'TABLE' && words.slice(2).includes('ALTER') && words.includes('DEFAULT')) {
    problems.push({
      refusedBy: (major) => major < 6,
      versions: '5.x',
      message: 'ALTER TABLE ... ALTER COLUMN is a syntax error on CrateDB 5.10 (6.4 accepts SET DEFAULT)',
      fix: 'on 5.10, rebuild the table with the new DEFAULT (docs/rebuild.md), or branch on ctx.serverVersion() in a TS migration',
    });
  }
  return problems.flatMap((p): Problem[] => {
    if (version !== null && !p.refusedBy(version.major)) return [];
    return [{
      severity: version === null ? 'warning' : 'error',
      code: CHECK_CODES.version,
      message: version === null ? `${p.message}; the server's version is not known, so this may or may not apply` : p.message,
      fix: p.fix,
    }];
  });
}

/** Statements CrateDB refuses for what the table already has or lacks (02-ddl): 4000, 4043, 4093. */
export function addColumnIfNotExists(table: TableState, column: string): Problem {
  return {
    severity: 'error',
    code: CHECK_CODES.addColumnIfNotExists,
    message: `CrateDB has no ADD COLUMN IF NOT EXISTS (a syntax error on 6.4 and 5.10)`,
    fix: `write ALTER TABLE ${table.display} ADD COLUMN "${column}" ...; to skip it when the column is there, use a TS migration: if (!(await ctx.columns('${table.display}')).some((c) => c.name === '${column}')) await ctx.sql(...)`,
  };
}

export function columnExists(table: TableState, column: string): Problem {
  return {
    severity: 'error',
    code: CHECK_CODES.columnExists,
    message: `${table.display} already has a column named "${column}" (CrateDB: "The table ... already has a column named ${column}")`,
    fix: `leave the ADD COLUMN out, or name the new column differently`,
  };
}

export function columnUnknown(table: TableState, column: string): Problem {
  return {
    severity: 'error',
    code: CHECK_CODES.columnUnknown,
    message: `${table.display} has no column "${column}" (CrateDB: 4043 ColumnUnknownException)`,
    fix: `fix the name (columns: ${table.definition?.columns.map((c) => c.name).join(', ') ?? 'unknown'})`,
  };
}

export function tableExists(display: string): Problem {
  return {
    severity: 'error',
    code: CHECK_CODES.tableExists,
    message: `${display} exists already (CrateDB: 4093 RelationAlreadyExists)`,
    fix: `CREATE TABLE IF NOT EXISTS, if the existing table is the one meant; else another name, or a rebuild to change it (docs/rebuild.md)`,
  };
}

export function duplicateColumns(display: string, definition: TableDefinition): Problem[] {
  const names = definition.columns.map((c) => c.name);
  const twice = [...new Set(names.filter((n, i) => names.indexOf(n) !== i))];
  return twice.map((name) => ({
    severity: 'error',
    code: CHECK_CODES.duplicateColumn,
    message: `CREATE TABLE ${display}: column "${name}" is specified more than once`,
    fix: `give one of them another name`,
  }));
}

/** DROP ANALYZER succeeds while tables use it (11-ddl-limits): they go on analyzing with it, and no new
 * table (and no rebuild of one) can name it any more. */
export function dropAnalyzer(name: string): Problem {
  return {
    severity: 'warning',
    code: CHECK_CODES.dropAnalyzer,
    message: `DROP ANALYZER ${name}: CrateDB drops it even while tables use it; they keep it, but a new table or a rebuild naming it fails ("Analyzer ... not found")`,
    fix: `first rebuild the tables that use '${name}' with another analyzer (SHOW CREATE TABLE names it), then drop it`,
  };
}

/** CrateDB stores no `DATE` values: a table with such a column is refused (4004 "Type `date` does not
 * support storage"); DATE exists for expressions only. */
export function dateColumns(display: string, definition: TableDefinition): Problem[] {
  return definition.columns.filter((c) => c.storesDate).map((c) => ({
    severity: 'error',
    code: CHECK_CODES.dateStorage,
    message: `CREATE TABLE ${display}: column "${c.name}" is of type ${c.type}, which CrateDB cannot store ("Type \`date\` does not support storage")`,
    fix: `declare it TIMESTAMP WITH TIME ZONE (midnight of the day), or TEXT in ISO form (YYYY-MM-DD)`,
  }));
}

/** Characters CrateDB refuses in a new table's name (4002 InvalidRelationName): those of a file name and
 * the dot, and whitespace. */
const INVALID_TABLE_NAME = /[\\/*?"<>|,#.\s]/;

export function tableName(display: string, name: string): Problem[] {
  if (!INVALID_TABLE_NAME.test(name) && name !== '') return [];
  return [{
    severity: 'error',
    code: CHECK_CODES.tableName,
    message: `CREATE TABLE ${display}: CrateDB refuses the name (4002 InvalidRelationName: no whitespace or any of \\ / * ? " < > | , # . in a table's name)`,
    fix: `name it without those characters, e.g. "${name.replace(/[\\/*?"<>|,#.\s]+/g, '_')}"`,
  }];
}
