import { request } from 'undici';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { shardOf } from '../../server/engine/routing.js';
import { startTestServer, type TestServer } from '../../server/index.js';

let server: TestServer;

beforeAll(async () => {
  server = await startTestServer({ version: '6.4', nodes: 3, primaryWaitMs: 300, recoveringMs: 0 });
});
afterAll(async () => {
  await server?.close();
});
afterEach(async () => {
  await server.reset();
});

async function ok(node: number, stmt: string, args: unknown[] = []) {
  const res = await request(`${server.urls[node]}/_sql`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ stmt, args }),
  });
  const body = (await res.body.json()) as any;
  expect(res.statusCode, `${stmt}: ${JSON.stringify(body)}`).toBe(200);
  return body as { rows: unknown[][]; rowcount: number };
}

const VERSION = 'SELECT _seq_no, _primary_term FROM doc.lease WHERE id = ?';
const CAS = 'UPDATE doc.lease SET owner = ? WHERE id = ? AND _seq_no = ? AND _primary_term = ?';

describe('_primary_term after a primary moves', () => {
  it('rises when the primary node stops and a replica is promoted: a compare-and-set with the old term matches nothing', async () => {
    // One shard: its primary is on node 0, replicas on nodes 1 and 2.
    await ok(0, "CREATE TABLE doc.lease (id TEXT PRIMARY KEY, owner TEXT) CLUSTERED INTO 1 SHARDS WITH (number_of_replicas = '0-2')");
    await ok(0, 'INSERT INTO doc.lease (id, owner) VALUES (?, ?)', ['l', 'a']);
    await ok(0, 'REFRESH TABLE doc.lease');
    const [seq, term] = (await ok(0, VERSION, ['l'])).rows[0] as [number, number];
    expect(term).toBe(1);

    await server.nodes[0]!.stop();
    expect((await ok(1, VERSION, ['l'])).rows).toEqual([[seq, 2]]);
    expect((await ok(1, 'SELECT _primary_term FROM doc.lease')).rows).toEqual([[2]]);
    expect((await ok(1, CAS, ['b', 'l', seq, 1])).rowcount).toBe(0);
    expect((await ok(1, CAS, ['b', 'l', seq, 2])).rowcount).toBe(1);
    await ok(1, 'INSERT INTO doc.lease (id, owner) VALUES (?, ?)', ['m', 'c']);
    expect((await ok(2, VERSION, ['m'])).rows[0]![1]).toBe(2);
    const primary = "SELECT node['name'] FROM sys.shards WHERE table_name = 'lease' AND \"primary\"";
    expect((await ok(1, primary)).rows).toEqual([[server.nodes[1]!.name]]);

    // The primary stays where it was promoted when the node comes back; the term does not move.
    await server.nodes[0]!.start();
    expect((await ok(0, primary)).rows).toEqual([[server.nodes[1]!.name]]);
    expect((await ok(0, VERSION, ['l'])).rows[0]![1]).toBe(2);
  });

  it('rises only for the shards whose primary was on the stopped node', async () => {
    await ok(0, 'CREATE TABLE doc.multi (id TEXT PRIMARY KEY) CLUSTERED INTO 3 SHARDS WITH (number_of_replicas = 1)');
    const keys = ['a', 'b', 'c', 'd', 'e', 'f', 'g', 'h', 'i', 'j'];
    for (const id of keys) await ok(0, 'INSERT INTO doc.multi (id) VALUES (?)', [id]);
    expect(new Set(keys.map((k) => shardOf(k, 3))).size).toBe(3);

    // Shard k's primary is on node k: stopping node 1 promotes shard 1's replica (on node 2).
    await server.nodes[1]!.stop();
    for (const id of keys) {
      const term = (await ok(0, 'SELECT _primary_term FROM doc.multi WHERE id = ?', [id])).rows[0]![0];
      expect(term, `key ${id} on shard ${shardOf(id, 3)}`).toBe(shardOf(id, 3) === 1 ? 2 : 1);
    }
  });

  it('stays when a shard has no other copy to promote', async () => {
    await ok(0, "CREATE TABLE doc.fragile (id TEXT PRIMARY KEY) CLUSTERED INTO 1 SHARDS WITH (number_of_replicas = '0')");
    await ok(0, 'INSERT INTO doc.fragile (id) VALUES (?)', ['f']);
    await server.nodes[0]!.stop();
    await server.nodes[0]!.start();
    expect((await ok(0, 'SELECT _primary_term FROM doc.fragile WHERE id = ?', ['f'])).rows).toEqual([[1]]);
  });
});
