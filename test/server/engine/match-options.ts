/**
 * The `USING type WITH (...)` of a match predicate, checked as CrateDB checks it: the type against
 * Elasticsearch's multi-match types (MatchPredicate.getMatchType), each option against its allowed
 * values (MatchOptionsAnalysis), both IllegalArgumentExceptions (4000). Options the test server cannot
 * honour (boost, cutoff_frequency, rewrites, tie_breaker, ...) are accepted and change nothing.
 */
import { sqlParse } from './errors.js';
import { javaString } from './values.js';
import { constantOf } from './literals.js';
import { identName, type Ctx } from './parse.js';

export type MatchType = 'best_fields' | 'most_fields' | 'cross_fields' | 'phrase' | 'phrase_prefix' | 'bool_prefix';

export interface MatchOptions {
  type: MatchType;
  operator: 'and' | 'or';
  /** Extra positions a phrase may have between its terms (Lucene's slop, without reordering). */
  slop: number;
  /** Elasticsearch's fuzziness as written (`AUTO`, `AUTO:3,6`, `1`), absent when exact. */
  fuzziness?: string;
  prefixLength: number;
  minimumShouldMatch?: string;
}

const TYPES: Record<string, MatchType> = {
  best_fields: 'best_fields', boolean: 'best_fields', most_fields: 'most_fields', cross_fields: 'cross_fields',
  phrase: 'phrase', phrase_prefix: 'phrase_prefix', bool_prefix: 'bool_prefix',
};

type Check = (v: unknown) => boolean;
const positive: Check = (v) => typeof v === 'number' && v > 0;
const isString: Check = (v) => typeof v === 'string';
const isNumber: Check = (v) => typeof v === 'number';
const numberOrString: Check = (v) => isNumber(v) || isString(v);

const ALLOWED: Record<string, Check> = {
  analyzer: isString, boost: positive, cutoff_frequency: positive, fuzziness: numberOrString, fuzzy_rewrite: isString,
  max_expansions: positive, minimum_should_match: numberOrString, operator: (v) => ['or', 'and', 'OR', 'AND'].includes(v as string),
  prefix_length: positive, rewrite: isString, slop: positive, tie_breaker: isNumber, zero_terms_query: isString,
};

export function matchOptions(node: Ctx): MatchOptions {
  const written = node.matchType ? identName(node.matchType) : undefined;
  const type = written === undefined ? 'best_fields' : TYPES[written];
  if (type === undefined) throw sqlParse(`invalid MATCH type '${written}' for type 'text'`);
  const values = new Map<string, unknown>();
  const props = (node.withProperties?.()?.genericProperties().genericProperty() as Ctx[] | undefined) ?? [];
  for (const p of props) {
    const name = identName(p.ident());
    const c = constantOf(p.expr());
    const value = c?.kind === 'value' ? c.value : p.expr().getText();
    const check = ALLOWED[name];
    if (!check) throw sqlParse(`unknown match option '${name}'`);
    if (!check(value)) throw sqlParse(`invalid value for option '${name}': ${javaString(value, c?.kind === 'value' ? c.type : undefined)}`);
    values.set(name, value);
  }
  const fuzziness = values.get('fuzziness');
  const msm = values.get('minimum_should_match');
  return {
    type,
    operator: String(values.get('operator') ?? 'or').toLowerCase() === 'and' ? 'and' : 'or',
    slop: Math.trunc(Number(values.get('slop') ?? 0)),
    ...(fuzziness === undefined ? {} : { fuzziness: String(fuzziness) }),
    prefixLength: Math.trunc(Number(values.get('prefix_length') ?? 0)),
    ...(msm === undefined ? {} : { minimumShouldMatch: String(msm) }),
  };
}

/**
 * How many of `n` query terms must match (SQL over the integer expression `n`), from Elasticsearch's
 * minimum_should_match forms: `2`, `-1`, `75%`, `-25%`; at least one, as a query of should-clauses needs.
 */
export function requiredTerms(msm: string | undefined, n: string): string {
  const m = msm === undefined ? undefined : /^\s*(-?)(\d+)(%?)\s*$/.exec(msm);
  if (!m) return '1';
  const count = m[3] === '%' ? `floor(${n} * ${Number(m[2])} / 100.0)` : String(Number(m[2]));
  return `GREATEST(1, ${m[1] === '-' ? `${n} - ${count}` : count})`;
}
