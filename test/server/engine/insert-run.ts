/**
 * Running a prepared INSERT: every row converted in JS first (one bad value fails the request, nothing
 * written), generated values checked, dynamic sub-columns recorded, then one PG statement writes all
 * rows. The constraints CrateDB's Indexer checks on the shard (NOT NULL, a generated column's given value,
 * CHECK) fail only their own row in a 6.4 bulk request (rowcount -2, as the recorded CHECK failure does);
 * INSERT ... SELECT, and on 6.4 an INSERT of several VALUES rows, skip such a row, like a duplicate key,
 * without an error (the rowcount counts the rows written); anywhere else the first failing row fails the
 * request.
 */
import type { ColumnDef, TableDef } from './catalog.js';
import { CrateError, duplicateKey, sqlParse } from './errors.js';
import { storedExpr, tableRelation } from './assignments.js';
import { format, quoteIdent } from './format.js';
import { parseExpression } from './parse.js';
import { constraintError, isPgError, type PgError } from './pg-errors.js';
import { checkPrivileges } from './privileges.js';
import { bind, finishSql, query, type BulkItem, type Outcome, type RunContext } from './run.js';
import { Scope, Tx } from './scope.js';
import { markDirty, periodicRefresh, tableSnapshot } from './storage.js';
import { pgType, typeName, type CrateType } from './types.js';
import { addFields, coerce, convertible, guessType, javaString, toPg, type CoerceContext, type Source } from './values.js';

/** Where the JSON records parameter goes once the parameter count is known. */
export const RECORDS_MARK = '\u0000records\u0000';

/** One VALUES item: a constant (literal or parameter) or an expression evaluated by PG first. */
export type Item = { kind: 'const'; source: Source; value?: unknown; param?: number } | { kind: 'eval'; index: number };

/** A translated INSERT. */
export interface Compiled {
  table: TableDef;
  columns: ColumnDef[];
  /** VALUES rows (items per column), or a source query. */
  rows?: Item[][];
  source?: { sql: string; tx: Tx };
  evalSql?: string;
  sql: string;
  returning?: { cols: string[]; types: Array<CrateType | undefined> };
  onConflict: 'none' | 'nothing' | 'update';
  tx: Tx;
}

/**
 * The rows as they will be stored, before generated columns: given values from the JSON records, the
 * DEFAULT of every column not given, NULL otherwise (ordered by `$ord`, the row's place in the request).
 */
export function baseRowsSql(c: Compiled, tx: Tx): string {
  const { table, columns } = c;
  const provided = new Set(columns.map((x) => x.name));
  const recordCols = [`"$ord" integer`, ...columns.map((col) => `${quoteIdent(col.name)} ${pgType(col.type)}`)];
  const inner: string[] = [`x."$ord"`];
  for (const col of table.columns) {
    if (col.generated !== undefined) continue;
    if (provided.has(col.name)) inner.push(`x.${quoteIdent(col.name)}`);
    else if (col.defaultExpr !== undefined) inner.push(`CAST(${storedExpr(col.defaultExpr, new Scope([]), tx).sql} AS ${pgType(col.type)}) AS ${quoteIdent(col.name)}`);
    else inner.push(`CAST(NULL AS ${pgType(col.type)}) AS ${quoteIdent(col.name)}`);
  }
  return `SELECT ${inner.join(', ')} FROM jsonb_to_recordset(${RECORDS_MARK}) AS x(${recordCols.join(', ')})`;
}

interface RowValues {
  /** Canonical values per insert column. */
  values: unknown[];
  record: Record<string, unknown>;
  /** The row's first failed constraint (a 6.4 bulk request writes the other rows). */
  failure?: CrateError;
  /** NOT NULL of a column the INSERT does not name: a table constraint, checked after the columns'. */
  missing?: CrateError;
}

