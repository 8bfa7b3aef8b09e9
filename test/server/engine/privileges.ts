/**
 * Users and privileges as CrateDB checks them: `crate` is a superuser. A privilege is held cluster-wide,
 * on a schema or on one table or view (`type@`, `type@schema`, `type@schema.table`), granted or denied;
 * the most specific level that says anything decides (RolePrivileges.matchPrivilege: table, then schema,
 * then cluster). Another user sees a schema only when it holds some privilege on it, on a relation in it or
 * cluster-wide, otherwise the schema does not exist for it (4045, `sys` included); a relation it holds
 * nothing on does not exist either (4041); seeing it but lacking the statement's privilege is 4011.
 * Roles granted to a user lend it their privileges.
 */
import { parsePrivilege, type PrivilegeType, type UserDef } from './catalog.js';
import { missingPrivilege, relationUnknown, schemaUnknown } from './errors.js';

const TYPES: PrivilegeType[] = ['DQL', 'DML', 'DDL', 'AL'];

/** What a statement needs: a privilege on a schema, or on one relation of it when `table` is given. */
export interface PrivilegeNeed {
  schema: string;
  table?: string;
  type: PrivilegeType;
}

/** What a statement on one table or view needs. */
export function onRelation(r: { schema: string; name: string }, type: PrivilegeType): PrivilegeNeed {
  return { schema: r.schema, table: r.name, type };
}

/** The privileges' identifiers from the most specific to the cluster's (''). */
function levels(schema: string | null, table?: string): string[] {
  if (schema === null || schema === '') return [''];
  return table === undefined ? [schema, ''] : [`${schema}.${table}`, schema, ''];
}

/**
 * The privilege at its most specific stated level; DENY beats a GRANT only on the same level or above it.
 * When the user's own privileges say nothing, a role granted to it that holds the privilege gives it
 * (Roles.hasPrivilege walks the parents); a role's DENY does not take away what another role grants.
 */
export function hasPrivilege(user: UserDef, type: PrivilegeType, schema: string | null, table?: string): boolean {
  if (user.superuser) return true;
  return held(user, type, levels(schema, table));
}

function held(role: UserDef, type: PrivilegeType, idents: string[]): boolean {
  for (const ident of idents) {
    if (role.privileges.has(`DENY:${type}@${ident}`)) return false;
    if (role.privileges.has(`${type}@${ident}`)) return true;
  }
  return (role.granted ?? []).some((g) => held(g.role, type, idents));
}

/** The user's own privileges and those of every role granted to it, directly or through another role. */
export function allPrivileges(user: UserDef): string[] {
  return [...user.privileges, ...(user.granted ?? []).flatMap((g) => allPrivileges(g.role))];
}

/** True when the user holds some privilege on the schema itself or cluster-wide: every relation of it is visible. */
export function seesWholeSchema(user: UserDef, schema: string): boolean {
  return user.superuser || TYPES.some((t) => hasPrivilege(user, t, schema));
}

/** True when the user may see `schema` at all: through the schema, the cluster, or a relation in it. */
export function canSeeSchema(user: UserDef, schema: string): boolean {
  if (user.superuser || schema === 'information_schema' || schema === 'pg_catalog') return true;
  if (seesWholeSchema(user, schema)) return true;
  return allPrivileges(user).map(parsePrivilege).some((p) => !p.denied && p.ident.startsWith(`${schema}.`));
}

/** True when the user may see the relation: some privilege on it, its schema or the cluster. */
export function canSeeRelation(user: UserDef, schema: string, table: string): boolean {
  return user.superuser || TYPES.some((t) => hasPrivilege(user, t, schema, table));
}

/** Throws CrateDB's error for the first requirement the user does not meet. */
export function checkPrivileges(user: UserDef, needs: ReadonlyArray<PrivilegeNeed>): void {
  if (user.superuser) return;
  for (const { schema, table, type } of needs) {
    if (schema === 'information_schema' || schema === 'pg_catalog') continue;
    if (schema !== '' && !canSeeSchema(user, schema)) throw schemaUnknown(schema);
    if (table !== undefined && !canSeeRelation(user, schema, table)) throw relationUnknown(`${schema}.${table}`);
    if (!hasPrivilege(user, type, schema, table)) throw missingPrivilege(type, user.name);
  }
}

/** Privilege names of GRANT/DENY/REVOKE: `ALL` is DQL, DML and DDL on a schema or table, plus AL cluster-wide. */
export function privilegeTypes(names: string[] | 'ALL', clusterWide: boolean): PrivilegeType[] {
  if (names === 'ALL') return clusterWide ? [...TYPES] : ['DQL', 'DML', 'DDL'];
  return names.map((n) => n.toUpperCase() as PrivilegeType);
}

export function isPrivilegeType(name: string): boolean {
  return (TYPES as string[]).includes(name.toUpperCase());
}
