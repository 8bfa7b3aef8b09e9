/**
 * `_score` of match() as Lucene's BM25: per term idf * freq / (freq + k1 * (1 - b + b * dl / avgdl)) in
 * single precision, summed over the query's terms, from the statistics of the row's own shard; the best
 * field's score for best_fields, the sum for most_fields. The expected figures are worked out here from
 * the formula, independently of the SQL that computes them.
 */
import { describe, expect, it } from 'vitest';
import { shardOf } from '../../server/engine/routing.js';
import { engineForFile } from './file-engine.js';

const f = Math.fround;

/** Lucene 9's BM25Similarity for one term (lengths below 24 tokens, which the norm keeps exactly). */
function bm25(freq: number, dl: number, docCount: number, docFreq: number, sumTtf: number): number {
  const w = f(Math.log(1 + (docCount - docFreq + 0.5) / (docFreq + 0.5)));
  const avgdl = f(sumTtf / docCount);
  const inv = f(1 / f(f(1.2) * f(f(1 - f(0.75)) + f(f(f(0.75) * dl) / avgdl))));
  return f(w - f(w / f(1 + f(freq * inv))));
}

describe('BM25 _score (6.4)', () => {
  const { sql } = engineForFile();

  it('scores by term frequency, document length and rarity within the shard', async () => {
    await sql('CREATE TABLE doc.one (id INT PRIMARY KEY, t TEXT INDEX USING FULLTEXT) CLUSTERED INTO 1 SHARDS');
    await sql("INSERT INTO doc.one (id, t) VALUES (1, 'quick brown fox'), (2, 'quick quick dog jumps over the lazy fox and more words here'), (3, 'slow turtle')");
    await sql('REFRESH TABLE doc.one');
    const body = await sql("SELECT id, _score FROM doc.one WHERE match(t, 'quick fox') ORDER BY _score DESC");
    // 3 documents with the field, 17 tokens in all; quick and fox are each in 2 of them.
    const expected = [
      [1, f(bm25(1, 3, 3, 2, 17) + bm25(1, 3, 3, 2, 17))],
      [2, f(bm25(2, 12, 3, 2, 17) + bm25(1, 12, 3, 2, 17))],
    ];
    expect(body.rows!.map((r) => r[0])).toEqual([1, 2]);
    for (const [i, [, score]] of expected.entries()) expect(body.rows![i]![1]).toBeCloseTo(score as number, 6);
  });

  it('takes each shard its own statistics', async () => {
    await sql('CREATE TABLE doc.two (id TEXT PRIMARY KEY, t TEXT INDEX USING FULLTEXT) CLUSTERED INTO 2 SHARDS');
    // Ids on shard 0 and on shard 1 (CrateDB's routing), so that the shards hold different documents.
    const ids = Array.from({ length: 40 }, (_, i) => String(i));
    const [a, b] = [ids.find((id) => shardOf(id, 2) === 0)!, ids.find((id) => shardOf(id, 2) === 1)!];
    const c = ids.find((id) => id !== b && shardOf(id, 2) === 1)!;
    await sql('INSERT INTO doc.two (id, t) VALUES (?, ?), (?, ?), (?, ?)', [a, 'red apple', b, 'red apple', c, 'green pear']);
    await sql('REFRESH TABLE doc.two');
    const scores = new Map((await sql("SELECT id, _score FROM doc.two WHERE match(t, 'apple')")).rows!.map((r) => [r[0], r[1]]));
    // Shard 0 holds one document (apple in it); shard 1 two (apple in one), 4 tokens.
    expect(scores.get(a)).toBeCloseTo(bm25(1, 2, 1, 1, 2), 6);
    expect(scores.get(b)).toBeCloseTo(bm25(1, 2, 2, 1, 4), 6);
    expect(scores.get(b)).toBeGreaterThan(scores.get(a) as number);
  });

  it('takes the best field for best_fields and adds them for most_fields', async () => {
    await sql('CREATE TABLE doc.m (id INT PRIMARY KEY, a TEXT INDEX USING FULLTEXT, b TEXT INDEX USING FULLTEXT) CLUSTERED INTO 1 SHARDS');
    await sql("INSERT INTO doc.m (id, a, b) VALUES (1, 'fox', 'fox den'), (2, 'cat', 'dog')");
    await sql('REFRESH TABLE doc.m');
    const fieldA = bm25(1, 1, 2, 1, 2);
    const fieldB = bm25(1, 2, 2, 1, 3);
    expect((await sql("SELECT _score FROM doc.m WHERE match((a, b), 'fox')")).rows![0]![0]).toBeCloseTo(Math.max(fieldA, fieldB), 6);
    expect((await sql("SELECT _score FROM doc.m WHERE match((a, b), 'fox') USING most_fields")).rows![0]![0]).toBeCloseTo(f(fieldA + fieldB), 6);
  });
});
