/**
 * Users and privileges as CrateDB checks them: `crate` is a superuser; another user sees a schema
 * only when it holds some privilege on it (or cluster-wide), otherwise the schema does not exist for
 * it (4045, `sys` included); seeing it but lacking the statement's privilege is 4011.
 */
import type { PrivilegeType, UserDef } from './catalog.js';
import { missingPrivilege, schemaUnknown } from './errors.js';

const TYPES: PrivilegeType[] = ['DQL', 'DML', 'DDL', 'AL'];

/** True when the user may see `schema` at all. */
export function canSeeSchema(user: UserDef, schema: string): boolean {
  if (user.superuser || schema === 'information_schema' || schema === 'pg_catalog') return true;
  return TYPES.some((t) => hasPrivilege(user, t, schema));
}

/** A privilege on the schema or cluster-wide, unless denied on that schema (DENY wins over GRANT). */
export function hasPrivilege(user: UserDef, type: PrivilegeType, schema: string | null): boolean {
  if (user.superuser) return true;
  if (schema !== null && user.privileges.has(`DENY:${type}@${schema}`)) return false;
  if (user.privileges.has(`${type}@`)) return true;
  return schema !== null && user.privileges.has(`${type}@${schema}`);
}

/** Throws CrateDB's error for the first requirement the user does not meet. */
export function checkPrivileges(user: UserDef, needs: ReadonlyArray<{ schema: string; type: PrivilegeType }>): void {
  if (user.superuser) return;
  for (const { schema, type } of needs) {
    if (schema === 'information_schema' || schema === 'pg_catalog') continue;
    if (!canSeeSchema(user, schema)) throw schemaUnknown(schema);
    if (!hasPrivilege(user, type, schema)) throw missingPrivilege(type, user.name);
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