/** Converts one row's items to canonical values with CrateDB's checks. */
function convertRow(c: Compiled, items: Item[], args: unknown[], evaluated: unknown[], added: CoerceContext['added'][], version: '6.4' | '5.10'): RowValues {
  const record: Record<string, unknown> = {};
  const values: unknown[] = [];
  let failure: CrateError | undefined;
  c.columns.forEach((col, j) => {
    const item = items[j]!;
    let raw: unknown;
    let source: Source;
    if (item.kind === 'eval') {
      raw = evaluated[item.index];
      source = { kind: 'evaluated' };
    } else if (item.param !== undefined) {
      raw = args[item.param - 1];
      source = item.source;
      if (version === '6.4' && !convertible(guessType(raw), col.type)) {
        throw sqlParse(`Cannot convert VALUES element in row 1 of type \`${typeName(guessType(raw))}\` to \`${typeName(col.type)}\` for \`${col.name}\``);
      }
    } else {
      raw = item.value;
      source = item.source;
    }
    const ctx: CoerceContext = { column: col.name, added: [] };
    const v = coerce(raw, col.type, source, ctx);
    added.push(ctx.added);
    if (v === null && c.table.primaryKey.includes(col.name)) throw sqlParse('A primary key value must not be NULL');
    if (v === null && col.notNull) failure ??= sqlParse(`"${col.name}" must not be null`);
    values.push(v);
    record[col.name] = toPg(v, col.type);
  });
  const absent = c.table.columns.find((col) => col.notNull && !c.columns.includes(col) && col.defaultExpr === undefined && col.generated === undefined);
  return {
    values, record, ...(failure ? { failure } : {}), ...(absent ? { missing: sqlParse(`"${absent.name}" must not be null`) } : {}),
  };
}

export async function runInsert(c: Compiled, ctx: RunContext, argRows: unknown[][], bulk: boolean): Promise<{ outcome: Outcome; items: BulkItem[] }> {
  const { state } = ctx;
  const env = c.tx.env;
  checkPrivileges(env.user, c.tx.privileges);
  const now = state.clock.now();
  // Every row is converted before anything is written: one bad value fails the whole request. A row that
  // fails a constraint fails alone (`isolated`) in a 6.4 bulk request, and is skipped without an error
  // (`silent`: not counted) by INSERT ... SELECT (insert_select_fail_fast is off) and by a 6.4 INSERT of
  // several VALUES rows (its shard requests continue on errors).
  const silent = c.source !== undefined || (!bulk && (c.rows?.length ?? 0) > 1 && state.version === '6.4');
  const isolated = silent || (bulk && state.version === '6.4');
  const rows: RowValues[] = [];
  const added: CoerceContext['added'][] = [];
  const rowOf: number[] = [];
  if (c.source) {
    for (const [t, mode] of c.source.tx.reads) if (mode === 'shadow') await periodicRefresh(state.pg, t, now);
    const { values, types } = bind(c.source.tx, argRows[0] ?? [], now);
    const r = await query(state.pg, c.source.sql, values, types);
    for (const row of r.rows) {
      const items: Item[] = row.map((v) => ({ kind: 'const', source: { kind: 'evaluated' }, value: v }));
      rows.push(convertRow(c, items, [], [], added, state.version));
      rowOf.push(0);
    }
  } else {
    for (const [i, args] of argRows.entries()) {
      let evaluated: unknown[] = [];
      if (c.evalSql) {
        const evalSql = finishSql(c.evalSql, c.tx);
        const { values, types } = bind(c.tx, args, now, evalSql);
        evaluated = (await query(state.pg, evalSql, values, types)).rows[0] ?? [];
      }
      for (const items of c.rows!) {
        rows.push(failFast(convertRow(c, items, args, evaluated, added, state.version), isolated));
        rowOf.push(i);
      }
    }
  }
  await checkGenerated(c, ctx, rows, now);
  for (const row of rows) {
    row.failure ??= row.missing;
    if (row.failure && !isolated) throw row.failure;
  }
  applyDynamicColumns(c, added, state);

  const valid = rows.flatMap((row, k) => (row.failure ? [] : [k]));
  const results = valid.length === 0 && rows.length > 0
    ? { written: [], returned: [], oids: [] }
    : await write(c, ctx, valid.map((k) => rows[k]!), argRows[0] ?? [], now, isolated);
  const items: BulkItem[] = argRows.map(() => ({ rowcount: 0 }));
  rows.forEach((row, k) => {
    if (row.failure) items[rowOf[k]!] = { rowcount: -2, error: { code: row.failure.code, message: row.failure.message } };
  });
  let written = 0;
  results.written.forEach((ok, w) => {
    if (ok === true) written++;
    const item = items[rowOf[valid[w]!]!]!;
    if (item.rowcount === -2) return;
    if (ok === true) {
      item.rowcount += 1;
    } else if (ok === false) {
      if (c.onConflict === 'none') {
        item.rowcount = -2;
        item.error = { code: 4091, message: duplicateKey().message };
      }
    } else {
      item.rowcount = -2;
      item.error = { code: ok.code, message: ok.message };
    }
  });
  if (c.returning) {
    return { outcome: { kind: 'rows', cols: c.returning.cols, types: c.returning.types, oids: results.oids, rows: results.returned }, items };
  }
  if (!bulk && !silent && rows.length === 1 && results.written[0] === false && c.onConflict === 'none') throw duplicateKey();
  if (!bulk && !silent) {
    const failed = results.written.find((w) => typeof w === 'object');
    if (failed && typeof failed === 'object') throw new CrateError(400, failed.code, failed.message);
  }
  return { outcome: { kind: 'count', rowcount: written }, items };
}

