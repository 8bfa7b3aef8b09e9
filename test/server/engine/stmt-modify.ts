/**
 * UPDATE and DELETE with CrateDB's visibility: addressed by whole primary keys they apply to the live
 * rows at once; with any other WHERE they touch only the rows the last refresh made searchable (rows
 * written since are not found, rowcount 0). Optimistic concurrency (`_seq_no`, `_primary_term`) is
 * just part of the WHERE on the live row. In a bulk request a key that matches nothing is a failed row
 * (DocumentMissingException, 40411), so is a row that breaks a CHECK or NOT NULL; any other error fails
 * the request with none of its rows applied.
 */
import { checkOpen, type TableDef } from './catalog.js';
import { CrateError, sqlParse } from './errors.js';
import { expr } from './expr.js';
import { format, quoteIdent } from './format.js';
import { identName, qnameParts, ruleName, type Ctx, type Token } from './parse.js';
import { constraintError, isPgError } from './pg-errors.js';
import { compositeId } from './doc-id.js';
import { checkVersioning, hasVersionCondition, keyColumns, oneDocument, pkLookup, type DocKey } from './pklookup.js';
import { validateWhere } from './where-rules.js';
import { checkPrivileges } from './privileges.js';
import { bind, finishSql, query, type BulkItem, type Outcome, type Prepared, type RunContext } from './run.js';
import { Scope, Tx, type Env, type Typed } from './scope.js';
import { existingTable } from './stmt-ddl.js';
import { whereSql } from './query.js';
import { updateAssignments } from './assignments.js';
import { allOrNothing, markDirty, periodicRefresh, pgTableName } from './storage.js';
import type { CrateType } from './types.js';
import { javaString } from './values.js';

interface Compiled {
  table: TableDef;
  alias: string;
  tx: Tx;
  sql: string;
  keys: DocKey[] | undefined;
  versioned: boolean;
  returning?: { cols: string[]; types: Array<CrateType | undefined> };
  /** A DELETE on partition columns only: it drops partitions and answers -1. */
  dropsPartitions?: boolean;
  /** For CHECK messages of UPDATE: the new row's non-generated values. */
  newRowSql?: string;
}

function target(node: Ctx, env: Env, operation: 'UPDATE' | 'DELETE'): { table: TableDef; alias: string } {
  const aliased = node.aliasedRelation();
  const primary = aliased.relationPrimary();
  if (ruleName(primary) !== 'TableRelationContext' || ruleName(primary.table()) !== 'TableNameContext') {
    throw sqlParse(`Cannot modify ${format(primary)}`);
  }
  const qname = primary.table().qname();
  const table = existingTable(qname, env, operation);
  checkOpen(table, operation);
  const parts = qnameParts(qname);
  return { table, alias: aliased.ident() ? identName(aliased.ident()) : parts[parts.length - 1]! };
}

function whereParts(c: { table: TableDef; alias: string; tx: Tx }, where: Ctx | undefined): { clause: string; keys: DocKey[] | undefined } {
  if (where) validateWhere(where);
  const keys = pkLookup(where, c.table, c.alias);
  checkVersioning(where, keys);
  c.tx.visibility = keys ? 'live' : 'shadow';
  const scope = new Scope([{ alias: c.alias, columns: c.table.columns.map((x) => ({ name: x.name, type: x.type })), table: c.table }]);
  const cond = where ? whereSql(where, scope, c.tx) : 'TRUE';
  const a = quoteIdent(c.alias);
  if (keys) return { clause: cond, keys };
  c.tx.reads.set(c.table, 'shadow');
  return { clause: `${a}."_id" IN (SELECT ${a}."_id" FROM ${pgTableName(c.table, 'shadow')} AS ${a} WHERE ${cond})`, keys: undefined };
}

function onlyPartitionColumns(where: Ctx, t: TableDef): boolean {
  if (t.partitionedBy.length === 0) return false;
  const names = new Set<string>();
  const walk = (n: Ctx): void => {
    if (ruleName(n) === 'ColumnReferenceContext') names.add(identName(n.ident()));
    for (const k of (n.children as Ctx[] | null) ?? []) if (k.children) walk(k);
  };
  walk(where);
  return names.size > 0 && [...names].every((n) => t.partitionedBy.includes(n));
}

