/**
 * Roles as CrateDB 5.6+ has them (PrivilegesAnalyzer, TransportPrivilegesAction, DropRoleTask,
 * RoleManagementIntegrationTest): CREATE ROLE makes a name that holds privileges and cannot log in,
 * GRANT role TO user lends them, sys.users and sys.roles list each kind with its granted_roles.
 */
import { describe, expect, it } from 'vitest';
import { engineForFile } from './file-engine.js';

describe('roles', () => {
  const { sql, as, engine } = engineForFile('6.4', { migrator: 'secret' });
  const message = async (stmt: string): Promise<string | undefined> => (await sql(stmt)).error?.message;

  it('lends a role\'s privileges to the users it is granted to, directly or through another role, until revoked', async () => {
    await sql('CREATE TABLE doc.t (id INT)');
    await sql('CREATE ROLE readers');
    await sql('CREATE ROLE staff');
    await sql('GRANT DQL ON SCHEMA doc TO readers');
    const migrator = as('migrator');
    expect((await migrator('SELECT count(*) FROM doc.t')).error?.code).toBe(4045);
    expect((await sql('GRANT readers TO staff')).rowcount).toBe(1);
    expect((await sql('GRANT staff TO migrator')).rowcount).toBe(1);
    expect((await sql('GRANT staff TO migrator')).rowcount).toBe(0);
    expect((await migrator('SELECT count(*) FROM doc.t')).rows).toEqual([[0]]);
    expect((await migrator('INSERT INTO doc.t (id) VALUES (1)')).error?.code).toBe(4011);
    expect((await sql('REVOKE staff FROM migrator')).rowcount).toBe(1);
    expect((await migrator('SELECT count(*) FROM doc.t')).error?.code).toBe(4045);
  });

  it('lists users and roles apart, each with the roles granted to it, and a role cannot log in', async () => {
    await sql('CREATE ROLE r1');
    await sql('GRANT r1 TO migrator');
    expect((await sql('SELECT name, granted_roles FROM sys.users ORDER BY name')).rows).toEqual([
      ['crate', []],
      ['migrator', [{ grantor: 'crate', role: 'r1' }]],
    ]);
    expect((await sql('SELECT name, granted_roles FROM sys.roles')).rows).toEqual([['r1', []]]);
    expect((await sql("SELECT rolcanlogin FROM pg_roles WHERE rolname = 'r1'")).rows).toEqual([[false]]);
    expect(await engine().authenticate('r1', '')).toBe(false);
  });

  it('refuses what CrateDB refuses, with its messages', async () => {
    await sql('CREATE ROLE r1');
    await sql('CREATE ROLE r2');
    expect(await message("CREATE ROLE r3 WITH (password = 'x')")).toBe(
      'UnsupportedFeatureException[Creating a ROLE with a password is not allowed, use CREATE USER instead]',
    );
    expect(await message("ALTER ROLE r1 SET (password = 'x')")).toBe('UnsupportedFeatureException[Setting a password to a ROLE is not allowed]');
    await sql('GRANT r2 TO r1');
    expect(await message('GRANT r1 TO r2')).toBe('SQLParseException[Cannot grant role r1 to r2, r2 is a parent role of r1 and a cycle will be created]');
    expect(await message('GRANT r1 TO r1')).toBe('SQLParseException[Cannot grant role r1 to itself as a cycle will be created]');
    expect(await message('GRANT migrator TO r1')).toBe('SQLParseException[Cannot GRANT a USER to a ROLE]');
    expect(await message('GRANT r1, DQL TO migrator')).toBe('SQLParseException[Mixing up cluster privileges with roles is not allowed]');
    expect(await message('DENY r1 TO migrator')).toBe('SQLParseException[Cannot DENY a role]');
    expect(await message('GRANT r1 TO crate')).toBe('SQLParseException[Cannot grant roles to crate superuser]');
    expect(await sql('GRANT nope TO migrator')).toMatchObject({ error: { code: 40410, message: "RoleUnknownException[Role 'nope' does not exist]" } });
    expect(await message('GRANT DQL ON SCHEMA doc TO crate')).toBe("UnsupportedFeatureException[Cannot alter privileges for superuser 'crate']");
    expect(await message('DROP ROLE r2')).toBe('SQLParseException[Cannot drop ROLE: r2 as it is granted on role: r1]');
    expect(await sql('DROP USER crate')).toMatchObject({ error: { code: 4004, message: "UnsupportedFeatureException[Cannot drop a superuser 'crate']" } });
  });

  it('lets a user holding AL manage users', async () => {
    const migrator = as('migrator');
    expect((await migrator('CREATE USER arthur')).error?.code).toBe(4011);
    await sql('GRANT AL TO migrator');
    expect((await migrator('CREATE USER arthur')).rowcount).toBe(1);
    expect((await migrator('DROP USER arthur')).rowcount).toBe(1);
  });
});
