/**
 * SQL cursors over HTTP: DECLARE, FETCH, CLOSE and pg_catalog.pg_cursors, after CrateDB's
 * DeclarePlan, FetchPlan, ClosePlan, io.crate.session.Cursor / Cursors and Session (5.2.1 and later:
 * the same code in 5.10 and 6.x). An HTTP connection keeps one session, so a cursor lives as long as
 * its connection (or its transaction), and BEGIN / COMMIT, otherwise no-ops, matter here: BEGIN puts the
 * session in a transaction, which a DECLARE without WITH HOLD needs, and COMMIT closes those cursors.
 *
 * CrateDB's cursors are insensitive (AstBuilder ignores ASENSITIVE / INSENSITIVE): the query starts when
 * the cursor is declared and reads the shards as they were then. Here its rows are read whole at DECLARE,
 * which gives the same rows; FETCH replays CrateDB's position arithmetic over them (Cursor.triggerConsumer),
 * quirks included, because a client sees them: a NO SCROLL cursor buffers no row, so FETCH ABSOLUTE on it
 * fails with `total rows: 0`; PRIOR parses as NEXT; LAST is ABSOLUTE -1, which returns nothing.
 */
import type { Session } from '../contract.js';
import { CrateError, sqlParse, unsupportedFeature } from './errors.js';
import { quoteIfNeeded } from './format.js';
import { identName, type Ctx, type Token } from './parse.js';
import { isPgError, mapPgError } from './pg-errors.js';
import { rowcountStatement, type Outcome, type Prepared } from './run.js';
import type { Env } from './scope.js';
import { prepareSelect } from './stmt-select.js';
import { viewDefinition } from './view-format.js';

interface Cursor {
  name: string;
  /** pg_cursors' `statement`: SqlFormatter's text of the DECLARE. */
  statement: string;
  hold: boolean;
  scroll: boolean;
  created: number;
  cols: string[];
  types: Extract<Outcome, { kind: 'rows' }>['types'];
  oids: number[];
  /** The query's whole result; CrateDB reads it lazily, in this order. */
  result: unknown[][];
  /** Rows taken from the query so far (its iterator's position). */
  consumed: number;
  /** The query's iterator reported its end once. */
  exhausted: boolean;
  /** Cursor.cursorPosition: 0 before the first row, n on row n. */
  position: number;
  /** The query failed while it ran; CrateDB only hands the failure to the FETCH that reads the result. */
  failure?: CrateError;
  /** False when a second DECLARE of the name replaced it: CrateDB never starts that one's query. */
  started: boolean;
  /** Insertion order in CrateDB's HashMap, which pg_cursors lists in. */
  seq: number;
}

interface SessionCursors {
  /** Session.currentTransactionState is IN_TRANSACTION. */
  inTransaction: boolean;
  /** DISCARD ALL closes the session, which takes it out of the node's registry that pg_cursors reads. */
  listed: boolean;
  cursors: Map<string, Cursor>;
  /** The HashMap's table size: 16, doubled whenever it holds more than three quarters of it. */
  capacity: number;
  inserted: number;
}

const sessions = new WeakMap<Session, SessionCursors>();

function stateOf(session: Session): SessionCursors {
  let s = sessions.get(session);
  if (!s) {
    s = { inTransaction: false, listed: true, cursors: new Map(), capacity: 16, inserted: 0 };
    sessions.set(session, s);
  }
  return s;
}

const noCursor = (name: string): CrateError => sqlParse(`No cursor named \`${name}\` available`);

/** The query node of a DECLARE: `queryNoWith` as a `query` without WITH (the grammar allows none). */
function queryOf(noWith: Ctx): Ctx {
  return { with_: () => null, with: () => null, queryNoWith: () => noWith, children: [noWith] };
}

/**
 * DECLARE name [ASENSITIVE | INSENSITIVE] [[NO] SCROLL] CURSOR [{WITH | WITHOUT} HOLD] FOR query.
 * The order of the checks is CrateDB's: the query's analysis (relations, privileges) and BINARY first,
 * then in DeclarePlan the transaction, then Cursors.add, which puts the new cursor in before it sees the
 * name taken, so the new one replaces the old and its query never runs.
 */