function returningSql(c: Compiled, node: Ctx): string {
  const ret = node.returning?.();
  if (!ret) return '';
  const scope = new Scope([{ alias: c.alias, columns: c.table.columns.map((x) => ({ name: x.name, type: x.type })), table: c.table }]);
  const cols: string[] = [];
  const types: Array<CrateType | undefined> = [];
  let sql = '';
  for (const item of ret.selectItem() as Ctx[]) {
    if (ruleName(item) === 'SelectAllContext') {
      for (const col of c.table.columns) {
        sql += `, ${quoteIdent(c.alias)}.${quoteIdent(col.name)}`;
        cols.push(col.name);
        types.push(col.type);
      }
      continue;
    }
    const v: Typed = expr(item.expr(), scope, c.tx);
    sql += `, ${v.sql}`;
    cols.push(item.ident() ? identName(item.ident()) : format(item.expr()));
    types.push(v.type);
  }
  c.returning = { cols, types };
  return sql;
}

export function prepareUpdate(node: Ctx, env: Env, tokens: Token[]): Prepared {
  const { table, alias } = target(node, env, 'UPDATE');
  const tx = new Tx(env, tokens);
  tx.need(table.schema, 'DML', table.name);
  const c: Compiled = { table, alias, tx, sql: '', keys: undefined, versioned: false };
  const { sql: sets, set } = updateAssignments(table, node.assignment() as Ctx[], tx, false, alias);
  const where = node.where()?.condition;
  const { clause, keys } = whereParts(c, where);
  c.keys = keys;
  c.versioned = hasVersionCondition(where);
  const a = quoteIdent(alias);
  const ret = returningSql(c, node);
  c.sql = finishSql(`UPDATE ${pgTableName(table, 'live')} AS ${a} SET ${sets.join(', ')} WHERE ${clause} RETURNING ${a}."_id"${ret}`, tx);
  const newRow = table.columns.filter((x) => x.generated === undefined).map((x) => set.get(x.name)?.sql ?? `${a}.${quoteIdent(x.name)}`);
  c.newRowSql = finishSql(`SELECT ${newRow.join(', ')} FROM ${pgTableName(table, 'live')} AS ${a} WHERE ${clause} LIMIT 1`, tx);
  return prepared(c);
}

export function prepareDelete(node: Ctx, env: Env, tokens: Token[]): Prepared {
  const { table, alias } = target(node, env, 'DELETE');
  const tx = new Tx(env, tokens);
  tx.need(table.schema, 'DML', table.name);
  const c: Compiled = { table, alias, tx, sql: '', keys: undefined, versioned: false };
  const where = node.where()?.condition;
  const { clause, keys } = whereParts(c, where);
  c.keys = keys;
  c.versioned = hasVersionCondition(where);
  c.sql = finishSql(`DELETE FROM ${pgTableName(table, 'live')} AS ${quoteIdent(alias)} WHERE ${clause} RETURNING ${quoteIdent(alias)}."_id"`, tx);
  if (where && onlyPartitionColumns(where, table)) {
    // Whole partitions go, written rows and refreshed ones alike; CrateDB answers rowcount -1.
    const cond = expr(where, new Scope([{ alias, columns: table.columns.map((x) => ({ name: x.name, type: x.type })), table }]), tx).sql;
    const a = quoteIdent(alias);
    c.sql = finishSql(`WITH s AS (DELETE FROM ${pgTableName(table, 'shadow')} AS ${a} WHERE ${cond}) DELETE FROM ${pgTableName(table, 'live')} AS ${a} WHERE ${cond} RETURNING ${a}."_id"`, tx);
    c.dropsPartitions = true;
  }
  return prepared(c);
}

function prepared(c: Compiled): Prepared {
  return {
    returnsRows: c.returning !== undefined,
    maxParam: c.tx.maxParam,
    run: async (ctx, args) => (await runOnce(c, ctx, args)).outcome,
    async runBulk(ctx, rows) {
      // A value that cannot be cast fails the whole request before any row is applied.
      const now = ctx.state.clock.now();
      for (const args of rows) bind(c.tx, args, now);
      // Any other error that fails the request (a `/ by zero` in row 3) leaves rows 1 and 2 unapplied too,
      // as CrateDB evaluates every row before it sends the shard requests: the rows run in one PG
      // transaction, each in a savepoint, rolled back whole on such an error.
      return allOrNothing(ctx.state.pg, c.table, async () => {
        const items: BulkItem[] = [];
        for (const args of rows) {
          await ctx.state.pg.exec(`SAVEPOINT ${BULK_ROW}`);
          let r;
          try {
            r = await runOnce(c, ctx, args, true);
          } catch (e) {
            if (!(e instanceof RowConstraintFailure)) throw e;
            items.push({ rowcount: -2, error: { code: e.error.code, message: e.error.message } });
            continue;
          }
          if (r.count === 0 && oneDocument(c.keys)) {
            items.push({ rowcount: -2, error: await missingError(c, ctx, args) });
          } else {
            items.push({ rowcount: r.count });
          }
        }
        return items;
      });
    },
  };
}

