/**
 * The race of issue 10 item 1, as CrateDB 6.4.3 showed it: five clients send `CREATE TABLE IF NOT
 * EXISTS` at once, then each reads by primary key. The one that created the table is answered only once
 * its primary shards started; the others are answered rowcount 0 at once (the table is in the cluster
 * state) and their key reads, sent while the shards are still RECOVERING, fail with 404/4040. A tool
 * that creates its own tables must survive this: wait for the primaries, or retry the idempotent read.
 * Here the window is held open by the test and ended by `startShards()`, so nothing depends on timing.
 */
import { Client } from 'undici';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { needsTestServer, startCrate, type CrateTarget } from '../../support/crate.js';

let crate: CrateTarget;
beforeAll(async () => {
  crate = await startCrate();
});
afterAll(async () => {
  await crate?.close();
});

const RECOVERING =
  'IllegalIndexShardStateException[CurrentState[RECOVERING] operations only allowed when shard state is one of ' +
  '[POST_RECOVERY, STARTED]]';

async function post(client: Client, stmt: string, args: unknown[] = []): Promise<{ status: number; body: any }> {
  const res = await client.request({
    method: 'POST',
    path: '/_sql',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ stmt, args }),
    headersTimeout: 120_000,
  });
  return { status: res.statusCode, body: await res.body.json() };
}

describe('five clients creating the same table at once', () => {
  it('the non-creators are answered 0 at once and their primary-key reads fail with 404/4040 until the shards start', async (ctx) => {
    needsTestServer(ctx, crate, 'a RECOVERING window');
    const server = crate.server!;
    server.faults.recoveringMs = 600_000;
    const table = `"${crate.schema}"."race"`;
    const clients = Array.from({ length: 5 }, () => new Client(crate.url));
    try {
      const reads: Array<Promise<{ status: number; body: any }>> = [];
      const creates = clients.map((client) =>
        post(client, `CREATE TABLE IF NOT EXISTS ${table} (id INT PRIMARY KEY, v TEXT) CLUSTERED INTO 1 SHARDS`).then((answer) => {
          // Each client reads as soon as its CREATE answered, as a runner does with its history table.
          reads.push(post(client, `SELECT v FROM ${table} WHERE id = ?`, [1]));
          return answer;
        }),
      );
      await expect.poll(() => reads.length, { timeout: 60_000 }).toBe(4);
      const early = await Promise.all(reads);
      expect(early).toEqual(Array(4).fill({ status: 404, body: { error: { code: 4040, message: RECOVERING } } }));

      server.faults.startShards();
      const answers = await Promise.all(creates);
      expect(answers.map((a) => a.body.rowcount).sort()).toEqual([0, 0, 0, 0, 1]);
      // Once the shards started, the same read (idempotent, so safe to retry) answers: no such row.
      for (const client of clients) {
        expect(await post(client, `SELECT v FROM ${table} WHERE id = ?`, [1])).toMatchObject({ status: 200, body: { rowcount: 0 } });
      }
    } finally {
      server.faults.clear();
      await Promise.all(clients.map((client) => client.close()));
    }
  });
});
