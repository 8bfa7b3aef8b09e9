/**
 * Scalar functions CrateDB has that functions.ts does not translate (they answered `Unknown function`), kept
 * apart so that module stays the one for the everyday functions. This file is the entry point: the math and
 * string functions, the version gates, and the lookup that also consults the themed modules (URIs, arrays,
 * PostgreSQL compatibility, privileges). Semantics follow CrateDB's sources (io.crate.expression.scalar); each function
 * says where from.
 */
import type { CrateVersion } from '../contract.js';
import type { Env, Typed } from './scope.js';
import { pgType, T, type CrateType } from './types.js';
import { ARRAY_FUNCTIONS } from './functions-more-arrays.js';
import { PG_FUNCTIONS } from './functions-more-pg.js';
import { CATALOG_FUNCTIONS } from './functions-more-privileges.js';
import { URI_FUNCTIONS } from './functions-more-uri.js';

export interface MoreCtx {
  version: CrateVersion;
  distinct: boolean;
  searchPath: readonly string[];
}

export type MoreMapper = (args: Typed[], ctx: MoreCtx) => Typed;

/** The wider operand's type is the result's, as for the operators; byte and smallint go through the integer variant. */
const NUMERIC_ORDER = ['byte', 'smallint', 'integer', 'bigint', 'numeric', 'real', 'double'];

function arithmeticType(a?: CrateType, b?: CrateType): CrateType | undefined {
  const rank = (t?: CrateType): number => (t ? NUMERIC_ORDER.indexOf(t.kind) : -1);
  const wider = rank(a) >= rank(b) ? a : b;
  if (!wider || rank(wider) < 0) return a?.kind === 'undefined' ? b : a;
  if (wider.kind === 'byte' || wider.kind === 'smallint') return T.integer;
  return wider.kind === 'numeric' ? { kind: 'numeric' } : wider;
}

/** add, subtract, multiply, divide, mod and modulus are callable by name (ArithmeticFunctions.Operations). */
function arithmetic(op: '+' | '-' | '*' | '/' | '%'): MoreMapper {
  return (args) => {
    const [l, r] = args as [Typed, Typed];
    const type = arithmeticType(l.type, r.type);
    if (!type || !NUMERIC_ORDER.includes(type.kind)) return { sql: `(${l.sql} ${op} ${r.sql})`, ...(type ? { type } : {}) };
    const pg = pgType(type);
    const [a, b] = [`CAST(${l.sql} AS ${pg})`, `CAST(${r.sql} AS ${pg})`];
    // PG has no `%` for floating point; Java's is the remainder of the truncated division, NaN for a zero divisor.
    if (op === '%' && (type.kind === 'real' || type.kind === 'double')) {
      return { sql: `(CASE WHEN ${b} = 0 THEN CAST('NaN' AS ${pg}) ELSE CAST(mod(CAST(${a} AS numeric), CAST(${b} AS numeric)) AS ${pg}) END)`, type };
    }
    if (op === '%') return { sql: `mod(${a}, ${b})`, type };
    return { sql: `(${a} ${op} ${b})`, type };
  };
}

/** cot has a double and a numeric variant (TrigonometricFunctions); PG computes both through double. */
const cot: MoreMapper = ([x]) =>
  x!.type?.kind === 'numeric'
    ? { sql: `CAST(cot(CAST(${x!.sql} AS double precision)) AS numeric)`, type: { kind: 'numeric' } }
    : { sql: `cot(CAST(${x!.sql} AS double precision))`, type: T.double };

/** radians/degrees: double only up to 5.10; 6.0 added the numeric variant (crate/crate#17912). */
const angle = (fn: 'radians' | 'degrees'): MoreMapper => ([x], { version }) =>
  x!.type?.kind === 'numeric' && version === '6.4'
    ? { sql: `CAST(${fn}(CAST(${x!.sql} AS double precision)) AS numeric)`, type: { kind: 'numeric' } }
    : { sql: `${fn}(CAST(${x!.sql} AS double precision))`, type: T.double };

const M = '4294967295';
/** A 32-bit rotate left of a bigint holding an unsigned int. */
const rotl = (v: string, n: number): string => `(((${v} << ${n}) | (${v} >> ${32 - n})) & ${M})`;

/**
 * SHA-1 of the text's UTF-8 bytes as lower-case hex (HashFunctions, MessageDigests.sha1). PG has no sha1 without
 * pgcrypto, which the engine does not load, so the digest runs as one recursive query: a row per round, the last
 * sixteen schedule words in an array, the block's hash added in after its round 79.
 */
