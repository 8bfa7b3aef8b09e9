/**
 * INSERT: values are converted in JS with CrateDB's rules and messages (values.ts), then written by
 * one PG statement per request, whatever the number of rows: the rows travel as one JSON parameter,
 * defaults and generated columns are computed in SQL, and `ON CONFLICT DO NOTHING` on the primary key
 * tells which rows were written, so each bulk row gets its own rowcount (a duplicate is -2 with a
 * 4091 while the others are written). A CHECK failure in a bulk request is isolated row by row on 6.4
 * and fails the whole request on 5.10.
 */
import { checkOpen } from './catalog.js';
import { columnUnknown, sqlParse } from './errors.js';
import { storedExpr, tableRelation, updateAssignments } from './assignments.js';
import { expr } from './expr.js';
import { format, quoteIdent } from './format.js';
import { docIdSql } from './doc-id.js';
import { dynamicInsert } from './insert-dynamic.js';
import { baseRowsSql, runInsert, type Compiled, type Item } from './insert-run.js';
import { constantOf } from './literals.js';
import { identName, qnameParts, ruleName, type Ctx, type Token } from './parse.js';
import { translateQuery } from './query.js';
import { finishSql, type Prepared } from './run.js';
import { Scope, Tx, type Env } from './scope.js';
import { existingTable } from './stmt-ddl.js';
import { isKeyLookup } from './stmt-select.js';
import { pgTableName, seqName } from './storage.js';
import { pgType, type CrateType } from './types.js';

export function prepareInsert(node: Ctx, env: Env, tokens: Token[]): Prepared {
  const table = existingTable(node.table().qname(), env, 'INSERT');
  checkOpen(table, 'INSERT');
  if (table.keyIncludesId) throw sqlParse('Column "_id" is required but is missing from the insert statement');
  const tx = new Tx(env, tokens, 'shadow');
  tx.need(table.schema, 'DML', table.name);
  const named = ((node.ident() as Ctx[] | null) ?? []).map(identName);
  const names = named.length > 0 ? named : table.columns.map((c) => c.name);
  const unknown = names.filter((n) => !table.columns.some((c) => c.name === n));
  if (unknown.length > 0 && table.columnPolicy !== 'strict') return dynamicInsert(node, env, tokens, table, names, unknown);
  const seen = new Set<string>();
  const columns = names.map((n) => {
    if (seen.has(n)) throw sqlParse(`column "${n}" specified more than once`);
    seen.add(n);
    const col = table.columns.find((c) => c.name === n);
    if (!col) throw columnUnknown(n);
    return col;
  });
  for (const k of [...table.primaryKey, ...(table.clusteredBy ? [table.clusteredBy] : []), ...table.partitionedBy]) {
    const col = table.columns.find((c) => c.name === k);
    if (!seen.has(k) && col && col.defaultExpr === undefined && col.generated === undefined) {
      throw sqlParse(`Column \`${k}\` is required but is missing from the insert statement`);
    }
  }
  const q = node.insertSource().query();
  const term = q.queryNoWith().queryTerm();
  const spec = ruleName(term) === 'QueryTermDefaultContext' ? term.querySpec() : undefined;
  const c: Compiled = { table, columns, sql: '', onConflict: 'none', tx };
  if (spec && ruleName(spec) === 'ValuesRelationContext' && !q.with_?.() && (q.queryNoWith().sortItem() ?? []).length === 0) {
    const evalItems: string[] = [];
    const evalTx = tx;
    c.rows = (spec.values() as Ctx[]).map((v) => {
      const items: Ctx[] = (v.expr?.() as Ctx[] | null) ?? (v.valueItem?.() as Ctx[]);
      if (items.length > columns.length) {
        throw sqlParse(`INSERT statement contains a VALUES clause with too many elements (${items.length}), expected (${columns.length})`);
      }
      if (items.length < columns.length) {
        throw sqlParse(`Invalid number of values: Got ${columns.length} columns specified but ${items.length} values`);
      }
      return items.map((item) => {
        const cst = constantOf(item);
        if (cst?.kind === 'param') return { kind: 'const', source: { kind: 'param' }, param: tx.param(cst.tokenIndex, cst.explicit) } as Item;
        if (cst?.kind === 'value') return { kind: 'const', source: { kind: 'literal', text: cst.text, type: cst.type }, value: cst.value } as Item;
        const typed = expr(item, new Scope([]), evalTx, { free: true });
        evalItems.push(`${typed.sql} AS "e${evalItems.length}"`);
        return { kind: 'eval', index: evalItems.length - 1 } as Item;
      });
    });
    if (evalItems.length > 0) c.evalSql = `SELECT ${evalItems.join(', ')}`;
  } else {
    const srcTx = new Tx(env, tokens, isKeyLookup(q, env) ? 'live' : 'shadow');
    const r = translateQuery(q, undefined, srcTx);
    if (r.outputs.length !== columns.length) {
      throw sqlParse(`Number of target columns (${columns.length}) of insert statement doesn't match number of source columns (${r.outputs.length})`);
    }
    c.source = { sql: finishSql(r.sql, srcTx), tx: srcTx };
    for (const p of srcTx.privileges) tx.need(p.schema, p.type, p.table);
    tx.maxParam = Math.max(tx.maxParam, srcTx.maxParam);
  }
  c.sql = buildSql(c, node);
  const returnsRows = c.returning !== undefined;
  return {
    returnsRows,
    maxParam: tx.maxParam,
    run: (ctx, args) => runInsert(c, ctx, [args], false).then((r) => r.outcome),
    runBulk: async (ctx, rows) => (await runInsert(c, ctx, rows, true)).items,
  };
}

