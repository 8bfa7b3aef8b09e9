/**
 * Repositories, snapshots and restores as CrateDB's analyzers and plans answer them (stmt-snapshots.ts,
 * snapshot-restore.ts): fs repositories under path.repo (the system temp directory), the validation
 * messages and codes, sys.repositories / sys.snapshots / sys.snapshot_restore rows, and DROP TABLE +
 * RESTORE giving the rows back. One engine per describe (PGlite takes seconds to start).
 */
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { CrateVersion, Engine, Session } from '../../server/contract.js';
import { ManualClock } from '../../server/clock.js';
import { createEngine } from '../../server/engine/index.js';
import { engineForFile } from './file-engine.js';

const ROOT = path.resolve(tmpdir());
const LOC = path.join(ROOT, 'crate-snaps');
const done = (rowcount: number) => ({ cols: [], rows: [[]], rowcount });
const err = (code: number, message: string) => ({ error: { code, message } });

describe('repositories (6.4)', () => {
  const { sql, as } = engineForFile('6.4', { alice: 'pw' });

  it('creates an fs repository under path.repo and lists it with its settings as text', async () => {
    expect(await sql(`CREATE REPOSITORY r TYPE fs WITH (location = '${LOC}', compress = true)`)).toEqual(done(1));
    expect(await sql('CREATE REPOSITORY "Rel" TYPE "fs" WITH (location = ?, "readonly" = false)', ['sub/dir'])).toEqual(done(1));
    expect(await sql('SELECT * FROM sys.repositories ORDER BY name')).toEqual({
      cols: ['name', 'settings', 'type'],
      rows: [['Rel', { location: 'sub/dir', readonly: 'false' }, 'fs'], ['r', { compress: 'true', location: LOC }, 'fs']],
      rowcount: 2,
    });
    expect(await sql(`CREATE REPOSITORY r TYPE fs WITH (location = '${LOC}')`)).toEqual(err(4095, "RepositoryAlreadyExistsException[Repository 'r' already exists]"));
  });

  it('answers the validation errors of RepositoryParamValidator and FsRepository', async () => {
    expect(await sql('CREATE REPOSITORY r TYPE nosuch')).toEqual(err(4000, 'SQLParseException[Invalid repository type "nosuch"]'));
    expect(await sql(`CREATE REPOSITORY r TYPE fs WITH (location = '${LOC}', bogus = 1)`)).toEqual(err(4000, "SQLParseException[Setting 'bogus' is not supported]"));
    expect(await sql('CREATE REPOSITORY r TYPE fs WITH (compress = true)')).toEqual(
      err(4000, 'SQLParseException[The following required parameters are missing to create a repository of type "fs": [location]]'),
    );
    expect(await sql("CREATE REPOSITORY r TYPE fs WITH (location = '')")).toEqual(err(5000, 'RepositoryException[[] [r] failed to create repository: [r] missing location]'));
    expect(await sql("CREATE REPOSITORY r TYPE fs WITH (location = '/nowhere-near/repo')")).toEqual(
      err(5000, "RepositoryException[[] [r] failed to create repository: [r] location [/nowhere-near/repo] doesn't match any of the locations specified by path.repo]"),
    );
    expect(await sql("CREATE REPOSITORY r TYPE fs WITH (location = '../../outside')")).toMatchObject({ error: { code: 5000 } });
    expect((await sql("CREATE REPOSITORY r TYPE s3 WITH (bucket = 'b')")).error?.code).toBe(4004);
    expect(await sql('SELECT count(*) FROM sys.repositories')).toMatchObject({ rows: [[0]] });
  });

  it('drops a repository and says which one is missing; both need AL', async () => {
    await sql(`CREATE REPOSITORY r TYPE fs WITH (location = '${LOC}')`);
    expect(await as('alice')(`CREATE REPOSITORY r2 TYPE fs WITH (location = '${LOC}')`)).toEqual(err(4011, "MissingPrivilegeException[Missing 'AL' privilege for user 'alice']"));
    expect(await as('alice')('DROP REPOSITORY r')).toEqual(err(4011, "MissingPrivilegeException[Missing 'AL' privilege for user 'alice']"));
    expect(await sql('DROP REPOSITORY r')).toEqual(done(1));
    expect(await sql('DROP REPOSITORY r')).toEqual(err(4047, 'RepositoryMissingException[[r] missing]'));
    expect(await sql('SELECT * FROM sys.repositories')).toMatchObject({ rows: [] });
  });
});

