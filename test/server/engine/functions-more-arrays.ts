/**
 * Array and object functions missing from functions.ts: array_overlap (6.0), array_set, array_unnest, null_or_empty.
 * A nested array reaches PG either as a multi-dimensional PG array (a literal) or as jsonb (a column), so the
 * functions that must see both go through to_jsonb, which reads either the same way.
 */
import type { MoreMapper } from './functions-more.js';
import type { Typed } from './scope.js';
import { pgString } from './format.js';
import { sqlFail } from './storage.js';
import { pgType, T, type CrateType } from './types.js';

/** The value as jsonb; an untyped NULL or `[]` literal has no PG type to_jsonb could start from. */
function asJsonb(t: Typed): string {
  if (t.type?.kind === 'undefined') return 'CAST(NULL AS jsonb)';
  if (t.sql === `'{}'`) return `'[]'::jsonb`;
  return `to_jsonb(${t.sql})`;
}

/** The first known array type among the arguments (CrateDB casts the others to it). */
function arrayType(...args: Array<Typed | undefined>): CrateType | undefined {
  return args.find((a) => a?.type?.kind === 'array' && a.type.element.kind !== 'undefined')?.type;
}

/** An argument as a PG array of `type`: an untyped `[]` or NULL literal gets the type. */
function asArray(t: Typed, type: CrateType | undefined): string {
  if (!type || (t.type?.kind === 'array' && t.type.element.kind !== 'undefined' && pgType(t.type) === pgType(type))) return t.sql;
  return `CAST(${t.sql} AS ${pgType(type)})`;
}

/**
 * array_overlap(a, b) (ArrayOverlapFunction): NULL if either is NULL, else whether they share an element, by
 * equals as Collections.disjoint compares, so a NULL element in both counts as shared.
 */
const arrayOverlap: MoreMapper = ([a, b]) => {
  const [ja, jb] = [asJsonb(a!), asJsonb(b!)];
  return {
    sql: `(CASE WHEN ${ja} IS NULL OR ${jb} IS NULL THEN NULL ELSE EXISTS (SELECT 1 FROM jsonb_array_elements(${ja}) x(v) JOIN jsonb_array_elements(${jb}) y(v) ON x.v = y.v) END)`,
    type: T.boolean,
  };
};

const fail = (message: string, type: string): string => sqlFail(pgString(message), type);

/**
 * array_set(array, indexes, values) and array_set(array, index, value) (ArraySetFunction): each index (1-based)
 * set in turn, the array grown with NULLs to reach it; a NULL array stays NULL, NULL indexes and values leave it
 * as it is. Only arrays of one dimension (PG arrays) are handled.
 */
const arraySet: MoreMapper = ([source, indexes, values]) => {
  const type = arrayType(source, values) ?? (values?.type && values.type.kind !== 'array' && values.type.kind !== 'undefined' ? T.array(values.type) : undefined);
  const pg = type ? pgType(type) : 'text[]';
  const a = asArray(source!, type);
  const single = indexes!.type?.kind !== 'array';
  const idx = single ? `ARRAY[CAST(${indexes!.sql} AS integer)]` : `CAST(${indexes!.sql} AS integer[])`;
  const vals = single ? `CAST(ARRAY[${values!.sql}] AS ${pg})` : asArray(values!, type);
  const last = `(SELECT u.v, u.n FROM unnest(${idx}, ${vals}) WITH ORDINALITY AS u(i, v, n) WHERE u.i = g.p ORDER BY u.n DESC LIMIT 1)`;
  const length = `GREATEST(cardinality(${a}), (SELECT max(i) FROM unnest(${idx}) AS x(i)))`;
  return {
    sql: `(CASE WHEN ${a} IS NULL THEN NULL
      WHEN ${idx} IS NULL AND ${vals} IS NULL THEN ${a}
      WHEN ${idx} IS NULL OR ${vals} IS NULL OR cardinality(${idx}) <> cardinality(${vals})
        THEN ${fail('`array_set(array, indexes, values)`: the size of indexes and values must match or both be nulls', pg)}
      WHEN EXISTS (SELECT 1 FROM unnest(${idx}) AS x(i) WHERE x.i <= 0) THEN ${fail('Updating arrays with indexes <= 0 is not supported', pg)}
      ELSE ARRAY(SELECT CASE WHEN l.n IS NULL THEN (${a})[g.p] ELSE l.v END FROM generate_series(1, ${length}) AS g(p)
        LEFT JOIN LATERAL ${last} l ON TRUE ORDER BY g.p) END)`,
    ...(type ? { type } : {}),
  };
};

/**
 * array_unnest(array(array(E))) (ArrayUnnestFunction): one level flattened, NULL inner arrays skipped, NULL
 * elements kept; NULL for NULL.
 */
const arrayUnnest: MoreMapper = ([arg]) => {
  const outer = arg!.type?.kind === 'array' ? arg!.type.element : undefined;
  const element = outer?.kind === 'array' ? outer.element : undefined;
  const j = asJsonb(arg!);
  const items = `FROM jsonb_array_elements(${j}) WITH ORDINALITY AS o(sub, n) CROSS JOIN LATERAL jsonb_array_elements(CASE WHEN jsonb_typeof(o.sub) = 'array' THEN o.sub ELSE '[]'::jsonb END) WITH ORDINALITY AS i(e, m)`;
  // Nested arrays stay jsonb and objects jsonb[] (how the engine holds them); scalars come back as a PG array.
  const sql = !element || element.kind === 'array'
    ? `COALESCE((SELECT jsonb_agg(i.e ORDER BY o.n, i.m) ${items}), '[]'::jsonb)`
    : element.kind === 'object'
      ? `ARRAY(SELECT i.e ${items} ORDER BY o.n, i.m)`
      : `ARRAY(SELECT CAST(i.e #>> '{}' AS ${pgType(element)}) ${items} ORDER BY o.n, i.m)`;
  return { sql: `(CASE WHEN ${j} IS NULL THEN NULL ELSE ${sql} END)`, type: T.array(element ?? T.undefined) };
};

/** null_or_empty(object | array) (NullOrEmptyFunction): TRUE for NULL, `{}` and `[]`; never NULL. */
const nullOrEmpty: MoreMapper = ([arg]) => {
  const j = asJsonb(arg!);
  return { sql: `COALESCE(${j} IN ('[]'::jsonb, '{}'::jsonb), TRUE)`, type: T.boolean };
};

export const ARRAY_FUNCTIONS: Record<string, MoreMapper> = {
  array_overlap: arrayOverlap,
  array_set: arraySet,
  array_unnest: arrayUnnest,
  null_or_empty: nullOrEmpty,
};
