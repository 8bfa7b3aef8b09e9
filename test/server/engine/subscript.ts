/**
 * Subscripts: `col['a']['b']` reads an object sub-column (typed from the catalog, so `o['a'] = 5`
 * compares numbers; an unknown key of a strict or dynamic object is ColumnUnknownException), `arr[i]`
 * reads a 1-based array element, `objects['x']` collects a key over an array of objects.
 */
import { columnUnknown, CrateError, sqlParse } from './errors.js';
import { cast, expr } from './expr.js';
import { format, pgString, sqlFqn } from './format.js';
import { constantOf, unwrap } from './literals.js';
import { identName, ruleName, type Ctx } from './parse.js';
import type { Scope, Tx, Typed } from './scope.js';
import { fieldType, pgType, T, type ColumnPolicy, type CrateType } from './types.js';
import { javaString } from './values.js';

/** `col['a']['b']` on objects (typed by the catalog), `arr[i]` on arrays. */
export function subscript(node: Ctx, scope: Scope, tx: Tx): Typed {
  const keys: Ctx[] = [];
  let base: Ctx = node;
  while (ruleName(base) === 'SubscriptContext') {
    keys.unshift(base.index);
    base = base.value;
  }
  const root = expr(base, scope, tx);
  let sql = root.sql;
  let type = root.type;
  const path: string[] = [];
  for (const k of keys) {
    const c = constantOf(k);
    if (type?.kind === 'object' || (c?.kind === 'value' && typeof c.value === 'string' && type?.kind !== 'array')) {
      const key = c?.kind === 'value' ? String(c.value) : undefined;
      if (key === undefined) throw sqlParse('Object subscripts must be string literals');
      path.push(key);
      const next = type ? fieldType(type, [key]) : undefined;
      if (type?.kind === 'object' && next === undefined && type.policy !== 'ignored') {
        if (refusesUnknownKey(type.policy, tx.env.unknownKeysNull === true)) {
          // A literal object is looked up when evaluated (SubscriptFunction.lookupByName), which names the map.
          const literal = path.length === 1 ? literalValue(base) : undefined;
          if (literal !== undefined) throw new CrateError(404, 4043, `ColumnUnknownException[The object \`${javaString(literal)}\` does not contain the key \`${key}\`]`);
          throw columnUnknown(sqlFqn([format(base), ...path]));
        }
        return { sql: 'NULL', type: T.undefined };
      }
      // A key under a scalar sub-column is no column at all.
      if (type !== undefined && type.kind !== 'object' && type.kind !== 'undefined' && path.length > 1) {
        throw columnUnknown(sqlFqn([format(base), ...path]));
      }
      sql = `(${sql} -> ${pgString(key)})`;
      type = next;
    } else if (type?.kind === 'array' && type.element.kind === 'object' && c?.kind === 'value' && typeof c.value === 'string') {
      const key = String(c.value);
      const inner = fieldType(type.element, [key]);
      sql = `ARRAY(SELECT e -> ${pgString(key)} FROM unnest(${sql}) e)`;
      type = inner ? T.array(inner) : undefined;
    } else {
      const idx = expr(k, scope, tx).sql;
      sql = type?.kind === 'array' && type.element.kind !== 'array' ? `(${sql})[${idx}]` : `(${sql} -> (CAST(${idx} AS integer) - 1))`;
      type = type?.kind === 'array' ? type.element : undefined;
    }
  }
  if (sql.startsWith('(') && sql.includes(' -> ') && type && type.kind !== 'object' && type.kind !== 'array') {
    sql = jsonScalar(sql, type);
  }
  return { sql, ...(type ? { type } : {}) };
}

/**
 * Whether reading a key an object does not have is an error: not for an ignored object, and not for a dynamic
 * one once SET error_on_unknown_object_key = false (it reads null); always for a strict one.
 */
export function refusesUnknownKey(policy: ColumnPolicy, unknownKeysNull: boolean): boolean {
  return policy !== 'ignored' && !(unknownKeysNull && policy === 'dynamic');
}

/** The value of an object literal made of constants only (undefined for anything else). */
function literalValue(node: Ctx): unknown {
  const n = unwrap(node);
  if (ruleName(n) !== 'ObjectLiteralContext') return undefined;
  const out: Record<string, unknown> = {};
  for (const kv of (n.objectKeyValue() as Ctx[] | null) ?? []) {
    const inner = unwrap(kv.value);
    const c = ruleName(inner) === 'ObjectLiteralContext' ? { kind: 'value' as const, value: literalValue(inner) } : constantOf(inner);
    if (c?.kind !== 'value' || c.value === undefined) return undefined;
    out[identName(kv.key)] = c.value;
  }
  return out;
}

/** A jsonb value read as the PG type of a CrateDB scalar type. */
function jsonScalar(jsonSql: string, type: CrateType): string {
  return jsonTextAs(`(${jsonSql.replace(/ -> ('(?:[^']|'')*')\)$/, ' ->> $1)')})`, type);
}

/** The text of a JSON scalar (`->>`, `#>> '{}'`) as the PG type of a CrateDB scalar type; timestamps are epoch ms. */
export function jsonTextAs(text: string, type: CrateType): string {
  if (type.kind === 'text') return text;
  if (type.kind === 'timestamptz' || type.kind === 'timestamp') {
    return cast({ sql: `CAST(${text} AS bigint)`, type: T.bigint }, type).sql;
  }
  return `CAST(${text} AS ${pgType(type)})`;
}
