/**
 * EXPLAIN in CrateDB's plan notation for the shapes the test server prints (a Get for a key lookup, a
 * Count for a lone count(*), a Collect under OrderBy and Limit, HashAggregate and GroupHashAggregate of
 * columns under the select list's Eval, HAVING on an aggregate as a Filter), and a refusal for the rest (other
 * HAVING conditions, aggregates of expressions,
 * a fetch under a LIMIT), never a plan drawn wrong.
 */
import { describe, expect, it } from 'vitest';
import { engineForFile } from './file-engine.js';

describe('EXPLAIN (6.4)', () => {
  const { sql } = engineForFile();
  const plan = async (stmt: string) => (await sql(stmt)).rows?.[0]?.[0];

  it('prints a key lookup as Get (a filter on other columns kept), a lone count(*) as Count', async () => {
    await sql('CREATE TABLE doc.ex (id INT PRIMARY KEY, a TEXT, n INT)');
    expect(await plan('EXPLAIN SELECT id, a FROM doc.ex WHERE id = 1 AND n > 2')).toBe('Get[doc.ex | id, a | DocKeys{1::integer} | ((id = 1) AND (n > 2))] (rows=1)');
    expect(await plan('EXPLAIN SELECT count(*) FROM doc.ex')).toBe('Count[doc.ex | true] (rows=1)');
    expect(await plan('EXPLAIN (COSTS FALSE) SELECT count(*) FROM doc.ex WHERE n = 1')).toBe('Count[doc.ex | (n = 1)]');
    expect(await plan('EXPLAIN (COSTS FALSE) SELECT id FROM doc.ex WHERE n > 1 ORDER BY id LIMIT 3')).toBe('Limit[3::bigint;0]\n  └ OrderBy[id ASC]\n    └ Collect[doc.ex | [id] | (n > 1)]');
  });

  it('prints aggregations: HashAggregate, GroupHashAggregate over the Collect of what they read, an Eval for the select list', async () => {
    await sql('CREATE TABLE doc.ex (id INT PRIMARY KEY, a TEXT, n INT)');
    expect(await plan('EXPLAIN (COSTS FALSE) SELECT max(id), sum(n) FROM doc.ex WHERE n > 1')).toBe('HashAggregate[max(id), sum(n)]\n  └ Collect[doc.ex | [id, n] | (n > 1)]');
    expect(await plan('EXPLAIN SELECT a, count(*) FROM doc.ex GROUP BY a')).toBe('GroupHashAggregate[a | count(*)] (rows=unknown)\n  └ Collect[doc.ex | [a] | true] (rows=unknown)');
    expect(await plan('EXPLAIN (COSTS FALSE) SELECT count(*) AS c, a FROM doc.ex GROUP BY a ORDER BY 1 DESC LIMIT 5')).toBe(
      'Eval[count(*) AS c, a]\n  └ Limit[5::bigint;0]\n    └ OrderBy[count(*) DESC]\n      └ GroupHashAggregate[a | count(*)]\n        └ Collect[doc.ex | [a] | true]',
    );
    expect(await plan('EXPLAIN (COSTS FALSE) SELECT a, count(*) FROM doc.ex GROUP BY a HAVING count(*) > 1')).toBe(
      'Filter[(count(*) > 1::bigint)]\n  └ GroupHashAggregate[a | count(*)]\n    └ Collect[doc.ex | [a] | true]',
    );
  });

  it('refuses the plans it does not model with 4004', async () => {
    await sql('CREATE TABLE doc.ex (id INT PRIMARY KEY, a TEXT, n INT)');
    const refused = { code: 4004, message: 'UnsupportedFeatureException[EXPLAIN is supported by the test server for a key lookup, a count(*), a search without fetch and aggregations of columns]' };
    expect((await sql("EXPLAIN SELECT a FROM doc.ex GROUP BY a HAVING a = 'x'")).error).toEqual(refused);
    expect((await sql('EXPLAIN SELECT max(n + 1) FROM doc.ex')).error).toEqual(refused);
    expect((await sql('EXPLAIN SELECT * FROM doc.ex ORDER BY id LIMIT 5')).error).toEqual(refused);
  });
});