export function prepareDeclare(node: Ctx, env: Env, tokens: Token[]): Prepared {
  const params = node.declareCursorParams();
  if ((params.BINARY() as unknown[]).length > 0) throw unsupportedFeature('BINARY mode in DECLARE is not supported');
  const name = identName(node.ident());
  const hold = node.HOLD() !== null && node.WITH() !== null;
  const scroll = (params.NO() as unknown[]).length === 0 && (params.SCROLL() as unknown[]).length > 0;
  const query = queryOf(node.queryNoWith());
  const select = prepareSelect({ query: () => query }, env, tokens);
  const statement = `DECLARE ${quoteIfNeeded(name)} ${scroll ? 'SCROLL' : 'NO SCROLL'} CURSOR ${hold ? 'WITH' : 'WITHOUT'} HOLD FOR ${viewDefinition(query, env.version)}`;
  return {
    returnsRows: false,
    maxParam: select.maxParam,
    async run(ctx, args) {
      let outcome: Outcome | undefined;
      let failure: CrateError | undefined;
      try {
        outcome = await select.run(ctx, args);
      } catch (e) {
        // The engine's own errors stand for CrateDB's analysis (privileges, casts of arguments); PG's are the query's.
        if (!isPgError(e)) throw e;
        failure = mapPgError(e);
      }
      const state = stateOf(ctx.session);
      if (!hold && !state.inTransaction) throw unsupportedFeature('DECLARE CURSOR can only be used in transaction blocks');
      const rows = outcome?.kind === 'rows' ? outcome : undefined;
      const cursor: Cursor = {
        name, statement, hold, scroll, created: ctx.state.clock.now(),
        cols: rows?.cols ?? [], types: rows?.types ?? [], oids: rows?.oids ?? [], result: rows?.rows ?? [],
        consumed: 0, exhausted: false, position: 0, started: true, seq: 0,
        ...(failure ? { failure } : {}),
      };
      const previous = state.cursors.get(name);
      if (previous) {
        state.cursors.set(name, { ...cursor, started: false, seq: previous.seq });
        throw new CrateError(500, 5000, `IllegalStateException[Cursor \`${name}\` already exists]`);
      }
      state.cursors.set(name, { ...cursor, seq: state.inserted++ });
      if (state.cursors.size > state.capacity * 0.75) state.capacity *= 2;
      return { kind: 'count', rowcount: 0 };
    },
  };
}

type Mode = 'move' | 'relative' | 'absolute';

const LONG_MAX = 2n ** 63n - 1n;
const INT_MAX = 2 ** 31 - 1;

/** AstBuilder.visitFetch's normalized direction: no direction, NEXT, PRIOR, FORWARD are MOVE 1; ALL is Long.MAX_VALUE. */
function direction(d: Ctx | null): { mode: Mode; count: bigint } {
  if (!d) return { mode: 'move', count: 1n };
  // Long.parseLong of the literal: beyond the long range it throws NumberFormatException (an IllegalArgumentException).
  const literal = (): bigint => {
    const text: string = d.integerLiteral().getText();
    const n = BigInt(text);
    if (n > LONG_MAX) throw sqlParse(`For input string: "${text}"`);
    return n;
  };
  if (d.FIRST()) return { mode: 'absolute', count: 1n };
  if (d.LAST()) return { mode: 'absolute', count: -1n };
  if (d.ABSOLUTE()) return { mode: 'absolute', count: literal() };
  if (d.RELATIVE()) return { mode: 'relative', count: d.MINUS() ? -literal() : literal() };
  let count = d.ALL() ? LONG_MAX : d.integerLiteral() ? literal() : 1n;
  if (d.BACKWARD()) count = -count;
  return { mode: 'move', count };
}

/** The count as the int Cursor works with: ±Long.MAX_VALUE (ALL) become ±Integer.MAX_VALUE, others are narrowed. */
function intCount(count: bigint): number {
  if (count === LONG_MAX) return INT_MAX;
  if (count === -LONG_MAX) return -INT_MAX;
  return Number(BigInt.asIntN(32, count));
}

/** Cursor.newCursorPosition: Math.addExact, Integer.MAX_VALUE on overflow. */
function advanced(position: number, count: number): number {
  const sum = position + count;
  return sum > INT_MAX ? INT_MAX : sum;
}

/** Only a SCROLL cursor keeps the rows it read (Cursor.rows); a NO SCROLL one keeps none. */
const buffered = (c: Cursor): number => (c.scroll ? c.consumed : 0);

/** The query iterator's moveNext, through Cursor's BufferingBatchIterator. */
function nextRow(c: Cursor): unknown[] | undefined {
  if (c.consumed < c.result.length) return c.result[c.consumed++];
  c.exhausted = true;
  return undefined;
}

/** BatchIterator.move: up to `steps` rows, stopping at the end. */
function skip(c: Cursor, steps: number): void {
  for (let i = 0; i < steps; i++) if (nextRow(c) === undefined) return;
}

/** Cursor.bufferedRowOrNone, with ArrayList.get's bounds check where CrateDB has buffered nothing. */
function rowOrNone(c: Cursor, idx: number): unknown[][] {
  const size = buffered(c);
  if (idx < 0 || (c.position >= size && c.exhausted)) return [];
  if (idx >= size) throw new CrateError(500, 5000, `IndexOutOfBoundsException[Index ${idx} out of bounds for length ${size}]`);
  return [c.result[idx]!];
}

