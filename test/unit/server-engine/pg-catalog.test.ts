/**
 * pg_catalog's tables over the catalog, as CrateDB's PgClassTable, PgAttributeTable, PgConstraintTable,
 * PgIndexTable, PgNamespaceTable, PgDatabaseTable, PgRolesTable and PgSettingsTable define them: oids from CrateDB's OidHash
 * (murmur3 of kind and name), the columns in name order, and rows hidden by privilege like information_schema's.
 */
import { describe, expect, it } from 'vitest';
import { engineForFile } from './file-engine.js';
import { oidHash, schemaOid } from '../../server/engine/pg-catalog.js';

describe('pg_catalog', () => {
  const { sql, as } = engineForFile('6.4', { migrator: 'secret' });


  it('hashes names as murmur3 x86 32-bit with seed 0, signed, the way CrateDB makes oids', () => {
    expect(oidHash('')).toBe(0);
    expect(oidHash('hello')).toBe(0x248bfa47);
    expect(oidHash('The quick brown fox jumps over the lazy dog')).toBe(0x2e4ff723);
    expect(oidHash('SCHEMAdoc')).toBeLessThan(0);
    expect(schemaOid('doc')).toBe(oidHash('SCHEMAdoc'));
  });

  it('describes a table, its key index and a view through pg_namespace, pg_class, pg_attribute, pg_constraint and pg_index', async () => {
    await sql('CREATE TABLE doc.pc (id INT PRIMARY KEY, name TEXT NOT NULL, o OBJECT AS (a INT), tags ARRAY(TEXT), v INT CONSTRAINT v_pos CHECK (v > 0))');
    await sql('CREATE VIEW doc.pcv AS SELECT id, name FROM doc.pc');
    const doc = await sql("SELECT oid FROM pg_namespace WHERE nspname = 'doc'");
    expect(doc.rows).toEqual([[schemaOid('doc')]]);
    const classes = await sql(
      "SELECT c.oid, relname, relkind, relnatts, relnamespace FROM pg_class c JOIN pg_namespace n ON c.relnamespace = n.oid WHERE n.nspname = 'doc' ORDER BY relname",
    );
    expect(classes.rows).toEqual([
      [oidHash('TABLEdoc.pc'), 'pc', 'r', 5, schemaOid('doc')],
      [oidHash('PRIMARY_KEYdoc.pcid'), 'pc_pkey', 'i', 5, schemaOid('doc')],
      [oidHash('VIEWdoc.pcv'), 'pcv', 'v', 2, schemaOid('doc')],
    ]);
    const attributes = await sql(
      "SELECT attname, atttypid, attlen, attnum, attndims, attnotnull FROM pg_attribute WHERE attrelid = (SELECT oid FROM pg_class WHERE relname = 'pc') ORDER BY attnum",
    );
    expect(attributes.rows).toEqual([
      ['id', 23, 4, 1, 0, true],
      ['name', 1043, -1, 2, 0, true],
      ['o', 114, -1, 3, 0, false],
      ["o['a']", 23, 4, 4, 0, false],
      ['tags', 1015, -1, 5, 1, false],
      ['v', 23, 4, 6, 0, false],
    ]);
    const constraints = await sql(`SELECT conname, contype, conkey, oid FROM pg_constraint WHERE conrelid = ${oidHash('TABLEdoc.pc')} ORDER BY conname`);
    expect(constraints.rows).toEqual([
      ['doc_pc_id_not_null', 'c', [], oidHash('CONSTRAINTdoc.pcdoc_pc_id_not_nullCHECK')],
      ['doc_pc_name_not_null', 'c', [], oidHash('CONSTRAINTdoc.pcdoc_pc_name_not_nullCHECK')],
      ['pc_pkey', 'p', [1], oidHash('CONSTRAINTdoc.pcpc_pkeyPRIMARY KEY')],
      ['v_pos', 'c', [6], oidHash('CONSTRAINTdoc.pcv_posCHECK')],
    ]);
    expect((await sql('SELECT indexrelid, indrelid, indkey, indisprimary FROM pg_index')).rows).toEqual([
      [oidHash('PRIMARY_KEYdoc.pcid'), oidHash('TABLEdoc.pc'), [1], true],
    ]);
    expect((await sql('SELECT schemaname, viewname, viewowner FROM pg_views')).rows).toEqual([['doc', 'pcv', 'crate']]);
  });

  it('lists columns in name order, keeps its own bookkeeping columns out of reach, and has the one database', async () => {
    const all = await sql('SELECT * FROM pg_class LIMIT 1');
    expect(all.cols).toEqual([...all.cols!].sort());
    expect(all.cols).not.toContain('_schema');
    expect((await sql('SELECT _schema FROM pg_class')).error?.code).toBe(4043);
    expect((await sql('SELECT datname, oid, encoding FROM pg_database')).rows).toEqual([['crate', 0, 6]]);
    expect((await sql('SELECT count(*) FROM pg_description')).rows).toEqual([[0]]);
  });

  it('has the tables of features a single node does not use, with their columns and no rows', async () => {
    for (const t of ['pg_enum', 'pg_range', 'pg_locks', 'pg_shdescription', 'pg_tablespace', 'pg_publication', 'pg_publication_tables', 'pg_subscription', 'pg_subscription_rel']) {
      expect((await sql(`SELECT count(*) FROM pg_catalog.${t}`)).rows, t).toEqual([[0]]);
    }
    expect((await sql('SELECT * FROM pg_catalog.pg_enum')).cols).toEqual(['enumlabel', 'enumsortorder', 'enumtypid', 'oid']);
    expect((await sql("SELECT count(*) FROM information_schema.tables WHERE table_schema = 'pg_catalog'")).rows).toEqual([[25]]);
    expect((await sql('SELECT * FROM pg_catalog.pg_proc')).error?.code).toBe(4041);
  });

  it('lists the session settings in pg_settings with this session\'s values and their defaults', async () => {
    const own = as('crate');
    await own('SET search_path TO s1, doc');
    await own('SET enable_hashjoin = false');
    const q = "SELECT name, setting, vartype, boot_val FROM pg_settings WHERE name IN ('search_path', 'enable_hashjoin', 'statement_timeout') ORDER BY name";
    expect((await own(q)).rows).toEqual([
      ['enable_hashjoin', 'false', 'boolean', 'true'],
      ['search_path', 's1, doc', 'text', 'doc'],
      ['statement_timeout', '0s', 'interval', '0s'],
    ]);
    // Another session reads its own values.
    expect((await sql(q)).rows![0]).toEqual(['enable_hashjoin', 'true', 'boolean', 'true']);
  });

  it('names each column\'s type through pg_type, with its array type and I/O functions', async () => {
    await sql('CREATE TABLE doc.ty (id INT, tags ARRAY(TEXT), o OBJECT)');
    const types = await sql(
      "SELECT a.attname, t.typname, t.typcategory, t.typinput FROM pg_attribute a JOIN pg_type t ON a.atttypid = t.oid " +
        `WHERE a.attrelid = ${oidHash('TABLEdoc.ty')} ORDER BY a.attnum`,
    );
    expect(types.rows).toEqual([['id', 'int4', 'N', 'int4in'], ['tags', '_varchar', 'A', 'array_in'], ['o', 'json', 'U', 'json_in']]);
    expect((await sql('SELECT typarray, typnamespace FROM pg_type WHERE oid = 23')).rows).toEqual([[1007, schemaOid('pg_catalog')]]);
  });

  it('shows another user only the relations it holds a privilege on, and every user in pg_roles', async () => {
    await sql('CREATE TABLE doc.tp1 (id INT PRIMARY KEY)');
    await sql('CREATE TABLE doc.tp2 (id INT PRIMARY KEY)');
    await sql('GRANT DQL ON TABLE doc.tp1 TO migrator');
    const migrator = as('migrator');
    expect((await migrator("SELECT relname FROM pg_class WHERE relnamespace = " + schemaOid('doc') + ' ORDER BY 1')).rows).toEqual([['tp1'], ['tp1_pkey']]);
    expect((await migrator(`SELECT count(*) FROM pg_attribute WHERE attrelid = ${oidHash('TABLEdoc.tp2')}`)).rows).toEqual([[0]]);
    expect((await migrator("SELECT conname FROM pg_constraint WHERE contype = 'p'")).rows).toEqual([['tp1_pkey']]);
    expect((await migrator("SELECT count(*) > 0 FROM pg_class WHERE relnamespace = " + schemaOid('pg_catalog'))).rows).toEqual([[true]]);
    expect((await sql('SELECT rolname, rolsuper, rolcanlogin, rolpassword, oid FROM pg_roles ORDER BY rolname')).rows).toEqual([
      ['crate', true, true, null, oidHash('USERcrate')],
      ['migrator', false, true, '********', oidHash('USERmigrator')],
    ]);
  });
});
