/**
 * `match()` onto PG text search: the analyzer's configuration on both sides (stemming, stop words),
 * OR semantics between terms as CrateDB's default `best_fields`, and `_score` as Lucene's BM25 (bm25.ts;
 * ts_rank for phrases and fields of no table). Fuzziness,
 * minimum_should_match and the case-keeping analyzers (keyword, whitespace) compare token arrays
 * instead; a phrase with slop goes by positions (sloppy_phrase).
 */
import { columnUnknown, sqlParse } from './errors.js';
import { pgString, quoteIdent, sqlFqn } from './format.js';
import { analyzerConfig, isTokenConfig, tokenArray } from './fulltext.js';
import { expr } from './expr.js';
import { geoMatch, type MatchColumn } from './geo-match.js';
import { constantOf } from './literals.js';
import { matchOptions, requiredTerms, type MatchOptions } from './match-options.js';
import { subscriptSafeParts, type Ctx } from './parse.js';
import { resolveColumn, resolveIndex, tryResolve, type Scope, type Tx, type Typed } from './scope.js';
import { bm25Score, type ScoredField } from './bm25.js';
import { SYSTEM_SCHEMA } from './storage.js';
import { refusesUnknownKey } from './subscript.js';
import { fieldType, T, type CrateType } from './types.js';

/** The `_score` of the query spec being translated: set by the first match() of its WHERE. */
const scores = new WeakMap<Tx, string[]>();

export function pushScore(tx: Tx): void {
  const s = scores.get(tx) ?? [];
  s.push('');
  scores.set(tx, s);
}

export function popScore(tx: Tx): void {
  scores.get(tx)?.pop();
}

/** Sets the `_score` of the query spec being translated, unless an earlier predicate set it. */
export function setScore(tx: Tx, sql: string): void {
  const s = scores.get(tx);
  if (s && s.length > 0 && s[s.length - 1] === '') s[s.length - 1] = sql;
}

export function currentScore(tx: Tx): string | undefined {
  const s = scores.get(tx);
  const top = s?.[s.length - 1];
  return top === '' ? undefined : top;
}


/** The text a named index reads from a column path of `alias`: the column, or a key of its object (jsonb). */
function indexedColumnText(alias: string, [top, ...keys]: string[]): string {
  return indexedText(`${alias}.${quoteIdent(top!)}`, keys);
}

function indexedText(column: string, keys: string[]): string {
  return keys.length === 0 ? column : `(${column} #>> ARRAY[${keys.map(pgString).join(', ')}])`;
}

/** A key that a strict or dynamic object does not have is unknown, as in any other expression. */
function checkKeys(type: CrateType | undefined, column: string, keys: string[], dynamicKeysNull: boolean): void {
  let t = type;
  for (const [i, key] of keys.entries()) {
    if (t?.kind !== 'object') return;
    const next = fieldType(t, [key]);
    if (next === undefined && refusesUnknownKey(t.policy, dynamicKeysNull)) throw columnUnknown(sqlFqn([column, ...keys.slice(0, i + 1)]));
    t = next;
  }
}

/** One field a match searches: the text it reads and the analyzer's configuration (fulltext.ts). */
interface Field {
  text: string;
  cfg: string;
  /** A user table's column or index: its score can be BM25's, from the table's statistics. */
  scored?: Omit<ScoredField, 'cfg'>;
}

/**
 * `match(col | index | (a, b), term) [USING type [WITH (...)]]`: any field matching (best_fields and
 * its kin alike), each analyzed as its index is (a column without a fulltext index as a keyword, the
 * whole value); also sets `_score`.
 */
export function match(node: Ctx, scope: Scope, tx: Tx): Typed {
  const idents = node.matchPredicateIdents();
  const targets: Ctx[] = idents.matchPredicateIdent() ? [].concat(idents.matchPredicateIdent()) : [];
  const columns = targetColumns(targets, scope);
  const geo = columns && geoMatch(node, columns, scope, tx);
  if (geo) {
    // A geo match is a constant-score query.
    setScore(tx, 'CAST(1.0 AS real)');
    return geo;
  }
  const options = matchOptions(node);
  const constant = constantOf(node.term);
  if (constant?.kind === 'value' && constant.value === null) throw sqlParse('cannot use NULL as query term in match predicate');
  const term = expr(node.term, scope, tx);
  const termSql = constant?.kind === 'param' ? `CAST(${term.sql} AS text)` : term.sql;
  const fields: Field[] = [];
  const keyword = analyzerConfig('keyword');
  for (const t of targets) {
    const { parts, keys } = subscriptSafeParts(t.subscriptSafe());
    const index = keys.length === 0 ? resolveIndex(scope, parts) : undefined;
    if (index) {
      const text = (alias: string) => `(${index.index.columns.map((path) => `coalesce(${indexedColumnText(quoteIdent(alias), path)}, '')`).join(` || ' ' || `)})`;
      const table = index.relation.table;
      fields.push({
        text: text(index.relation.alias),
        cfg: index.index.searchConfig ?? analyzerConfig(index.index.analyzer),
        ...(table ? { scored: { table, alias: index.relation.alias, text } } : {}),
      });
      continue;
    }
    const col = resolveColumn(scope, parts, tx.env.schema);
    if (keys.length > 0) {
      checkKeys(col.type, parts[parts.length - 1]!, keys, tx.env.unknownKeysNull === true);
      fields.push({ text: indexedText(col.sql, keys), cfg: keyword });
    } else if (col.column?.fulltext) {
      const table = col.relation.table;
      const name = col.column.name;
      fields.push({
        text: col.sql,
        cfg: col.column.searchConfig ?? analyzerConfig(col.column.fulltext),
        ...(table ? { scored: { table, alias: col.relation.alias, text: (alias: string) => `${quoteIdent(alias)}.${quoteIdent(name)}` } } : {}),
      });
    } else {
      fields.push({ text: col.sql, cfg: keyword });
    }
  }
  const matched = fields.map((f) => fieldMatch(f, options, termSql));
  // best_fields (and phrase) take the best field's score, Lucene's DisjunctionMaxQuery with tie_breaker 0; most_fields adds them.
  const combined = options.type === 'most_fields' ? matched.map((m) => m.rank).join(' + ') : `GREATEST(${matched.map((m) => m.rank).join(', ')})`;
  setScore(tx, matched.length > 0 ? `CAST(${combined} AS real)` : 'CAST(1.0 AS real)');
  return { sql: matched.length > 0 ? `(${matched.map((m) => m.cond).join(' OR ')})` : 'FALSE', type: T.boolean };
}

