/**
 * CrateDB's built-in analyzers mapped onto PG text search configurations. The language analyzers use
 * the same Snowball stemmers and stop words (`monti`, `guid`, `hitchhik`); `standard` and friends
 * only lower-case, as PG's `simple` does. `keyword` (the whole value) and `whitespace` keep the case,
 * which no PG configuration can (its dictionaries lower-case every token): they are token arrays.
 */
import { sqlParse } from './errors.js';
import { SYSTEM_SCHEMA } from './storage.js';

const KEYWORD = 'crate_keyword';
const WHITESPACE = 'crate_whitespace';

const CONFIGS: Record<string, string> = {
  standard: 'simple',
  simple: 'simple',
  whitespace: WHITESPACE,
  keyword: KEYWORD,
  stop: 'english',
  english: 'english',
  german: 'german',
  french: 'french',
  spanish: 'spanish',
  italian: 'italian',
  dutch: 'dutch',
  portuguese: 'portuguese',
  russian: 'russian',
  swedish: 'swedish',
  norwegian: 'norwegian',
  danish: 'danish',
  finnish: 'finnish',
  hungarian: 'hungarian',
  romanian: 'romanian',
  turkish: 'turkish',
  arabic: 'arabic',
  armenian: 'armenian',
  basque: 'basque',
  catalan: 'catalan',
  greek: 'greek',
  hindi: 'hindi',
  indonesian: 'indonesian',
  irish: 'irish',
  lithuanian: 'lithuanian',
  nepali: 'nepali',
  serbian: 'serbian',
  tamil: 'tamil',
  yiddish: 'yiddish',
  brazilian: 'portuguese',
  cjk: 'simple',
  chinese: 'simple',
  thai: 'simple',
  persian: 'simple',
  bulgarian: 'simple',
  czech: 'simple',
  latvian: 'simple',
  galician: 'simple',
  sorani: 'simple',
  bengali: 'simple',
  estonian: 'simple',
  fingerprint: 'simple',
  pattern: 'simple',
  snowball: 'english',
};

/** The built-in analyzers' names. */
export function builtInAnalyzers(): string[] {
  return Object.keys(CONFIGS);
}

/** True when CrateDB has a built-in analyzer of that name. */
export function isKnownAnalyzer(name: string): boolean {
  return name in CONFIGS;
}

/**
 * The PG text search configuration of a built-in or custom analyzer, or CrateDB's error for a name it
 * does not know (`what`: the column or index being defined).
 */
export function resolveAnalyzer(name: string, custom: ReadonlyMap<string, { searchConfig: string }>, what: string): string {
  const own = custom.get(name);
  if (own) return own.searchConfig;
  if (!isKnownAnalyzer(name)) throw sqlParse(`Analyzer "${name}" not found for column "${what}"`);
  return analyzerConfig(name);
}

/** The PG text search configuration for an analyzer (the default analyzer is `standard`). */
export function analyzerConfig(name: string): string {
  return CONFIGS[name] ?? 'simple';
}

/** True for the analyzers matched over token arrays rather than PG text search. */
export function isTokenConfig(cfg: string): boolean {
  return cfg === KEYWORD || cfg === WHITESPACE;
}

/** The PG array of the tokens an analyzer makes of `textSql` (none for null). */
export function tokenArray(cfg: string, textSql: string): string {
  if (cfg === KEYWORD) return `array_remove(ARRAY[CAST(${textSql} AS text)], NULL)`;
  if (cfg === WHITESPACE) return `array_remove(regexp_split_to_array(coalesce(${textSql}, ''), '\\s+'), '')`;
  return `tsvector_to_array(to_tsvector('${cfg}', coalesce(${textSql}, '')))`;
}

/**
 * `fuzzy_term(token, term, fuzziness, prefix_length)`: Lucene's FuzzyQuery test of one indexed token,
 * edits counted as optimal string alignment (a transposition is one edit), at most 2; `AUTO` allows 0
 * edits below 3 characters, 1 below 6, else 2 (`AUTO:low,high` moves the bounds).
 */
