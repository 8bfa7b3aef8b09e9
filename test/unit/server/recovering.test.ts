import { request } from 'undici';
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { RECOVERING_READ } from '../../server/recovering.js';
import { startTestServer, type TestServer } from '../../server/index.js';

// A window far longer than any test: it ends only when a test calls startShards(), so nothing here
// depends on timing.
const LONG = 600_000;
let server: TestServer;

beforeAll(async () => {
  server = await startTestServer({ version: '6.4', recoveringMs: LONG, primaryWaitMs: LONG });
});
afterAll(async () => {
  await server?.close();
});
afterEach(async () => {
  await server.reset();
});

async function sql(stmt: string, args: unknown[] = []) {
  const res = await request(`${server.url}/_sql`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ stmt, args }),
    headersTimeout: LONG,
  });
  return { status: res.statusCode, body: (await res.body.json()) as any };
}

/** Resolves with the answer, and says whether it has come yet. */
function pending<T>(promise: Promise<T>): { done: () => boolean; answer: Promise<T> } {
  let settled = false;
  const answer = promise.finally(() => (settled = true));
  return { done: () => settled, answer };
}

/** Lets every request already sent reach the server and be answered if it is going to be. */
async function settle(): Promise<void> {
  await sql('SELECT 1');
  await sql('SELECT 1');
}

const CREATE = 'CREATE TABLE IF NOT EXISTS doc.race (id INT PRIMARY KEY, v TEXT) CLUSTERED INTO 1 SHARDS';

describe('RECOVERING window of a new table', () => {
  it('holds the creator until its shards start, answers the other creators 0 at once, fails their key reads with 4040', async () => {
    const creators = Array.from({ length: 5 }, () => pending(sql(CREATE)));
    await vi.waitFor(() => expect(creators.filter((c) => c.done())).toHaveLength(4), { timeout: 20_000 });
    await settle();
    const answered = creators.filter((c) => c.done());
    expect(answered).toHaveLength(4);
    for (const c of answered) expect((await c.answer).body.rowcount).toBe(0);

    const read = await sql('SELECT v FROM doc.race WHERE id = ?', [1]);
    expect(read).toEqual({ status: 404, body: { error: { code: RECOVERING_READ.code, message: RECOVERING_READ.message } } });
    expect(RECOVERING_READ.message).toBe(
      'IllegalIndexShardStateException[CurrentState[RECOVERING] operations only allowed when shard state is one of [POST_RECOVERY, STARTED]]',
    );

    server.faults.startShards();
    const creator = creators.find((c) => !answered.includes(c))!;
    expect((await creator.answer).body.rowcount).toBe(1);
    expect(await sql('SELECT v FROM doc.race WHERE id = ?', [1])).toMatchObject({ status: 200, body: { rowcount: 0 } });
  });

  it('fails a scan with 5002, holds a write until the shards start, and runs DDL as usual', async () => {
    const creator = pending(sql(CREATE));
    await settle();
    expect(creator.done()).toBe(false);
    expect(await sql('SELECT count(*) FROM doc.race')).toEqual({
      status: 500,
      body: { error: { code: 5002, message: 'UnavailableShardsException[[doc.race] shard 0 is not available]' } },
    });
    expect((await sql(CREATE)).body.rowcount).toBe(0);
    expect((await sql('SHOW CREATE TABLE doc.race')).status).toBe(200);

    const write = pending(sql('INSERT INTO doc.race (id, v) VALUES (?, ?)', [1, 'a']));
    await settle();
    expect(write.done()).toBe(false);
    server.faults.startShards('doc.race');
    expect((await write.answer).body.rowcount).toBe(1);
    expect((await creator.answer).body.rowcount).toBe(1);
    expect((await sql('SELECT v FROM doc.race WHERE id = ?', [1])).body.rows).toEqual([['a']]);
  });

  it('reports the shards RECOVERING in sys.shards and the table RED in sys.health until they start', async () => {
    const creator = pending(sql(`-- a comment first\n/* and another */ ${CREATE}`));
    await settle();
    const shards = "SELECT state, \"primary\" FROM sys.shards WHERE schema_name = 'doc' AND table_name = 'race'";
    const health = "SELECT health FROM sys.health WHERE table_schema = 'doc' AND table_name = 'race'";
    expect((await sql(shards)).body.rows).toEqual([['RECOVERING', true]]);
    expect((await sql(health)).body.rows).toEqual([['RED']]);
    server.faults.startShards();
    await creator.answer;
    expect((await sql(shards)).body.rows).toEqual([['STARTED', true]]);
    expect((await sql(health)).body.rows).toEqual([['GREEN']]);
  });

  it('fails a write with 5002 when the shards do not start within the primary wait', async () => {
    server.faults.recoveringMs = 0;
    await sql('CREATE TABLE doc.opened (id INT PRIMARY KEY) CLUSTERED INTO 1 SHARDS');
    server.faults.primaryWaitMs = 1;
    server.faults.recoverShards('doc.opened', { ms: LONG });
    const res = await sql('INSERT INTO doc.opened (id) VALUES (?)', [1]);
    expect(res.status).toBe(500);
    expect(res.body.error.code).toBe(5002);
    expect(res.body.error.message).toMatch(/^UnavailableShardsException\[\[doc\.opened\]\[0\] primary shard is not active/);
    server.faults.startShards();
    expect((await sql('SELECT id FROM doc.opened WHERE id = ?', [1])).body.rowcount).toBe(0);
  });

  it('has no window with recoveringMs 0: the CREATE answers at once and the table is usable', async () => {
    server.faults.recoveringMs = 0;
    expect((await sql(CREATE)).body.rowcount).toBe(1);
    expect((await sql('SELECT v FROM doc.race WHERE id = ?', [1])).status).toBe(200);
  });

  it('rejects a window that is not positive and restores the window on clear()', () => {
    expect(() => server.faults.recoverShards('doc.x', { ms: 0 })).toThrow(/ms must be > 0/);
    server.faults.recoveringMs = 5;
    server.faults.clear();
    expect(server.faults.recoveringMs).toBe(LONG);
  });
});