/** Cursor.triggerConsumer: the rows one FETCH returns, moving the cursor as CrateDB does. */
function fetchRows(c: Cursor, mode: Mode, longCount: bigint): unknown[][] {
  const count = intCount(longCount);
  const forward = ((mode === 'move' || mode === 'relative') && count >= 0) || (mode === 'absolute' && count > c.position);
  if (!forward && !c.scroll) throw sqlParse('Cannot move backward if cursor was created with NO SCROLL');
  if (c.position > buffered(c) + 1) c.position = buffered(c) + 1;

  if (mode === 'absolute') {
    if (count < buffered(c)) {
      c.position = Math.max(count, 0);
      return rowOrNone(c, count - 1);
    }
    skip(c, (count - c.position + 1) | 0);
    if (count > buffered(c)) throw sqlParse(`Cannot return row: ${count}, total rows: ${buffered(c)}`);
    const rows = rowOrNone(c, count - 1);
    c.position = count;
    return rows;
  }
  if (mode === 'relative') {
    const target = advanced(c.position, count);
    if (target < buffered(c)) {
      c.position = Math.max(target, 0);
      return rowOrNone(c, c.position - 1);
    }
    skip(c, (target - c.position + 1) | 0);
    c.position = target;
    return rowOrNone(c, c.position - 1);
  }
  if (forward) {
    if (count === 0) return rowOrNone(c, c.position > buffered(c) ? c.position - 2 : c.position - 1);
    // A scroll cursor moved back first replays what it buffered, then reads on.
    const replay = c.scroll && c.position < buffered(c) ? c.result.slice(c.position, buffered(c)) : [];
    c.position = advanced(c.position, count);
    const rows = replay.slice(0, count);
    while (rows.length < count) {
      const row = nextRow(c);
      if (row === undefined) break;
      rows.push(row);
    }
    return rows;
  }
  const start = c.position + count;
  const rows = c.result.slice(Math.max(start - 1, 0), Math.max(c.position - 1, 0)).reverse();
  c.position = Math.max(start, 0);
  return rows;
}

/** FETCH [direction] [FROM | IN] name: the query's columns and types, the rows the move spans. */
export function prepareFetch(node: Ctx): Prepared {
  const name = identName(node.ident());
  const { mode, count } = direction(node.direction());
  return {
    returnsRows: true,
    maxParam: 0,
    async run(ctx) {
      const cursor = stateOf(ctx.session).cursors.get(name);
      if (!cursor) throw noCursor(name);
      // CrateDB's FETCH waits for a query that never starts: no answer at all, which a test cannot use.
      if (!cursor.started) {
        throw unsupportedFeature(`Statement not supported by the test server: FETCH from \`${name}\` after its duplicate DECLARE (CrateDB never answers it)`);
      }
      if (cursor.failure) throw cursor.failure;
      const rows = fetchRows(cursor, mode, count);
      return { kind: 'rows', cols: cursor.cols, types: cursor.types, oids: cursor.oids, rows };
    },
  };
}

/** CLOSE name | ALL: ClosePlan answers one row of 1 whatever it closed. */
export function prepareClose(node: Ctx): Prepared {
  const name = node.ALL() ? undefined : identName(node.ident());
  return rowcountStatement(async (ctx) => {
    const { cursors } = stateOf(ctx.session);
    if (name === undefined) cursors.clear();
    else if (!cursors.delete(name)) throw noCursor(name);
    return 1;
  });
}

/** BEGIN / START TRANSACTION: nothing but the session's transaction state (Session.execute). */
export function prepareBegin(): Prepared {
  return rowcountStatement(async (ctx) => {
    stateOf(ctx.session).inTransaction = true;
    return 0;
  });
}

/** COMMIT / END: the transaction ends and its cursors without HOLD close. */
export function prepareCommit(): Prepared {
  return rowcountStatement(async (ctx) => {
    const state = stateOf(ctx.session);
    state.inTransaction = false;
    for (const [name, c] of state.cursors) if (!c.hold) state.cursors.delete(name);
    return 0;
  });
}

/** DISCARD ALL closes the session (Session.close): every cursor, the transaction, its place in the registry. */
export function prepareDiscard(node: Ctx): Prepared {
  const all = node.ALL() !== null;
  return rowcountStatement(async (ctx) => {
    if (!all) return 0;
    const state = stateOf(ctx.session);
    state.cursors.clear();
    state.inTransaction = false;
    state.listed = false;
    return 0;
  });
}

/** String.hashCode, spread as HashMap.hash does. */
function javaHash(s: string): number {
  let h = 0;
  for (let i = 0; i < s.length; i++) h = (Math.imul(h, 31) + s.charCodeAt(i)) | 0;
  return h ^ (h >>> 16);
}

/**
 * pg_catalog.pg_cursors (PgCursors): the cursors of the sessions the reader may see (its own user's, all
 * with AL; Sessions.getCursors). The engine sees the reading session only, so these are its own, in the
 * order of CrateDB's HashMap: by bucket, then by insertion.
 */
export function pgCursorRows(session: Session): Array<Record<string, unknown>> {
  const state = sessions.get(session);
  if (!state?.listed) return [];
  const bucket = (c: Cursor): number => javaHash(c.name) & (state.capacity - 1);
  return [...state.cursors.values()]
    .sort((a, b) => bucket(a) - bucket(b) || a.seq - b.seq)
    .map((c) => ({
      name: c.name, statement: c.statement, is_holdable: c.hold, is_binary: false, is_scrollable: c.scroll,
      creation_time: new Date(c.created).toISOString(),
    }));
}
