/**
 * The privilege and visibility functions (HasPrivilegeFunction and its table, schema and database variants,
 * PgTableIsVisibleFunction): they read the session's user and the catalog (`env`), so only a caller that has an
 * `env` consults them. With literal arguments they are evaluated here, as CrateDB evaluates them at analysis,
 * and their errors keep CrateDB's codes; otherwise the privileges, fixed for a memoized translation (it is keyed
 * by user and catalog version), are compiled into CASE expressions over the names and OIDs they tell apart.
 */
import type { MoreCtx } from './functions-more.js';
import { nullUnless } from './functions-more-pg.js';
import { parsePrivilege, SYSTEM_SCHEMAS, type PrivilegeType, type UserDef } from './catalog.js';
import { CrateError, sqlParse } from './errors.js';
import { pgString, pgStringValue } from './format.js';
import { oidHash } from './pg-catalog.js';
import { allPrivileges, hasPrivilege } from './privileges.js';
import type { Env, Typed } from './scope.js';
import { sqlFail } from './storage.js';
import { SYSTEM_TABLES } from './system-tables.js';
import { T } from './types.js';

const fail = (message: string): string => sqlFail(message, 'boolean');

export type CatalogMapper = (args: Typed[], ctx: MoreCtx & { env: Env }) => Typed;

type Literal = { value: string | number | null };

/** The value of a literal argument as the translation spells it: NULL, a string, an integer (`-1` is `(- 1)`). */
function literal(t: Typed): Literal | undefined {
  if (t.sql === 'NULL') return { value: null };
  const s = pgStringValue(t.sql);
  if (s !== undefined) return { value: s };
  const n = /^\(?(- )?(\d+)\)?$/.exec(t.sql);
  return n ? { value: Number(n[2]) * (n[1] ? -1 : 1) } : undefined;
}

const isOid = (t: Typed): boolean => ['integer', 'bigint', 'smallint', 'byte'].includes(t.type?.kind ?? '');
const textArray = (xs: readonly string[]): string => `CAST(ARRAY[${xs.map(pgString).join(', ')}] AS text[])`;
const bool = (b: boolean): string => (b ? 'TRUE' : 'FALSE');

/** String.split(","): no separator gives the whole text, trailing empty pieces are dropped. */
function javaSplit(s: string): string[] {
  if (!s.includes(',')) return [s];
  const parts = s.split(',');
  while (parts.length > 0 && parts[parts.length - 1] === '') parts.pop();
  return parts;
}

/** A permission list as the functions parse it: comma separated, any case, spaces around (`Unrecognized permission: x`). */
type Names = Record<string, PrivilegeType>;

function parsePermissions(text: string, names: Names): Set<PrivilegeType> {
  const out = new Set<PrivilegeType>();
  for (const raw of javaSplit(text.toLowerCase())) {
    const p = raw.replace(/^[\x00-\x20]+|[\x00-\x20]+$/g, '');
    const type = names[p];
    if (type === undefined) throw sqlParse(`Unrecognized permission: ${p}`);
    out.add(type);
  }
  return out;
}

/** The same in SQL, for a permission list that is not a literal: `has(type)` and the first unrecognized piece. */
function permissionsSql(p: string, names: Names): { has: (type: PrivilegeType) => string; check: (body: string) => string } {
  const pieces = `unnest(string_to_array(regexp_replace(lower(${p}), ',+$', ''), ',')) WITH ORDINALITY AS u(piece, n)`;
  const piece = `btrim(u.piece, E' \\t\\n\\r')`;
  const all = textArray(Object.keys(names));
  const bad = `(CASE WHEN ${p} = '' THEN '' ELSE (SELECT ${piece} FROM ${pieces} WHERE NOT ${piece} = ANY(${all}) ORDER BY u.n LIMIT 1) END)`;
  return {
    has: (type) => {
      const of = textArray(Object.entries(names).filter(([, t]) => t === type).map(([n]) => n));
      return `COALESCE((SELECT bool_or(${piece} = ANY(${of})) FROM ${pieces}), FALSE)`;
    },
    check: (body) => `(CASE WHEN ${bad} IS NOT NULL THEN ${fail(`'Unrecognized permission: ' || ${bad}`)} ELSE ${body} END)`,
  };
}

const users = (env: Env): UserDef[] => [...env.catalog.users.values()].filter((u) => !u.role);

/**
 * The body for the user the call names (HasPrivilegeFunction: by name or OID, only users, and another user's only
 * for a session user with DQL on sys.privileges or AL). NULL for a NULL user.
 */