describe('snapshots (6.4)', () => {
  const { sql } = engineForFile('6.4');
  const setup = async () => {
    await sql(`CREATE REPOSITORY r TYPE fs WITH (location = '${LOC}')`);
    await sql('CREATE TABLE t (id INT PRIMARY KEY, v TEXT)');
    await sql("INSERT INTO t VALUES (1, 'a'), (2, 'b')");
    await sql('CREATE TABLE s.p (id INT, day TEXT, PRIMARY KEY (id, day)) PARTITIONED BY (day)');
    await sql("INSERT INTO s.p VALUES (1, 'x'), (2, 'y'), (3, 'x')");
    await sql('REFRESH TABLE t, s.p');
  };

  it('takes every table with ALL, or the tables and partitions named, and lists what each holds', async () => {
    await setup();
    expect(await sql('CREATE SNAPSHOT r.s1 ALL WITH (wait_for_completion = true)')).toEqual(done(1));
    expect(await sql("CREATE SNAPSHOT r.s2 TABLE t, s.p PARTITION (day = 'x') WITH (wait_for_completion = true)")).toEqual(done(1));
    expect(await sql('CREATE SNAPSHOT r.s3 TABLE nope, t WITH (ignore_unavailable = true)')).toEqual(done(1));
    const rows = (await sql('SELECT name, repository, concrete_indices, tables, table_partitions, state, version, failures FROM sys.snapshots ORDER BY name')).rows;
    expect(rows).toEqual([
      ['s1', 'r', ['s..partitioned.p.0417g', 's..partitioned.p.0417i', 't'], ['doc.t', 's.p'],
        [{ table_name: 'p', table_schema: 's', values: ['x'] }, { table_name: 'p', table_schema: 's', values: ['y'] }], 'SUCCESS', '6.4.3', []],
      ['s2', 'r', ['s..partitioned.p.0417g', 't'], ['doc.t', 's.p'], [{ table_name: 'p', table_schema: 's', values: ['x'] }], 'SUCCESS', '6.4.3', []],
      ['s3', 'r', ['t'], ['doc.t'], [], 'SUCCESS', '6.4.3', []],
    ]);
    const [started, finished] = (await sql("SELECT started, finished FROM sys.snapshots WHERE name = 's1'")).rows![0] as [number, number];
    expect(finished).toBeGreaterThanOrEqual(started);
  });

  it('refuses names, settings, tables and partitions as CrateDB does', async () => {
    await setup();
    await sql('CREATE SNAPSHOT r.s1 ALL');
    expect(await sql('CREATE SNAPSHOT r.s1 ALL')).toEqual(
      err(4096, 'InvalidSnapshotNameException[[r:s1] Invalid snapshot name [s1], snapshot with the same name already exists]'),
    );
    expect(await sql('CREATE SNAPSHOT r."Upper" ALL')).toEqual(err(4096, 'InvalidSnapshotNameException[[r:Upper] Invalid snapshot name [Upper], must be lowercase]'));
    expect(await sql('CREATE SNAPSHOT r."_x" ALL')).toEqual(err(4096, "InvalidSnapshotNameException[[r:_x] Invalid snapshot name [_x], must not start with '_']"));
    expect(await sql('CREATE SNAPSHOT s9 ALL')).toEqual(err(4000, 'SQLParseException[Snapshot must be specified by "<repository_name>"."<snapshot_name>"]'));
    expect(await sql('CREATE SNAPSHOT a.b.s9 ALL')).toEqual(err(4000, "SQLParseException[Invalid repository name 'a.b']"));
    expect(await sql('CREATE SNAPSHOT nope.s9 ALL')).toEqual(err(4047, 'RepositoryMissingException[[nope] missing]'));
    expect(await sql('CREATE SNAPSHOT r.s9 ALL WITH (compress = true)')).toEqual(err(4000, "SQLParseException[Setting 'compress' is not supported]"));
    expect(await sql('CREATE SNAPSHOT r.s9 ALL WITH (wait_for_completion = 1)')).toEqual(
      err(4000, 'SQLParseException[Failed to parse value [1] as only [true] or [false] are allowed.]'),
    );
    expect(await sql('CREATE SNAPSHOT r.s9 TABLE nope')).toEqual(err(4041, "RelationUnknown[Relation 'nope' unknown]"));
    expect(await sql("CREATE SNAPSHOT r.s9 TABLE s.p PARTITION (day = 'z')")).toMatchObject({ error: { code: 4046 } });
    expect(await sql("CREATE SNAPSHOT r.s9 TABLE t PARTITION (id = 1)")).toEqual(err(4000, "SQLParseException[table 'doc.t' is not partitioned]"));
    await sql('ALTER TABLE t CLOSE');
    expect(await sql('CREATE SNAPSHOT r.s9 ALL')).toEqual(
      err(4007, 'OperationOnInaccessibleRelationException[The relation "doc.t" doesn\'t support or allow READ operations, as it is currently closed.]'),
    );
    expect(await sql('SELECT name FROM sys.snapshots')).toMatchObject({ rows: [['s1']] });
  });

  it('drops a snapshot from its location, which every repository there shares', async () => {
    await setup();
    await sql(`CREATE REPOSITORY ro TYPE fs WITH (location = '${LOC}', readonly = true)`);
    await sql('CREATE SNAPSHOT r.s1 TABLE t');
    expect(await sql('SELECT name, repository FROM sys.snapshots ORDER BY repository')).toMatchObject({ rows: [['s1', 'r'], ['s1', 'ro']] });
    expect(await sql('CREATE SNAPSHOT ro.s2 ALL')).toEqual(err(5000, 'RepositoryException[[ro] cannot create snapshot in a readonly repository]'));
    expect(await sql('CREATE SNAPSHOT r.s1 ALL')).toMatchObject({ error: { code: 4096 } });
    expect(await sql('DROP SNAPSHOT r.nope')).toEqual(err(4048, 'SnapshotMissingException[[r:nope] is missing]'));
    expect(await sql('DROP SNAPSHOT s1')).toEqual(err(4000, 'SQLParseException[Snapshot name not supported, only <repository>.<snapshot> works.]'));
    expect(await sql('DROP SNAPSHOT nope.s1')).toEqual(err(4047, 'RepositoryMissingException[[nope] missing]'));
    // A dropped repository leaves its snapshots in the location: a new one there finds them.
    await sql('DROP REPOSITORY ro');
    await sql('DROP REPOSITORY r');
    await sql(`CREATE REPOSITORY again TYPE fs WITH (location = '${LOC}')`);
    expect(await sql('SELECT name, repository FROM sys.snapshots')).toMatchObject({ rows: [['s1', 'again']] });
    expect(await sql('DROP SNAPSHOT again.s1')).toEqual(done(1));
    expect(await sql('SELECT count(*) FROM sys.snapshots')).toMatchObject({ rows: [[0]] });
  });

  it('gives the rows back after DROP TABLE, searchable without a refresh, _seq_no going on', async () => {
    await setup();
    // A snapshot holds the rows written but not yet refreshed (it is taken from a flushed commit).
    await sql("INSERT INTO t VALUES (4, 'unrefreshed')");
    await sql('CREATE SNAPSHOT r.s1 TABLE t WITH (wait_for_completion = true)');
    await sql("INSERT INTO t VALUES (3, 'after')");
    expect(await sql('RESTORE SNAPSHOT r.s1 TABLE t')).toEqual(err(4093, "RelationAlreadyExists[Relation 'doc.t' already exists.]"));
    expect(await sql('DROP TABLE t')).toEqual(done(1));
    expect(await sql('RESTORE SNAPSHOT r.s1 TABLE t WITH (wait_for_completion = true)')).toEqual(done(1));
    expect(await sql('SELECT id, v, _seq_no FROM t ORDER BY id')).toEqual({ cols: ['id', 'v', '_seq_no'], rows: [[1, 'a', 0], [2, 'b', 1], [4, 'unrefreshed', 2]], rowcount: 3 });
    expect(await sql("INSERT INTO t VALUES (3, 'c')")).toEqual(done(1));
    expect(await sql('SELECT _seq_no FROM t WHERE id = 3')).toMatchObject({ rows: [[3]] });
    expect(await sql('SHOW CREATE TABLE t')).toMatchObject({ rows: [[expect.stringContaining('PRIMARY KEY ("id")')]] });
    expect(await sql("INSERT INTO t VALUES (1, 'dup')")).toMatchObject({ error: { code: 4091 } });
    expect(await sql('SELECT * FROM sys.snapshot_restore')).toMatchObject({ rows: [] });
  });

  it('restores partitions into an existing partitioned table, renames, and whole snapshots', async () => {
    await setup();
    await sql('CREATE SNAPSHOT r.s1 ALL WITH (wait_for_completion = true)');
    await sql("DELETE FROM s.p WHERE day = 'x'");
    expect(await sql("RESTORE SNAPSHOT r.s1 TABLE s.p PARTITION (day = 'y')")).toEqual(err(4093, "RelationAlreadyExists[Relation 's.p' already exists.]"));
    expect(await sql("RESTORE SNAPSHOT r.s1 TABLE s.p PARTITION (day = 'x') WITH (wait_for_completion = true)")).toEqual(done(1));
    expect(await sql('SELECT id, day FROM s.p ORDER BY id')).toMatchObject({ rows: [[1, 'x'], [2, 'y'], [3, 'x']] });
    expect(await sql("RESTORE SNAPSHOT r.s1 TABLE t WITH (table_rename_replacement = 'old_$1', wait_for_completion = true)")).toEqual(done(1));
    expect(await sql('SELECT id FROM old_t ORDER BY id')).toMatchObject({ rows: [[1], [2]] });
    expect(await sql('RESTORE SNAPSHOT r.s1 TABLE nope')).toEqual(err(4041, "RelationUnknown[Relation 'doc.nope' unknown]"));
    expect(await sql('RESTORE SNAPSHOT r.s1 TABLE nope WITH (ignore_unavailable = true)')).toEqual(done(1));
    expect(await sql('RESTORE SNAPSHOT r.nope ALL')).toEqual(err(5000, 'SnapshotRestoreException[[r:nope] snapshot does not exist]'));
    expect(await sql('RESTORE SNAPSHOT r.s1 FOO')).toEqual(err(4000, "SQLParseException[Unknown metadata type 'FOO']"));
    expect(await sql('RESTORE SNAPSHOT s1 ALL')).toEqual(err(4000, 'SQLParseException[Snapshot name not supported, only <repository>.<snapshot> works.)]'));
    expect(await sql('RESTORE SNAPSHOT r.s1 ALL WITH (nope = 1)')).toEqual(err(4000, "SQLParseException[Setting 'nope' is not supported]"));
    await sql('DROP TABLE t');
    await sql('DROP TABLE s.p');
    expect(await sql('RESTORE SNAPSHOT r.s1 TABLES WITH (wait_for_completion = true)')).toEqual(done(1));
    expect(await sql("SELECT table_schema, table_name FROM information_schema.tables WHERE table_schema IN ('doc', 's') ORDER BY 2")).toMatchObject({
      rows: [['doc', 'old_t'], ['s', 'p'], ['doc', 't']],
    });
    expect(await sql('SELECT count(*) FROM s.p')).toMatchObject({ rows: [[3]] });
  });

  it('restores views, analyzers and users of an ALL snapshot with ALL or METADATA, not with TABLES', async () => {
    await setup();
    await sql('CREATE VIEW v AS SELECT id FROM t');
    await sql("CREATE ANALYZER an EXTENDS standard WITH (stopwords = ['x'])");
    await sql("CREATE USER bob WITH (password = 'pw')");
    await sql('CREATE SNAPSHOT r.s1 ALL WITH (wait_for_completion = true)');
    await sql('DROP VIEW v');
    await sql('DROP ANALYZER an');
    await sql('DROP USER bob');
    await sql('RESTORE SNAPSHOT r.s1 VIEWS');
    expect(await sql('SELECT id FROM v ORDER BY id')).toMatchObject({ rows: [[1], [2]] });
    expect(await sql("SELECT count(*) FROM information_schema.routines WHERE routine_name = 'an'")).toMatchObject({ rows: [[0]] });
    await sql('RESTORE SNAPSHOT r.s1 METADATA');
    expect(await sql("SELECT count(*) FROM information_schema.routines WHERE routine_name = 'an'")).toMatchObject({ rows: [[1]] });
    expect(await sql("SELECT name FROM sys.users WHERE name = 'bob'")).toMatchObject({ rows: [['bob']] });
  });
});

