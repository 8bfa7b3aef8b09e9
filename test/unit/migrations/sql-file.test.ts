import { describe, expect, it } from 'vitest';
import { FileFormatError } from '../../../src/errors.js';
import { parseSqlMigration } from '../../../src/migrations/sql-file.js';

const FILE = 'migrations/003_x.sql';
const parse = (text: string, placeholders: Record<string, string> = {}) =>
  parseSqlMigration(text, { file: FILE, placeholders, defaultSchema: 'doc' });

async function formatError(text: string, placeholders: Record<string, string> = {}): Promise<FileFormatError> {
  const err = await parse(text, placeholders).then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(FileFormatError);
  expect((err as FileFormatError).code).toBe('CM_FILE');
  expect((err as FileFormatError).file).toBe(FILE);
  return err as FileFormatError;
}

describe('SQL migration format', () => {
  it('splits up and down sections into statements with their lines', async () => {
    const m = await parse(
      [
        '-- Creates the books table.', // 1
        '-- migrate:up', // 2
        'CREATE TABLE "doc"."books" (', // 3
        '  id TEXT PRIMARY KEY', // 4
        ');', // 5
        '', // 6
        "INSERT INTO doc.books (id) VALUES ('1');", // 7
        '-- migrate:down', // 8
        'DROP TABLE IF EXISTS "doc"."books";', // 9
      ].join('\n'),
    );
    expect(m.up.map((s) => [s.line, s.type, s.sql])).toEqual([
      [3, 'CREATE', 'CREATE TABLE "doc"."books" (\n  id TEXT PRIMARY KEY\n)'],
      [7, 'INSERT', "INSERT INTO doc.books (id) VALUES ('1')"],
    ]);
    expect(m.down!.map((s) => [s.line, s.sql])).toEqual([[9, 'DROP TABLE IF EXISTS "doc"."books"']]);
  });

  it('does not split at ; inside strings, quoted identifiers, dollar bodies or comments', async () => {
    const m = await parse(
      [
        '-- migrate:up',
        "INSERT INTO t (a, \"b;c\") VALUES ('x;y', E'it\\'s;') -- trailing; comment",
        ';',
        '/* block; comment */ UPDATE t SET a = $$ ; $$ WHERE a = $tag$;$tag$;',
        'SELECT 1', // the last statement may omit its ;
      ].join('\n'),
    );
    expect(m.up.map((s) => s.line)).toEqual([2, 4, 5]);
    expect(m.up[0]!.sql).toBe("INSERT INTO t (a, \"b;c\") VALUES ('x;y', E'it\\'s;')");
    expect(m.up[1]!.sql).toBe('UPDATE t SET a = $$ ; $$ WHERE a = $tag$;$tag$');
    expect(m.up[2]!.sql).toBe('SELECT 1');
  });

  it('splits statements the bundled grammar does not know (CREATE SCHEMA), leaving the verdict to CrateDB', async () => {
    const m = await parse('-- migrate:up\nCREATE SCHEMA IF NOT EXISTS s; CREATE TABLE s.t (a INT);\nALTER TABLE s.t ALTER COLUMN a SET DEFAULT 1;\n');
    expect(m.up.map((s) => [s.line, s.sql])).toEqual([
      [2, 'CREATE SCHEMA IF NOT EXISTS s'],
      [2, 'CREATE TABLE s.t (a INT)'],
      [3, 'ALTER TABLE s.t ALTER COLUMN a SET DEFAULT 1'],
    ]);
  });

  it('sends nothing for comment-only parts', async () => {
    const m = await parse('-- migrate:up\n-- nothing here;\n/* still nothing; */\n;\n-- migrate:down\n-- no-op\n');
    expect(m.up).toEqual([]);
    expect(m.down).toEqual([]);
  });

  it('a file without a down marker cannot be reverted (down is null), an empty down section is a no-op', async () => {
    expect((await parse('-- migrate:up\nSELECT 1;\n')).down).toBeNull();
    expect((await parse('-- migrate:up\nSELECT 1;\n-- migrate:down\n')).down).toEqual([]);
  });

  it('refuses SQL before the up marker, naming the line', async () => {
    const err = await formatError('-- header\n\nCREATE TABLE t (a INT);\n-- migrate:up\nSELECT 1;\n');
    expect(err.line).toBe(3);
    expect(err.message).toContain(`${FILE}:3`);
  });

  it('refuses a file with no up marker', async () => {
    const err = await formatError('CREATE TABLE t (a INT);');
    expect(err.line).toBe(1);
    const empty = await formatError('-- only comments\n');
    expect(empty.message).toContain('-- migrate:up');
  });

  it.each([
    ['a second up marker', '-- migrate:up\nSELECT 1;\n-- migrate:up\nSELECT 2;\n', 3],
    ['down before up', '-- migrate:down\nSELECT 1;\n-- migrate:up\n', 1],
    ['a second down marker', '-- migrate:up\n-- migrate:down\n-- migrate:down\n', 3],
    ['a misspelled marker', '-- migrate:up\nSELECT 1;\n-- migrate:dwn\nSELECT 2;\n', 3],
    ['a marker with extra words', '-- migrate:up transaction:false\nSELECT 1;\n', 1],
    ['a marker in upper case', '-- MIGRATE:UP\nSELECT 1;\n', 1],
    ['a marker after code on its line', '-- migrate:up\nSELECT 1; -- migrate:down\nSELECT 2;\n', 2],
  ])('refuses %s', async (_what, text, line) => {
    const err = await formatError(text);
    expect(err.line).toBe(line);
  });

  it('accepts an indented marker and a marker followed by spaces', async () => {
    const m = await parse('  -- migrate:up  \nSELECT 1;\n\t--migrate:down\nSELECT 2;\n');
    expect(m.up.map((s) => s.sql)).toEqual(['SELECT 1']);
    expect(m.down!.map((s) => s.sql)).toEqual(['SELECT 2']);
  });

  it('reads files with CRLF line endings', async () => {
    const m = await parse('-- migrate:up\r\nSELECT 1;\r\n\r\nSELECT 2;\r\n-- migrate:down\r\nSELECT 3;\r\n');
    expect(m.up.map((s) => [s.line, s.sql])).toEqual([
      [2, 'SELECT 1'],
      [4, 'SELECT 2'],
    ]);
    expect(m.down!.map((s) => [s.line, s.sql])).toEqual([[6, 'SELECT 3']]);
  });

  it('a marker inside a string or a block comment is not a marker', async () => {
    const m = await parse("-- migrate:up\nSELECT '\n-- migrate:down\n';\n/*\n-- migrate:down\n*/ SELECT 2;\n");
    expect(m.up.map((s) => s.line)).toEqual([2, 7]);
    expect(m.down).toBeNull();
  });
});

