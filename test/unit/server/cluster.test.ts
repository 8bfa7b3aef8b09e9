import { Client, request } from 'undici';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { shardOf } from '../../server/engine/routing.js';
import { startTestServer, type TestServer } from '../../server/index.js';

let server: TestServer;

beforeAll(async () => {
  server = await startTestServer({ version: '6.4', nodes: 3, primaryWaitMs: 300 });
});
afterAll(async () => {
  await server?.close();
});
afterEach(async () => {
  await server.reset();
});

async function sql(node: number, stmt: string, args?: unknown[], extra: { bulkArgs?: unknown[][]; timeoutMs?: number } = {}) {
  const body = extra.bulkArgs ? { stmt, bulk_args: extra.bulkArgs } : { stmt, args: args ?? [] };
  const res = await request(`${server.urls[node]}/_sql`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(body),
    headersTimeout: extra.timeoutMs ?? 20_000,
  });
  return { status: res.statusCode, body: (await res.body.json()) as any };
}

async function ok(node: number, stmt: string, args?: unknown[]) {
  const res = await sql(node, stmt, args);
  expect(res.status, `${stmt}: ${JSON.stringify(res.body)}`).toBe(200);
  return res.body;
}

describe('nodes', () => {
  it('listen on their own ports and share one engine', async () => {
    expect(new Set(server.urls).size).toBe(3);
    await ok(0, 'CREATE TABLE s.shared (id TEXT PRIMARY KEY)');
    await ok(1, 'INSERT INTO s.shared (id) VALUES (?)', ['x']);
    expect((await ok(2, 'SELECT id FROM s.shared WHERE id = ?', ['x'])).rows).toEqual([['x']]);
  });

  it('refuse connections while stopped and serve again on the same port after start', async () => {
    const node = server.nodes[1]!;
    const port = node.port;
    await node.stop();
    expect(node.running).toBe(false);
    await expect(request(`${node.url}/`)).rejects.toMatchObject({ code: 'ECONNREFUSED' });
    await node.start();
    expect(node.port).toBe(port);
    expect((await request(`${node.url}/`)).statusCode).toBe(200);
  });

  it('stop() cuts the open keep-alive connections too', async () => {
    const client = new Client(server.urls[2]!);
    try {
      expect((await client.request({ method: 'GET', path: '/' })).statusCode).toBe(200);
      await server.nodes[2]!.stop();
      await expect(client.request({ method: 'GET', path: '/' })).rejects.toBeDefined();
    } finally {
      await client.destroy();
    }
  });
});

describe('faults', () => {
  it('latency delays one node only', async () => {
    server.faults.latency(3_000, { node: 1 });
    await expect(sql(1, 'SELECT 1', [], { timeoutMs: 300 })).rejects.toMatchObject({ code: 'UND_ERR_HEADERS_TIMEOUT' });
    expect((await sql(0, 'SELECT 1', [], { timeoutMs: 2_000 })).status).toBe(200);
  });

  it('answers the Nth matching statement with the given CrateDB error, without applying it', async () => {
    await ok(0, 'CREATE TABLE s.t (id TEXT PRIMARY KEY)');
    server.faults.fail({ status: 503, code: 5030, message: 'ServiceUnavailable[try later]' }, { match: /^INSERT/, nth: 2 });
    await ok(0, 'INSERT INTO s.t (id) VALUES (?)', ['a']);
    const second = await sql(1, 'INSERT INTO s.t (id) VALUES (?)', ['b']);
    expect(second).toEqual({ status: 503, body: { error: { message: 'ServiceUnavailable[try later]', code: 5030 } } });
    await ok(0, 'INSERT INTO s.t (id) VALUES (?)', ['c']);
    expect((await ok(0, 'SELECT id FROM s.t WHERE id = ?', ['b'])).rows).toEqual([]);
    expect(server.requests.filter((r) => r.stmt.startsWith('INSERT')).map((r) => r.status)).toEqual([200, 503, 200]);
  });

  it('answers a bare 5xx in plain text', async () => {
    server.faults.fail(502, { match: /SELECT/ });
    const res = await request(`${server.url}/_sql`, { method: 'POST', body: '{"stmt":"SELECT 1"}' });
    expect(res.statusCode).toBe(502);
    expect(await res.body.text()).toBe('Bad Gateway');
  });

  it('drops the answer after the write was applied, or before when asked', async () => {
    await ok(0, 'CREATE TABLE s.t (id TEXT PRIMARY KEY)');
    server.faults.dropAnswer({ match: /INSERT/ });
    await expect(sql(0, 'INSERT INTO s.t (id) VALUES (?)', ['kept'])).rejects.toMatchObject({ code: 'UND_ERR_SOCKET' });
    expect((await ok(1, 'SELECT id FROM s.t WHERE id = ?', ['kept'])).rows).toEqual([['kept']]);

    server.faults.dropAnswer({ match: /INSERT/ }, { applied: false });
    await expect(sql(0, 'INSERT INTO s.t (id) VALUES (?)', ['lost'])).rejects.toMatchObject({ code: 'UND_ERR_SOCKET' });
    expect((await ok(1, 'SELECT id FROM s.t WHERE id = ?', ['lost'])).rows).toEqual([]);
  });
});

