/**
 * knn_match as Lucene's KnnFloatVectorQuery runs it: k nearest documents per shard, other conditions
 * filtering after; `_score` the euclidean similarity. The shards are CrateDB's routing, computed in SQL
 * by `shard_of`, which must agree with the engine's own shardOf.
 */
import { PGlite } from '@electric-sql/pglite';
import { describe, expect, it } from 'vitest';
import { ROUTING_FUNCTIONS_SQL, shardOf } from '../../server/engine/routing.js';
import { engineForFile } from './file-engine.js';

const VECTORS: Record<number, [number, number]> = { 1: [0, 0], 2: [1, 1], 3: [2, 2], 4: [3, 3], 5: [10, 10] };
const squared = (id: number): number => VECTORS[id]!.reduce((s, x) => s + (x - 0.9) ** 2, 0);

describe('knn_match (6.4)', () => {
  const { sql } = engineForFile();
  const setup = async (): Promise<void> => {
    await sql('CREATE TABLE doc.kv (id INT PRIMARY KEY, fv FLOAT_VECTOR(2), tag TEXT) CLUSTERED INTO 2 SHARDS');
    await sql("INSERT INTO doc.kv (id, fv, tag) VALUES (1, [0.0, 0.0], 'a'), (2, [1.0, 1.0], 'b'), (3, [2.0, 2.0], 'a'), (4, [3.0, 3.0], 'b'), (5, [10.0, 10.0], 'a'), (6, NULL, 'a')");
    await sql('REFRESH TABLE doc.kv');
  };

  it('finds the k nearest per shard, scored by similarity', async () => {
    await setup();
    const nearestOf = (shard: number) => Object.keys(VECTORS).map(Number).filter((id) => shardOf(String(id), 2) === shard).sort((a, b) => squared(a) - squared(b))[0];
    const expected = [nearestOf(0), nearestOf(1)].filter((id) => id !== undefined).sort();
    const body = await sql('SELECT id, _score FROM doc.kv WHERE knn_match(fv, [0.9, 0.9], 1) ORDER BY id');
    expect(body.rows!.map((r) => r[0])).toEqual(expected);
    for (const [id, score] of body.rows!) expect(score).toBeCloseTo(1 / (1 + squared(id as number)), 6);
  });

  it('filters the nearest by the other conditions, after the search', async () => {
    await setup();
    expect((await sql('SELECT id FROM doc.kv WHERE knn_match(fv, [0.9, 0.9], 10) ORDER BY id')).rows).toEqual([[1], [2], [3], [4], [5]]);
    expect((await sql("SELECT id FROM doc.kv WHERE knn_match(fv, [0.9, 0.9], 10) AND tag = 'b' ORDER BY id")).rows).toEqual([[2], [4]]);
  });

  it('cannot be evaluated outside a WHERE, or on anything but a vector column', async () => {
    await setup();
    const error = { code: 4004, message: 'UnsupportedFeatureException[knn_match can only be used in WHERE clause for tables as it needs an index to operate on]' };
    expect((await sql('SELECT knn_match(fv, [0.9, 0.9], 1) FROM doc.kv')).error).toEqual(error);
    expect((await sql('SELECT id FROM doc.kv WHERE knn_match(tag, [0.9, 0.9], 1)')).error).toEqual(error);
  });
});

describe('shard_of, the routing in SQL', () => {
  it('puts every key on the shard shardOf does, surrogate pairs and empty keys included', async () => {
    const pg = await PGlite.create();
    try {
      await pg.exec(`CREATE SCHEMA crate_sys; ${ROUTING_FUNCTIONS_SQL}`);
      for (const shards of [1, 2, 3, 5, 12, 30]) {
        for (const key of ['1', '42', 'abc', 'abcd', 'Douglas Adams', 'ü', '日本語', '😀x', '']) {
          const r = await pg.query<{ s: number }>('SELECT crate_sys.shard_of($1, $2) AS s', [key, shards]);
          expect([key, shards, r.rows[0]!.s]).toEqual([key, shards, shardOf(key, shards)]);
        }
      }
    } finally {
      await pg.close();
    }
  });
});
