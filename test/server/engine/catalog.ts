/**
 * The engine's catalog: CrateDB's view of schemas, tables, views, users and privileges. It is the
 * source of truth for everything CrateDB-specific (shards, replicas, refresh interval, column policy,
 * fulltext indexes, constraint texts); PGlite holds the rows. Every change bumps `version`, which
 * invalidates memoized translations and the materialized information_schema.
 */
import type { UdfDef } from './udfs.js';
import { CrateError } from './errors.js';
import type { ColumnPolicy, CrateType } from './types.js';

export interface ColumnDef {
  name: string;
  type: CrateType;
  notNull: boolean;
  /** CrateDB expression text of DEFAULT / GENERATED ALWAYS AS, as SHOW CREATE TABLE prints it. */
  defaultExpr?: string;
  generated?: string;
  /** Analyzer of a column-level `INDEX USING FULLTEXT`: the column's plain index is replaced. */
  fulltext?: string;
  /** PG text search configuration of that analyzer, fixed when the column was made (a custom analyzer
   * keeps working after DROP ANALYZER). */
  searchConfig?: string;
  indexOff?: boolean;
  /** `STORAGE WITH (columnstore = false)`: no doc values (printed by SHOW CREATE TABLE; reads are the same here). */
  noColumnstore?: boolean;
  /** information_schema ordinal_position: kept when other columns are dropped. */
  position: number;
}

export interface CheckDef {
  name: string;
  /** CrateDB expression text, e.g. `"qty" > 0`. */
  expr: string;
  /** PG constraint name on the live table. */
  pgName: string;
}

export interface IndexDef {
  name: string;
  /** The columns it covers, as paths: `['title']`, or `['o', 'a']` for `o['a']`. */
  columns: string[][];
  analyzer: string;
  searchConfig?: string;
}

/** A custom analyzer (CREATE ANALYZER name EXTENDS base). */
export interface AnalyzerDef {
  name: string;
  /** PG text search configuration of the analyzer it extends. */
  searchConfig: string;
  /** Its stored settings as information_schema.routines shows them (routines.ts). */
  definition?: string;
}

/** Rows written since the last refresh (by `_id`), or all of them. */
export interface Visibility {
  dirty: Set<string> | 'all';
  /** Clock time of the first write since the last refresh (null when clean). */
  since: number | null;
}

export interface TableDef {
  /** Stable internal id: PG objects are named after it, so renames and swaps touch only the catalog. */
  id: number;
  schema: string;
  name: string;
  columns: ColumnDef[];
  primaryKey: string[];
  /** The name a `CONSTRAINT name PRIMARY KEY` gave the key; unnamed, it is `<table>_pkey`. */
  primaryKeyName?: string;
  clusteredBy: string | null;
  numberOfShards: number;
  partitionedBy: string[];
  numberOfReplicas: string;
  /** Milliseconds; 0 means never (only REFRESH TABLE). */
  refreshInterval: number;
  columnPolicy: ColumnPolicy;
  /** Other `WITH (...)` settings, as given. */
  settings: Record<string, string>;
  checks: CheckDef[];
  indexes: IndexDef[];
  /** NOT NULL constraints added as PG checks (constraint name -> column). */
  notNullChecks: Record<string, string>;
  createdVersion: string;
  /** 6.4, a key column added to a table without a key: the key is (`_id`, ...), and INSERT cannot give `_id`. */
  keyIncludesId?: boolean;
  /** Settings of single partitions (ALTER TABLE t PARTITION (...) SET), by partition ident. */
  partitionSettings?: Record<string, { numberOfShards?: number; numberOfReplicas?: string }>;
  /** ALTER TABLE ... CLOSE: reads and writes fail with 4007 until OPEN. */
  closed: boolean;
  /** Next ordinal position for an added column or dynamic sub-column. */
  nextPosition: number;
  visibility: Visibility;
}

export interface ViewDef {
  schema: string;
  name: string;
  /** The view's query as written (it runs from this text). */
  query: string;
  /** The query as CrateDB stores and reports it (information_schema.views). */
  definition: string;
  owner: string;
  /** The search path of the session that created it, which its query's unqualified names resolve in. */
  searchPath: readonly string[];
}

export type PrivilegeType = 'DQL' | 'DML' | 'DDL' | 'AL';

export interface UserDef {
  name: string;
  password?: string;
  superuser: boolean;
  /** CREATE ROLE: it holds privileges for others and cannot log in. */
  role?: boolean;
  /** Roles granted to it (GRANT role TO name), whose privileges it inherits; a granted role cannot be dropped. */
  granted?: Array<{ role: UserDef; grantor: string }>;
  /**
   * `${type}@${ident}`, ident '' cluster-wide, `schema` or `schema.table`; `DENY:` in front for a denial
   * (read them with `parsePrivilege`).
   */
  privileges: Set<string>;
}

/** One entry of `UserDef.privileges` taken apart. */
export function parsePrivilege(p: string): { denied: boolean; type: string; ident: string } {
  const denied = p.startsWith('DENY:');
  const at = p.indexOf('@');
  return { denied, type: p.slice(denied ? 5 : 0, at), ident: p.slice(at + 1) };
}

/** Schemas every CrateDB has, hidden or not. */
export const SYSTEM_SCHEMAS = ['blob', 'information_schema', 'pg_catalog', 'sys'];