describe('placeholders', () => {
  it('replaces ${name} in statements and strings, keeping lines', async () => {
    const m = await parse(
      "-- migrate:up\nCREATE TABLE ${schema}.books (a TEXT) WITH (number_of_replicas = '${replicas}');\nSELECT 2;\n",
      { schema: 'library', replicas: '0-1' },
    );
    expect(m.up.map((s) => [s.line, s.sql])).toEqual([
      [2, "CREATE TABLE library.books (a TEXT) WITH (number_of_replicas = '0-1')"],
      [3, 'SELECT 2'],
    ]);
  });

  it('refuses an unknown placeholder, naming file and line', async () => {
    const err = await formatError('-- migrate:up\nSELECT 1;\nCREATE TABLE t (\n  a TEXT DEFAULT ${missing}\n);\n', { known: 'x' });
    expect(err.line).toBe(4);
    expect(err.message).toContain(`${FILE}:4`);
    expect(err.message).toContain('${missing}');
  });

  it('leaves comments and dollar-quoted bodies alone', async () => {
    const m = await parse(
      '-- migrate:up\n-- ${unknown} in a comment\nCREATE FUNCTION f(a TEXT) RETURNS TEXT LANGUAGE JAVASCRIPT /* ${x} */ AS $$function f(a) { return `${a}`; }$$;\n',
    );
    expect(m.up[0]!.sql).toBe('CREATE FUNCTION f(a TEXT) RETURNS TEXT LANGUAGE JAVASCRIPT /* ${x} */ AS $$function f(a) { return `${a}`; }$$');
  });
});

describe('tables written', () => {
  it('names INSERT/UPDATE/DELETE targets, folding unquoted names as CrateDB does', async () => {
    const m = await parse(
      [
        '-- migrate:up',
        'CREATE TABLE Books (a TEXT);',
        'INSERT INTO Books (a) VALUES (1);',
        'INSERT INTO "Lib"."Books" SELECT * FROM other.t;',
        'UPDATE lib.t2 SET a = 1;',
        'DELETE FROM t3 WHERE a = 1;',
        'SELECT * FROM t4;',
      ].join('\n'),
    );
    expect(m.up.map((s) => s.writes)).toEqual([
      [],
      [{ schema: 'doc', table: 'books' }],
      [{ schema: 'Lib', table: 'Books' }],
      [{ schema: 'lib', table: 't2' }],
      [{ schema: 'doc', table: 't3' }],
      [],
    ]);
  });

  it('reads the target after placeholders are replaced: the table named through ${schema} is the one refreshed', async () => {
    const m = await parse('-- migrate:up\nINSERT INTO ${schema}.t (a) VALUES (1);\nUPDATE "${schema}"."T" SET a = 2;\n', { schema: 'app' });
    expect(m.up.map((s) => s.writes)).toEqual([[{ schema: 'app', table: 't' }], [{ schema: 'app', table: 'T' }]]);
  });
});
