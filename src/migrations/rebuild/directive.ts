import type { TableRef } from '../../client/types.js';
import { FileFormatError } from '../../errors.js';
import type { CopyBatches, RebuildSpec } from './spec.js';

/**
 * The rebuild directive of a SQL migration (docs/rebuild.md):
 *
 * ```sql
 * -- migrate:up
 * -- migrate:rebuild books keep_backup copy=key:id:50000
 * -- migrate:rebuild-map author = trim(author)
 * CREATE TABLE books (id TEXT PRIMARY KEY, author TEXT INDEX USING FULLTEXT WITH (analyzer = 'english'));
 * ```
 *
 * `-- migrate:rebuild <table> [keep_backup] [copy=all|key:<column>[:<rows>]|partitions]`, then any number
 * of `-- migrate:rebuild-map <new column> = <expression over the old columns>` lines, then the new
 * definition: the next statement, a `CREATE TABLE` naming the same table. The directive and its statement
 * are one step of the migration. In a down section, `-- migrate:rebuild-revert <table>` (no statement) is
 * the reverse swap of a rebuild that kept its backup.
 */

/** The lines the directive is made of, as the SQL file splitter finds them. */
export interface RebuildDirectiveInput {
  /** The `-- migrate:rebuild ...` comment and its 1-based line. */
  directive: { text: string; line: number };
  /** The `-- migrate:rebuild-map ...` comments that follow it. */
  maps: ReadonlyArray<{ text: string; line: number }>;
  /** The statement after them (placeholders substituted), or null when the section ends first. */
  statement: { sql: string; line: number } | null;
  file: string;
  /** Schema of an unqualified table name (the config's `schema`). */
  defaultSchema: string;
}

/** Whether a line comment is a rebuild directive line (`-- migrate:rebuild` or `-- migrate:rebuild-map`). */
export const REBUILD_MARKER = /^--\s*migrate:(rebuild|rebuild-map|rebuild-revert)(?=\s|$)/;

const DEFAULT_BATCH_ROWS = 10_000;
const NAME = String.raw`(?:"(?:[^"]|"")+"|[A-Za-z_][A-Za-z0-9_]*)`;
const TABLE = new RegExp(String.raw`^(${NAME})(?:\.(${NAME}))?$`);

/** Reads a directive into a `RebuildSpec`. Throws `FileFormatError` naming the file and line. */
export function parseRebuildDirective(input: RebuildDirectiveInput): RebuildSpec {
  const { directive, file } = input;
  const fail = (line: number, message: string): never => {
    throw new FileFormatError(`${file}:${line}: ${message}; see docs/rebuild.md`, file, line);
  };
  const words = directive.text.replace(REBUILD_MARKER, '').trim().split(/\s+/).filter((w) => w !== '');
  if (!/^--\s*migrate:rebuild(?=\s|$)/.test(directive.text)) {
    fail(directive.line, "expected '-- migrate:rebuild <table> [keep_backup] [copy=...]' here");
  }
  const [tableWord, ...options] = words;
  if (tableWord === undefined) fail(directive.line, "'-- migrate:rebuild' needs the table to rebuild, e.g. '-- migrate:rebuild books keep_backup'");
  const table = tableRef(tableWord!, input.defaultSchema) ?? fail(directive.line, `'${tableWord}' is not a table name (table or schema.table)`);

  let keepBackup = false;
  let copy: CopyBatches = { by: 'all' };
  for (const option of options) {
    if (option === 'keep_backup') keepBackup = true;
    else if (option.startsWith('copy=')) copy = copyOption(option.slice(5)) ?? fail(directive.line, `bad '${option}': use copy=all, copy=key:<column>[:<rows per batch>] or copy=partitions`);
    else fail(directive.line, `unknown rebuild option '${option}' (known: keep_backup, copy=...)`);
  }

  const columns: Record<string, string> = {};
  for (const map of input.maps) {
    const match = /^--\s*migrate:rebuild-map\s+(\S+)\s*=\s*(.+)$/.exec(map.text.trim());
    const column = match ? unquote(match[1]!) : undefined;
    if (!match || column === undefined) fail(map.line, "expected '-- migrate:rebuild-map <new column> = <expression>'");
    if (columns[column!] !== undefined) fail(map.line, `column '${column}' is mapped twice`);
    columns[column!] = match![2]!.trim();
  }

  const statement = input.statement ?? fail(directive.line, "'-- migrate:rebuild' must be followed by the new definition, a CREATE TABLE statement");
  if (!/^\s*CREATE\s+TABLE\b/i.test(statement.sql)) {
    fail(statement.line, `the statement after '-- migrate:rebuild' must be the new definition, a CREATE TABLE statement`);
  }
  return { table, definition: statement.sql, columns, keepBackup, copy };
}

/** Reads `-- migrate:rebuild-revert <table>` (a down section's step): the table whose rebuild to revert. */
export function parseRevertDirective(directive: { text: string; line: number }, file: string, defaultSchema: string): TableRef {
  const words = directive.text.replace(REBUILD_MARKER, '').trim().split(/\s+/).filter((w) => w !== '');
  const table = words.length === 1 && /^--\s*migrate:rebuild-revert(?=\s|$)/.test(directive.text) ? tableRef(words[0]!, defaultSchema) : null;
  if (!table) {
    throw new FileFormatError(`${file}:${directive.line}: expected '-- migrate:rebuild-revert <table>' (one table name); see docs/rebuild.md`, file, directive.line);
  }
  return table;
}

function copyOption(value: string): CopyBatches | null {
  if (value === 'all') return { by: 'all' };
  if (value === 'partitions') return { by: 'partition' };
  const match = /^key:([^:]+)(?::(\d+))?$/.exec(value);
  if (!match) return null;
  const column = unquote(match[1]!);
  const size = match[2] === undefined ? DEFAULT_BATCH_ROWS : Number(match[2]);
  return column === undefined || size < 1 ? null : { by: 'key', column, size };
}

function tableRef(word: string, defaultSchema: string): TableRef | null {
  const match = TABLE.exec(word);
  if (!match) return null;
  const [first, second] = [unquote(match[1]!), match[2] === undefined ? undefined : unquote(match[2])];
  if (first === undefined) return null;
  return second === undefined ? { schema: defaultSchema, table: first } : { schema: first, table: second };
}

/** A name as CrateDB reads it: quotes stripped, or folded to lower case. */
function unquote(name: string): string | undefined {
  if (name.startsWith('"')) return name.length > 2 && name.endsWith('"') ? name.slice(1, -1).replaceAll('""', '"') : undefined;
  return /^[A-Za-z_][A-Za-z0-9_]*$/.test(name) ? name.toLowerCase() : undefined;
}
