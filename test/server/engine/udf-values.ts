/**
 * Running user-defined JavaScript functions for a statement. PG cannot call into JavaScript, so a call
 * reads the function's value for its arguments from `udf_values`; an argument tuple not there yet stops
 * the statement with a "miss" error carrying it, which `withUdfValues` answers by running the function
 * (node:vm, in a context of its own, as CrateDB gives each function its own GraalJS context) and storing
 * the value, then running the statement again. A miss aborts the one PG statement that computes it, before
 * anything is written or marked, so running again is safe; values are kept per function and arguments,
 * which CrateDB's UDFs (always DETERMINISTIC) allow.
 */
import vm from 'node:vm';
import type { PGlite } from '@electric-sql/pglite';
import type { Catalog } from './catalog.js';
import { CrateError } from './errors.js';
import type { Prepared } from './run.js';
import { SYSTEM_SCHEMA } from './storage.js';
import { isNumeric, typeName, type CrateType } from './types.js';
import type { UdfDef } from './udfs.js';

const S = SYSTEM_SCHEMA;
const MISS = 'cm_udf_miss';
/** A statement needing more distinct argument tuples than this is refused rather than re-run forever. */
const MAX_VALUES_PER_STATEMENT = 10_000;
/** CrateDB has no limit; this keeps a function that never returns from hanging the test server. */
const EVAL_TIMEOUT_MS = 2_000;
const INTEGER_KINDS = new Set(['byte', 'smallint', 'integer', 'bigint']);

export const UDF_VALUES_SQL = `
CREATE TABLE ${S}.udf_values (fn int, args jsonb, result jsonb, PRIMARY KEY (fn, args));
CREATE FUNCTION ${S}.udf_value(fn int, args jsonb) RETURNS jsonb LANGUAGE plpgsql STABLE AS $$
DECLARE r jsonb; hit boolean;
BEGIN
  SELECT v.result, true INTO r, hit FROM ${S}.udf_values v WHERE v.fn = $1 AND v.args = $2;
  IF hit IS NULL THEN
    RAISE EXCEPTION '${MISS} % %', $1, encode(convert_to($2::text, 'UTF8'), 'hex');
  END IF;
  RETURN r;
END $$;
`;

/**
 * A statement that calls user-defined functions, run until it misses no value. Its bulk form runs row by
 * row, so that a row's re-runs never repeat another row's writes.
 */
export function computingUdfValues(prepared: Prepared): Prepared {
  const { runBulk: _rowByRow, ...rest } = prepared;
  return { ...rest, run: (ctx, args) => withUdfValues(ctx.state.pg, ctx.state.catalog, () => prepared.run(ctx, args)) };
}

/** Runs a statement, computing the function values it misses, until it needs none it lacks. */
async function withUdfValues<T>(pg: PGlite, catalog: Catalog, run: () => Promise<T>): Promise<T> {
  // One context per function for the statement, as CrateDB compiles a UDF once per query (CompiledFunction).
  const contexts = new Map<number, vm.Context>();
  for (let computed = 0; ; computed++) {
    try {
      return await run();
    } catch (e) {
      const miss = missOf(e);
      if (!miss) throw e;
      if (computed >= MAX_VALUES_PER_STATEMENT) throw new CrateError(400, 4004, `UnsupportedFeatureException[The test server computes at most ${MAX_VALUES_PER_STATEMENT} distinct user-defined function calls per statement]`);
      const udf = [...catalog.functions.values()].find((u) => u.id === miss.fn);
      if (!udf) throw e;
      const value = callFunction(udf, JSON.parse(miss.args) as unknown[], contexts);
      await pg.query(`INSERT INTO ${S}.udf_values VALUES ($1, CAST($2 AS jsonb), CAST($3 AS jsonb)) ON CONFLICT DO NOTHING`, [miss.fn, miss.args, JSON.stringify(value)]);
    }
  }
}

/** Drops the values a function's body computed, once that body is replaced or dropped. */
export async function forgetValues(pg: PGlite, udf: UdfDef): Promise<void> {
  await pg.query(`DELETE FROM ${S}.udf_values WHERE fn = $1`, [udf.id]);
}

const MISS_MESSAGE = new RegExp(`${MISS} (\\d+) ([0-9a-f]*)`);