/** The savepoint each row of a bulk request runs in (see runBulk). */
const BULK_ROW = 'bulk_row';

/** PG's check_violation (CHECK, and the NOT NULL checks of added columns) and not_null_violation. */
const ROW_CONSTRAINTS = new Set(['23514', '23502']);

/** A bulk row that broke a CHECK or NOT NULL as it was written: it fails alone, like CrateDB's per-document items. */
class RowConstraintFailure extends Error {
  constructor(readonly error: CrateError) {
    super(error.message);
  }
}

async function runOnce(c: Compiled, ctx: RunContext, args: unknown[], inBulk = false): Promise<{ outcome: Outcome; count: number }> {
  const { state } = ctx;
  checkPrivileges(c.tx.env.user, c.tx.privileges);
  const now = state.clock.now();
  if (!c.keys) await periodicRefresh(state.pg, c.table, now);
  const { values, types } = bind(c.tx, args, now);
  let r;
  try {
    r = await query(state.pg, c.sql, values, types);
  } catch (e) {
    if (!isPgError(e)) throw e;
    // The failed statement aborted the bulk request's transaction; the row's own savepoint revives it.
    if (inBulk) await state.pg.exec(`ROLLBACK TO SAVEPOINT ${BULK_ROW}`);
    let row: unknown[] | undefined;
    if (e.code === '23514' && c.newRowSql) {
      row = (await query(state.pg, c.newRowSql, values, types).catch(() => ({ rows: [] as unknown[][] }))).rows[0];
    }
    const error = constraintError(e, c.table, row, c.table.columns.filter((x) => x.generated === undefined));
    throw inBulk && ROW_CONSTRAINTS.has(e.code) ? new RowConstraintFailure(error) : error;
  }
  const ids = r.rows.map((row) => row[0] as string);
  markDirty(c.table, ids, now);
  if (c.returning) {
    return {
      outcome: { kind: 'rows', cols: c.returning.cols, types: c.returning.types, oids: r.fields.slice(1).map((f) => f.dataTypeID), rows: r.rows.map((row) => row.slice(1)) },
      count: ids.length,
    };
  }
  return { outcome: { kind: 'count', rowcount: c.dropsPartitions ? -1 : ids.length }, count: ids.length };
}

/** The per-row error of a bulk UPDATE/DELETE by key that changed nothing. */
async function missingError(c: Compiled, ctx: RunContext, args: unknown[]): Promise<{ code: number; message: string }> {
  const key = c.keys![0]!;
  const pk = keyColumns(c.table);
  const parts = pk.map((k) => {
    const v = key.get(k)!;
    if (v.kind === 'value') return v.value;
    return args[(v.explicit ?? c.tx.param(v.tokenIndex)) - 1];
  });
  const id = parts.length === 1 ? javaString(parts[0]) : compositeId(pk, c.table.clusteredBy, new Map(pk.map((k, i) => [k, parts[i]])));
  if (c.versioned) {
    const cond = pk.map((k, i) => `${quoteIdent(k)} = $${i + 1}`).join(' AND ');
    const live = await query(ctx.state.pg, `SELECT "_seq_no", "_primary_term" FROM ${pgTableName(c.table, 'live')} WHERE ${cond}`, parts.map((p) => (p === null ? null : String(p))));
    const row = live.rows[0];
    if (row) {
      const err = new CrateError(409, 4092, `VersionConflictEngineException[[${id}]: version conflict, current document has seqNo [${String(row[0])}] and primary term [${String(row[1])}]]`);
      return { code: err.code, message: err.message };
    }
  }
  const prefix = ctx.state.version === '5.10' ? '[default]' : '';
  return { code: 40411, message: `DocumentMissingException[${prefix}[${id}]: document missing]` };
}
