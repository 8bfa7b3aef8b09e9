/**
 * DDL statements other than ALTER: CREATE TABLE / VIEW / SCHEMA, DROP TABLE / VIEW / SCHEMA and
 * REFRESH TABLE. They run under the engine's statement lock and change the catalog and PG together.
 */
import { checkBlocks, type TableDef } from './catalog.js';
import { CrateError, relationExists, relationUnknown, schemaUnknown } from './errors.js';
import { buildTable } from './ddl-create.js';
import { identName, lex, parseStatement, qnameParts, sourceText, type Ctx } from './parse.js';
import { resolveAnalyzer } from './fulltext.js';
import { analyzerDefinition } from './routines.js';
import { partitionsOf } from './partitions.js';
import { viewDefinition } from './view-format.js';
import { quoteIdent } from './format.js';
import { prepareStatement } from './dispatch.js';
import { sqlTypeName, T } from './types.js';
import { canSeeSchema, checkPrivileges, onRelation } from './privileges.js';
import { rowcountStatement, type Outcome, type Prepared } from './run.js';
import { relationSchema, Tx, type Env } from './scope.js';
import { foldedDefault } from './default-fold.js';
import { dropTableSql, refreshTable } from './storage.js';
import { isSystemSchema } from './system-tables.js';
import { translateQuery } from './query.js';
import type { ExtraStatement } from './stmt-extras.js';


/**
 * Schema and name of a table reference; checks the user may see the schema. An unqualified `existing` name
 * is looked for along the search path, a `new` one goes in the current schema.
 */
export function tableName(qname: Ctx, env: Env, purpose: 'existing' | 'new' = 'existing'): { schema: string; name: string; written: string } {
  const parts = qnameParts(qname);
  const name = parts[parts.length - 1]!;
  const schema = purpose === 'new' && parts.length === 1 ? env.schema : relationSchema(parts, env);
  if (!canSeeSchema(env.user, schema)) throw schemaUnknown(schema);
  return { schema, name, written: parts.join('.') };
}

/**
 * An existing user table, or CrateDB's error for a missing one; a view named where a table must be is
 * 4007 for `operation` (INSERT, UPDATE, DELETE, ALTER, ...) when the caller names it.
 */
export function existingTable(qname: Ctx, env: Env, operation?: string): TableDef {
  const { schema, name, written } = tableName(qname, env);
  if (isSystemSchema(schema)) {
    throw new CrateError(400, 4007, `OperationOnInaccessibleRelationException[The relation "${schema}.${name}" doesn't support or allow this operation]`);
  }
  const t = env.catalog.table(schema, name);
  if (!t && operation !== undefined && env.catalog.view(schema, name)) {
    throw new CrateError(400, 4007, `OperationOnInaccessibleRelationException[The relation "${schema}.${name}" doesn't support or allow ${operation} operations]`);
  }
  if (!t) {
    if (written.includes('.') && !env.catalog.schemaExists(schema)) throw schemaUnknown(schema);
    throw relationUnknown(written);
  }
  return t;
}