function missOf(e: unknown): { fn: number; args: string } | undefined {
  const m = e instanceof Error ? MISS_MESSAGE.exec(e.message) : null;
  return m ? { fn: Number(m[1]), args: Buffer.from(m[2]!, 'hex').toString('utf8') } : undefined;
}

/** The function's own context, or why the definition is refused (the message after CrateDB's prefix). */
function load(udf: UdfDef): { context: vm.Context } | { error: string } {
  const context = vm.createContext({});
  try {
    vm.runInContext(udf.definition, context, { timeout: EVAL_TIMEOUT_MS, filename: udf.name });
  } catch (e) {
    return { error: e instanceof Error ? `${e.name}: ${e.message}` : String(e) };
  }
  if (typeof context[udf.name] !== 'function') {
    return { error: `The name of the function signature '${udf.name}' doesn't match the function name in the function definition.` };
  }
  return { context };
}

/** PolyglotLanguage.validate: undefined when the definition evaluates and defines the function. */
export function validateJavaScript(udf: UdfDef): string | undefined {
  const loaded = load(udf);
  if (!('error' in loaded)) return undefined;
  const types = udf.args.map((a) => typeName(a.type)).join(', ');
  return `Invalid JavaScript in function '${udf.schema}.${udf.name}(${types})' AS '${udf.definition}': ${loaded.error}`;
}

function callFunction(udf: UdfDef, args: unknown[], contexts: Map<number, vm.Context>): unknown {
  let context = contexts.get(udf.id);
  if (!context) {
    const loaded = load(udf);
    if ('error' in loaded) throw scriptError(loaded.error);
    context = loaded.context;
    contexts.set(udf.id, context);
  }
  context.__args = args.map((a, i) => toJs(a, udf.args[i]!.type));
  let result: unknown;
  try {
    result = vm.runInContext(`${udf.name}.apply(null, __args)`, context, { timeout: EVAL_TIMEOUT_MS });
  } catch (e) {
    throw scriptError(e instanceof Error ? `${e.name}: ${e.message}` : String(e));
  }
  return fromJs(result, udf.returnType);
}

function scriptError(message: string): CrateError {
  return new CrateError(500, 5000, `ScriptException[js ScriptException: ${message}]`);
}

/** An argument as CrateDB hands it to JavaScript: timestamps as epoch milliseconds, the rest as JSON. */
function toJs(value: unknown, type: CrateType): unknown {
  if (value === null) return null;
  if (type.kind === 'array' && Array.isArray(value)) return value.map((v) => toJs(v, type.element));
  if ((type.kind === 'timestamp' || type.kind === 'timestamptz') && typeof value === 'string') return epochMs(value);
  return value;
}

/** A returned value as the return type holds it (PolyglotValues.toCrateObject, then the type's cast). */
function fromJs(value: unknown, type: CrateType): unknown {
  if (value === undefined || value === null) return null;
  if (type.kind === 'array') return Array.isArray(value) ? value.map((v) => fromJs(v, type.element)) : null;
  if (type.kind === 'timestamp' || type.kind === 'timestamptz') {
    const ms = typeof value === 'string' ? epochMs(value) : Number(value);
    return ms === null || !Number.isFinite(ms) ? null : Math.trunc(ms);
  }
  if (type.kind === 'text') return typeof value === 'object' ? JSON.stringify(value) : String(value);
  if (isNumeric(type) && typeof value === 'number') {
    if (!Number.isFinite(value)) return null;
    // Java's Number.intValue / longValue: an integer type cuts the fraction off.
    return INTEGER_KINDS.has(type.kind) ? Math.trunc(value) : value;
  }
  // Objects and arrays come from the function's own realm: JSON makes them plain values of this one.
  return typeof value === 'object' ? JSON.parse(JSON.stringify(value)) : value;
}

/** ISO 8601 text as epoch ms; without a zone it is UTC, as CrateDB reads it. */
function epochMs(text: string): number | null {
  const zoned = /(Z|[+-]\d{2}(:?\d{2})?)$/.test(text) || !/T|\d:\d/.test(text) ? text : `${text}Z`;
  const ms = Date.parse(zoned.includes('T') || !/\d:\d/.test(zoned) ? zoned : zoned.replace(' ', 'T'));
  return Number.isNaN(ms) ? null : ms;
}
