/**
 * Users, roles and privileges: CREATE / ALTER / DROP USER and ROLE, GRANT / DENY / REVOKE of privileges
 * (the rowcount is the number of privileges changed) and of roles (the grants added or removed).
 */
import { CrateError, relationUnknown, sqlParse, unsupportedFeature } from './errors.js';
import type { Catalog, UserDef } from './catalog.js';
import { properties } from './ddl-create.js';
import { identName, qnameParts, ruleName, type Ctx } from './parse.js';
import { hasPrivilege, isPrivilegeType, privilegeTypes } from './privileges.js';
import { rowcountStatement, type Prepared } from './run.js';
import type { Env } from './scope.js';
import { existingTable, tableName } from './stmt-ddl.js';

/** Managing users, privileges and cluster settings takes AL cluster-wide (`GRANT AL TO u`), which the superuser has. */
export function userRequired(env: Env): void {
  if (!hasPrivilege(env.user, 'AL', null)) throw new CrateError(401, 4011, `MissingPrivilegeException[Missing 'AL' privilege for user '${env.user.name}']`);
}

const roleUnknown = (names: string[]): CrateError => new CrateError(404, 40410, names.length === 1
  ? `RoleUnknownException[Role '${names[0]}' does not exist]`
  : `RoleUnknownException[Roles '${names.join(', ')}' do not exist]`);

export function prepareCreateUser(node: Ctx, env: Env): Prepared {
  const name = identName(node.name);
  const props = properties(node.withProperties?.());
  const isRole = !!node.ROLE?.();
  return rowcountStatement(async (ctx) => {
    userRequired(env);
    const { catalog } = ctx.state;
    if (catalog.users.has(name)) throw new CrateError(409, 4099, `RoleAlreadyExistsException[Role '${name}' already exists]`);
    const password = props.get('password');
    if (isRole && password !== undefined) throw unsupportedFeature('Creating a ROLE with a password is not allowed, use CREATE USER instead');
    catalog.users.set(name, { name, ...(password !== undefined ? { password } : {}), superuser: false, privileges: new Set(), ...(isRole ? { role: true } : {}) });
    catalog.touch();
    return 1;
  });
}

export function prepareAlterUser(node: Ctx, env: Env): Prepared {
  const name = identName(node.name);
  const props = properties({ genericProperties: () => node.genericProperties() });
  return rowcountStatement(async (ctx) => {
    if (env.user.name !== name) userRequired(env);
    const user = ctx.state.catalog.users.get(name);
    if (!user) throw roleUnknown([name]);
    const password = props.get('password');
    if (user.role && password !== undefined) throw unsupportedFeature('Setting a password to a ROLE is not allowed');
    if (password === 'null' || password === undefined) delete user.password;
    else user.password = password;
    ctx.state.catalog.touch();
    return 1;
  });
}

export function prepareDropUser(node: Ctx, env: Env): Prepared {
  const name = identName(node.name);
  const ifExists = !!node.IF?.();
  return rowcountStatement(async (ctx) => {
    userRequired(env);
    const { catalog } = ctx.state;
    const user = catalog.users.get(name);
    if (!user) {
      if (ifExists) return 0;
      throw roleUnknown([name]);
    }
    if (user.superuser) throw unsupportedFeature(`Cannot drop a superuser '${name}'`);
    // DropRoleTask.validateHasChildren: a role still granted to someone stays.
    const holder = [...catalog.users.values()].find((u) => u.granted?.some((g) => g.role === user));
    if (holder) throw sqlParse(`Cannot drop ROLE: ${name} as it is granted on role: ${holder.name}`);
    catalog.users.delete(name);
    catalog.touch();
    return 1;
  });
}