function forUser(env: Env, arg: Typed | undefined, body: (user: UserDef) => string): string {
  if (!arg) return body(env.user);
  const byOid = isOid(arg);
  const session = env.user;
  const mayCheck = (u: UserDef): boolean => u.name === session.name || hasPrivilege(session, 'DQL', 'sys', 'privileges') || hasPrivilege(session, 'AL', null);
  const missing = `Missing privilege for user '${session.name}'`;
  const lit = literal(arg);
  if (lit) {
    if (lit.value === null) return 'CAST(NULL AS boolean)';
    const user = users(env).find((u) => (byOid ? oidHash(`USER${u.name}`) === lit.value : u.name === String(lit.value)));
    if (!user) throw sqlParse(byOid ? `User with OID ${lit.value} does not exist` : `User ${lit.value} does not exist`);
    if (!mayCheck(user)) throw new CrateError(401, 4011, `MissingPrivilegeException[${missing}]`);
    return body(user);
  }
  // Evaluated per row: a refusal can only be a runtime failure here (4000, where CrateDB answers 4011).
  const cases = users(env).map((u) => `WHEN ${byOid ? oidHash(`USER${u.name}`) : pgString(u.name)} THEN ${mayCheck(u) ? body(u) : fail(pgString(missing))}`);
  const unknown = byOid ? `'User with OID ' || ${arg.sql} || ' does not exist'` : `'User ' || ${arg.sql} || ' does not exist'`;
  return `(CASE WHEN ${arg.sql} IS NULL THEN NULL ELSE (CASE ${arg.sql} ${cases.join(' ')} ELSE ${fail(unknown)} END) END)`;
}

/** OR over the requested permissions of `answer`, NULL when the object or the permission list is NULL. */
function anyOf(obj: Typed, perms: Typed, names: Names, answer: (type: PrivilegeType) => string): string {
  const types = [...new Set(Object.values(names))];
  const p = literal(perms);
  if (p && p.value !== null) {
    const wanted = parsePermissions(String(p.value), names);
    const body = wanted.size === 0 ? 'FALSE' : `(${[...wanted].map(answer).join(' OR ')})`;
    return literal(obj)?.value === null ? 'CAST(NULL AS boolean)' : `(CASE WHEN ${obj.sql} IS NULL THEN NULL ELSE ${body} END)`;
  }
  if (p) return 'CAST(NULL AS boolean)';
  const sql = permissionsSql(perms.sql, names);
  const body = `(${types.map((t) => `(${sql.has(t)} AND ${answer(t)})`).join(' OR ')})`;
  return `(CASE WHEN ${obj.sql} IS NULL OR ${perms.sql} IS NULL THEN NULL ELSE ${sql.check(body)} END)`;
}

/** A CASE over a value: TRUE for the keys answered true, FALSE for those answered false, `otherwise` else. */
function lookup(value: string, answers: Map<string, boolean>, otherwise: string): string {
  const yes = [...answers].filter(([, a]) => a).map(([k]) => k);
  const no = [...answers].filter(([, a]) => !a).map(([k]) => k);
  const arms = [yes.length ? `WHEN ${value} = ANY(${textArray(yes)}) THEN TRUE` : '', no.length ? `WHEN ${value} = ANY(${textArray(no)}) THEN FALSE` : ''];
  return arms.some(Boolean) ? `(CASE ${arms.join(' ')} ELSE ${otherwise} END)` : otherwise;
}

/** The relations OIDs point at: user tables and views, and the system tables (OidHash of kind and name). */
function relationsByOid(env: Env): Map<number, { schema: string; name: string }> {
  const out = new Map<number, { schema: string; name: string }>();
  for (const t of env.catalog.tables.values()) out.set(oidHash(`TABLE${t.schema}.${t.name}`), t);
  for (const v of env.catalog.views.values()) out.set(oidHash(`VIEW${v.schema}.${v.name}`), v);
  for (const d of SYSTEM_TABLES.values()) out.set(oidHash(`TABLE${d.schema}.${d.name}`), d);
  return out;
}

/**
 * HasTablePrivilegeFunction: a name without a schema is in `doc` (RelationName.fqnFromIndexName, not the search
 * path); the privilege counts on the table, its schema or the cluster. An unknown OID has only the cluster's.
 */
