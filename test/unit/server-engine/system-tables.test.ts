/**
 * The sys tables of a healthy single node that no transcript records whole, as CrateDB 6.4's sources
 * define them: sys.checks (cluster checks 2 and 3), sys.node_checks (1-3, 5-8, all passing on one node),
 * sys.cluster_health, sys.jobs (the statement sees itself, with its node and start time), sys.jobs_log,
 * pg_catalog.pg_tables, sys.nodes' and sys.shards' columns, sys.cluster's settings (SET / RESET GLOBAL), information_schema.routines, and the snapshot tables, empty without a repository;
 * sys.allocations (a started copy's rebalance explanation), sys.sessions (the reading session), and the tables kept
 * empty with CrateDB's columns: sys.operations, sys.operations_log, sys.jobs_metrics, sys.segments, sys.summits.
 */
import { describe, expect, it } from 'vitest';
import type { Engine, Session } from '../../server/contract.js';
import { engineForFile } from './file-engine.js';

/** The answer with `?types`: col_types as CrateDB numbers them (4 text, 9 integer, 10 bigint, 12 object, ...). */
async function typed(engine: Engine, stmt: string, session: Session = { id: 7, schema: 'doc', user: 'crate' }) {
  return (await engine.execute({ stmt, types: true, session })).body as { cols?: string[]; col_types?: unknown[]; rows?: unknown[][] };
}

