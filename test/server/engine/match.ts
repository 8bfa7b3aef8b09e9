/**
 * `match()` onto PG text search: the analyzer's configuration on both sides (stemming, stop words),
 * OR semantics between terms as CrateDB's default `best_fields`, and `_score` from ts_rank. A column
 * without a fulltext index is matched as a keyword (the whole value).
 */
import { columnUnknown } from './errors.js';
import { pgString, quoteIdent, sqlFqn } from './format.js';
import { analyzerConfig } from './fulltext.js';
import { expr } from './expr.js';
import { constantOf } from './literals.js';
import { identName, type Ctx } from './parse.js';
import { resolveColumn, resolveIndex, type Scope, type Tx, type Typed } from './scope.js';
import { fieldType, T, type CrateType } from './types.js';
import { properties } from './ddl-create.js';

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

function setScore(tx: Tx, sql: string): void {
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
    if (next === undefined && t.policy !== 'ignored' && !(dynamicKeysNull && t.policy === 'dynamic')) throw columnUnknown(sqlFqn([column, ...keys.slice(0, i + 1)]));
    t = next;
  }
}

/** A match target `o['a']['b']` (subscriptSafe): the column's name parts and the object keys under it. */
function subscriptTarget(node: Ctx): { parts: string[]; keys: string[] } {
  const keys: string[] = [];
  let n = node;
  while (!n.qname?.() && n.value) {
    keys.unshift(n.index.getText().replace(/^'|'$/g, '').replace(/''/g, "'"));
    n = n.value;
  }
  return { parts: n.qname ? (n.qname().ident() as Ctx[]).map(identName) : [n.getText()], keys };
}

/** `match(col | index | (a, b), term)` onto PG text search with OR semantics; also sets `_score`. */
export function match(node: Ctx, scope: Scope, tx: Tx): Typed {
  const term = expr(node.term, scope, tx);
  const termSql = constantOf(node.term)?.kind === 'param' ? `CAST(${term.sql} AS text)` : term.sql;
  const idents = node.matchPredicateIdents();
  const targets: Ctx[] = idents.matchPredicateIdent() ? [].concat(idents.matchPredicateIdent()) : [];
  const vectors: Array<{ vec: string; cfg: string }> = [];
  const exact: string[] = [];
  for (const t of targets) {
    const { parts, keys } = subscriptTarget(t.subscriptSafe());
    const index = keys.length === 0 ? resolveIndex(scope, parts) : undefined;
    if (index) {
      const cfg = (index.index.searchConfig ?? analyzerConfig(index.index.analyzer));
      const cols = index.index.columns.map((path) => `coalesce(${indexedColumnText(quoteIdent(index.relation.alias), path)}, '')`);
      vectors.push({ vec: `to_tsvector('${cfg}', ${cols.join(` || ' ' || `)})`, cfg });
      continue;
    }
    const col = resolveColumn(scope, parts, tx.env.schema);
    if (keys.length > 0) {
      checkKeys(col.type, parts[parts.length - 1]!, keys, tx.env.unknownKeysNull === true);
      exact.push(`(${indexedText(col.sql, keys)} = ${termSql})`);
    } else if (col.column?.fulltext) {
      const cfg = (col.column.searchConfig ?? analyzerConfig(col.column.fulltext));
      vectors.push({ vec: `to_tsvector('${cfg}', coalesce(${col.sql}, ''))`, cfg });
    } else {
      exact.push(`(${col.sql} = ${termSql})`);
    }
  }
  const conds = [...exact];
  const ranks: string[] = [];
  const terms = termsMatched(node);
  for (const v of vectors) {
    const q = tsQuery(terms, v.cfg, termSql);
    conds.push(`(${v.vec} @@ ${q})`);
    ranks.push(`ts_rank(${v.vec}, ${q})`);
  }
  setScore(tx, ranks.length > 0 ? `CAST(${ranks.join(' + ')} + 0.0001 AS real)` : 'CAST(1.0 AS real)');
  return { sql: conds.length > 0 ? `(${conds.join(' OR ')})` : 'FALSE', type: T.boolean };
}


type TermsMatched = 'phrase' | 'phrase_prefix' | 'all' | 'any';

/**
 * `USING phrase` matches the terms in order, `phrase_prefix` too with the last term as a prefix;
 * `WITH (operator = 'and')` needs every term; else any term.
 */
function termsMatched(node: Ctx): TermsMatched {
  const type = node.matchType ? identName(node.matchType).toLowerCase() : 'best_fields';
  if (type === 'phrase' || type === 'phrase_prefix') return type;
  const props = properties(node.withProperties?.());
  return (props.get('operator') ?? 'or').toLowerCase() === 'and' ? 'all' : 'any';
}

function tsQuery(terms: TermsMatched, cfg: string, termSql: string): string {
  switch (terms) {
    case 'phrase':
      return `phraseto_tsquery('${cfg}', ${termSql})`;
    case 'phrase_prefix':
      // Elasticsearch's match_phrase_prefix: the last analyzed term is a prefix, which tsquery writes as
      // `'term':*` (the phrase's text form ends with that term's closing quote).
      return `CAST(regexp_replace(CAST(${tsQuery('phrase', cfg, termSql)} AS text), '''$', ''':*') AS tsquery)`;
    case 'all':
      return `plainto_tsquery('${cfg}', ${termSql})`;
    case 'any':
      return `CAST(replace(CAST(plainto_tsquery('${cfg}', ${termSql}) AS text), '&', '|') AS tsquery)`;
  }
}