/**
 * The columns a match names, for the geo form (geo-match.ts); undefined when a target is a named index or
 * not found, which only the text form can be (or report).
 */
function targetColumns(targets: Ctx[], scope: Scope): MatchColumn[] | undefined {
  const columns: MatchColumn[] = [];
  for (const t of targets) {
    const { parts, keys } = subscriptSafeParts(t.subscriptSafe());
    if (keys.length === 0 && resolveIndex(scope, parts)) return undefined;
    const col = tryResolve(scope, parts.length === 3 ? parts.slice(1) : parts);
    if (!col) return undefined;
    if (keys.length === 0) columns.push({ sql: col.sql, ...(col.type ? { type: col.type } : {}) });
    else {
      const type = col.type && fieldType(col.type, keys);
      columns.push({ sql: `(${col.sql} #> ARRAY[${keys.map(pgString).join(', ')}])`, ...(type ? { type } : {}) });
    }
  }
  return columns;
}

/** The condition one field meets and its share of `_score`. */
function fieldMatch(f: Field, o: MatchOptions, termSql: string): { cond: string; rank: string } {
  const phrase = o.type === 'phrase' || o.type === 'phrase_prefix';
  if (!isTokenConfig(f.cfg) && (phrase || (o.fuzziness === undefined && o.minimumShouldMatch === undefined))) {
    const vec = `to_tsvector('${f.cfg}', coalesce(${f.text}, ''))`;
    if (o.type === 'phrase' && o.slop > 0) {
      const cond = `${SYSTEM_SCHEMA}.sloppy_phrase(${vec}, to_tsvector('${f.cfg}', ${termSql}), ${o.slop})`;
      return { cond, rank: `(CASE WHEN ${cond} THEN ts_rank(${vec}, plainto_tsquery('${f.cfg}', ${termSql})) + 0.0001 ELSE 0 END)` };
    }
    const q = tsQuery(o, f.cfg, termSql);
    const bm25 = f.scored && !phrase ? bm25Score({ ...f.scored, cfg: f.cfg }, termSql) : undefined;
    return { cond: `(${vec} @@ ${q})`, rank: bm25 ?? `(ts_rank(${vec}, ${q}) + 0.0001)` };
  }
  const doc = tokenArray(f.cfg, f.text);
  const query = tokenArray(f.cfg, termSql);
  if (phrase) {
    // Token sequences joined by a separator no token holds: a phrase is a run of the field's tokens.
    const sep = 'chr(1)';
    const joined = (a: string): string => `(${sep} || array_to_string(${a}, ${sep}))`;
    const cond = `(cardinality(${query}) > 0 AND strpos(${joined(doc)} || ${sep}, ${joined(query)}${o.type === 'phrase' ? ` || ${sep}` : ''}) > 0)`;
    return { cond, rank: `(CASE WHEN ${cond} THEN 1 ELSE 0 END)` };
  }
  const same = o.fuzziness === undefined ? 'd.t = q.t' : `${SYSTEM_SCHEMA}.fuzzy_term(d.t, q.t, ${pgString(o.fuzziness)}, ${o.prefixLength})`;
  const count = `(SELECT count(*) FROM unnest(${query}) AS q(t) WHERE EXISTS (SELECT 1 FROM unnest(${doc}) AS d(t) WHERE ${same}))`;
  const n = `cardinality(${query})`;
  const cond = o.operator === 'and' ? `(${n} > 0 AND ${count} = ${n})` : `(${count} >= ${requiredTerms(o.minimumShouldMatch, n)})`;
  return { cond, rank: `(CASE WHEN ${cond} THEN ${count} ELSE 0 END)` };
}

/**
 * `USING phrase` matches the terms in order, `phrase_prefix` too with the last term as a prefix;
 * `WITH (operator = 'and')` needs every term; else any term.
 */
function tsQuery(o: MatchOptions, cfg: string, termSql: string): string {
  switch (o.type) {
    case 'phrase':
      return `phraseto_tsquery('${cfg}', ${termSql})`;
    case 'phrase_prefix':
      // Elasticsearch's match_phrase_prefix: the last analyzed term is a prefix, which tsquery writes as
      // `'term':*` (the phrase's text form ends with that term's closing quote).
      return `CAST(regexp_replace(CAST(phraseto_tsquery('${cfg}', ${termSql}) AS text), '''$', ''':*') AS tsquery)`;
    default:
      if (o.operator === 'and') return `plainto_tsquery('${cfg}', ${termSql})`;
      return `CAST(replace(CAST(plainto_tsquery('${cfg}', ${termSql}) AS text), '&', '|') AS tsquery)`;
  }
}
