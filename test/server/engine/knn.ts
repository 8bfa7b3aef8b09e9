/**
 * `knn_match(vector_column, target, k)`: Lucene's KnnFloatVectorQuery, run per shard. Each shard (of each
 * partition) yields its k documents nearest to the target by euclidean distance; other conditions of the
 * WHERE filter after that, as a boolean query over the k-NN hits does. `_score` is the similarity,
 * 1 / (1 + squared distance). Anything but a table's column and literal arguments cannot become that query,
 * and CrateDB then fails evaluating the function.
 */
import { unsupportedFeature } from './errors.js';
import { expr } from './expr.js';
import { quoteIdent } from './format.js';
import { constantOf, unwrap } from './literals.js';
import { identName, ruleName, type Ctx } from './parse.js';
import { setScore } from './match.js';
import { SYSTEM_SCHEMA, pgTableName } from './storage.js';
import { tryResolve, type Scope, type Tx, type Typed } from './scope.js';
import { T } from './types.js';

const NEEDS_INDEX = 'knn_match can only be used in WHERE clause for tables as it needs an index to operate on';

function squaredDistance(vector: string, target: string): string {
  return `(SELECT sum(power(x - y, 2)) FROM unnest(CAST(${vector} AS real[]), CAST(${target} AS real[])) AS v(x, y))`;
}

export function knnMatch(args: Ctx[], scope: Scope, tx: Tx): Typed {
  const [column, target, k] = args;
  const ref = column ? unwrap(column) : undefined;
  const kConstant = k ? constantOf(k) : undefined;
  if (!tx.inWhere || args.length !== 3 || !ref || ruleName(ref) !== 'ColumnReferenceContext' && ruleName(ref) !== 'DereferenceContext' || !kConstant) {
    throw unsupportedFeature(NEEDS_INDEX);
  }
  const parts = ruleName(ref) === 'ColumnReferenceContext' ? [identName(ref.ident())] : (ref.ident() as Ctx[]).map(identName);
  const col = tryResolve(scope, parts);
  const table = col?.relation.table;
  if (!col || !table || col.type?.kind !== 'float_vector') throw unsupportedFeature(NEEDS_INDEX);
  const targetSql = expr(target!, scope, tx).sql;
  const kSql = expr(k!, scope, tx).sql;
  const name = quoteIdent(parts[parts.length - 1]!);
  const routing = table.clusteredBy ? `k.${quoteIdent(table.clusteredBy)}` : 'k."_id"';
  const perShard = [...table.partitionedBy.map((c) => `k.${quoteIdent(c)}`), `${SYSTEM_SCHEMA}.shard_of(CAST(${routing} AS text), ${table.numberOfShards})`];
  const nearest = `SELECT k."_id", row_number() OVER (PARTITION BY ${perShard.join(', ')} ORDER BY ${squaredDistance(`k.${name}`, targetSql)}) AS rn`
    + ` FROM ${pgTableName(table, tx.visibility)} AS k WHERE k.${name} IS NOT NULL`;
  const alias = quoteIdent(col.relation.alias);
  setScore(tx, `CAST(1 / (1 + ${squaredDistance(col.sql, targetSql)}) AS real)`);
  return { sql: `(${alias}."_id" IN (SELECT n."_id" FROM (${nearest}) AS n WHERE n.rn <= ${kSql}))`, type: T.boolean };
}
