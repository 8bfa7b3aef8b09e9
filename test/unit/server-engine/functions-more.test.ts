/**
 * The scalar functions of functions-more*.ts, as CrateDB's sources define them: arithmetic by name and cot /
 * radians / degrees (ArithmeticFunctions, TrigonometricFunctions, RadiansDegreesFunctions), sha1, translate,
 * starts_with, parse_uri, parse_url (string/), array_overlap, array_set, array_unnest, null_or_empty, the
 * PostgreSQL compatibility functions (postgres/, systeminformation/) and the privilege functions
 * (Has*PrivilegeFunction, PgTableIsVisibleFunction). Expected values are the examples of CrateDB's
 * scalar-functions documentation where it has one.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Engine, Session } from '../../server/contract.js';
import { createEngine } from '../../server/engine/index.js';
import { mapMoreFunction } from '../../server/engine/functions-more.js';
import { T } from '../../server/engine/types.js';

// One engine for the file: PGlite takes seconds to start. Tables and grants are made once, in beforeAll.
let engine: Engine;
const session: Session = { id: 1, schema: 'doc', user: 'crate' };
beforeAll(async () => {
  engine = await createEngine({ version: '6.4', users: { alice: 'secret', bob: 'secret' } });
  for (const stmt of [
    'CREATE TABLE doc.t (a INT)',
    'CREATE TABLE s.u (a INT)',
    'GRANT DQL ON TABLE doc.t TO alice',
    'GRANT DML ON SCHEMA s TO alice',
    'DENY DQL ON TABLE s.u TO alice',
    'GRANT DDL ON SCHEMA s TO bob',
  ]) {
    const body = (await engine.execute({ stmt, types: false, session })).body as { error?: unknown };
    if (body.error) throw new Error(`${stmt}: ${JSON.stringify(body.error)}`);
  }
});
afterAll(async () => {
  await engine?.close();
});

interface Body { rows?: unknown[][]; col_types?: unknown[]; error?: { code: number; message: string } }

async function one(stmt: string, user = 'crate'): Promise<Body> {
  const s = user === 'crate' ? session : { id: user === 'alice' ? 2 : 3, schema: 'doc', user };
  return (await engine.execute({ stmt, types: true, session: s })).body as Body;
}
const error = async (stmt: string, user = 'crate'): Promise<Body['error']> => (await one(stmt, user)).error;

describe('arithmetic and trigonometry', () => {
  it('types cot, radians and degrees as double, cot of a numeric as numeric', async () => {
    const body = await one('SELECT cot(1), radians(45.0), degrees(0.5), cot(1.5::numeric(3, 1))');
    expect(body.rows).toEqual([[0.6420926159343306, 0.7853981633974483, 28.64788975654116, 0.0709148443026524]]);
    expect(body.col_types).toEqual([6, 6, 6, 22]);
  });

  it('calls the operators by name, keeping the operands\' type (smallint through integer)', async () => {
    const body = await one('SELECT subtract(5::bigint, 2), divide(7, 2), mod(-5, 3), modulus(5.5, 2), multiply(2::real, 3), mod(1::smallint, 1::smallint)');
    expect(body.rows).toEqual([[3, 3, -2, 1.5, 6, 0]]);
    expect(body.col_types).toEqual([10, 9, 9, 6, 7, 9]);
    expect(await error('SELECT multiply(2147483647, 2)')).toEqual({ code: 4000, message: 'SQLParseException[integer overflow]' });
  });
});

describe('string functions', () => {
  it('computes sha1 of the UTF-8 bytes, NULL for NULL', async () => {
    const body = await one("SELECT sha1('foo'), sha1(''), sha1('héllo wörld'), sha1(NULL)");
    expect(body.rows).toEqual([[
      '0beec7b5ea3f0fdbc95d0dd47f3c5bc275da8a33', 'da39a3ee5e6b4b0d3255bfef95601890afd80709', '24e9f5c07847ff8a2a9fa77456655792f5bc7f9f', null,
    ]]);
    expect(body.col_types).toEqual([4, 4, 4, 4]);
  });

  it('translates characters one to one, deleting those without a counterpart', async () => {
    expect((await one("SELECT translate('Crate', 'Ct', 'Dk'), translate('Crate', 'rCe', 'c')")).rows).toEqual([['Drake', 'cat']]);
  });

  it('answers starts_with with a boolean, NULL for a NULL argument', async () => {
    const body = await one("SELECT starts_with('crate.io', 'crate'), starts_with('crate.io', 'io'), starts_with(NULL, 'a')");
    expect(body.rows).toEqual([[true, false, null]]);
    expect(body.col_types).toEqual([3, 3, 3]);
  });
});

describe('parse_uri and parse_url', () => {
  it('splits a URI into its parts, typed so that a subscript reads text or integer', async () => {
    const body = await one("SELECT parse_uri('crate://my_user@cluster.crate.io:5432/doc?sslmode=verify-full') AS uri, parse_uri('crate://my_user@cluster.crate.io:5432')['hostname'] AS h, parse_uri('http://h:81')['port'] AS p");
    expect(body.rows).toEqual([[
      { fragment: null, hostname: 'cluster.crate.io', path: '/doc', port: 5432, query: 'sslmode=verify-full', scheme: 'crate', userinfo: 'my_user' },
      'cluster.crate.io',
      81,
    ]]);
    expect(body.col_types).toEqual([12, 4, 9]);
  });

  it('decodes escapes, has no host for a registry authority and no path for an opaque URI', async () => {
    const [[decoded, registry, opaque]] = (await one("SELECT parse_uri('http://h/%C3%A9?a%20b#f'), parse_uri('http://my_host/x'), parse_uri('mailto:a@b.c')")).rows as unknown[][] as [[Record<string, unknown>, Record<string, unknown>, Record<string, unknown>]];
    expect(decoded).toMatchObject({ hostname: 'h', path: '/é', query: 'a b', fragment: 'f' });
    expect(registry).toMatchObject({ hostname: null, userinfo: null, port: null, path: '/x' });
    expect(opaque).toMatchObject({ scheme: 'mailto', path: null, query: null, hostname: null });
  });

  it('refuses what java.net.URI refuses, with IllegalArgumentException\'s code', async () => {
    for (const uri of ['http://h/a b', 'http://h/%zz', '1http://x', 'http://', 'mailto:']) {
      expect(await error(`SELECT parse_uri('${uri}')`)).toEqual({ code: 4000, message: `SQLParseException[unable to parse uri ${uri}]` });
    }
    expect((await one('SELECT parse_uri(NULL)')).rows).toEqual([[null]]);
  });

  it('adds the query parameters to parse_url, values always text lists', async () => {
    const body = await one("SELECT parse_url('https://my_user@cluster.crate.io:8000/doc?sslmode=verify-full'), parse_url('http://crate.io?p1=1,2,3&p1=a&p2[]=1,2,3')['parameters']");
    expect(body.rows).toEqual([[
      { fragment: null, hostname: 'cluster.crate.io', parameters: { sslmode: ['verify-full'] }, path: '/doc', port: 8000, query: 'sslmode=verify-full', scheme: 'https', userinfo: 'my_user' },
      { p1: ['1,2,3', 'a'], 'p2[]': ['1,2,3'] },
    ]]);
    expect(body.col_types).toEqual([12, 12]);
  });

  it('needs an absolute URL with a protocol java.net.URL knows', async () => {
    expect(await error("SELECT parse_url('foo')")).toEqual({ code: 4000, message: 'SQLParseException[URI is not absolute]' });
    expect(await error("SELECT parse_url('crate://x')")).toEqual({ code: 4000, message: 'SQLParseException[unable to parse url crate://x]' });
    const [[url]] = (await one("SELECT parse_url('HTTP://h/a+b?x=a+b&y')")).rows as [[Record<string, unknown>]];
    expect(url).toMatchObject({ scheme: 'http', path: '/a b', query: 'x=a b&y', parameters: { x: ['a b'], y: [null] } });
  });
});

describe('array and object functions', () => {
  it('tells whether two arrays share an element, NULL for a NULL array', async () => {
    const body = await one('SELECT array_overlap([1, 2], [3, 2]), array_overlap([1], [2]), array_overlap(NULL, [1]), array_overlap([1, NULL], [NULL]), array_overlap([], [1])');
    expect(body.rows).toEqual([[true, false, null, true, false]]);
    expect(body.col_types).toEqual([3, 3, 3, 3, 3]);
  });

  it('sets elements by index, filling gaps with NULL', async () => {
    const body = await one("SELECT array_set(['_', 'b'], 1, 'a'), array_set(['_', 'b'], [1, 4], ['a', 'd']), array_set(NULL::text[], [1], ['a'])");
    expect(body.rows).toEqual([[['a', 'b'], ['a', 'b', null, 'd'], null]]);
    expect(body.col_types).toEqual([[100, 4], [100, 4], [100, 4]]);
    expect(await error("SELECT array_set(['a'], [0], ['b'])")).toEqual({ code: 4000, message: 'SQLParseException[Updating arrays with indexes <= 0 is not supported]' });
    expect(await error("SELECT array_set(['a'], [1, 2], ['b'])")).toEqual({
      code: 4000, message: 'SQLParseException[`array_set(array, indexes, values)`: the size of indexes and values must match or both be nulls]',
    });
  });

  it('flattens one level of a nested array, skipping NULL arrays but not NULL elements', async () => {
    const body = await one('SELECT array_unnest([[1, 2], [3, 4, 5]]), array_unnest([[1, NULL, 2], NULL, [3, 4, 5]]), array_unnest(NULL)');
    expect(body.rows).toEqual([[[1, 2, 3, 4, 5], [1, null, 2, 3, 4, 5], null]]);
    expect(body.col_types).toEqual([[100, 9], [100, 9], [100, 0]]);
  });

  it('answers null_or_empty for arrays and objects, never NULL', async () => {
    expect((await one('SELECT null_or_empty([]), null_or_empty([[]]), null_or_empty(NULL), null_or_empty([1])')).rows).toEqual([[true, false, true, false]]);
    expect((await one('SELECT null_or_empty({}), null_or_empty(NULL), null_or_empty({x=10})')).rows).toEqual([[true, true, false]]);
  });
});

describe('PostgreSQL compatibility functions', () => {
  it('answers the constant ones as CrateDB does', async () => {
    const body = await one("SELECT pg_get_userbyid(-450373579), pg_get_userbyid(NULL), pg_encoding_to_char(6), pg_encoding_to_char(99), pg_catalog.format_type(25, NULL), format_type(3, NULL), format_type(1007, NULL), format_type(1184, 0)");
    expect(body.rows).toEqual([['crate', null, 'UTF8', null, 'text', '???', 'integer[]', 'timestamp with time zone']]);
    expect(body.col_types).toEqual([4, 4, 4, 4, 4, 4, 4, 4]);
  });

  it('has no comments, expressions, partition keys, serial sequences or function OIDs', async () => {
    const body = await one("SELECT pg_catalog.obj_description(1, 'pg_type'), pg_catalog.col_description(1, 1), pg_get_expr('literal', 1), pg_get_partkeydef(1), pg_get_serial_sequence('t1', 'c1'), pg_get_function_result(1), pg_function_is_visible(1)");
    expect(body.rows).toEqual([[null, null, null, null, null, null, false]]);
  });

  it('gives the start time as a timestamp and sleeps', async () => {
    const body = await one('SELECT pg_postmaster_start_time(), pg_sleep(0.01)');
    expect(body.col_types).toEqual([11, 3]);
    expect(body.rows?.[0]?.[1]).toBe(true);
  });

  it('keeps a call of no overload unknown', async () => {
    expect(await error('SELECT pg_get_userbyid()')).toEqual({ code: 4004, message: 'UnsupportedFunctionException[Unknown function: pg_get_userbyid()]' });
  });
});

describe('privilege and visibility functions', () => {
  it('answers the documentation\'s examples for the superuser', async () => {
    const body = await one("SELECT has_database_privilege('crate', ' Connect ,  CREATe '), has_schema_privilege('pg_catalog', ' Create , UsaGe , CREATe '), has_table_privilege('sys.summits', ' Select  ')");
    expect(body.rows).toEqual([[true, true, true]]);
    expect(body.col_types).toEqual([3, 3, 3]);
  });

  it('checks tables by name (doc when unqualified) against the table, its schema and the cluster', async () => {
    const body = await one("SELECT has_table_privilege('t', 'SELECT'), has_table_privilege('doc.t', 'INSERT'), has_table_privilege('s.u', 'select'), has_table_privilege('s.u', 'delete'), has_table_privilege('s.other', 'update, select'), has_table_privilege('x.y', 'select')", 'alice');
    expect(body.rows).toEqual([[true, false, false, true, true, false]]);
    const rows = await one("SELECT table_name, has_table_privilege(table_schema || '.' || table_name, 'SELECT'), has_table_privilege(table_schema || '.' || table_name, 'INSERT') FROM information_schema.tables WHERE table_schema IN ('doc', 's') ORDER BY 1", 'alice');
    expect(rows.rows).toEqual([['t', true, false], ['u', false, true]]);
  });

  it('checks tables and schemas by OID', async () => {
    const tables = await one("SELECT c.relname, has_table_privilege(c.oid, 'SELECT'), pg_table_is_visible(c.oid) FROM pg_catalog.pg_class c WHERE c.relname IN ('t', 'u') ORDER BY 1", 'alice');
    expect(tables.rows).toEqual([['t', true, true], ['u', false, false]]);
    const schemas = await one("SELECT n.nspname, has_schema_privilege(n.oid, 'USAGE') FROM pg_catalog.pg_namespace n WHERE n.nspname IN ('doc', 'information_schema') ORDER BY 1", 'alice');
    expect(schemas.rows).toEqual([['doc', false], ['information_schema', true]]);
  });

  it('checks schemas (USAGE is DQL, CREATE is DDL) and the database (CONNECT always, TEMP never, CREATE with DDL)', async () => {
    expect((await one("SELECT has_schema_privilege('s', 'CREATE'), has_schema_privilege('information_schema', 'USAGE'), has_database_privilege('crate', 'CREATE'), has_database_privilege(0, 'connect')", 'alice')).rows)
      .toEqual([[false, true, false, true]]);
    expect((await one("SELECT has_schema_privilege('s', 'CREATE'), has_database_privilege('crate', 'CREATE'), has_database_privilege('crate', 'TEMP')", 'bob')).rows)
      .toEqual([[true, true, false]]);
  });

  it('checks another user for the superuser, per row too, and NULL arguments give NULL', async () => {
    expect((await one("SELECT has_table_privilege('alice', 't', 'SELECT'), has_table_privilege('alice', 's.u', 'SELECT'), has_schema_privilege('bob', 's', 'USAGE'), has_table_privilege('t', NULL)")).rows)
      .toEqual([[true, false, false, null]]);
    expect((await one("SELECT name, has_table_privilege(name, 'doc.t', 'SELECT') FROM sys.users ORDER BY 1")).rows).toEqual([['alice', true], ['bob', false], ['crate', true]]);
    expect((await one("SELECT has_table_privilege('t', p) FROM unnest(['select', 'insert', 'SELECT,insert', NULL]) x(p)", 'alice')).rows).toEqual([[true], [false], [true], [null]]);
  });

  it('fails as CrateDB does', async () => {
    expect(await error("SELECT has_table_privilege('doc.t', 'foo')")).toEqual({ code: 4000, message: 'SQLParseException[Unrecognized permission: foo]' });
    expect(await error("SELECT has_table_privilege('nobody', 'doc.t', 'SELECT')")).toEqual({ code: 4000, message: 'SQLParseException[User nobody does not exist]' });
    expect(await error("SELECT has_database_privilege('nope', 'CONNECT')")).toEqual({ code: 4000, message: 'SQLParseException[database "nope" does not exist]' });
    expect(await error("SELECT has_table_privilege('bob', 't', 'SELECT')", 'alice')).toEqual({ code: 4011, message: "MissingPrivilegeException[Missing privilege for user 'alice']" });
  });
});

describe('versions and signatures', () => {
  const ctx = { distinct: false, searchPath: ['doc'] as const };
  const text = { sql: "'a'", type: T.text };

  it('knows starts_with, array_overlap and pg_sleep from 6.0 on only', () => {
    expect(mapMoreFunction('starts_with', [text, text], { ...ctx, version: '5.10' })).toBeUndefined();
    expect(mapMoreFunction('pg_sleep', [{ sql: '0', type: T.integer }], { ...ctx, version: '5.10' })).toBeUndefined();
    expect(mapMoreFunction('array_overlap', [text, text], { ...ctx, version: '5.10' })).toBeUndefined();
    expect(mapMoreFunction('starts_with', [text, text], { ...ctx, version: '6.4' })?.type).toEqual(T.boolean);
  });

  it('gives radians of a numeric the numeric variant on 6.4 only', () => {
    const numeric = { sql: '1', type: { kind: 'numeric' } as const };
    expect(mapMoreFunction('radians', [numeric], { ...ctx, version: '6.4' })?.type).toEqual({ kind: 'numeric' });
    expect(mapMoreFunction('radians', [numeric], { ...ctx, version: '5.10' })?.type).toEqual(T.double);
  });

  it('leaves the privilege functions unknown without a session to check', () => {
    expect(mapMoreFunction('has_table_privilege', [text, text], { ...ctx, version: '6.4' })).toBeUndefined();
  });
});