/** GRANT / DENY / REVOKE privileges ON SCHEMA|TABLE|VIEW names TO|FROM users (no ON: cluster-wide). */
export function preparePrivileges(node: Ctx, env: Env): Prepared {
  const kind = ruleName(node) === 'GrantPrivilegeContext' ? 'grant' : ruleName(node) === 'DenyPrivilegeContext' ? 'deny' : 'revoke';
  const privNode = node.priviliges ?? node.privileges;
  const names: string[] | 'ALL' = privNode ? (privNode.ident() as Ctx[]).map((i) => identName(i).toUpperCase()) : 'ALL';
  const users = (node.users.ident() as Ctx[]).map(identName);
  const securable = node.securable?.()?.getText().toUpperCase();
  const objects = node.qnames?.() ? (node.qnames().qname() as Ctx[]) : [];
  const written = privNode ? (privNode.ident() as Ctx[]).map(identName) : [];
  return rowcountStatement(async (ctx) => {
    userRequired(env);
    const { catalog } = ctx.state;
    // Without ON, names that are no privilege type are roles to grant or revoke (PrivilegesAnalyzer).
    if (names !== 'ALL' && objects.length === 0 && !names.every(isPrivilegeType)) {
      if (names.some(isPrivilegeType)) throw sqlParse('Mixing up cluster privileges with roles is not allowed');
      return applyRoles(catalog, kind, written, users, env.user.name);
    }
    if (names !== 'ALL') for (const [i, n] of names.entries()) if (!isPrivilegeType(n)) throw sqlParse(`Unknown permission '${written[i]}'`);
    const types = privilegeTypes(names, objects.length === 0);
    const targets: string[] = objects.length === 0
      ? ['']
      : objects.map((q) => {
          if (securable === 'SCHEMA') return qnameParts(q).join('.');
          if (securable === 'VIEW') {
            const { schema, name, written } = tableName(q, env);
            if (!catalog.view(schema, name)) throw relationUnknown(written);
            return `${schema}.${name}`;
          }
          const t = existingTable(q, env);
          return `${t.schema}.${t.name}`;
        });
    let changed = 0;
    const unknown = users.filter((u) => !catalog.users.has(u));
    if (unknown.length > 0) throw roleUnknown(unknown);
    for (const u of users) {
      const user = catalog.users.get(u)!;
      if (user.superuser) throw unsupportedFeature(`Cannot alter privileges for superuser '${u}'`);
      for (const t of types) {
        for (const target of targets) {
          const key = `${t}@${target}`;
          const deny = `DENY:${key}`;
          const before = [user.privileges.has(key), user.privileges.has(deny)].join();
          user.privileges.delete(key);
          user.privileges.delete(deny);
          if (kind === 'grant') user.privileges.add(key);
          if (kind === 'deny') user.privileges.add(deny);
          if ([user.privileges.has(key), user.privileges.has(deny)].join() !== before) changed++;
        }
      }
    }
    catalog.touch();
    return changed;
  });
}

/**
 * GRANT / REVOKE role, ... TO / FROM name, ...: the checks of PrivilegesAnalyzer and TransportPrivilegesAction,
 * in their order; the rowcount is the grants added or removed.
 */
function applyRoles(catalog: Catalog, kind: 'grant' | 'deny' | 'revoke', roles: string[], grantees: string[], grantor: string): number {
  if (kind === 'deny') throw sqlParse('Cannot DENY a role');
  if (grantees.includes('crate')) throw sqlParse('Cannot grant roles to crate superuser');
  if (roles.includes('crate')) throw sqlParse('Cannot grant crate superuser, to other users or roles');
  for (const g of grantees) if (roles.includes(g)) throw sqlParse(`Cannot grant role ${g} to itself as a cycle will be created`);
  const unknownGrantees = grantees.filter((g) => !catalog.users.has(g));
  if (unknownGrantees.length > 0) throw roleUnknown(unknownGrantees);
  const unknownRoles = roles.filter((r) => !catalog.users.has(r));
  if (unknownRoles.length > 0) throw roleUnknown(unknownRoles);
  const word = kind === 'grant' ? 'GRANT' : 'REVOKE';
  for (const r of roles) if (!catalog.users.get(r)!.role) throw sqlParse(`Cannot ${word} a USER to a ROLE`);
  if (kind === 'grant') {
    for (const r of roles) {
      const parents = ancestors(catalog.users.get(r)!);
      for (const g of grantees) {
        if (parents.has(g)) throw sqlParse(`Cannot grant role ${r} to ${g}, ${g} is a parent role of ${r} and a cycle will be created`);
      }
    }
  }
  let changed = 0;
  for (const g of grantees) {
    const grantee = catalog.users.get(g)!;
    const granted = (grantee.granted ??= []);
    for (const r of roles) {
      const role = catalog.users.get(r)!;
      const at = granted.findIndex((x) => x.role === role);
      if (kind === 'grant' && at < 0) {
        granted.push({ role, grantor });
        changed++;
      } else if (kind === 'revoke' && at >= 0) {
        granted.splice(at, 1);
        changed++;
      }
    }
  }
  catalog.touch();
  return changed;
}

/** Every role granted to `role`, through any number of steps. */
function ancestors(role: UserDef, out = new Set<string>()): Set<string> {
  for (const g of role.granted ?? []) {
    if (out.has(g.role.name)) continue;
    out.add(g.role.name);
    ancestors(g.role, out);
  }
  return out;
}
