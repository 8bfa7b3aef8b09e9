/**
 * ALTER TABLE ... DROP COLUMN with CrateDB's dependency checks: a column cannot go while it is the only
 * one, part of the primary key, CLUSTERED BY, PARTITIONED BY or a named index, used by a generated
 * column, or used by a CHECK over other columns too. A CHECK over that column alone goes with it.
 */
import type { TableDef } from './catalog.js';
import { columnUnknown, unsupportedFeature } from './errors.js';
import { format, quoteIdent } from './format.js';
import { parseExpression, ruleName, identName, type Ctx } from './parse.js';
import type { CrateVersion } from '../contract.js';

/** The top-level columns a stored CrateDB expression (`"a" * 2`) reads. */
export function referencedColumns(exprText: string, version: CrateVersion): Set<string> {
  const out = new Set<string>();
  const walk = (n: Ctx): void => {
    if (ruleName(n) === 'ColumnReferenceContext') out.add(identName(n.ident()));
    for (const c of (n.children as Ctx[] | null) ?? []) if (c.children) walk(c);
  };
  walk(parseExpression(exprText, version));
  return out;
}

/** A stored expression as CrateDB prints it in messages and information_schema: `(a * 2)`. */
export function symbolText(exprText: string, version: CrateVersion): string {
  const text = format(parseExpression(exprText, version));
  return text.startsWith('(') ? text : `(${text})`;
}

/** Checks that `column` may be dropped; returns the PG action and what the catalog loses with it. */
export function planDropColumn(t: TableDef, path: string[], ifExists: boolean, version: CrateVersion): { sql: string; apply: () => void } | undefined {
  const col = t.columns.find((c) => c.name === path[0]);
  if (!col || path.length > 1) {
    if (ifExists) return undefined;
    throw columnUnknown(path.join('.'));
  }
  const name = col.name;
  if (t.columns.length === 1) throw unsupportedFeature('Dropping all columns of a table is not allowed');
  if (t.primaryKey.includes(name)) throw unsupportedFeature(`Dropping column: ${name} which is part of the PRIMARY KEY is not allowed`);
  if (t.clusteredBy === name) throw unsupportedFeature(`Dropping column: ${name} which is used in 'CLUSTERED BY' is not allowed`);
  if (t.partitionedBy.includes(name)) throw unsupportedFeature(`Dropping column: ${name} which is part of the 'PARTITIONED BY' columns is not allowed`);
  const index = t.indexes.find((i) => i.columns.includes(name));
  if (index) throw unsupportedFeature(`Dropping column: ${name} which is part of INDEX: ${index.name} is not allowed`);
  for (const g of t.columns) {
    if (g.generated !== undefined && g !== col && referencedColumns(g.generated, version).has(name)) {
      throw unsupportedFeature(`Cannot drop column \`${name}\`. It's used in generated column \`${g.name}\`: ${symbolText(g.generated, version)}`);
    }
  }
  const own = t.checks.filter((c) => referencedColumns(c.expr, version).has(name));
  const shared = own.find((c) => referencedColumns(c.expr, version).size > 1);
  if (shared) throw unsupportedFeature(`Dropping column: ${name} which is used in CHECK CONSTRAINT: ${shared.name} is not allowed`);
  return {
    sql: `DROP COLUMN ${quoteIdent(name)} CASCADE`,
    apply: () => {
      t.columns = t.columns.filter((c) => c !== col);
      t.checks = t.checks.filter((c) => !own.includes(c));
      for (const [k, v] of Object.entries(t.notNullChecks)) if (v === name) delete t.notNullChecks[k];
    },
  };
}