describe('sys tables of a single node', () => {
  const { sql, as, engine } = engineForFile();

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

  it('has sys.operations, sys.operations_log, sys.jobs_metrics, sys.segments and sys.summits with their columns, empty', async () => {
    const e = engine();
    expect(await typed(e, 'SELECT * FROM sys.operations')).toMatchObject({
      cols: ['id', 'job_id', 'name', 'node', 'started', 'used_bytes'], col_types: [4, 4, 4, 12, 11, 10], rows: [],
    });
    expect(await typed(e, 'SELECT * FROM sys.operations_log')).toMatchObject({
      cols: ['ended', 'error', 'id', 'job_id', 'name', 'started', 'used_bytes'], col_types: [11, 4, 4, 4, 4, 11, 10], rows: [],
    });
    expect(await typed(e, 'SELECT * FROM sys.jobs_metrics')).toMatchObject({
      cols: ['classification', 'failed_count', 'max', 'mean', 'min', 'node', 'percentiles', 'stdev', 'sum_of_durations', 'total_affected_row_count', 'total_count'],
      col_types: [12, 10, 10, 6, 10, 12, 12, 6, 10, 10, 10],
      rows: [],
    });
    expect(await typed(e, "SELECT percentiles['99'], classification['labels'] FROM sys.jobs_metrics")).toMatchObject({ col_types: [10, [100, 4]], rows: [] });
    expect(await typed(e, 'SELECT * FROM sys.segments')).toMatchObject({
      cols: [
        'attributes', 'committed', 'compound', 'deleted_docs', 'fully_merged_docs', 'generation', 'memory', 'merge_id', 'node', 'num_docs',
        'partition_ident', 'primary', 'search', 'segment_name', 'shard_id', 'size', 'table_name', 'table_schema', 'version',
      ],
      col_types: [12, 3, 3, 9, 9, 10, 10, 4, 12, 9, 4, 3, 3, 4, 9, 10, 4, 4, 4],
      rows: [],
    });
    expect(await typed(e, 'SELECT * FROM sys.summits')).toMatchObject({
      cols: ['classification', 'coordinates', 'country', 'first_ascent', 'height', 'mountain', 'prominence', 'range', 'region'],
      col_types: [4, 13, 4, 9, 9, 4, 9, 4, 4],
      rows: [],
    });
  });

  it('lists every shard copy in sys.allocations, a started one on a single node with its rebalance explanation', async () => {
    const e = engine();
    const [[node]] = (await sql('SELECT id FROM sys.nodes')).rows! as unknown[][];
    await sql("CREATE TABLE doc.al (id INT) CLUSTERED INTO 2 SHARDS WITH (number_of_replicas = '0')");
    const all = await typed(e, "SELECT * FROM sys.allocations WHERE table_name = 'al' ORDER BY shard_id");
    const noTarget = 'cannot rebalance as no target node exists that can both allocate this shard and improve the cluster balance';
    expect(all).toMatchObject({
      cols: ['current_state', 'decisions', 'explanation', 'node_id', 'partition_ident', 'primary', 'shard_id', 'table_name', 'table_schema'],
      col_types: [4, [100, 12], 4, 4, 4, 3, 9, 4, 4],
      rows: [
        ['STARTED', null, noTarget, node, null, true, 0, 'al', 'doc'],
        ['STARTED', null, noTarget, node, null, true, 1, 'al', 'doc'],
      ],
    });
    // A replica no node can hold: it is listed unassigned, and while it is, the default allow_rebalance refuses.
    await sql("CREATE TABLE doc.ar (id INT) CLUSTERED INTO 1 SHARDS WITH (number_of_replicas = '1')");
    expect((await sql("SELECT table_name, current_state, primary, node_id IS NULL, explanation FROM sys.allocations WHERE table_name IN ('al', 'ar') ORDER BY 1, shard_id, 3 DESC")).rows).toEqual([
      ['al', 'STARTED', true, false, 'rebalancing is not allowed'],
      ['al', 'STARTED', true, false, 'rebalancing is not allowed'],
      ['ar', 'STARTED', true, false, 'rebalancing is not allowed'],
      ['ar', 'UNASSIGNED', false, true, null],
    ]);
    expect((await sql('SELECT count(*) FROM sys.allocations')).rows).toEqual((await sql('SELECT count(*) FROM sys.shards')).rows);
    await sql("SET GLOBAL TRANSIENT \"cluster.routing.allocation.allow_rebalance\" = 'always'");
    expect((await sql("SELECT DISTINCT explanation FROM sys.allocations WHERE current_state = 'STARTED'")).rows).toEqual([[noTarget]]);
    await sql('SET GLOBAL TRANSIENT "cluster.routing.allocation.cluster_concurrent_rebalance" = 0');
    expect((await sql("SELECT DISTINCT explanation FROM sys.allocations WHERE current_state = 'STARTED'")).rows).toEqual([['rebalancing is throttled']]);
    await sql("SET GLOBAL TRANSIENT \"cluster.routing.rebalance.enable\" = 'replicas'");
    expect((await sql("SELECT DISTINCT explanation FROM sys.allocations WHERE current_state = 'STARTED'")).rows).toEqual([['rebalancing is not allowed']]);
  });

  it('gives a partition\'s copies in sys.allocations its ident, and hides the tables a user holds no privilege on', async () => {
    await sql("CREATE TABLE doc.ap (id INT, d INT) CLUSTERED INTO 1 SHARDS PARTITIONED BY (d) WITH (number_of_replicas = '0')");
    await sql('INSERT INTO doc.ap (id, d) VALUES (1, 1), (2, 2)');
    const idents = (await sql("SELECT partition_ident FROM information_schema.table_partitions WHERE table_name = 'ap' ORDER BY 1")).rows;
    expect((await sql("SELECT partition_ident FROM sys.allocations WHERE table_name = 'ap' ORDER BY 1")).rows).toEqual(idents);
    await sql("CREATE USER al_user WITH (password = 'pw')");
    await sql('GRANT DQL ON SCHEMA sys TO al_user');
    expect((await as('al_user')('SELECT count(*) FROM sys.allocations')).rows).toEqual([[0]]);
    await sql('GRANT DQL ON TABLE doc.ap TO al_user');
    expect((await as('al_user')("SELECT count(*) FROM sys.allocations WHERE table_name = 'ap'")).rows).toEqual([[2]]);
  });

  it('lists the reading session in sys.sessions: its user, statement, job and settings', async () => {
    const e = engine();
    const session: Session = { id: 41, schema: 'doc', user: 'crate' };
    const stmt = 'SELECT * FROM sys.sessions';
    const body = await typed(e, stmt, session);
    expect(body).toMatchObject({
      cols: ['auth_user', 'client_address', 'handler_node', 'id', 'last_job_id', 'last_statement', 'protocol', 'session_user', 'settings', 'ssl', 'time_created'],
      col_types: [4, 4, 4, 9, 4, 4, 4, 4, 12, 3, 11],
    });
    const [nodeName] = (await sql('SELECT name FROM sys.nodes')).rows![0]!;
    const [jobId] = (await sql(`SELECT id FROM sys.jobs_log WHERE stmt = '${stmt}'`)).rows![0]!;
    expect(body.rows).toEqual([[
      'crate', '127.0.0.1', nodeName, 41, jobId, stmt, 'http', 'crate',
      {
        application_name: null, datestyle: 'ISO', disabled_optimizer_rules: '', enable_hashjoin: true, error_on_unknown_object_key: true,
        insert_select_fail_fast: false, 'memory.operation_limit': 0, search_path: 'pg_catalog,doc', statement_timeout: '0s',
      },
      false, null,
    ]]);
    await typed(e, 'SET search_path TO s1, s2', session);
    await typed(e, "SET statement_timeout = '5s'", session);
    expect((await typed(e, "SELECT settings['search_path'], settings['statement_timeout'], id FROM sys.sessions", session)).rows).toEqual([['pg_catalog,s1,s2', '5s', 41]]);
  });

  it('checks DQL on sys for the new tables as for the others', async () => {
    await sql("CREATE USER nobody WITH (password = 'pw')");
    const jobs = await as('nobody')('SELECT * FROM sys.jobs');
    expect(jobs.error?.code).toBeGreaterThan(4000);
    for (const t of ['operations', 'operations_log', 'jobs_metrics', 'allocations', 'segments', 'sessions', 'summits']) {
      expect((await as('nobody')(`SELECT * FROM sys.${t}`)).error).toEqual(jobs.error);
    }
    await sql('GRANT DQL ON SCHEMA sys TO nobody');
    expect((await as('nobody')('SELECT auth_user, session_user FROM sys.sessions')).rows).toEqual([['nobody', 'nobody']]);
  });
});

