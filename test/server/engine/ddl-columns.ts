/**
 * ALTER TABLE ... DROP COLUMN with CrateDB's dependency checks, for columns and sub-columns (`o['a']`): a
 * column cannot go while it is a system column, a named index, part of the primary key, CLUSTERED BY or
 * PARTITIONED BY, read by a generated column or by a CHECK over other columns too, or the last one left.
 * A CHECK that reads only what is dropped goes with it.
 */
import type { TableDef } from './catalog.js';
import { columnUnknown, sqlParse, unsupportedFeature } from './errors.js';
import { columnPathOf, format, pgString, quoteIdent, sqlFqn } from './format.js';
import { parseExpression, type Ctx } from './parse.js';
import { fieldType, innermostType, type CrateType } from './types.js';
import type { CrateVersion } from '../contract.js';

/** The columns a stored CrateDB expression (`"o"['a'] * 2`) reads, as paths (`['o', 'a']`). */
export function referencedPaths(exprText: string, version: CrateVersion): string[][] {
  const out: string[][] = [];
  const walk = (n: Ctx): void => {
    const path = columnPathOf(n);
    if (path) out.push(path);
    else for (const c of (n.children as Ctx[] | null) ?? []) if (c.children) walk(c);
  };
  walk(parseExpression(exprText, version));
  return out;
}

/** A generated column's expression is bound against the table's columns: the first it names that is not one. */
export function unknownColumnOf(exprText: string, version: CrateVersion, columns: readonly { name: string }[]): string | undefined {
  return referencedPaths(exprText, version).find((p) => !columns.some((c) => c.name === p[0]))?.[0];
}

export function samePath(a: readonly string[], b: readonly string[]): boolean {
  return a.length === b.length && a.every((x, i) => x === b[i]);
}
const childOf = (c: readonly string[], parent: readonly string[]): boolean => c.length > parent.length && parent.every((x, i) => x === c[i]);

/** A stored expression as CrateDB prints it in messages and information_schema: `(a * 2)`. */
export function symbolText(exprText: string, version: CrateVersion): string {
  const text = format(parseExpression(exprText, version));
  return text.startsWith('(') ? text : `(${text})`;
}

export interface DropColumn {
  path: string[];
  ifExists: boolean;
}

/**
 * Checks the columns of one ALTER TABLE ... DROP COLUMN together, in CrateDB's order (each resolved, then
 * AlterTableDropColumnAnalyzer.validateStatic, then DocTableInfo.validateDropColumns, then "all
 * columns"), so that a statement that fails changes nothing. Returns the PG statements (both tables get
 * them, by name) and what the catalog loses, or undefined when IF EXISTS left nothing to drop.
 */
export function planDropColumns(t: TableDef, drops: DropColumn[], version: CrateVersion): { sql: (table: string) => string[]; apply: () => void } | undefined {
  const resolved = drops.filter((d) => {
    if (d.path[0]!.startsWith('_') || t.indexes.some((i) => i.name === d.path[0]) || columnType(t, d.path)) return true;
    if (d.ifExists) return false;
    throw columnUnknown(sqlFqn(d.path));
  });
  const seen: string[][] = [];
  for (const { path } of resolved) {
    const name = sqlFqn(path);
    if (seen.some((p) => samePath(p, path))) throw sqlParse(`Column "${name}" specified more than once`);
    seen.push(path);
    if (path[0]!.startsWith('_')) throw sqlParse('Dropping a system column is not allowed');
    if (path.length === 1 && t.indexes.some((i) => i.name === name)) throw unsupportedFeature(`Dropping INDEX column '${name}' is not supported`);
    if (path.length > 1) continue;
    if (t.primaryKey.includes(name)) throw unsupportedFeature(`Dropping column: ${name} which is part of the PRIMARY KEY is not allowed`);
    if (t.clusteredBy === name) throw unsupportedFeature(`Dropping column: ${name} which is used in 'CLUSTERED BY' is not allowed`);
    if (t.partitionedBy.includes(name)) throw unsupportedFeature(`Dropping column: ${name} which is part of the 'PARTITIONED BY' columns is not allowed`);
  }
  for (const { path } of resolved) checkDependents(t, path, version);
  const tops = new Set(resolved.filter((d) => d.path.length === 1).map((d) => d.path[0]));
  if (t.columns.every((c) => tops.has(c.name))) throw unsupportedFeature('Dropping all columns of a table is not allowed');
  if (resolved.length === 0) return undefined;

  const dropped = (paths: string[][]): boolean => paths.some((p) => resolved.some((d) => samePath(p, d.path) || childOf(p, d.path)));
  const goneChecks = t.checks.filter((c) => dropped(referencedPaths(c.expr, version)));
  // A sub-column is data inside its object's jsonb: removed from every row (CrateDB hides it from then on).
  const subs = resolved.filter((d) => d.path.length > 1 && !tops.has(d.path[0]));
  const sql = (table: string): string[] => [
    ...goneChecks.map((c) => `ALTER TABLE ${table} DROP CONSTRAINT IF EXISTS ${quoteIdent(c.pgName)}`),
    ...subs.map(({ path }) => {
      const col = quoteIdent(path[0]!);
      const value = atKey(col, t.columns.find((c) => c.name === path[0])!.type, path.slice(1), (obj, key) => `${obj} - ${key}`);
      return `UPDATE ${table} SET ${col} = ${value} WHERE ${value} IS DISTINCT FROM ${col}`;
    }),
    ...[...tops].map((name) => `ALTER TABLE ${table} DROP COLUMN ${quoteIdent(name!)} CASCADE`),
  ];
  return {
    sql,
    apply: () => {
      for (const { path } of subs) removeField(t.columns.find((c) => c.name === path[0])!.type, path.slice(1));
      t.columns = t.columns.filter((c) => !tops.has(c.name));
      t.checks = t.checks.filter((c) => !goneChecks.includes(c));
      for (const [k, v] of Object.entries(t.notNullChecks)) if (tops.has(v)) delete t.notNullChecks[k];
    },
  };
}