/** Table names exclude CrateDB's special characters; a leading underscore is fine (5.3+, crate/crate#13584). */
function validName(name: string, what: string): void {
  if (/[\\/*?"<>|,#.\s]/.test(name) || name.length === 0) {
    throw new CrateError(400, 4002, `InvalidRelationName[${what} name "${name}" is invalid.]`);
  }
}

export function prepareCreateTable(node: Ctx, env: Env): Prepared {
  const { schema, name } = tableName(node.table().qname(), env, 'new');
  const ifNotExists = !!node.IF?.();
  return rowcountStatement(async (ctx) => {
    checkPrivileges(env.user, [{ schema, type: 'DDL' }]);
    const { catalog, pg } = ctx.state;
    if (isSystemSchema(schema)) throw new CrateError(400, 4002, `InvalidSchemaNameException[schema name "${schema}" is invalid.]`);
    if (catalog.table(schema, name) || catalog.view(schema, name)) {
      if (ifNotExists) return 0;
      throw relationExists(`${schema}.${name}`);
    }
    validName(name, 'Relation');
    const spec = buildTable(node, schema, name, env);
    for (const col of spec.table.columns) if (col.defaultExpr !== undefined) col.defaultExpr = await foldedDefault(pg, col.defaultExpr, col, env);
    await pg.exec(spec.ddl);
    catalog.addTable(spec.table);
    return 1;
  });
}

export function prepareDropTable(node: Ctx, env: Env): Prepared {
  const ifExists = !!node.IF?.();
  const qname = node.table().qname();
  return rowcountStatement(async (ctx) => {
    const { schema, name, written } = tableName(qname, env);
    const t = ctx.state.catalog.table(schema, name);
    // A relation's own privilege counts for a relation that exists.
    checkPrivileges(env.user, [{ schema, ...(t ? { table: name } : {}), type: 'DDL' }]);
    if (!t && ctx.state.catalog.view(schema, name)) {
      throw new CrateError(400, 4007, `OperationOnInaccessibleRelationException[The relation "${schema}.${name}" doesn't support or allow DROP operations]`);
    }
    if (!t) {
      if (ifExists) return 0;
      if (written.includes('.') && !ctx.state.catalog.schemaExists(schema)) throw schemaUnknown(schema);
      throw relationUnknown(written);
    }
    checkBlocks(t, 'DROP');
    await ctx.state.pg.exec(dropTableSql(t));
    ctx.state.catalog.removeTable(t);
    return 1;
  });
}

export function prepareRefresh(node: Ctx, env: Env): Prepared {
  const refs = node.tableWithPartitions().tableWithPartition() as Ctx[];
  return rowcountStatement(async (ctx) => {
    const tables = refs.map((r) => existingTable(r.qname(), env));
    checkPrivileges(env.user, tables.map((t) => onRelation(t, 'DQL')));
    let count = 0;
    for (const t of tables) {
      await refreshTable(ctx.state.pg, t);
      // 5.10 counts each refreshed partition of a partitioned table.
      count += ctx.state.version === '5.10' && t.partitionedBy.length > 0 ? (await partitionsOf(ctx.state.pg, t)).length : 1;
    }
    return count;
  });
}

export function prepareCreateView(node: Ctx, env: Env): Prepared {
  const parts = qnameParts(node.name);
  const name = parts[parts.length - 1]!;
  const schema = parts.length > 1 ? parts[0]! : env.schema;
  const replace = !!node.REPLACE?.();
  const queryNode = node.queryOptParens();
  return rowcountStatement(async (ctx) => {
    if (!canSeeSchema(env.user, schema)) throw schemaUnknown(schema);
    checkPrivileges(env.user, [{ schema, type: 'DDL' }]);
    const { catalog } = ctx.state;
    if (catalog.table(schema, name) || (!replace && catalog.view(schema, name))) throw relationExists(`${schema}.${name}`);
    let q = queryNode;
    while (!q.query?.()) q = q.queryOptParens();
    // The view must translate now: unknown relations and columns fail CREATE VIEW. Its unqualified names
    // resolve along the creating session's search path, now and whenever it is read (ViewMetadata keeps it).
    translateQuery(q.query(), undefined, new Tx(env, []));
    const definition = viewDefinition(q.query(), env.version);
    catalog.views.set(`${schema}.${name}`, { schema, name, query: sourceText(q.query()), definition, owner: env.user.name, searchPath: env.searchPath });
    catalog.touch();
    return 1;
  });
}

export function prepareDropView(node: Ctx, env: Env): Prepared {
  const ifExists = !!node.IF?.();
  const names = (node.names.qname() as Ctx[]).map(qnameParts);
  return rowcountStatement(async (ctx) => {
    const { catalog } = ctx.state;
    const views = names.map((parts) => ({ schema: relationSchema(parts, env), name: parts[parts.length - 1]! }));
    const present = views.filter((v) => catalog.view(v.schema, v.name) !== undefined);
    for (const v of views) checkPrivileges(env.user, [{ schema: v.schema, ...(present.includes(v) ? { table: v.name } : {}), type: 'DDL' }]);
    // One cluster-state update (TransportDropView): a missing view without IF EXISTS drops none of them.
    const missing = views.filter((v) => !present.includes(v));
    if (missing.length > 0 && !ifExists) {
      throw new CrateError(404, 4041, `RelationsUnknown[Relations not found: ${missing.map((v) => `${v.schema}.${v.name}`).join(', ')}]`);
    }
    for (const v of present) catalog.removeView(v.schema, v.name);
    return present.length;
  });
}

/** CREATE SCHEMA / DROP SCHEMA (6.2+; recognized from tokens, see stmt-extras.ts). */
export function prepareSchemaStatement(extra: Extract<ExtraStatement, { kind: 'createSchema' | 'dropSchema' }>, env: Env): Prepared {
  return rowcountStatement(async (ctx) => {
    const { catalog } = ctx.state;
    checkPrivileges(env.user, [{ schema: extra.kind === 'createSchema' ? extra.name : extra.names[0]!, type: 'DDL' }]);
    if (extra.kind === 'createSchema') {
      if (isSystemSchema(extra.name) || catalog.userSchemas().includes(extra.name) && (catalog.explicitSchemas.has(extra.name) || [...catalog.tables.values()].some((t) => t.schema === extra.name) || extra.name === 'doc')) {
        if (extra.ifNotExists) return 1;
        throw new CrateError(409, 40910, `SchemaAlreadyExists[Schema '${extra.name}' already exists]`);
      }
      catalog.explicitSchemas.add(extra.name);
      catalog.touch();
      return 1;
    }
    for (const s of extra.names) {
      const exists = catalog.userSchemas().includes(s) && (catalog.explicitSchemas.has(s) || [...catalog.tables.values()].some((t) => t.schema === s) || [...catalog.views.values()].some((v) => v.schema === s));
      if (!exists) {
        if (extra.ifExists) continue;
        throw schemaUnknown(s);
      }
      const dependents = [...catalog.tables.values()].some((t) => t.schema === s) || [...catalog.views.values()].some((v) => v.schema === s);
      if (dependents && !extra.cascade) {
        throw new CrateError(400, 40013, `DependentObjectsExists[Cannot drop schema "${s}" because other objects depend on it]`);
      }
      if (dependents) {
        for (const t of [...catalog.tables.values()].filter((x) => x.schema === s)) {
          checkBlocks(t, 'DROP');
          await ctx.state.pg.exec(dropTableSql(t));
          catalog.removeTable(t);
        }
        for (const v of [...catalog.views.values()].filter((x) => x.schema === s)) catalog.views.delete(`${v.schema}.${v.name}`);
      }
      catalog.explicitSchemas.delete(s);
    }
    catalog.touch();
    return 1;
  });
}

/**
 * CREATE TABLE ... AS query: a table with the query's output columns and types (no primary key), filled
 * by the equivalent INSERT ... SELECT; the rowcount is the number of rows written.
 */
export function prepareCreateTableAs(node: Ctx, env: Env): Prepared {
  const { schema, name } = tableName(node.table().qname(), env, 'new');
  const source = node.insertSource().query();
  const ifNotExists = !!node.IF?.();
  return rowcountStatement(async (ctx) => {
    checkPrivileges(env.user, [{ schema, type: 'DDL' }]);
    const { catalog } = ctx.state;
    if (catalog.table(schema, name) || catalog.view(schema, name)) {
      if (ifNotExists) return 0;
      throw relationExists(`${schema}.${name}`);
    }
    const outputs = translateQuery(source, undefined, new Tx(env, [])).outputs;
    const target = `${quoteIdent(schema)}.${quoteIdent(name)}`;
    const cols = outputs.map((o) => `${quoteIdent(o.name)} ${sqlTypeName(o.type && o.type.kind !== 'undefined' ? o.type : T.text)}`);
    const run = async (sql: string): Promise<number> => {
      const outcome: Outcome = await prepareStatement(parseStatement(sql, env.version), env, lex(sql)).run(ctx, []);
      return outcome.kind === 'count' ? outcome.rowcount : 0;
    };
    await run(`CREATE TABLE ${target} (${cols.join(', ')})`);
    return run(`INSERT INTO ${target} (${outputs.map((o) => quoteIdent(o.name)).join(', ')}) ${sourceText(source)}`);
  });
}

/**
 * CREATE ANALYZER name [EXTENDS base] WITH (...): a custom analyzer searches like the one it extends.
 * DROP ANALYZER succeeds even while tables use it: their columns keep analyzing with it, only new
 * columns can no longer name it.
 */
export function prepareCreateAnalyzer(node: Ctx, env: Env): Prepared {
  const name = identName(node.name ?? node.ident(0));
  const base = node.EXTENDS?.() ? identName(node.extendedName ?? node.ident(1)) : undefined;
  return rowcountStatement(async (ctx) => {
    checkPrivileges(env.user, [{ schema: '', type: 'AL' }]);
    const { catalog } = ctx.state;
    const searchConfig = base === undefined ? 'simple' : resolveAnalyzer(base, catalog.analyzers, name);
    catalog.analyzers.set(name, { name, searchConfig, definition: analyzerDefinition(node, name, base) });
    catalog.touch();
    return 1;
  });
}

export function prepareDropAnalyzer(node: Ctx, env: Env): Prepared {
  const name = identName(node.name ?? node.ident());
  return rowcountStatement(async (ctx) => {
    checkPrivileges(env.user, [{ schema: '', type: 'AL' }]);
    const { catalog } = ctx.state;
    if (!catalog.analyzers.delete(name)) throw new CrateError(404, 4042, `AnalyzerUnknownException[Analyzer '${name}' unknown]`);
    catalog.touch();
    return 1;
  });
}
