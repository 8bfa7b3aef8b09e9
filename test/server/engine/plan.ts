/**
 * `Engine.plan`: which user tables a statement touches, their sharding, and for statements that
 * address whole primary keys only (INSERT VALUES, UPDATE/DELETE/SELECT by key) the routing values,
 * so the cluster layer can fail a statement whose shard lost its copies the way CrateDB does.
 */
import type { StatementPlan } from '../contract.js';
import type { TableDef } from './catalog.js';
import { compositeId } from './doc-id.js';
import { constantOf, type Constant } from './literals.js';
import { identName, qnameParts, ruleName, type Ctx, type ParsedStatement } from './parse.js';
import { keyColumns, pkLookup } from './pklookup.js';
import { relationSchema, type Env } from './scope.js';

function lookup(qname: Ctx, env: Env): TableDef | undefined {
  const parts = qnameParts(qname);
  return env.catalog.table(relationSchema(parts, env), parts[parts.length - 1]!);
}

function collectTables(node: Ctx, env: Env, out: Set<TableDef>): void {
  if (ruleName(node) === 'TableNameContext') {
    const t = lookup(node.qname(), env);
    if (t) out.add(t);
  }
  for (const c of (node.children as Ctx[] | null) ?? []) collectTables(c, env, out);
}

/** Routing value of a document: its clustered-by value, else its `_id`. */
export function routing(t: TableDef, values: Map<string, unknown>): string {
  const col = t.clusteredBy;
  if (col && values.has(col)) return String(values.get(col));
  const key = keyColumns(t);
  return key.length === 1 ? String(values.get(key[0]!)) : compositeId(key, t.clusteredBy, values);
}

/** The documents one key addresses: one, or one per element of a `pk = ANY(?)` argument. */
function documents(key: Map<string, Constant>, value: (c: Constant) => unknown): Array<Map<string, unknown>> {
  let docs: Array<Map<string, unknown>> = [new Map()];
  for (const [col, c] of key) {
    const v = value(c);
    const each = c.kind === 'param' && c.each ? (Array.isArray(v) ? v : [v]) : [v];
    docs = docs.flatMap((d) => each.map((x) => new Map([...d, [col, x]])));
  }
  return docs;
}

function entry(t: TableDef, write: boolean, routingKeys?: string[]): StatementPlan['tables'][number] {
  return {
    schema: t.schema,
    table: t.name,
    numberOfShards: t.numberOfShards,
    numberOfReplicas: t.numberOfReplicas,
    write,
    ...(routingKeys ? { routingKeys } : {}),
  };
}

function placeholderOrder(stmt: Ctx): Map<number, number> {
  const order = new Map<number, number>();
  const tokens = stmt.parser?.getTokenStream?.()?.tokens as Array<{ text: string; tokenIndex: number; channel: number }> | undefined;
  let n = 0;
  for (const t of tokens ?? []) if (t.text === '?' && t.channel === 0) order.set(t.tokenIndex, ++n);
  return order;
}

export function planStatement(parsed: ParsedStatement, env: Env, args: readonly unknown[]): StatementPlan | undefined {
  if (parsed.kind !== 'tree') return undefined;
  const stmt = parsed.stmt;
  const order = placeholderOrder(stmt);
  const value = (c: Constant): unknown => (c.kind === 'value' ? c.value : args[(c.explicit ?? order.get(c.tokenIndex) ?? 1) - 1]);
  const rule = ruleName(stmt);
  const tables = new Set<TableDef>();
  collectTables(stmt, env, tables);
  if (tables.size === 0) return undefined;
  let target: TableDef | undefined;
  let keys: string[] | undefined;
  if (rule === 'InsertContext') {
    target = lookup(stmt.table().qname(), env);
    const names = ((stmt.ident() as Ctx[] | null) ?? []).map(identName);
    const spec = stmt.insertSource().query().queryNoWith().queryTerm().querySpec?.();
    if (target && spec && ruleName(spec) === 'ValuesRelationContext') {
      const cols = names.length > 0 ? names : target.columns.map((c) => c.name);
      keys = [];
      for (const row of spec.values() as Ctx[]) {
        const items: Ctx[] = (row.expr?.() as Ctx[] | null) ?? (row.valueItem?.() as Ctx[]);
        const values = new Map<string, unknown>();
        items.forEach((item, i) => {
          const c = constantOf(item);
          if (c) values.set(cols[i]!, value(c));
        });
        keys.push(routing(target, values));
      }
    }
  } else if (rule === 'UpdateContext' || rule === 'DeleteContext' || rule === 'DefaultContext') {
    let aliased: Ctx | undefined;
    let where: Ctx | undefined;
    if (rule === 'DefaultContext') {
      const spec = stmt.query().queryNoWith().queryTerm().querySpec?.();
      const rels = (spec?.relation?.() as Ctx[] | null) ?? [];
      if (rels.length === 1 && ruleName(rels[0]) === 'RelationDefaultContext') aliased = rels[0].aliasedRelation();
      where = spec?.where?.()?.condition;
    } else {
      aliased = stmt.aliasedRelation();
      where = stmt.where()?.condition;
      target = undefined;
    }
    const primary = aliased?.relationPrimary();
    if (primary && ruleName(primary) === 'TableRelationContext' && ruleName(primary.table()) === 'TableNameContext') {
      const t = lookup(primary.table().qname(), env);
      if (t) {
        if (rule !== 'DefaultContext') target = t;
        const parts = qnameParts(primary.table().qname());
        const alias = aliased.ident() ? identName(aliased.ident()) : parts[parts.length - 1]!;
        const docKeys = pkLookup(where, t, alias, rule === 'DefaultContext');
        if (docKeys) keys = docKeys.flatMap((k) => documents(k, value).map((doc) => routing(t, doc)));
        if (rule === 'DefaultContext' && keys) {
          return { tables: [entry(t, false, keys)] };
        }
      }
    }
  }
  const out: StatementPlan['tables'] = [];
  for (const t of tables) out.push(t === target ? entry(t, true, keys) : entry(t, false));
  return { tables: out };
}