function sha1(text: string): string {
  const bytes = `convert_to(${text}, 'UTF8')`;
  const padded = `${bytes} || '\\x80'::bytea || decode(repeat('00', (119 - octet_length(${bytes}) % 64) % 64), 'hex') || int8send(octet_length(${bytes}) * 8::bigint)`;
  const word = (k: number): string => `get_byte(m.p, q.o + q.i * 4 + ${k})::bigint`;
  const ring = (off: number): string => `s.w[(q.i + ${off}) % 16 + 1]`;
  const mix = `(${ring(13)} # ${ring(8)} # ${ring(2)} # ${ring(0)})`;
  const step = (h: string, v: string): string => `CASE WHEN r.i = 79 THEN (s.${h} + ${v}) & ${M} ELSE `;
  const init = '1732584193::bigint, 4023233417::bigint, 2562383102::bigint, 271733878::bigint, 3285377520::bigint';
  const next: Array<[string, string]> = [['h0', 'r.na'], ['h1', 's.a'], ['h2', 'r.nc'], ['h3', 's.c'], ['h4', 's.d']];
  return `(CASE WHEN ${text} IS NULL THEN NULL ELSE (WITH RECURSIVE m(p) AS (SELECT ${padded}),
    s(t, a, b, c, d, e, h0, h1, h2, h3, h4, w) AS (
      SELECT 0, ${init}, ${init}, array_fill(0::bigint, ARRAY[16])
      UNION ALL
      SELECT s.t + 1, ${next.map(([h, v]) => `${step(h, v)}${v} END`).join(', ')},
        ${next.map(([h, v]) => `${step(h, v)}s.${h} END`).join(', ')},
        s.w[1:r.i % 16] || r.wt || s.w[r.i % 16 + 2:16]
      FROM s CROSS JOIN m
      CROSS JOIN LATERAL (SELECT s.t % 80 AS i, (s.t / 80) * 64 AS o) q
      CROSS JOIN LATERAL (SELECT CASE WHEN q.i < 16 THEN (${word(0)} << 24) | (${word(1)} << 16) | (${word(2)} << 8) | ${word(3)}
        ELSE ${rotl(mix, 1)} END AS wt) v
      CROSS JOIN LATERAL (SELECT q.i AS i, v.wt AS wt,
        (${rotl('s.a', 5)} + CASE WHEN q.i < 20 THEN (s.b & s.c) | ((~s.b) & s.d) WHEN q.i < 40 THEN s.b # s.c # s.d
          WHEN q.i < 60 THEN (s.b & s.c) | (s.b & s.d) | (s.c & s.d) ELSE s.b # s.c # s.d END + s.e + v.wt
          + CASE WHEN q.i < 20 THEN 1518500249 WHEN q.i < 40 THEN 1859775393 WHEN q.i < 60 THEN 2400959708 ELSE 3395469782 END) & ${M} AS na,
        ${rotl('s.b', 30)} AS nc) r
      WHERE s.t < octet_length(m.p) / 64 * 80)
    SELECT ${['h0', 'h1', 'h2', 'h3', 'h4'].map((h) => `lpad(to_hex(${h}), 8, '0')`).join(' || ')} FROM s ORDER BY t DESC LIMIT 1) END)`;
}

const text = (t: Typed): string => (t.type?.kind === 'text' ? t.sql : `CAST(${t.sql} AS text)`);

const MATH_AND_STRING_FUNCTIONS: Record<string, MoreMapper> = {
  add: arithmetic('+'),
  subtract: arithmetic('-'),
  multiply: arithmetic('*'),
  divide: arithmetic('/'),
  mod: arithmetic('%'),
  modulus: arithmetic('%'),
  cot,
  radians: angle('radians'),
  degrees: angle('degrees'),
  sha1: ([x]) => ({ sql: sha1(text(x!)), type: T.text }),
  // TranslateFunction: the first mapping of a repeated `from` character wins and extra ones are deleted, as PG's.
  translate: ([s, from, to]) => ({ sql: `translate(${text(s!)}, ${text(from!)}, ${text(to!)})`, type: T.text }),
  // StartsWithFunction (6.0, crate/crate#17877): String.startsWith, NULL for a NULL argument.
  starts_with: ([s, prefix]) => ({ sql: `starts_with(${text(s!)}, ${text(prefix!)})`, type: T.boolean }),
};

/** Every function here, by the name CrateDB resolves (`pg_catalog.` ones also under their qualified name). */
export const MORE_FUNCTIONS: Record<string, MoreMapper> = {
  ...MATH_AND_STRING_FUNCTIONS,
  ...URI_FUNCTIONS,
  ...ARRAY_FUNCTIONS,
  ...PG_FUNCTIONS,
};

/** Functions newer than 5.10: the 5.10 mode does not know them (its answer stays `Unknown function`). */
const ONLY_IN_6: ReadonlySet<string> = new Set(['starts_with', 'array_overlap', 'pg_sleep']);

/** The argument counts each signature takes; another count has no overload, so the call is unknown. */
const ARITY: Record<string, readonly number[]> = {
  add: [2], subtract: [2], multiply: [2], divide: [2], mod: [2], modulus: [2], cot: [1], radians: [1], degrees: [1],
  sha1: [1], translate: [3], starts_with: [2], parse_uri: [1], parse_url: [1],
  array_overlap: [2], array_set: [3], array_unnest: [1], null_or_empty: [1],
  pg_get_userbyid: [1], pg_encoding_to_char: [1], format_type: [2], obj_description: [2], col_description: [2],
  pg_get_expr: [2, 3], pg_get_partkeydef: [1], pg_get_serial_sequence: [2], pg_postmaster_start_time: [0],
  pg_get_function_result: [1], pg_function_is_visible: [1], pg_sleep: [1],
  has_table_privilege: [2, 3], has_schema_privilege: [2, 3], has_database_privilege: [2, 3], pg_table_is_visible: [1],
};

/**
 * The translation of a call to one of these functions, or undefined when CrateDB (this version) has no such
 * function. The privilege and visibility functions need the session's user and catalog (`env`); without one they
 * stay unknown.
 */
export function mapMoreFunction(name: string, args: Typed[], ctx: MoreCtx & { env?: Env }): Typed | undefined {
  if (ctx.version === '5.10' && ONLY_IN_6.has(name)) return undefined;
  const plain = name.replace(/^pg_catalog\./, '');
  if (!Object.hasOwn(ARITY, plain) || !ARITY[plain]!.includes(args.length)) return undefined;
  if (Object.hasOwn(MORE_FUNCTIONS, name)) return MORE_FUNCTIONS[name]!(args, ctx);
  if (Object.hasOwn(CATALOG_FUNCTIONS, name) && ctx.env) return CATALOG_FUNCTIONS[name]!(args, { ...ctx, env: ctx.env });
  return undefined;
}