function buildSql(c: Compiled, node: Ctx): string {
  const { table, tx } = c;
  const bRel = tableRelation(table, 'b');
  bRel.columns = table.columns.filter((x) => x.generated === undefined).map((x) => ({ name: x.name, type: x.type }));
  const gens = table.columns
    .filter((col) => col.generated !== undefined)
    .map((col) => `CAST(${storedExpr(col.generated!, new Scope([bRel]), tx).sql} AS ${pgType(col.type)}) AS ${quoteIdent(col.name)}`);
  // The `_id` is read from the rows with their generated values, since a generated column may be in the key.
  const withGens = `SELECT b.*${gens.map((g) => `, ${g}`).join('')} FROM (${baseRowsSql(c, tx)}) b`;
  const src = `SELECT g.*, ${docIdSql(table, 'g')} AS "_id" FROM (${withGens}) g`;
  const allCols = table.columns.map((col) => quoteIdent(col.name));
  let conflict = table.primaryKey.length > 0 ? ` ON CONFLICT (${table.primaryKey.map(quoteIdent).join(', ')}) DO NOTHING` : '';
  const oc = node.onConflict();
  if (oc) {
    const target = oc.conflictTarget?.();
    if (target) {
      // Quoted names keep their case; a subscript (`o['a']`) is kept as written and matches no key.
      const cols = (target.subscriptSafe() as Ctx[]).map((s) => (s.qname?.() ? qnameParts(s.qname()).join('.') : s.getText()));
      if (cols.length !== table.primaryKey.length || !cols.every((x) => table.primaryKey.includes(x))) {
        throw sqlParse(`Conflict target (${cols.join(', ')}) did not match the primary key columns (${table.primaryKey.join(', ')})`);
      }
    }
    if (oc.UPDATE?.()) {
      if (table.primaryKey.length === 0) throw sqlParse(`Conflict target () did not match the primary key columns ()`);
      c.onConflict = 'update';
      conflict = ` ON CONFLICT (${table.primaryKey.map(quoteIdent).join(', ')}) DO UPDATE SET ${updateAssignments(table, oc.assignment() as Ctx[], tx, true, table.name).sql.join(', ')}`;
    } else {
      c.onConflict = 'nothing';
    }
  }
  const returning = node.returning?.();
  let retSql = '';
  if (returning) {
    const scope = new Scope([tableRelation(table, table.name)]);
    const cols: string[] = [];
    const types: Array<CrateType | undefined> = [];
    for (const item of returning.selectItem() as Ctx[]) {
      if (ruleName(item) === 'SelectAllContext') {
        for (const col of table.columns) {
          retSql += `, ${quoteIdent(table.name)}.${quoteIdent(col.name)}`;
          cols.push(col.name);
          types.push(col.type);
        }
        continue;
      }
      const v = expr(item.expr(), scope, tx);
      retSql += `, ${v.sql}`;
      cols.push(item.ident() ? identName(item.ident()) : format(item.expr()));
      types.push(v.type);
    }
    c.returning = { cols, types };
  }
  const t = quoteIdent(table.name);
  const ins = `INSERT INTO ${pgTableName(table, 'live')} AS ${t} (${allCols.join(', ')}, "_id", "_seq_no") SELECT ${allCols.join(', ')}, "_id", nextval('${seqName(table)}') FROM src ORDER BY "$ord"${conflict} RETURNING ${t}."_id"${retSql}`;
  const final = c.returning
    ? `SELECT * FROM ins`
    : `SELECT s."$ord", s."_id", EXISTS (SELECT 1 FROM ins WHERE ins."_id" = s."_id") FROM src s ORDER BY s."$ord"`;
  return `WITH src AS MATERIALIZED (${src}), ins AS (${ins}) ${final}`;
}

