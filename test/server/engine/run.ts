/**
 * Running translated SQL on PGlite: binding CrateDB parameters (coerced to a column's type when the
 * translation knows it, typed from their JSON value when nothing else does), the clock's `now()`,
 * and the statement-level outcome types the engine turns into CrateDB answers.
 */
import type { PGlite } from '@electric-sql/pglite';
import { CrateError, sqlParse } from './errors.js';
import { crateInterval } from './interval.js';
import { NOW_MARK, type Tx } from './scope.js';
import type { EngineState } from './state.js';
import { typeFromPgOid, typeId, typeName, type CrateType } from './types.js';
import { coerce, convertible, guessType, javaString, toPg } from './values.js';
import type { Session } from '../contract.js';

export type Outcome =
  | { kind: 'rows'; cols: string[]; types: Array<CrateType | undefined>; oids: number[]; rows: unknown[][] }
  | { kind: 'count'; rowcount: number }
  | { kind: 'empty' };

export interface BulkItem {
  rowcount: number;
  error?: { code: number; message: string };
}

export interface RunContext {
  state: EngineState;
  session: Session;
}

/** A translated statement, memoized per statement text, session search path, user and catalog version. */
export interface Prepared {
  returnsRows: boolean;
  /** Highest `$n` the statement uses. */
  maxParam: number;
  /** Text of the plan CrateDB names in its too-few-arguments message, when it adds one. */
  planText?: string;
  run(ctx: RunContext, args: unknown[]): Promise<Outcome>;
  /** Bulk execution; absent means the statement runs once per row with the same semantics. */
  runBulk?(ctx: RunContext, rows: unknown[][]): Promise<BulkItem[]>;
}

/** Parsers turning PG text output into CrateDB's JSON values. */
export const PG_PARSERS: Record<number, (s: string) => unknown> = {
  20: (s) => {
    const n = Number(s);
    return Number.isSafeInteger(n) ? n : BigInt(s);
  },
  1700: (s) => Number(s),
  1114: (s) => parsePgTimestamp(s),
  1184: (s) => parsePgTimestamp(s),
  1082: (s) => parsePgTimestamp(s),
  600: (s) => s.slice(1, -1).split(',').map(Number),
  1560: (s) => `B'${s}'`,
  1562: (s) => `B'${s}'`,
  1186: (s) => crateInterval(s),
  869: (s) => s.replace(/\/(32|128)$/, ''),
};

function parsePgTimestamp(s: string): number | null {
  if (s === 'infinity' || s === '-infinity') return null;
  const m = /^(\d{4,})-(\d{2})-(\d{2})(?: (\d{2}):(\d{2}):(\d{2})(?:\.(\d+))?)?([+-]\d{2}(?::?\d{2})?(?::\d{2})?)?( BC)?$/.exec(s);
  if (!m) return Date.parse(s);
  const [, y, mo, d, h = '0', mi = '0', sec = '0', frac = '0', zone] = m;
  let t = Date.UTC(Number(y), Number(mo) - 1, Number(d), Number(h), Number(mi), Number(sec), Math.floor(Number(`0.${frac}`) * 1000));
  if (Number(y) < 100) {
    const dt = new Date(t);
    dt.setUTCFullYear(Number(y));
    t = dt.getTime();
  }
  if (zone) {
    const sign = zone.startsWith('-') ? -1 : 1;
    const [zh = '0', zm = '0'] = zone.slice(1).split(':');
    t -= sign * (Number(zh) * 60 + Number(zm)) * 60_000;
  }
  return t;
}

/** PG type oid for a parameter typed from its JSON value. */
function oidOfJson(v: unknown): number {
  return oidOfType(guessType(v));
}

/** The PG type a JSON value is sent as, from its CrateDB type (which refuses lists mixing kinds). */
function oidOfType(t: CrateType): number {
  const scalars: Partial<Record<CrateType['kind'], number>> = { undefined: 0, boolean: 16, integer: 23, bigint: 20, double: 701, text: 25, object: 3802 };
  if (t.kind !== 'array') return scalars[t.kind] ?? 3802;
  const arrays: Partial<Record<CrateType['kind'], number>> = { undefined: 1009, boolean: 1000, integer: 1007, bigint: 1016, double: 1022, text: 1009, object: 3807 };
  return arrays[t.element.kind] ?? 3807;
}