function tableAnswer(user: UserDef, type: PrivilegeType, arg: Typed, env: Env): string {
  if (user.superuser) return 'TRUE';
  const fqn = (name: string): [string, string] => {
    const dot = name.indexOf('.');
    return dot < 0 ? ['doc', name] : [name.slice(0, dot), name.slice(dot + 1)];
  };
  const cluster = hasPrivilege(user, type, null);
  const lit = literal(arg);
  if (isOid(arg)) {
    const byOid = relationsByOid(env);
    if (lit) {
      const r = byOid.get(Number(lit.value));
      return bool(r ? hasPrivilege(user, type, r.schema, r.name) : cluster);
    }
    const cases = [...byOid].map(([oid, r]) => `WHEN ${oid} THEN ${bool(hasPrivilege(user, type, r.schema, r.name))}`);
    return `(CASE ${arg.sql} ${cases.join(' ')} ELSE ${bool(cluster)} END)`;
  }
  if (lit) return bool(hasPrivilege(user, type, ...fqn(String(lit.value))));
  // Names the user's privileges tell apart; any other table answers as its schema's, any other schema as the cluster.
  const idents = allPrivileges(user).map((p) => parsePrivilege(p).ident).filter((i) => i !== '');
  const tables = new Map(idents.filter((i) => i.includes('.')).map((i) => [i, hasPrivilege(user, type, ...fqn(i))] as [string, boolean]));
  const schemas = new Map(idents.filter((i) => !i.includes('.')).map((s) => [s, hasPrivilege(user, type, s, '\u0000')] as [string, boolean]));
  const name = `(CASE WHEN strpos(${arg.sql}, '.') > 0 THEN ${arg.sql} ELSE 'doc.' || ${arg.sql} END)`;
  return lookup(name, tables, lookup(`split_part(${name}, '.', 1)`, schemas, bool(cluster)));
}

/** HasSchemaPrivilegeFunction: USAGE (DQL) of pg_catalog and information_schema is everyone's. */
function schemaAnswer(user: UserDef, type: PrivilegeType, arg: Typed, env: Env): string {
  const open = ['pg_catalog', 'information_schema'];
  const answer = (schema: string): boolean => (type === 'DQL' && open.includes(schema)) || hasPrivilege(user, type, schema);
  const idents = allPrivileges(user).map((p) => parsePrivilege(p).ident).filter((i) => i !== '' && !i.includes('.'));
  const known = [...new Set([...env.catalog.userSchemas(), ...SYSTEM_SCHEMAS, ...idents])];
  const cluster = bool(hasPrivilege(user, type, null));
  const lit = literal(arg);
  if (isOid(arg)) {
    if (lit) {
      const schema = known.find((s) => oidHash(`SCHEMA${s}`) === lit.value);
      return schema === undefined ? cluster : bool(answer(schema));
    }
    return `(CASE ${arg.sql} ${known.map((s) => `WHEN ${oidHash(`SCHEMA${s}`)} THEN ${bool(answer(s))}`).join(' ')} ELSE ${cluster} END)`;
  }
  if (lit) return bool(answer(String(lit.value)));
  return lookup(arg.sql, new Map([...open, ...idents].map((s) => [s, answer(s)])), cluster);
}

const TABLE_PERMISSIONS: Names = { select: 'DQL', insert: 'DML', update: 'DML', delete: 'DML' };
const SCHEMA_PERMISSIONS: Names = { create: 'DDL', usage: 'DQL' };
const DATABASE_PERMISSIONS: Names = { connect: 'DQL', create: 'DDL', temp: 'DML', temporary: 'DML' };

/** The arguments of either signature: (object, permissions) for the session's user, or (user, object, permissions). */
const split = (args: Typed[]): [Typed | undefined, Typed, Typed] => (args.length === 3 ? [args[0], args[1]!, args[2]!] : [undefined, args[0]!, args[1]!]);

/**
 * HasDatabasePrivilegeFunction: only `crate` (OID 0) exists. CONNECT is everyone's, TEMP no one's, CREATE a DDL
 * privilege of the user's own on the cluster or a schema (granted or denied: the check reads the type only).
 */
