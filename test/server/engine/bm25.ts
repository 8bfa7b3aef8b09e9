/**
 * `_score` of a fulltext match as Lucene's BM25Similarity computes it (k1 1.2, b 0.75, no (k1 + 1) factor
 * since Lucene 8), term by term and summed, from the statistics of the shard the row lives on: how many
 * of its documents have the field (docCount), contain the term (docFreq), and their total length
 * (sumTotalTermFreq). Lengths go through the one-byte norm (SmallFloat.intToByte4, exact below 24
 * tokens) and the arithmetic is single precision, as Lucene's. The statistics are read from the
 * searchable copy once per statement (uncorrelated subqueries), keyed by partition and shard.
 * Documents deleted but not yet merged away, which Lucene still counts, are not.
 */
import type { TableDef } from './catalog.js';
import { quoteIdent } from './format.js';
import { SYSTEM_SCHEMA } from './storage.js';
import { pgTableName } from './storage.js';

const S = SYSTEM_SCHEMA;

export const BM25_FUNCTIONS_SQL = `
CREATE FUNCTION ${S}.lucene_int4(i bigint) RETURNS int LANGUAGE plpgsql IMMUTABLE AS $$
DECLARE bits int := floor(log(2, greatest(i, 1)::numeric))::int + 1; shift int;
BEGIN
  IF i < 8 THEN RETURN i; END IF;
  shift := bits - 4;
  RETURN ((i >> shift) & 7) | ((shift + 1) << 3);
END $$;
CREATE FUNCTION ${S}.lucene_norm_length(len bigint) RETURNS bigint LANGUAGE plpgsql IMMUTABLE AS $$
DECLARE b int; bits bigint; shift int;
BEGIN
  IF len < 24 THEN RETURN len; END IF;
  b := ${S}.lucene_int4(len - 24);
  bits := b & 7;
  shift := (b >> 3) - 1;
  RETURN 24 + CASE WHEN shift = -1 THEN bits ELSE (bits | 8) << shift END;
END $$;
CREATE FUNCTION ${S}.bm25(freq int, len bigint, doc_count bigint, doc_freq bigint, sum_ttf bigint) RETURNS double precision LANGUAGE plpgsql IMMUTABLE AS $$
DECLARE w real; avgdl real; inv real; one real := 1; k1 real := 1.2; b real := 0.75;
BEGIN
  IF freq IS NULL OR freq = 0 OR coalesce(doc_count, 0) = 0 THEN RETURN 0; END IF;
  w := CAST(ln(1 + (doc_count - doc_freq + 0.5) / (doc_freq + 0.5)) AS real);
  avgdl := CAST(sum_ttf::float8 / doc_count::float8 AS real);
  inv := one / (k1 * ((one - b) + b * CAST(${S}.lucene_norm_length(len) AS real) / avgdl));
  RETURN w - w / (one + CAST(freq AS real) * inv);
END $$;
`;

/** A field a BM25 score can be computed for: its table and its text under any alias. */
export interface ScoredField {
  table: TableDef;
  /** Alias of the row being scored. */
  alias: string;
  text: (alias: string) => string;
  cfg: string;
}

/** Partition values and shard of a row of `t` under `alias`: the key the statistics are kept by. */
function shardKey(t: TableDef, alias: string): string {
  const a = quoteIdent(alias);
  const routing = `CAST(${a}.${quoteIdent(t.clusteredBy ?? '_id')} AS text)`;
  const parts = [...t.partitionedBy.map((c) => `coalesce(CAST(${a}.${quoteIdent(c)} AS text), '')`), `CAST(${S}.shard_of(${routing}, ${t.numberOfShards}) AS text)`];
  return `(${parts.join(` || '/' || `)})`;
}

/** A document's key, analyzed field and token count: `k`, `v`, `len` of a subquery over one row of `alias`. */
function analyzed(f: ScoredField, alias: string): string {
  const vec = `to_tsvector('${f.cfg}', coalesce(${f.text(alias)}, ''))`;
  return `SELECT a.k, a.v, (SELECT coalesce(sum(cardinality(u.positions)), 0) FROM unnest(a.v) u) AS len FROM (SELECT ${shardKey(f.table, alias)} AS k, ${vec} AS v) a`;
}

/**
 * The row's BM25 score for the query text `termSql` (a constant or a parameter). The two statistics
 * subqueries do not depend on the row, so PG runs each once per statement; the row's own key, vector and
 * length are computed once per row, not per term.
 */
export function bm25Score(f: ScoredField, termSql: string): string {
  const shadow = pgTableName(f.table, 'shadow');
  const x = 'cm_bm25_doc';
  const docsOf = `${shadow} ${x}, LATERAL (${analyzed(f, x)}) d`;
  const docs = `(SELECT jsonb_object_agg(z.k, jsonb_build_array(z.n, z.s)) FROM (SELECT d.k, count(*) AS n, sum(d.len) AS s FROM ${docsOf} WHERE d.len > 0 GROUP BY 1) z)`;
  const queryTerms = `unnest(to_tsvector('${f.cfg}', ${termSql}))`;
  const freqs = `(SELECT jsonb_object_agg(z.k, z.df) FROM (SELECT d.k || ' ' || q.lexeme AS k, count(*) AS df FROM ${docsOf}, ${queryTerms} q WHERE tsvector_to_array(d.v) @> ARRAY[q.lexeme] GROUP BY 1) z)`;
  const freq = `(SELECT cardinality(u.positions) FROM unnest(r.v) u WHERE u.lexeme = q.lexeme)`;
  const term = `${S}.bm25(${freq}, r.len, CAST(r.shard ->> 0 AS bigint), CAST(${freqs} ->> (r.k || ' ' || q.lexeme) AS bigint), CAST(r.shard ->> 1 AS bigint))`;
  const row = `(SELECT o.k, o.v, o.len, ${docs} -> o.k AS shard FROM (${analyzed(f, f.alias)}) o) r`;
  return `(SELECT CAST(coalesce(sum(${term}), 0) AS real) FROM ${row}, ${queryTerms} q)`;
}