describe('sys.snapshots and sys.snapshot_restore by the engine clock (5.10)', () => {
  const T0 = Date.UTC(2025, 5, 1, 12, 0, 0);
  const clock = new ManualClock(T0);
  let engine: Engine;
  const session: Session = { id: 1, schema: 'doc', user: 'crate' };
  const version: CrateVersion = '5.10';
  beforeAll(async () => {
    engine = await createEngine({ version, clock });
  });
  afterAll(async () => {
    await engine?.close();
  });
  beforeEach(async () => {
    await engine.reset();
    clock.set(T0);
  });
  const sql = async (stmt: string) => (await engine.execute({ stmt, types: false, session })).body;

  it('shows started and finished by the clock and the version taken, and lists a restore run without waiting for a second', async () => {
    await sql(`CREATE REPOSITORY r TYPE fs WITH (location = '${LOC}')`);
    await sql('CREATE TABLE t (id INT) CLUSTERED INTO 2 SHARDS');
    await sql('INSERT INTO t VALUES (1), (2)');
    await sql('CREATE SNAPSHOT r.s ALL WITH (wait_for_completion = true)');
    expect(await sql('SELECT * FROM sys.snapshots')).toEqual({
      cols: ['concrete_indices', 'failures', 'finished', 'name', 'repository', 'started', 'state', 'table_partitions', 'tables', 'version'],
      rows: [[['t'], [], T0, 's', 'r', T0, 'SUCCESS', [], ['doc.t'], '5.10.16']],
      rowcount: 1,
    });
    await sql('DROP TABLE t');
    expect(await sql('RESTORE SNAPSHOT r.s ALL')).toEqual(done(1));
    const restore = await sql('SELECT name, repository, shards, state FROM sys.snapshot_restore');
    expect(restore).toMatchObject({
      rows: [['s', 'r', [0, 1].map((shard) => ({ partition_ident: '', shard_id: shard, state: 'SUCCESS', table_name: 't', table_schema: 'doc' })), 'SUCCESS']],
    });
    expect(await sql('SELECT count(*) FROM t')).toMatchObject({ rows: [[2]] });
    clock.advance(1000);
    expect(await sql('SELECT count(*) FROM sys.snapshot_restore')).toMatchObject({ rows: [[0]] });
  });
});