const FUZZY_TERM_SQL = `CREATE FUNCTION ${SYSTEM_SCHEMA}.fuzzy_term(d text, q text, fuzz text, prefix int) RETURNS boolean LANGUAGE plpgsql IMMUTABLE AS $$
DECLARE
  n int := char_length(q); m int := char_length(d); k int; lo int := 3; hi int := 6;
  prev int[]; cur int[]; prev2 int[]; best int; cost int;
BEGIN
  IF d = q THEN RETURN true; END IF;
  IF fuzz ~* '^auto' THEN
    IF fuzz ~* '^auto:[0-9]+,[0-9]+$' THEN
      lo := split_part(substr(fuzz, 6), ',', 1)::int; hi := split_part(substr(fuzz, 6), ',', 2)::int;
    END IF;
    k := CASE WHEN n < lo THEN 0 WHEN n < hi THEN 1 ELSE 2 END;
  ELSE
    k := least(2, floor(fuzz::numeric)::int);
  END IF;
  IF k <= 0 OR abs(n - m) > k OR left(d, prefix) <> left(q, prefix) THEN RETURN false; END IF;
  prev := array_fill(0, ARRAY[m + 1], ARRAY[0]);
  FOR j IN 0..m LOOP prev[j] := j; END LOOP;
  prev2 := prev;
  FOR i IN 1..n LOOP
    cur := array_fill(0, ARRAY[m + 1], ARRAY[0]);
    cur[0] := i; best := i;
    FOR j IN 1..m LOOP
      cost := CASE WHEN substr(q, i, 1) = substr(d, j, 1) THEN 0 ELSE 1 END;
      cur[j] := least(prev[j] + 1, cur[j - 1] + 1, prev[j - 1] + cost);
      IF i > 1 AND j > 1 AND substr(q, i, 1) = substr(d, j - 1, 1) AND substr(q, i - 1, 1) = substr(d, j, 1) THEN
        cur[j] := least(cur[j], prev2[j - 2] + 1);
      END IF;
      best := least(best, cur[j]);
    END LOOP;
    IF best > k THEN RETURN false; END IF;
    prev2 := prev; prev := cur;
  END LOOP;
  RETURN prev[m] <= k;
END $$;`;

/**
 * `sloppy_phrase(doc, query, slop)`: Lucene's sloppy phrase test. Each query term `i` at query position
 * `o_i` takes a document position `p_i`; they match when the spread of `p_i - o_i` is at most `slop`
 * (positions count the stop words removed, as Lucene's do). Terms out of order are not matched here.
 */
const SLOPPY_PHRASE_SQL = `CREATE FUNCTION ${SYSTEM_SCHEMA}.sloppy_phrase(doc tsvector, q tsvector, slop int) RETURNS boolean LANGUAGE plpgsql IMMUTABLE AS $$
DECLARE anchor int;
BEGIN
  IF length(q) = 0 THEN RETURN false; END IF;
  FOR anchor IN
    SELECT DISTINCT dp - qp FROM unnest(q) AS qq CROSS JOIN LATERAL unnest(qq.positions) AS qp
    JOIN unnest(doc) AS dd ON dd.lexeme = qq.lexeme CROSS JOIN LATERAL unnest(dd.positions) AS dp
  LOOP
    IF NOT EXISTS (
      SELECT 1 FROM unnest(q) AS qq CROSS JOIN LATERAL unnest(qq.positions) AS qp
      WHERE NOT EXISTS (
        SELECT 1 FROM unnest(doc) AS dd CROSS JOIN LATERAL unnest(dd.positions) AS dp
        WHERE dd.lexeme = qq.lexeme AND dp - qp BETWEEN anchor AND anchor + slop)) THEN
      RETURN true;
    END IF;
  END LOOP;
  RETURN false;
END $$;`;

/** The PL/pgSQL functions match() calls, created with the engine. */
export const FULLTEXT_FUNCTIONS_SQL = `${FUZZY_TERM_SQL}\n${SLOPPY_PHRASE_SQL}`;
