/**
 * SELECT statements: translated once, then run with the tables' visibility applied (a full
 * primary-key lookup reads the live rows, anything else the refreshed copy, refreshed first when the
 * table's refresh_interval has passed) and the system tables it reads materialized.
 */
import { checkPrivileges } from './privileges.js';
import { pkLookup } from './pklookup.js';
import { hasAggregate, translateQuery } from './query.js';
import { identName, qnameParts, ruleName, type Ctx, type Token } from './parse.js';
import { bind, finishSql, query, type Prepared } from './run.js';
import { relationSchema, Tx, type Env } from './scope.js';
import { periodicRefresh } from './storage.js';
import { materialize } from './system-tables.js';
import { guessType } from './values.js';

/**
 * Whether a query is a real-time key lookup: one user table, no grouping, WHERE on whole keys. CrateDB
 * plans it as a Get wherever it stands, so the source of an INSERT ... SELECT is judged the same way.
 */
export function isKeyLookup(query: Ctx, env: Env): boolean {
  if (query.with_?.() ?? query.with?.()) return false;
  const term = query.queryNoWith().queryTerm();
  if (ruleName(term) !== 'QueryTermDefaultContext') return false;
  const spec = term.querySpec();
  if (ruleName(spec) !== 'DefaultQuerySpecContext') return false;
  const rels = (spec.relation() as Ctx[] | null) ?? [];
  if (rels.length !== 1 || ruleName(rels[0]) !== 'RelationDefaultContext') return false;
  if (((spec.expr?.() as Ctx[] | null) ?? []).length > 0 || spec.having || hasAggregate(spec)) return false;
  const aliased = rels[0].aliasedRelation();
  const primary = aliased.relationPrimary();
  if (ruleName(primary) !== 'TableRelationContext' || ruleName(primary.table()) !== 'TableNameContext') return false;
  const parts = qnameParts(primary.table().qname());
  const table = env.catalog.table(relationSchema(parts, env), parts[parts.length - 1]!);
  if (!table) return false;
  const alias = aliased.ident() ? identName(aliased.ident()) : parts[parts.length - 1]!;
  return pkLookup(spec.where()?.condition, table, alias, true) !== undefined;
}

export function prepareSelect(stmt: Ctx, env: Env, tokens: Token[]): Prepared {
  const q = stmt.query();
  const tx = new Tx(env, tokens, isKeyLookup(q, env) ? 'live' : 'shadow');
  const result = translateQuery(q, undefined, tx);
  const sql = finishSql(result.sql, tx);
  const spec = q.queryNoWith().queryTerm().querySpec?.();
  const noFrom = spec && ruleName(spec) === 'DefaultQuerySpecContext' && ((spec.relation() as Ctx[] | null) ?? []).length === 0;
  const cols = result.outputs.map((o) => o.name);
  return {
    returnsRows: true,
    maxParam: tx.maxParam,
    ...(noFrom ? { planText: `TableFunction[empty_row | [${cols.join(', ')}] | true] (rows=unknown)` } : {}),
    async run(ctx, args) {
      const { state } = ctx;
      checkPrivileges(env.user, tx.privileges);
      const now = state.clock.now();
      for (const [table, mode] of tx.reads) if (mode === 'shadow') await periodicRefresh(state.pg, table, now);
      if (tx.systemTables.size > 0) await materialize(state.pg, state, tx.systemTables, ctx.session);
      const bound = bind(tx, args, now);
      const r = await query(state.pg, sql, bound.values, bound.types);
      const types = result.outputs.map((o) => (o.param === undefined ? o.type : guessType(args[o.param - 1])));
      return { kind: 'rows', cols, types, oids: r.fields.map((f) => f.dataTypeID), rows: r.rows };
    },
  };
}