function hasDatabasePrivilege(args: Typed[], { env }: { env: Env }): Typed {
  const [userArg, db, perms] = split(args);
  const create = (u: UserDef): boolean => u.superuser || [...u.privileges].map(parsePrivilege).some((p) => p.type === 'DDL' && !p.ident.includes('.'));
  const dbLit = literal(db);
  const byOid = isOid(db);
  const missing = (v: string): string => (byOid ? `database with OID "${v}" does not exist` : `database "${v}" does not exist`);
  const body = (u: UserDef): string => {
    // After the user is resolved: CrateDB looks the user up before it checks the database.
    if (dbLit && dbLit.value !== null && String(dbLit.value) !== (byOid ? '0' : 'crate')) throw sqlParse(missing(String(dbLit.value)));
    const p = literal(perms);
    const verdict = (has: (t: PrivilegeType) => boolean | string): string => {
      const [connect, cr, temp] = [has('DQL'), has('DDL'), has('DML')];
      if (typeof connect === 'boolean' && typeof cr === 'boolean' && typeof temp === 'boolean') return bool(connect || (cr ? create(u) : !temp));
      return `(CASE WHEN ${connect} THEN TRUE WHEN ${cr} THEN ${bool(create(u))} WHEN ${temp} THEN FALSE ELSE TRUE END)`;
    };
    let result: string;
    if (p && p.value !== null) {
      const wanted = parsePermissions(String(p.value), DATABASE_PERMISSIONS);
      result = verdict((t) => wanted.has(t));
    } else if (p) {
      return 'CAST(NULL AS boolean)';
    } else {
      const sql = permissionsSql(perms.sql, DATABASE_PERMISSIONS);
      result = sql.check(verdict(sql.has));
    }
    const known = byOid ? `CAST(${db.sql} AS integer) = 0` : `${db.sql} = 'crate'`;
    const unknown = byOid ? `'database with OID "' || ${db.sql} || '" does not exist'` : `'database "' || ${db.sql} || '" does not exist'`;
    const checked = dbLit ? result : `(CASE WHEN ${known} THEN ${result} ELSE ${fail(unknown)} END)`;
    return `(CASE WHEN ${db.sql} IS NULL OR ${perms.sql} IS NULL THEN NULL ELSE ${checked} END)`;
  };
  return { sql: forUser(env, userArg, body), type: T.boolean };
}

/**
 * PgTableIsVisibleFunction: along the search path (pg_catalog first unless it is on it), the first schema with a
 * relation of that name the user holds DQL, DML or DDL on decides: visible if it is the relation's own schema.
 */
function tableIsVisible(args: Typed[], { env, searchPath }: { env: Env; searchPath: readonly string[] }): Typed {
  const [oid] = args as [Typed];
  const path = searchPath.includes('pg_catalog') ? searchPath : ['pg_catalog', ...searchPath];
  const exists = (schema: string, name: string): boolean =>
    Boolean(env.catalog.table(schema, name) ?? env.catalog.view(schema, name) ?? SYSTEM_TABLES.get(`${schema}.${name}`));
  const visible = (r: { schema: string; name: string }): boolean => {
    for (const schema of path) {
      if (!exists(schema, r.name)) continue;
      if ((['DQL', 'DML', 'DDL'] as const).some((t) => hasPrivilege(env.user, t, schema, r.name))) return schema === r.schema;
      if (schema === r.schema) break;
    }
    return false;
  };
  const byOid = relationsByOid(env);
  const lit = literal(oid);
  if (lit) return { sql: lit.value === null ? 'CAST(NULL AS boolean)' : bool(Boolean(byOid.get(Number(lit.value)) && visible(byOid.get(Number(lit.value))!))), type: T.boolean };
  const yes = [...byOid].filter(([, r]) => visible(r)).map(([o]) => o);
  return { sql: nullUnless(oid, yes.length ? `(CAST(${oid.sql} AS integer) = ANY(ARRAY[${yes.join(', ')}]))` : 'FALSE'), type: T.boolean };
}

const hasObjectPrivilege = (names: Names, answer: typeof tableAnswer): CatalogMapper => (args, { env }) => {
  const [userArg, obj, perms] = split(args);
  return { sql: forUser(env, userArg, (u) => anyOf(obj, perms, names, (t) => answer(u, t, obj, env))), type: T.boolean };
};

const CATALOG: Record<string, CatalogMapper> = {
  has_table_privilege: hasObjectPrivilege(TABLE_PERMISSIONS, tableAnswer),
  has_schema_privilege: hasObjectPrivilege(SCHEMA_PERMISSIONS, schemaAnswer),
  has_database_privilege: hasDatabasePrivilege,
  pg_table_is_visible: tableIsVisible,
};

/** The functions that need `env`; all are pg_catalog's. */
export const CATALOG_FUNCTIONS: Record<string, CatalogMapper> = {
  ...CATALOG,
  ...Object.fromEntries(Object.entries(CATALOG).map(([name, fn]) => [`pg_catalog.${name}`, fn])),
};
