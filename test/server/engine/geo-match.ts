/**
 * The geo form of match: `match(shape_col, shape) [USING intersects | disjoint | within]`, as CrateDB
 * analyzes it (ExpressionAnalyzer.visitMatchPredicate: the columns' types, the term cast to geo_shape, the
 * match type) and answers it from the column's geo_shape index (MatchPredicate.geoMatch): `intersects`
 * (the default) and `within` (the indexed shape within the term, equal shapes included) as the index's
 * spatial operations, `disjoint` as "has a shape and does not intersect". The index (a geohash or quadtree
 * grid of cells, 50 m by default) approximates shapes by cells; here they relate exactly, so a shape a few
 * metres off the term's border may match where CrateDB's grid says otherwise.
 */
import { sqlParse } from './errors.js';
import { expr } from './expr.js';
import { pgString } from './format.js';
import { geoShape } from './geo.js';
import { shapeSql } from './geo-functions.js';
import { constantOf } from './literals.js';
import { identName, type Ctx } from './parse.js';
import type { Scope, Tx, Typed } from './scope.js';
import { SYSTEM_SCHEMA } from './storage.js';
import { isText, T, typeName, type CrateType } from './types.js';

/** A column a match names: what it reads and its type. */
export interface MatchColumn {
  sql: string;
  type?: CrateType;
}

const GEO_MATCH_TYPES = ['intersects', 'disjoint', 'within'];

const sameType = (a?: CrateType, b?: CrateType): boolean => (isText(a) && isText(b)) || a?.kind === b?.kind;

/** The geo match's condition, or undefined when no column is a geo one (the text form then applies). */
export function geoMatch(node: Ctx, columns: MatchColumn[], scope: Scope, tx: Tx): Typed | undefined {
  if (!columns.some((c) => c.type?.kind === 'geo_shape' || c.type?.kind === 'geo_point')) return undefined;
  const first = columns[0]!.type ?? T.undefined;
  if (first.kind !== 'geo_shape' && !isText(first)) throw sqlParse(`Can only use MATCH on columns of type STRING or GEO_SHAPE, not on '${typeName(first)}'`);
  for (const c of columns) {
    const t = c.type ?? T.undefined;
    if (!sameType(t, first)) throw sqlParse(`All columns within a match predicate must be of the same type. Found ${typeName(first)} and ${typeName(t)}`);
  }
  const term = geoTerm(node.term, scope, tx);
  const written = node.matchType ? identName(node.matchType) : 'intersects';
  if (!GEO_MATCH_TYPES.includes(written)) {
    // CrateDB prints its Set.of, whose order changes from JVM to JVM; this is the order it is written in.
    throw sqlParse(`invalid MATCH type '${written}' for type 'geo_shape', valid types are: [${GEO_MATCH_TYPES.join(',')}]`);
  }
  // geoMatch queries the first field only.
  const S = SYSTEM_SCHEMA;
  const shape = `${S}.geo_flatten(CAST(${columns[0]!.sql} AS jsonb))`;
  const query = `${S}.geo_flatten(${term})`;
  const cond =
    written === 'within' ? `${S}.geo_covers(${query}, ${shape})`
    : written === 'disjoint' ? `(${columns[0]!.sql} IS NOT NULL AND NOT ${S}.geo_meets(${shape}, ${query}))`
    : `${S}.geo_meets(${shape}, ${query})`;
  // A Lucene query matches or not: a row without a shape is simply not matched, also under NOT.
  return { sql: `coalesce(${cond}, false)`, type: T.boolean };
}

/** The term cast to geo_shape: a literal now, with Literal.cast's error; a parameter or expression per row. */
function geoTerm(node: Ctx, scope: Scope, tx: Tx): string {
  const c = constantOf(node);
  if (c?.kind === 'value') {
    if (c.value === null) throw sqlParse('cannot use NULL as query term in match predicate');
    const shape = geoShape(c.value, { kind: 'geo_shape' }, { kind: 'literal', text: c.text, type: c.type });
    return `CAST(${pgString(JSON.stringify(shape))} AS jsonb)`;
  }
  const value = expr(node, scope, tx);
  const sql = shapeSql(value);
  if (sql === undefined) throw sqlParse(`Cannot cast \`${node.getText()}\` of type \`${typeName(value.type ?? T.undefined)}\` to type \`geo_shape\``);
  return sql;
}