/** The type of a column or sub-column, or undefined when the table has none there. */
export function columnType(t: TableDef, path: readonly string[]): CrateType | undefined {
  const top = t.columns.find((c) => c.name === path[0]);
  return top && (path.length === 1 ? top.type : fieldType(top.type, path.slice(1)));
}

/** Named indexes, generated columns and CHECK constraints that need the column (validateDropColumns). */
function checkDependents(t: TableDef, path: string[], version: CrateVersion): void {
  const name = sqlFqn(path);
  const index = t.indexes.find((i) => i.columns.some((c) => samePath(c, path)));
  if (index) throw unsupportedFeature(`Dropping column: ${name} which is part of INDEX: ${index.name} is not allowed`);
  for (const g of t.columns) {
    if (g.generated === undefined || g.name === path[0]) continue;
    // A whole column goes with everything under it; a sub-column is needed only where it is read itself.
    const reads = referencedPaths(g.generated, version).some((p) => (path.length === 1 ? p[0] === path[0] : samePath(p, path) || childOf(p, path)));
    if (reads) throw unsupportedFeature(`Cannot drop column \`${name}\`. It's used in generated column \`${g.name}\`: ${symbolText(g.generated, version)}`);
  }
  for (const c of t.checks) {
    const cols = referencedPaths(c.expr, version).map((p) => (path.length === 1 ? [p[0]!] : p));
    const distinct = cols.filter((p, i) => cols.findIndex((q) => samePath(p, q)) === i);
    const refused =
      (distinct.length > 1 && distinct.some((p) => samePath(p, path))) ||
      (distinct.some((p) => childOf(p, path)) && distinct.some((p) => !childOf(p, path) && !samePath(p.slice(1), path.slice(1))));
    if (refused) throw unsupportedFeature(`Dropping column: ${name} which is used in CHECK CONSTRAINT: ${c.name} is not allowed`);
  }
}

/**
 * The SQL of `value` (of `type`) with the object holding the last key of `path` changed by `leaf` (given
 * that object's SQL and the key as a literal), through objects and arrays of them. Top-level arrays are
 * PG arrays (`pgArray`), arrays inside an object are jsonb.
 */
export function atKey(value: string, type: CrateType, path: string[], leaf: (obj: string, key: string) => string, pgArray = true, depth = 0): string {
  if (type.kind === 'array') {
    const e = `e${depth}`;
    const inner = atKey(e, type.element, path, leaf, false, depth + 1);
    return pgArray
      ? `CASE WHEN ${value} IS NULL THEN NULL ELSE ARRAY(SELECT ${inner} FROM unnest(${value}) WITH ORDINALITY AS u${depth}(${e}, o) ORDER BY o) END`
      : `CASE WHEN jsonb_typeof(${value}) = 'array' THEN (SELECT coalesce(jsonb_agg(${inner} ORDER BY o), '[]'::jsonb) FROM jsonb_array_elements(${value}) WITH ORDINALITY AS u${depth}(${e}, o)) ELSE ${value} END`;
  }
  if (type.kind !== 'object') return value;
  const [key, ...rest] = path as [string, ...string[]];
  const k = pgString(key);
  const field = type.fields.find((f) => f.name === key);
  const changed = rest.length === 0 || !field ? leaf(value, k) : `CASE WHEN ${value} ? ${k} THEN jsonb_set(${value}, ARRAY[${k}], ${atKey(`(${value} -> ${k})`, field.type, rest, leaf, false, depth + 1)}) ELSE ${value} END`;
  return `CASE WHEN jsonb_typeof(${value}) = 'object' THEN ${changed} ELSE ${value} END`;
}

function removeField(type: CrateType, path: string[]): void {
  const parent = parentObject(type, path);
  if (parent.kind === 'object') parent.fields = parent.fields.filter((f) => f.name !== path[path.length - 1]);
}

/** The object type holding the last key of `path` (a path below a column of `type`). */
export function parentObject(type: CrateType, path: string[]): CrateType {
  return innermostType(path.length === 1 ? type : fieldType(type, path.slice(0, -1))!);
}