export class Catalog {
  version = 0;
  private nextId = 1;
  readonly tables = new Map<string, TableDef>();
  readonly views = new Map<string, ViewDef>();
  /** Schemas created with CREATE SCHEMA (others exist only through their tables). */
  readonly explicitSchemas = new Set<string>();
  readonly users = new Map<string, UserDef>();
  readonly analyzers = new Map<string, AnalyzerDef>();
  /** User-defined functions by `schema.name(types)` (udfs.ts). */
  readonly functions = new Map<string, UdfDef>();
  /** Cluster settings SET GLOBAL changed (by dotted name); the others read their default (cluster-settings.ts). */
  readonly clusterSettings = new Map<string, string | number | boolean>();

  constructor() {
    this.resetUsers();
  }

  touch(): void {
    this.version++;
  }

  newTableId(): number {
    return this.nextId++;
  }

  table(schema: string, name: string): TableDef | undefined {
    return this.tables.get(`${schema}.${name}`);
  }

  view(schema: string, name: string): ViewDef | undefined {
    return this.views.get(`${schema}.${name}`);
  }

  addTable(t: TableDef): void {
    this.tables.set(`${t.schema}.${t.name}`, t);
    this.touch();
  }

  removeTable(t: TableDef): void {
    this.tables.delete(`${t.schema}.${t.name}`);
    this.moveRelationPrivileges(`${t.schema}.${t.name}`, undefined);
    this.touch();
  }

  removeView(schema: string, name: string): void {
    this.views.delete(`${schema}.${name}`);
    this.moveRelationPrivileges(`${schema}.${name}`, undefined);
    this.touch();
  }

  /** Moves a table to a new name (RENAME TO, SWAP). */
  renameTable(t: TableDef, schema: string, name: string): void {
    this.tables.delete(`${t.schema}.${t.name}`);
    t.schema = schema;
    t.name = name;
    this.tables.set(`${schema}.${name}`, t);
    this.touch();
  }

  /**
   * The privileges held on one relation (`schema.name`), moved to another or, with no target, dropped with
   * it: CrateDB keeps them with the relation, not with its name.
   */
  moveRelationPrivileges(from: string, to: string | undefined): void {
    for (const user of this.users.values()) {
      for (const p of [...user.privileges]) {
        if (parsePrivilege(p).ident !== from) continue;
        user.privileges.delete(p);
        if (to !== undefined) user.privileges.add(`${p.slice(0, p.indexOf('@') + 1)}${to}`);
      }
    }
  }

  /** User schemas: explicit ones plus those holding a table or view. */
  userSchemas(): string[] {
    const all = new Set(this.explicitSchemas);
    for (const t of this.tables.values()) all.add(t.schema);
    for (const v of this.views.values()) all.add(v.schema);
    all.add('doc');
    return [...all].sort();
  }

  schemaExists(schema: string): boolean {
    return SYSTEM_SCHEMAS.includes(schema) || this.userSchemas().includes(schema);
  }

  resetUsers(): void {
    this.users.clear();
    this.users.set('crate', { name: 'crate', superuser: true, privileges: new Set() });
  }
}

/** A closed table refuses reads and writes (`operation`: READ, INSERT, UPDATE, DELETE); so do the blocks. */
export function checkOpen(t: TableDef, operation: string): void {
  if (t.closed) {
    throw new CrateError(400, 4007, `OperationOnInaccessibleRelationException[The relation "${t.schema}.${t.name}" doesn't support or allow ${operation} operations, as it is currently closed.]`);
  }
  checkBlocks(t, operation);
}

/**
 * What each `blocks.*` setting still allows, as CrateDB's `Operation` enum has it (io.crate.metadata.table):
 * with `blocks.write` a table is read, refreshed, altered and swapped, but INSERT, UPDATE, DELETE, DROP and
 * RENAME are refused. `ALTER BLOCKS` is an ALTER that sets only `blocks.*` (its message says `ALTER`).
 */
const BLOCKS_ALLOW: Record<string, ReadonlySet<string>> = {
  'blocks.read_only': new Set(['READ', 'ALTER BLOCKS']),
  'blocks.read': new Set(['UPDATE', 'INSERT', 'DELETE', 'DROP', 'ALTER', 'ALTER OPEN', 'ALTER CLOSE', 'ALTER REROUTE', 'ALTER BLOCKS', 'REFRESH', 'OPTIMIZE']),
  'blocks.write': new Set(['READ', 'ALTER', 'ALTER OPEN', 'ALTER CLOSE', 'ALTER BLOCKS', 'ALTER REROUTE', 'SHOW CREATE', 'REFRESH', 'OPTIMIZE', 'COPY TO', 'CREATE SNAPSHOT']),
  'blocks.metadata': new Set(['READ', 'UPDATE', 'INSERT', 'DELETE', 'ALTER BLOCKS', 'ALTER OPEN', 'ALTER CLOSE', 'ALTER REROUTE', 'REFRESH', 'SHOW CREATE', 'OPTIMIZE']),
};

/** 4007 when a `blocks.*` setting of the table refuses `operation` (READ, INSERT, DROP, ALTER RENAME, ...). */
export function checkBlocks(t: TableDef, operation: string): void {
  for (const [setting, allowed] of Object.entries(BLOCKS_ALLOW)) {
    if (t.settings[setting] === 'true' && !allowed.has(operation)) {
      const shown = operation === 'ALTER BLOCKS' ? 'ALTER' : operation;
      throw new CrateError(400, 4007, `OperationOnInaccessibleRelationException[The relation "${t.schema}.${t.name}" doesn't support or allow ${shown} operations]`);
    }
  }
}