type Written = true | false | { code: number; message: string };

/** Writes the rows; `isolated`: a row that fails a CHECK fails alone (else the first one fails the request). */
async function write(c: Compiled, ctx: RunContext, rows: RowValues[], args: unknown[], now: number, isolated: boolean): Promise<{ written: Written[]; returned: unknown[][]; oids: number[] }> {
  try {
    return await writeBatch(c, ctx, rows, args, now);
  } catch (e) {
    if (!isPgError(e)) throw e;
    const perRow = (e.code === '23514' && isolated) || e.code === '21000';
    if (e.code === '23514' && rows.length > 1 && !perRow) throw await firstFailure(c, ctx, rows, args, now, e);
    if (!perRow || rows.length <= 1) throw constraintError(e, c.table, rows.length === 1 ? rows[0]!.values : undefined, c.columns);
    const written: Written[] = [];
    const returned: unknown[][] = [];
    let oids: number[] = [];
    for (const row of rows) {
      try {
        const r = await writeBatch(c, ctx, [row], args, now);
        written.push(r.written[0]!);
        returned.push(...r.returned);
        oids = r.oids;
      } catch (inner) {
        if (!isPgError(inner) || inner.code !== '23514') throw inner;
        const err = constraintError(inner, c.table, row.values, c.columns);
        written.push({ code: err.code, message: err.message });
      }
    }
    return { written, returned, oids };
  }
}

/** The error of the first row that fails a CHECK, found by trying each row in a rolled-back transaction. */
async function firstFailure(c: Compiled, ctx: RunContext, rows: RowValues[], args: unknown[], now: number, fallback: PgError): Promise<CrateError> {
  const { pg } = ctx.state;
  const restore = tableSnapshot(c.table);
  await pg.exec('BEGIN');
  try {
    for (const row of rows) {
      await pg.exec('SAVEPOINT row');
      try {
        await writeBatch(c, ctx, [row], args, now);
      } catch (inner) {
        if (isPgError(inner) && inner.code === '23514') return constraintError(inner, c.table, row.values, c.columns);
        throw inner;
      }
    }
    return constraintError(fallback, c.table, undefined, c.columns);
  } finally {
    await pg.exec('ROLLBACK');
    restore();
  }
}

