/**
 * Name resolution while translating: the relations a query reads (user tables, system tables,
 * subqueries, CTEs), their columns with CrateDB types, and the statement-wide translation state
 * (parameters, tables read, privileges needed).
 */
import type { CrateVersion } from '../contract.js';
import type { Catalog, ColumnDef, IndexDef, PrivilegeType, TableDef, UserDef } from './catalog.js';
import type { PrivilegeNeed } from './privileges.js';
import { columnUnknown, CrateError, relationUnknown } from './errors.js';
import { quoteIdent } from './format.js';
import type { Token } from './parse.js';
import { T, type CrateType } from './types.js';
import { sourceColumns } from './source-columns.js';

export interface Column {
  name: string;
  type?: CrateType;
  /** A bare parameter: its CrateDB type is that of the argument's JSON value. */
  param?: number;
}

export interface Relation {
  /** Name the query uses for it (alias or table name). */
  alias: string;
  columns: Column[];
  /** A user table: system columns, fulltext indexes, constraints. */
  table?: TableDef;
  /** Columns read through another expression: fulltext tokens (GROUP BY on 6.4), new values (generated columns). */
  overrides?: Map<string, Typed>;
}

export class Scope {
  constructor(
    readonly relations: Relation[],
    readonly parent?: Scope,
    /** Output names usable in ORDER BY / GROUP BY (alias -> PG expression). */
    readonly outputs?: Map<string, string>,
  ) {}
}

/** A typed PG expression. */
export interface Typed {
  sql: string;
  type?: CrateType;
}

/** Columns every CrateDB table has besides its own. */
export const SYSTEM_COLUMNS: Record<string, CrateType> = {
  _id: { kind: 'text' },
  _seq_no: { kind: 'bigint' },
  _primary_term: { kind: 'bigint' },
  _version: { kind: 'bigint' },
  _docid: { kind: 'integer' },
};

export interface Env {
  catalog: Catalog;
  version: CrateVersion;
  schema: string;
  /** Where an unqualified name is looked for, in order; `schema` first. */
  searchPath: readonly string[];
  user: UserDef;
  /** The session's error_on_unknown_object_key is false: an unknown key of a dynamic object reads as null. */
  unknownKeysNull?: boolean;
  /** Set when the statement calls a user-defined function: its runs then compute their values (udf-values.ts). */
  readonly udfUse?: { used: boolean };
}

/**
 * The schema of the relation `parts` names: its own, else the first schema of the search path with a table
 * or view of that name (CrateDB's Schemas.resolveRelation), else the current schema, which errors name.
 * Not for a relation being created: that goes in the current schema whatever the path holds.
 */
export function relationSchema(parts: readonly string[], env: Env): string {
  if (parts.length > 1) return parts[parts.length - 2]!;
  const name = parts[0]!;
  return env.searchPath.find((s) => env.catalog.table(s, name) ?? env.catalog.view(s, name)) ?? env.schema;
}

/** Statement-wide translation state. */
export class Tx {
  /** Highest parameter number used. */
  maxParam = 0;
  /** Parameters whose value is coerced in JS to a column's type first (param number -> type). */
  readonly hints = new Map<number, CrateType>();
  /** Parameters typed from their JSON value (`SELECT ?`), since nothing else tells PG their type. */
  readonly free = new Set<number>();
  usesNow = false;
  /** True while a WHERE of a table is translated: the only place a Lucene-only predicate (knn_match) may be. */
  inWhere = false;
  /** User tables read, and whether through the searchable copy. */
  readonly reads = new Map<TableDef, 'live' | 'shadow'>();
  readonly systemTables = new Set<string>();
  readonly privileges: PrivilegeNeed[] = [];
  /** CTE names visible while translating (name -> output columns). */
  readonly ctes: Array<Map<string, Column[]>> = [];
  private readonly placeholders = new Map<number, number>();

  constructor(
    /** Changed while a view's query is translated: it resolves names in the view's own schema. */
    public env: Env,
    tokens: Token[],
    /** How user tables are read: `live` for real-time key lookups, `shadow` for searches. */
    public visibility: 'live' | 'shadow' = 'shadow',
  ) {
    let n = 0;
    for (const t of tokens) if (t.text === '?' && t.channel === 0) this.placeholders.set(t.tokenIndex, ++n);
  }

