/**
 * User-defined JavaScript functions: CREATE [OR REPLACE] / DROP FUNCTION with CrateDB's errors, calls in
 * every part of a statement (each distinct argument tuple run once in JavaScript, its value converted to
 * the declared return type), overloads, and information_schema.routines.
 */
import { describe, expect, it } from 'vitest';
import { engineForFile } from './file-engine.js';

const SEVERITY = `CREATE FUNCTION doc.severity(level TEXT) RETURNS INTEGER LANGUAGE JAVASCRIPT AS 'function severity(level) { var order = {"INFO": 1, "ERROR": 3}; return order[level] === undefined ? -1 : order[level]; }'`;

describe('user-defined functions (6.4)', () => {
  const { sql } = engineForFile();
  const logs = async (): Promise<void> => {
    await sql('CREATE TABLE doc.logs (id INT PRIMARY KEY, level TEXT, host TEXT)');
    await sql("INSERT INTO doc.logs (id, level, host) VALUES (1, 'INFO', 'web-1.example.com'), (2, 'ERROR', 'web-2.example.com'), (3, 'INFO', 'db-1.example.com'), (4, 'TRACE', 'x')");
    await sql('REFRESH TABLE doc.logs');
    expect((await sql(SEVERITY)).rowcount).toBe(1);
  };

  it('evaluates in the select list, WHERE, GROUP BY and ORDER BY', async () => {
    await logs();
    expect((await sql('SELECT doc.severity(level) AS sev, count(*) FROM doc.logs GROUP BY 1 ORDER BY 1')).rows).toEqual([[-1, 1], [1, 2], [3, 1]]);
    expect((await sql('SELECT id FROM doc.logs WHERE severity(level) > 0 ORDER BY severity(level) DESC, id')).rows).toEqual([[2], [1], [3]]);
    expect((await sql("SELECT severity('ERROR'), severity(NULL), severity(?)", ['INFO'])).rows).toEqual([[3, -1, 1]]);
  });

  it('writes what it returns in an UPDATE, and a dollar-quoted body is read as written', async () => {
    await logs();
    await sql("CREATE FUNCTION short_host(host TEXT) RETURNS TEXT LANGUAGE JAVASCRIPT AS $$ function short_host(host) { return host.split('.')[0]; } $$");
    expect((await sql('UPDATE doc.logs SET host = short_host(host) WHERE id < 3')).rowcount).toBe(2);
    await sql('REFRESH TABLE doc.logs');
    expect((await sql('SELECT id, host FROM doc.logs ORDER BY id')).rows).toEqual([[1, 'web-1'], [2, 'web-2'], [3, 'db-1.example.com'], [4, 'x']]);
  });

  it('converts arguments and results as CrateDB does: timestamps as epoch ms, arrays, objects, numbers cut to integers', async () => {
    await sql("CREATE FUNCTION next_day(t TIMESTAMP WITH TIME ZONE) RETURNS TIMESTAMP WITH TIME ZONE LANGUAGE JAVASCRIPT AS 'function next_day(t) { return t + 86400000; }'");
    await sql("CREATE FUNCTION parse_day(s TEXT) RETURNS TIMESTAMP WITH TIME ZONE LANGUAGE JAVASCRIPT AS 'function parse_day(s) { return s; }'");
    await sql("CREATE FUNCTION twice(a ARRAY(INTEGER)) RETURNS ARRAY(INTEGER) LANGUAGE JAVASCRIPT AS 'function twice(a) { return a.map(function (v) { return v * 2; }); }'");
    await sql("CREATE FUNCTION tag(o OBJECT) RETURNS OBJECT LANGUAGE JAVASCRIPT AS 'function tag(o) { o.n = 1; return o; }'");
    await sql("CREATE FUNCTION half(x DOUBLE) RETURNS INTEGER LANGUAGE JAVASCRIPT AS 'function half(x) { return x * 1.5; }'");
    await sql("CREATE FUNCTION nothing() RETURNS TEXT LANGUAGE JAVASCRIPT AS 'function nothing() { }'");
    const body = await sql("SELECT next_day('2020-01-01T00:00:00Z'), parse_day('1990-01-01T00:00:00'), twice([1, 2, 3]), tag({a = 'b'}), half(3), half(-3), nothing()");
    expect(body.rows).toEqual([[1577923200000, 631152000000, [2, 4, 6], { a: 'b', n: 1 }, 4, -4, null]]);
  });

  it('takes the language and the body as parameters', async () => {
    expect((await sql('CREATE FUNCTION pf(x INT) RETURNS INT LANGUAGE ? AS ?', ['javascript', 'function pf(x) { return x + 1; }'])).rowcount).toBe(1);
    expect((await sql('SELECT pf(1), pf(?)', [5])).rows).toEqual([[2, 6]]);
  });

  it('picks the overload by argument types and names the candidates when none fits', async () => {
    await sql("CREATE FUNCTION f() RETURNS BIGINT LANGUAGE JAVASCRIPT AS 'function f() { return 1; }'");
    await sql("CREATE FUNCTION f(x BIGINT) RETURNS BIGINT LANGUAGE JAVASCRIPT AS 'function f(x) { return x; }'");
    await sql("CREATE FUNCTION f(x TEXT) RETURNS TEXT LANGUAGE JAVASCRIPT AS 'function f(x) { return x + \"!\"; }'");
    expect((await sql("SELECT f(), f(2), f('a')")).rows).toEqual([[1, 2, 'a!']]);
    expect((await sql('SELECT f(true)')).error).toEqual({
      code: 4004,
      message: 'UnsupportedFunctionException[Unknown function: f(true), no overload found for matching argument types: (boolean). Possible candidates: doc.f():bigint, doc.f(bigint):bigint, doc.f(text):text]',
    });
  });

  it('refuses an existing signature without OR REPLACE, and OR REPLACE changes what calls return', async () => {
    await logs();
    expect((await sql(SEVERITY)).error).toEqual({ code: 4098, message: "UserDefinedFunctionAlreadyExistsException[User defined Function 'doc.severity(text)' already exists.]" });
    expect((await sql("SELECT severity('INFO')")).rows).toEqual([[1]]);
    await sql("CREATE OR REPLACE FUNCTION doc.severity(level TEXT) RETURNS INTEGER LANGUAGE JAVASCRIPT AS 'function severity(level) { return 7; }'");
    expect((await sql("SELECT severity('INFO')")).rows).toEqual([[7]]);
  });

  it('refuses a body that does not evaluate or does not define the function, and an unknown language', async () => {
    const bad = await sql("CREATE FUNCTION bad(x INT) RETURNS INT LANGUAGE JAVASCRIPT AS 'function bad(x) { return x +* ; }'");
    expect(bad.error?.code).toBe(5000);
    expect(bad.error?.message).toMatch(/^ScriptException\[javascript ScriptException: Invalid JavaScript in function 'doc\.bad\(integer\)' AS 'function bad\(x\) \{ return x \+\* ; \}': SyntaxError: /);
    expect((await sql("CREATE FUNCTION misnamed(x INT) RETURNS INT LANGUAGE JAVASCRIPT AS 'function other(x) { return x; }'")).error?.message).toContain(
      "The name of the function signature 'misnamed' doesn't match the function name in the function definition.",
    );
    expect((await sql("CREATE FUNCTION py(x INT) RETURNS INT LANGUAGE python AS 'def py(x): return x'")).error).toEqual({ code: 4000, message: "SQLParseException['python' is not a valid UDF language]" });
    expect((await sql("SELECT routine_name FROM information_schema.routines WHERE routine_type = 'FUNCTION'")).rows).toEqual([]);
  });

  it('fails the statement with the script error a call throws', async () => {
    await sql("CREATE FUNCTION boom(x INT) RETURNS INT LANGUAGE JAVASCRIPT AS 'function boom(x) { return x.y.z; }'");
    const { error } = await sql('SELECT boom(1)');
    expect(error?.code).toBe(5000);
    expect(error?.message).toMatch(/^ScriptException\[js ScriptException: TypeError: /);
  });

  it('lists functions in information_schema.routines and drops them by signature', async () => {
    await logs();
    const routines = "SELECT routine_name, routine_schema, routine_type, specific_name, data_type, routine_body, is_deterministic FROM information_schema.routines WHERE routine_type = 'FUNCTION'";
    expect((await sql(routines)).rows).toEqual([['severity', 'doc', 'FUNCTION', 'severity(text)', 'integer', 'javascript', true]]);
    expect((await sql('DROP FUNCTION doc.severity(TEXT)')).rowcount).toBe(1);
    expect((await sql('DROP FUNCTION doc.severity(TEXT)')).error).toEqual({ code: 4049, message: "UserDefinedFunctionUnknownException[Cannot resolve user defined function: 'doc.severity(text)']" });
    expect((await sql('DROP FUNCTION IF EXISTS doc.severity(TEXT)')).rowcount).toBe(1);
    expect((await sql(routines)).rows).toEqual([]);
    expect((await sql('SELECT severity(level) FROM doc.logs')).error).toEqual({ code: 4004, message: 'UnsupportedFunctionException[Unknown function: severity(level)]' });
  });

  it('computes a generated column, and is kept from DROP while a generated column calls it', async () => {
    await sql("CREATE FUNCTION dbl(x INT) RETURNS INT LANGUAGE JAVASCRIPT AS 'function dbl(x) { return x * 2; }'");
    await sql('CREATE TABLE doc.g (id INT PRIMARY KEY, v INT, d INT GENERATED ALWAYS AS dbl(v))');
    expect((await sql('INSERT INTO doc.g (id, v) VALUES (1, 5), (2, 6)')).rowcount).toBe(2);
    expect((await sql('INSERT INTO doc.g (id, v) VALUES (?, ?)', undefined, [[3, 7], [4, 8]])).results).toEqual([{ rowcount: 1 }, { rowcount: 1 }]);
    await sql('REFRESH TABLE doc.g');
    expect((await sql('SELECT id, d FROM doc.g ORDER BY id')).rows).toEqual([[1, 10], [2, 12], [3, 14], [4, 16]]);
    expect((await sql('DROP FUNCTION dbl(INT)')).error).toEqual({ code: 4000, message: "SQLParseException[Cannot drop function 'doc.dbl'. It is in use by column 'd' of table 'doc.g']" });
    await sql('DROP TABLE doc.g');
    expect((await sql('DROP FUNCTION dbl(INT)')).rowcount).toBe(1);
  });
});