async function writeBatch(c: Compiled, ctx: RunContext, rows: RowValues[], args: unknown[], now: number): Promise<{ written: Written[]; returned: unknown[][]; oids: number[] }> {
  const { state } = ctx;
  const records = rows.map((r, i) => ({ ...r.record, $ord: i }));
  const { values, types } = bind(c.tx, args, now, c.sql);
  const recordsParam = `CAST($${c.tx.maxParam + (c.tx.usesNow ? 2 : 1)} AS jsonb)`;
  const sql = finishSql(c.sql, c.tx).split(RECORDS_MARK).join(recordsParam);
  const r = await query(state.pg, sql, [...values, jsonText(records)], [...types, 3802]);
  if (c.returning) {
    const ids = r.rows.map((row) => row[0] as string);
    markDirty(c.table, ids, now);
    return { written: rows.map(() => true), returned: r.rows.map((row) => row.slice(1)), oids: r.fields.slice(1).map((f) => f.dataTypeID) };
  }
  const seen = new Set<string>();
  const written: Written[] = [];
  const ids: string[] = [];
  for (const row of r.rows) {
    const id = row[1] as string;
    const ok = row[2] === true && !seen.has(id);
    if (ok) {
      seen.add(id);
      ids.push(id);
    }
    written.push(ok);
  }
  markDirty(c.table, ids, now);
  return { written, returned: [], oids: [] };
}

/** A row's NOT NULL failure fails the request at once, before later rows are cast, unless each row stands alone. */
function failFast(row: RowValues, isolated: boolean): RowValues {
  const failure = row.failure ?? row.missing;
  if (failure && !isolated) throw failure;
  return row;
}

/** A value given for a generated column must equal its computation (else the row's failure). */
async function checkGenerated(c: Compiled, ctx: RunContext, rows: RowValues[], now: number): Promise<void> {
  const gens = c.columns.filter((x) => x.generated !== undefined);
  if (gens.length === 0 || rows.length === 0) return;
  const tx = new Tx(c.tx.env, []);
  const rel = tableRelation(c.table, 'b');
  rel.columns = c.table.columns.filter((x) => x.generated === undefined).map((x) => ({ name: x.name, type: x.type }));
  const exprs = gens.map((g) => storedExpr(g.generated!, new Scope([rel]), tx).sql);
  const base = baseRowsSql(c, tx);
  // finishSql puts now() at $1 (no user parameters here), the records after it.
  const records = `CAST($${tx.usesNow ? 2 : 1} AS jsonb)`;
  const sql = finishSql(`SELECT ${exprs.join(', ')} FROM (${base}) b ORDER BY b."$ord"`, tx).split(RECORDS_MARK).join(records);
  const recs = jsonText(rows.map((r, i) => ({ ...r.record, $ord: i })));
  const res = await query(ctx.state.pg, sql, tx.usesNow ? [new Date(now).toISOString(), recs] : [recs]);
  res.rows.forEach((computedRow, i) => {
    const row = rows[i]!;
    gens.forEach((g, k) => {
      const given = row.values[c.columns.indexOf(g)];
      const computed = computedRow[k];
      if (row.failure === undefined && given !== null && given !== undefined && Number(given) !== Number(computed) && given !== computed) {
        const text = format(parseExpression(g.generated!, c.tx.env.version));
        row.failure = sqlParse(`Given value ${javaString(given, g.type)} for generated column ${g.name} does not match calculation ${text} = ${javaString(computed, g.type)}`);
      }
    });
  });
}

/** Records the sub-columns dynamic objects gained (visible in information_schema). */
function applyDynamicColumns(c: Compiled, added: CoerceContext['added'][], state: RunContext['state']): void {
  let changed = false;
  added.forEach((list, k) => {
    const col = c.columns[k % c.columns.length]!;
    for (const a of list) {
      if (addFields(col.type, a.path, a.type, () => c.table.nextPosition++)) changed = true;
    }
  });
  if (changed) state.catalog.touch();
}

/** JSON of the rows; integers beyond 2^53 (bigint) travel as strings, which PG parses into bigint columns exactly. */
function jsonText(value: unknown): string {
  return JSON.stringify(value, (_k, v: unknown) => (typeof v === 'bigint' ? v.toString() : v));
}