/** Checks the number of arguments against the placeholders, with CrateDB's message. */
export function checkArgCount(prepared: Prepared, args: unknown[]): void {
  if (prepared.maxParam > args.length) {
    const text = `The query contains a parameter placeholder $${args.length + 1}, but there are only ${args.length} parameter values`;
    if (prepared.planText !== undefined) {
      throw sqlParse(`Couldn't create execution plan from logical plan because of: ${text}:\n${prepared.planText}`);
    }
    throw sqlParse(text);
  }
}

/** Binds CrateDB arguments for a translated statement: values and PG parameter types. */
export function bind(
  tx: Pick<Tx, 'hints' | 'free' | 'maxParam' | 'usesNow'>,
  args: unknown[],
  now: number,
  /** The SQL the values are for: parameters it does not reference (INSERT values go as JSON) are sent as NULL text. */
  sql?: string,
): { values: unknown[]; types: number[] } {
  const values: unknown[] = [];
  const types: number[] = [];
  for (let i = 1; i <= tx.maxParam; i++) {
    const arg = args[i - 1];
    const hint = tx.hints.get(i);
    if (sql !== undefined && !new RegExp(`\\$${i}(?![0-9])`).test(sql)) {
      values.push(null);
      types.push(25);
    } else if (hint && hint.kind !== 'undefined') {
      // 6.4 types parameters from their JSON value; a value of an incompatible kind (an array for a
      // scalar) fails as a cast. Earlier versions fail the same way when the value is converted.
      if (!convertible(guessType(arg), hint)) {
        throw sqlParse(`Cannot cast value \`${javaString(arg)}\` to type \`${typeName(hint)}\``);
      }
      const v = coerce(arg, hint, { kind: 'param' }, { column: '', added: [] });
      values.push(toPg(v, hint));
      types.push(hint.kind === 'object' ? 3802 : 0);
    } else if (tx.free.has(i)) {
      values.push(arg ?? null);
      types.push(oidOfJson(arg));
    } else {
      values.push(arg === undefined ? null : arg);
      types.push(typeof arg === 'object' && arg !== null && !Array.isArray(arg) ? 3802 : 0);
    }
  }
  if (tx.usesNow) {
    values.push(new Date(now).toISOString());
    types.push(1184);
  }
  return { values, types };
}

/** Replaces the `now()` marker with the parameter after the user's ones. */
export function finishSql(sql: string, tx: Pick<Tx, 'maxParam' | 'usesNow'>): string {
  return tx.usesNow ? sql.split(NOW_MARK).join(`CAST($${tx.maxParam + 1} AS timestamptz)`) : sql;
}

export interface PgRows {
  rows: unknown[][];
  fields: Array<{ name: string; dataTypeID: number }>;
  affectedRows?: number;
}

/** Runs one query with array rows. */
export async function query(pg: PGlite, sql: string, values: unknown[] = [], types?: number[]): Promise<PgRows> {
  const r = await pg.query<unknown[]>(sql, values, { rowMode: 'array', ...(types && types.some((t) => t !== 0) ? { paramTypes: types } : {}) });
  return { rows: r.rows, fields: r.fields, ...(r.affectedRows === undefined ? {} : { affectedRows: r.affectedRows }) };
}

/** `col_types` for a result: the inferred CrateDB type, else the PG column's. */
export function colTypes(types: Array<CrateType | undefined>, oids: number[]): unknown[] {
  return types.map((t, i) => typeId(t === undefined || (t.kind === 'undefined' && oids[i] !== 25) ? typeFromPgOid(oids[i] ?? 25) : t));
}

export function internal(message: string): CrateError {
  return new CrateError(500, 5000, `SQLException[${message}]`);
}

/** A statement answering only a rowcount (DDL, users, session settings). */
export function rowcountStatement(run: (ctx: RunContext) => Promise<number>): Prepared {
  return { returnsRows: false, maxParam: 0, run: async (ctx) => ({ kind: 'count', rowcount: await run(ctx) }) };
}
