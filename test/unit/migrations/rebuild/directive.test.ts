import { describe, expect, it } from 'vitest';
import { FileFormatError, RebuildError } from '../../../../src/errors.js';
import { parseCreateTable } from '../../../../src/migrations/check/table-definition.js';
import { tokensOf } from '../../../../src/migrations/check/tokens.js';
import { copyColumns } from '../../../../src/migrations/rebuild/copy.js';
import { newTableSql } from '../../../../src/migrations/rebuild/definition.js';
import { parseRebuildDirective, parseRevertDirective, REBUILD_MARKER } from '../../../../src/migrations/rebuild/directive.js';
import { loadSqlGrammar } from '../../../../src/migrations/sql-grammar.js';

const FILE = 'migrations/002_x.sql';
const CREATE = { sql: 'CREATE TABLE books (id TEXT PRIMARY KEY, author TEXT)', line: 4 };
const parse = (directive: string, maps: string[] = [], statement: { sql: string; line: number } | null = CREATE) =>
  parseRebuildDirective({ directive: { text: directive, line: 2 }, maps: maps.map((text, i) => ({ text, line: 3 + i })), statement, file: FILE, defaultSchema: 'doc' });

function fileError(fn: () => unknown): FileFormatError {
  try {
    fn();
  } catch (err) {
    expect(err).toBeInstanceOf(FileFormatError);
    return err as FileFormatError;
  }
  throw new Error('expected a FileFormatError');
}

describe('the rebuild directive of SQL migrations', () => {
  it('reads the table, keep_backup, the copy mode and the column mapping', () => {
    expect(parse('-- migrate:rebuild books')).toEqual({ table: { schema: 'doc', table: 'books' }, definition: CREATE.sql, columns: {}, keepBackup: false, copy: { by: 'all' } });
    expect(parse('-- migrate:rebuild "Lib".Books keep_backup copy=key:id:500', ['-- migrate:rebuild-map author = trim(author)', "-- migrate:rebuild-map \"Note\" = 'a = b'"])).toEqual({
      table: { schema: 'Lib', table: 'books' },
      definition: CREATE.sql,
      columns: { author: 'trim(author)', Note: "'a = b'" },
      keepBackup: true,
      copy: { by: 'key', column: 'id', size: 500 },
    });
    expect(parse('-- migrate:rebuild books copy=key:id').copy).toEqual({ by: 'key', column: 'id', size: 10_000 });
    expect(parse('-- migrate:rebuild books copy=partitions').copy).toEqual({ by: 'partition' });
  });

  it('refuses bad directives with the file and line', () => {
    expect(fileError(() => parse('-- migrate:rebuild')).message).toMatch(/^migrations\/002_x\.sql:2: .*needs the table/);
    expect(fileError(() => parse('-- migrate:rebuild books keep')).message).toContain("unknown rebuild option 'keep'");
    expect(fileError(() => parse('-- migrate:rebuild books copy=key:')).message).toContain('bad');
    expect(fileError(() => parse('-- migrate:rebuild books copy=key:id:0')).message).toContain('bad');
    expect(fileError(() => parse('-- migrate:rebuild a.b.c')).message).toContain('not a table name');
    expect(fileError(() => parse('-- migrate:rebuild books', ['-- migrate:rebuild-map author'])).line).toBe(3);
    expect(fileError(() => parse('-- migrate:rebuild books', ['-- migrate:rebuild-map a = 1', '-- migrate:rebuild-map a = 2'])).message).toContain('mapped twice');
    expect(fileError(() => parse('-- migrate:rebuild books', [], null)).message).toContain('must be followed by the new definition');
    const notCreate = fileError(() => parse('-- migrate:rebuild books', [], { sql: 'ALTER TABLE books ADD COLUMN x INT', line: 7 }));
    expect(notCreate.line).toBe(7);
  });

  it('reads the revert directive of a down section, and tells directive lines from other comments', () => {
    expect(parseRevertDirective({ text: '-- migrate:rebuild-revert s.books', line: 9 }, FILE, 'doc')).toEqual({ schema: 's', table: 'books' });
    expect(fileError(() => parseRevertDirective({ text: '-- migrate:rebuild-revert', line: 9 }, FILE, 'doc')).line).toBe(9);
    expect(['-- migrate:rebuild books', '-- migrate:rebuild-map a = b', '-- migrate:rebuild-revert books', '-- migrate:rebuilds', '-- migrate:up'].map((t) => REBUILD_MARKER.test(t))).toEqual([true, true, true, false, false]);
  });
});

describe('the new table and its copy', () => {
  it('points the definition at the temporary name and refuses another table or CREATE TABLE AS', async () => {
    const grammar = await loadSqlGrammar();
    const live = { schema: 'doc', table: 'books' };
    const temp = { schema: 'doc', table: 'books__cm_rebuild' };
    const made = newTableSql(grammar, 'CREATE TABLE IF NOT EXISTS doc.books (id TEXT PRIMARY KEY) CLUSTERED INTO 2 SHARDS', live, temp);
    expect(made.createSql).toBe('CREATE TABLE IF NOT EXISTS "doc"."books__cm_rebuild" (id TEXT PRIMARY KEY) CLUSTERED INTO 2 SHARDS');
    expect(made.definition.primaryKey).toEqual(['id']);
    expect(newTableSql(grammar, 'create table "books" (id TEXT)', live, temp).createSql).toBe('CREATE TABLE IF NOT EXISTS "doc"."books__cm_rebuild" (id TEXT)');
    expect(() => newTableSql(grammar, 'CREATE TABLE other.books (id TEXT)', live, temp)).toThrow(RebuildError);
    expect(() => newTableSql(grammar, 'CREATE TABLE authors (id TEXT)', live, temp)).toThrow(/creates "authors"/);
    expect(() => newTableSql(grammar, 'CREATE TABLE books AS SELECT * FROM x', live, temp)).toThrow(/not CREATE TABLE \.\.\. AS/);
  });

  it('copies same-named columns, mapped expressions, skips generated ones, and refuses a mapping of an unknown column', async () => {
    const grammar = await loadSqlGrammar();
    const def = parseCreateTable(tokensOf(grammar, 'CREATE TABLE t (id INT, name TEXT, v2 INT GENERATED ALWAYS AS id * 2, added TEXT, renamed TEXT)'))!.definition!;
    expect(copyColumns('"doc"."t"', def, ['id', 'name', 'old'], { renamed: '"old"' })).toEqual({ columns: ['id', 'name', 'renamed'], expressions: ['"id"', '"name"', '"old"'] });
    expect(() => copyColumns('"doc"."t"', def, ['id'], { v2: '1' })).toThrow(/"v2", not a \(non-generated\) column/);
    expect(() => copyColumns('"doc"."t"', def, ['x'], {})).toThrow(/nothing would be copied/);
  });
});