  /** The parameter number of a `?` token (numbered by position) or of `$n`. */
  param(tokenIndex: number, explicit?: number): number {
    const n = explicit ?? this.placeholders.get(tokenIndex) ?? 1;
    if (n > this.maxParam) this.maxParam = n;
    return n;
  }

  /** A privilege the statement needs, on the schema or on one of its relations. */
  need(schema: string, type: PrivilegeType, table?: string): void {
    this.privileges.push(table === undefined ? { schema, type } : { schema, table, type });
  }
}

/** Marker replaced by the `now()` parameter once the number of user parameters is known. */
export const NOW_MARK = '\u0000now\u0000';

/** A column reference resolved in a scope. */
export interface Resolved extends Typed {
  relation: Relation;
  column?: ColumnDef;
}

/**
 * Resolves `[[schema.]table.]name` in the scope chain (the schema is not checked). Absent, CrateDB
 * names only the column (`Column x unknown`, never `t.x`), and a qualifier no relation in scope goes
 * by is an unknown relation, in the default schema unless one is given.
 */
export function resolveColumn(scope: Scope, qualified: string[], defaultSchema: string): Resolved {
  const parts = qualified.length === 3 ? qualified.slice(1) : qualified;
  const found = tryResolve(scope, parts);
  if (found) return found;
  if (parts.length === 2 && !hasRelation(scope, parts[0]!)) {
    throw relationUnknown(`${qualified.length === 3 ? qualified[0]! : defaultSchema}.${parts[0]!}`);
  }
  throw columnUnknown(parts[parts.length - 1]!);
}

function hasRelation(scope: Scope | undefined, alias: string): boolean {
  for (let s = scope; s !== undefined; s = s.parent) if (s.relations.some((r) => r.alias === alias)) return true;
  return false;
}

export function tryResolve(scope: Scope | undefined, parts: string[]): Resolved | undefined {
  for (let s = scope; s !== undefined; s = s.parent) {
    const hit = resolveIn(s, parts);
    if (hit) return hit;
  }
  return undefined;
}

function resolveIn(scope: Scope, parts: string[]): Resolved | undefined {
  const name = parts[parts.length - 1]!;
  const qualifier = parts.slice(0, -1);
  const candidates = scope.relations.filter((r) => qualifier.length === 0 || r.alias === qualifier[qualifier.length - 1]);
  const hits: Resolved[] = [];
  for (const r of candidates) {
    const hit = columnOf(r, name);
    if (hit) hits.push(hit);
  }
  if (hits.length > 1) {
    throw new CrateError(400, 4006, `AmbiguousColumnException[Column "${name}" is ambiguous]`);
  }
  return hits[0];
}

function columnOf(r: Relation, name: string): Resolved | undefined {
  const ref = `${quoteIdent(r.alias)}.${quoteIdent(name)}`;
  const over = r.overrides?.get(name);
  if (over !== undefined) return { ...over, relation: r };
  const col = r.columns.find((c) => c.name === name);
  if (col) {
    const def = r.table?.columns.find((c) => c.name === name);
    return { sql: ref, ...(col.type ? { type: col.type } : {}), relation: r, ...(def ? { column: def } : {}) };
  }
  if (r.table && name in SYSTEM_COLUMNS) return { sql: ref, type: SYSTEM_COLUMNS[name]!, relation: r };
  if (r.table && (name === '_doc' || name === '_raw')) {
    const source = sourceColumns(r.table, r.alias);
    return name === '_doc'
      ? { sql: source.doc, type: T.object(r.table.columns.map((c) => ({ name: c.name, type: c.type })), 'dynamic'), relation: r }
      : { sql: source.raw, type: T.text, relation: r };
  }
  return undefined;
}

/** A named fulltext index (`INDEX title_ft USING FULLTEXT (title)`) of a relation in scope. */
export function resolveIndex(scope: Scope, parts: string[]): { relation: Relation; index: IndexDef } | undefined {
  const name = parts[parts.length - 1]!;
  for (let s: Scope | undefined = scope; s; s = s.parent) {
    for (const r of s.relations) {
      if (parts.length > 1 && r.alias !== parts[parts.length - 2]) continue;
      const index = r.table?.indexes.find((i) => i.name === name);
      if (index) return { relation: r, index };
    }
  }
  return undefined;
}
