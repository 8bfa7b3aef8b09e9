/**
 * The sys tables of a healthy single node that no transcript records whole, as CrateDB 6.4's sources
 * define them: sys.checks (cluster checks 2 and 3), sys.node_checks (1-3, 5-8, all passing on one node),
 * sys.cluster_health, sys.jobs (the statement sees itself, with its node and start time), sys.jobs_log,
 * pg_catalog.pg_tables, sys.nodes' and sys.shards' columns, sys.cluster's settings (SET / RESET GLOBAL), information_schema.routines, and the snapshot tables, empty without a repository.
 */
import { describe, expect, it } from 'vitest';
import { engineForFile } from './file-engine.js';

describe('sys tables of a single node', () => {
  const { sql } = engineForFile();

  it('lists the cluster checks and the node checks, each with its documentation link, all passed', async () => {
    const checks = await sql('SELECT * FROM sys.checks ORDER BY id');
    expect(checks.cols).toEqual(['description', 'id', 'passed', 'severity']);
    expect(checks.rows!.map((r) => [r[1], r[2], r[3], String(r[0]).endsWith(` https://cr8.is/d-cluster-check-${r[1]}`)])).toEqual([
      [2, true, 2, true],
      [3, true, 1, true],
    ]);
    const nodeChecks = await sql('SELECT * FROM sys.node_checks ORDER BY id');
    expect(nodeChecks.cols).toEqual(['acknowledged', 'description', 'id', 'node_id', 'passed', 'severity']);
    expect(nodeChecks.rows!.map((r) => [r[2], r[4], r[5], r[0], String(r[1]).endsWith(` https://cr8.is/d-node-check-${r[2]}`)])).toEqual(
      [[1, true, 2], [2, true, 2], [3, true, 2], [5, true, 3], [6, true, 3], [7, true, 3], [8, true, 2]].map((c) => [...c, false, true]),
    );
    const [node] = (await sql('SELECT id FROM sys.nodes')).rows![0]!;
    expect((await sql('SELECT DISTINCT node_id FROM sys.node_checks')).rows).toEqual([[node]]);
  });

  it('reports cluster health GREEN with an empty description, YELLOW once a table wants a replica no node can hold', async () => {
    expect((await sql('SELECT * FROM sys.cluster_health'))).toMatchObject({
      cols: ['description', 'health', 'missing_shards', 'pending_tasks', 'severity', 'underreplicated_shards'],
      rows: [['', 'GREEN', 0, 0, 1, 0]],
    });
    await sql("CREATE TABLE doc.r (id INT) CLUSTERED INTO 3 SHARDS WITH (number_of_replicas = '1')");
    expect((await sql('SELECT * FROM sys.cluster_health')).rows).toEqual([['One or more tables have underreplicated shards', 'YELLOW', 0, 0, 2, 3]]);
  });

  it('shows the running statement in sys.jobs with its node and start time', async () => {
    const before = Date.now();
    const jobs = await sql('SELECT stmt, username, node, started FROM sys.jobs');
    const [node] = (await sql('SELECT id, name FROM sys.nodes')).rows!;
    expect(jobs.rows).toHaveLength(1);
    const [stmt, user, jobNode, started] = jobs.rows![0]!;
    expect([stmt, user, jobNode]).toEqual(['SELECT stmt, username, node, started FROM sys.jobs', 'crate', { id: node![0], name: node![1] }]);
    expect(started).toBeGreaterThanOrEqual(before - 1000);
    expect(started).toBeLessThanOrEqual(Date.now());
  });

  it('logs every finished statement in sys.jobs_log, failures with their message, not itself while it runs', async () => {
    await sql('CREATE TABLE doc.jl (id INT)');
    await sql('INSERT INTO doc.jl (id) VALUES (?)', undefined, [[1], [2]]);
    await sql('SELECT * FROM doc.nope');
    await sql('SELEC 1');
    const log = await sql("SELECT stmt, error, classification['type'], username, ended >= started FROM sys.jobs_log WHERE stmt NOT LIKE '%sys.jobs_log%' ORDER BY stmt");
    expect(log.rows).toEqual([
      ['CREATE TABLE doc.jl (id INT)', null, 'DDL', 'crate', true],
      ['INSERT INTO doc.jl (id) VALUES (?)', null, 'INSERT', 'crate', true],
      ['SELEC 1', expect.stringMatching(/^line 1:1: mismatched input 'SELEC'/), 'UNDEFINED', 'crate', true],
      ['SELECT * FROM doc.nope', "Relation 'doc.nope' unknown", 'SELECT', 'crate', true],
    ]);
    expect((await sql("SELECT count(*) FROM sys.jobs_log WHERE stmt LIKE '%sys.jobs_log%'")).rows).toEqual([[1]]);
  });

  it('lists the tables, not the views, in pg_catalog.pg_tables, which needs no schema', async () => {
    await sql('CREATE TABLE doc.pt (id INT)');
    await sql('CREATE VIEW doc.pv AS SELECT id FROM doc.pt');
    expect(await sql("SELECT * FROM pg_catalog.pg_tables WHERE schemaname = 'doc'")).toMatchObject({
      cols: ['hasindexes', 'hasrules', 'hastriggers', 'rowsecurity', 'schemaname', 'tablename', 'tableowner', 'tablespace'],
      rows: [[false, false, false, false, 'doc', 'pt', null, null]],
    });
    const own = (await sql("SELECT tablename FROM pg_tables WHERE schemaname = 'pg_catalog' ORDER BY 1")).rows!.flat();
    expect(own).toEqual(expect.arrayContaining(['pg_attribute', 'pg_class', 'pg_namespace', 'pg_tables']));
  });

  it('has every column of sys.nodes, the machine facts read from the OS', async () => {
    const all = await sql('SELECT * FROM sys.nodes');
    expect(all.cols).toEqual([
      'attributes', 'cluster_state_version', 'connections', 'fs', 'heap', 'hostname', 'id', 'load', 'mem', 'name', 'os', 'os_info',
      'port', 'process', 'rest_url', 'thread_pools', 'version',
    ]);
    const facts = await sql(
      "SELECT load['1'] >= 0, heap['used'] > 0 AND heap['used'] <= heap['max'], mem['used'] + mem['free'] > 0, fs['total']['size'] > 0, " +
        "os_info['available_processors'] > 0, array_length(thread_pools, 1) > 0, port['psql'], port['transport'], version['number'] FROM sys.nodes",
    );
    expect(facts.rows).toEqual([[true, true, true, true, true, true, 5432, 4300, '6.4.3']]);
  });

  it('has every column of sys.shards: a started copy with its sequence numbers and recovery, a copy nowhere as nulls', async () => {
    await sql("CREATE TABLE doc.sh (id INT PRIMARY KEY, v TEXT) CLUSTERED INTO 1 SHARDS WITH (number_of_replicas = '1')");
    await sql("INSERT INTO doc.sh (id, v) VALUES (1, 'a'), (2, 'b')");
    await sql('REFRESH TABLE doc.sh');
    const [seq] = (await sql('SELECT max(_seq_no) FROM doc.sh')).rows![0]!;
    const shards = await sql(
      "SELECT primary, state, num_docs, seq_no_stats['max_seq_no'], recovery['stage'], recovery['type'], closed, node IS NULL, min_lucene_version " +
        "FROM sys.shards WHERE table_name = 'sh' ORDER BY primary DESC",
    );
    expect(shards.rows).toEqual([
      [true, 'STARTED', 2, seq, 'DONE', 'EMPTY_STORE', false, false, '10.4.0'],
      [false, 'UNASSIGNED', 0, null, null, null, null, true, null],
    ]);
    expect((await sql('SELECT * FROM sys.shards LIMIT 1')).cols).toEqual([
      'blob_path', 'closed', 'flush_stats', 'id', 'min_lucene_version', 'node', 'num_docs', 'orphan_partition', 'partition_ident', 'path',
      'primary', 'recovery', 'relocating_node', 'retention_leases', 'routing_state', 'schema_name', 'seq_no_stats', 'size', 'state',
      'table_name', 'translog_stats',
    ]);
  });

  it('shows the cluster settings in sys.cluster with their defaults, changed by SET GLOBAL and back by RESET GLOBAL (runtime-config.rst)', async () => {
    const stats = "SELECT settings['stats']['enabled'], settings['stats']['jobs_log_size'], settings['stats']['operations_log_size'] FROM sys.cluster";
    expect((await sql(stats)).rows).toEqual([[true, 10000, 10000]]);
    expect((await sql('SET GLOBAL PERSISTENT stats.enabled = false')).rowcount).toBe(1);
    expect((await sql(stats)).rows).toEqual([[false, 10000, 10000]]);
    await sql('SET GLOBAL TRANSIENT stats.enabled = true, stats.jobs_log_size = 1024, stats.operations_log_size = 4096');
    expect((await sql(stats)).rows).toEqual([[true, 1024, 4096]]);
    await sql('SET GLOBAL TRANSIENT stats = { jobs_log_size = 2048, operations_log_size = 8192 }');
    expect((await sql(stats)).rows).toEqual([[true, 2048, 8192]]);
    await sql('RESET GLOBAL stats.enabled, stats.operations_log_size');
    expect((await sql(stats)).rows).toEqual([[true, 2048, 10000]]);
    await sql('RESET GLOBAL stats');
    expect((await sql(stats)).rows).toEqual([[true, 10000, 10000]]);
    await sql('SET GLOBAL "cluster.routing.allocation.enable" = ?', ['primaries']);
    expect((await sql("SELECT settings['cluster']['routing']['allocation']['enable'] FROM sys.cluster")).rows).toEqual([['primaries']]);
    expect((await sql("SET GLOBAL stats.enabled = 'maybe'")).error?.message).toBe(
      'SQLParseException[Failed to parse value [maybe] as only [true] or [false] are allowed.]',
    );
    expect((await sql('RESET GLOBAL no_such.setting')).error?.message).toBe("SQLParseException[Setting 'no_such.setting' is not supported]");
  });

  it('lists the analyzers in information_schema.routines, a custom one with its stored settings', async () => {
    await sql("CREATE ANALYZER dl_english EXTENDS english WITH (stopwords = ['the', 'a'])");
    await sql('CREATE ANALYZER myan (TOKENIZER whitespace, TOKEN_FILTERS (lowercase, kstem), CHAR_FILTERS (html_strip))');
    await sql("CREATE ANALYZER myan2 (TOKENIZER tok WITH (type = 'ngram', min_gram = 2))");
    expect((await sql("SELECT routine_name, routine_definition FROM information_schema.routines WHERE routine_definition IS NOT NULL ORDER BY 1")).rows).toEqual([
      ['dl_english', '{"stopwords":["the","a"],"type":"english"}'],
      ['myan', '{"char_filter":["html_strip"],"filter":["lowercase","kstem"],"tokenizer":"whitespace","type":"custom"}'],
      ['myan2', '{"tokenizer":"myan2_tok","type":"custom"}'],
    ]);
    expect((await sql("SELECT routine_type, is_deterministic FROM information_schema.routines WHERE routine_name = 'english'")).rows).toEqual([['ANALYZER', false]]);
  });

  it('has the snapshot tables, empty', async () => {
    expect(await sql('SELECT * FROM sys.repositories')).toMatchObject({ cols: ['name', 'settings', 'type'], rows: [] });
    expect((await sql('SELECT * FROM sys.snapshots')).cols).toEqual([
      'concrete_indices', 'failures', 'finished', 'name', 'repository', 'started', 'state', 'table_partitions', 'tables', 'version',
    ]);
    expect(await sql('SELECT * FROM sys.snapshot_restore')).toMatchObject({ cols: ['id', 'name', 'repository', 'shards', 'state'], rows: [] });
  });
});