describe('a lost node (node 2 of 3)', () => {
  // Keys on shards whose only copy is on node 2 (shard k is on node k mod 3 for a 6-shard table).
  const keys = Array.from({ length: 60 }, (_, i) => `f${i}`);
  const lostKey = keys.find((k) => shardOf(k, 6) % 3 === 2)!;
  const liveKey = keys.find((k) => shardOf(k, 6) % 3 !== 2)!;
  const newLostKey = keys.map((k) => `${k}-new`).find((k) => shardOf(k, 6) % 3 === 2)!;

  async function setUp() {
    await ok(0, "CREATE TABLE s.fragile (id TEXT PRIMARY KEY, v INT) CLUSTERED INTO 6 SHARDS WITH (number_of_replicas = '0')");
    await ok(0, "CREATE TABLE s.books (id TEXT PRIMARY KEY, v INT) CLUSTERED INTO 6 SHARDS WITH (number_of_replicas = '0-1')");
    await ok(0, "CREATE TABLE s.hist (id TEXT PRIMARY KEY, v INT) CLUSTERED INTO 1 SHARDS WITH (number_of_replicas = '0-2')");
    for (const t of ['fragile', 'books', 'hist']) {
      const res = await sql(0, `INSERT INTO s.${t} (id, v) VALUES (?, ?)`, [], { bulkArgs: keys.map((k, i) => [k, i]) });
      expect(res.status).toBe(200);
      await ok(0, `REFRESH TABLE s.${t}`);
    }
    await server.nodes[2]!.stop();
  }

  it('fails a scan of an unreplicated table with 5002 and a key read on a lost shard with 4040', async () => {
    await setUp();
    const scan = await sql(0, 'SELECT count(*) FROM s.fragile');
    expect(scan.status).toBe(500);
    expect(scan.body.error.code).toBe(5002);
    expect(scan.body.error.message).toMatch(/^UnavailableShardsException\[\[s\.fragile\] shard \d+ is not available\]$/);
    expect(await sql(1, 'SELECT v FROM s.fragile WHERE id = ?', [lostKey])).toEqual({
      status: 404,
      body: { error: { message: 'ShardNotFoundException[no such shard]', code: 4040 } },
    });
    expect((await ok(1, 'SELECT id FROM s.fragile WHERE id = ?', [liveKey])).rows).toEqual([[liveKey]]);
  });

  it('reports the loss in sys.nodes and sys.health as CrateDB did', async () => {
    await setUp();
    expect((await ok(0, 'SELECT count(*) FROM sys.nodes')).rows).toEqual([[2]]);
    const health = await ok(1, "SELECT table_name, health FROM sys.health WHERE table_schema = 's' ORDER BY table_name");
    expect(health.rows).toEqual([['books', 'YELLOW'], ['fragile', 'RED'], ['hist', 'GREEN']]);
    await server.nodes[2]!.start();
    const back = await ok(1, "SELECT table_name, health FROM sys.health WHERE table_schema = 's' ORDER BY table_name");
    expect(back.rows).toEqual([['books', 'GREEN'], ['fragile', 'GREEN'], ['hist', 'GREEN']]);
    expect((await ok(0, 'SELECT count(*) FROM sys.nodes')).rows).toEqual([[3]]);
  });

  it('sums the loss up in sys.cluster_health, the worst table setting its health and reason', async () => {
    const one = async () => (await ok(0, 'SELECT health, severity, description, missing_shards > 0, underreplicated_shards > 0, pending_tasks FROM sys.cluster_health')).rows;
    await ok(0, "CREATE TABLE s.fragile (id TEXT PRIMARY KEY, v INT) CLUSTERED INTO 6 SHARDS WITH (number_of_replicas = '0')");
    await ok(0, "CREATE TABLE s.books (id TEXT PRIMARY KEY, v INT) CLUSTERED INTO 6 SHARDS WITH (number_of_replicas = '0-1')");
    expect(await one()).toEqual([['GREEN', 1, '', false, false, 0]]);
    await server.nodes[2]!.stop();
    expect(await one()).toEqual([['RED', 3, 'One or more tables are missing shards', true, true, 0]]);
    await ok(0, 'DROP TABLE s.fragile');
    expect(await one()).toEqual([['YELLOW', 2, 'One or more tables have underreplicated shards', false, true, 0]]);
    await server.nodes[2]!.start();
  });

  it('fails the two recovery node checks on every node of a cluster without gateway settings', async () => {
    const checks = await ok(0, 'SELECT node_id, id FROM sys.node_checks WHERE NOT passed ORDER BY node_id, id');
    const nodes = (await ok(0, 'SELECT id FROM sys.nodes ORDER BY id')).rows.map((r: unknown[]) => r[0]);
    expect(checks.rows).toEqual(nodes.flatMap((n: unknown) => [[n, 1], [n, 2]]));
    expect((await ok(0, 'SELECT count(*) FROM sys.node_checks')).rows).toEqual([[7 * 3]]);
  });

  it('leaves replicated tables unaffected', async () => {
    await setUp();
    expect((await ok(0, 'SELECT count(*) FROM s.books')).rows).toEqual([[keys.length]]);
    expect((await ok(1, 'SELECT count(*) FROM s.hist')).rows).toEqual([[keys.length]]);
    await ok(0, 'INSERT INTO s.hist (id, v) VALUES (?, ?)', ['new', 1]);
  });

  it('blocks a write to a lost shard for the primary wait, then answers 5002 and writes nothing', async () => {
    await setUp();
    const res = await sql(0, 'INSERT INTO s.fragile (id, v) VALUES (?, ?)', [newLostKey, 1]);
    expect(res.status).toBe(500);
    expect(res.body.error.code).toBe(5002);
    expect(res.body.error.message).toMatch(/primary shard is not active Timeout: \[1m\]/);
    const write = await sql(0, 'UPDATE s.fragile SET v = 99 WHERE id = ?', [lostKey]);
    expect(write.status).toBe(500);
    expect(write.body.error.code).toBe(5002);
    await server.nodes[2]!.start();
    expect((await ok(0, 'SELECT v FROM s.fragile WHERE id = ?', [lostKey])).rows).toEqual([[keys.indexOf(lostKey)]]);
    expect((await ok(0, 'SELECT v FROM s.fragile WHERE id = ?', [newLostKey])).rows).toEqual([]);
  });

  it('lets a blocked write through when the node comes back within the wait', async () => {
    await setUp();
    server.faults.primaryWaitMs = 10_000;
    const pending = sql(0, 'UPDATE s.fragile SET v = 99 WHERE id = ?', [lostKey]);
    await new Promise((resolve) => setTimeout(resolve, 100));
    await server.nodes[2]!.start();
    expect((await pending).body).toMatchObject({ rowcount: 1 });
  });

  it('fails only the bulk rows routed to a lost shard', async () => {
    await setUp();
    const res = await sql(0, 'UPDATE s.fragile SET v = ? WHERE id = ?', [], { bulkArgs: [[1, liveKey], [2, lostKey]] });
    expect(res.status).toBe(200);
    expect(res.body.results[0]).toEqual({ rowcount: 1 });
    expect(res.body.results[1]).toMatchObject({ rowcount: -2, error: { code: 5002 } });
  });
});