describe('sys tables of a single 5.10 node', () => {
  const { engine } = engineForFile('5.10');

  it('leaves out the columns 6.x added to sys.jobs_metrics, sys.segments and sys.sessions', async () => {
    const e = engine();
    expect((await typed(e, 'SELECT * FROM sys.jobs_metrics')).cols).toEqual([
      'classification', 'failed_count', 'max', 'mean', 'min', 'node', 'percentiles', 'stdev', 'sum_of_durations', 'total_count',
    ]);
    expect((await typed(e, 'SELECT * FROM sys.segments')).cols).toEqual([
      'attributes', 'committed', 'compound', 'deleted_docs', 'generation', 'memory', 'node', 'num_docs', 'partition_ident', 'primary',
      'search', 'segment_name', 'shard_id', 'size', 'table_name', 'table_schema', 'version',
    ]);
    const sessions = await typed(e, 'SELECT * FROM sys.sessions');
    expect(sessions).toMatchObject({
      cols: ['auth_user', 'client_address', 'handler_node', 'id', 'last_statement', 'protocol', 'session_user', 'settings', 'ssl', 'time_created'],
      col_types: [4, 4, 4, 9, 4, 4, 4, 12, 3, 11],
    });
    expect(sessions.rows![0]![7]).not.toHaveProperty('insert_select_fail_fast');
    expect(((await e.execute({ stmt: 'SELECT last_job_id FROM sys.sessions', types: false, session: { id: 7, schema: 'doc', user: 'crate' } })).body as { error: { code: number } }).error.code).toBe(4043);
  });
});
