import { request } from 'undici';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { ManualClock } from '../../server/clock.js';
import { startTestServer, type TestServer } from '../../server/index.js';

const clock = new ManualClock(Date.UTC(2026, 5, 1, 12));
let server: TestServer;

beforeAll(async () => {
  server = await startTestServer({ version: '6.4', nodes: 2, clock, recoveringMs: 0 });
});
afterAll(async () => {
  await server?.close();
});
afterEach(async () => {
  await server.reset();
});

async function one(node: number, stmt: string, args: unknown[] = []): Promise<unknown> {
  const res = await request(`${server.urls[node]}/_sql`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ stmt, args }),
  });
  const body = (await res.body.json()) as any;
  expect(res.statusCode, `${stmt}: ${JSON.stringify(body)}`).toBe(200);
  return body.rows[0]?.[0];
}

describe('a skewed node clock', () => {
  it('shifts CURRENT_TIMESTAMP and now() on that node only', async () => {
    server.faults.clockSkew(-30_000, { node: 1 });
    expect(await one(0, 'SELECT CURRENT_TIMESTAMP')).toBe(clock.now());
    expect(await one(1, 'SELECT CURRENT_TIMESTAMP')).toBe(clock.now() - 30_000);
    expect(await one(1, 'SELECT now()')).toBe(clock.now() - 30_000);
  });

  it('is what a lease written on that node records, and a column default too', async () => {
    server.faults.clockSkew(90_000, { node: 1 });
    await one(0, 'CREATE TABLE doc.lease (id TEXT PRIMARY KEY, expires TIMESTAMP WITH TIME ZONE, at TIMESTAMP WITH TIME ZONE DEFAULT CURRENT_TIMESTAMP)');
    await one(1, "INSERT INTO doc.lease (id, expires) VALUES ('l', CURRENT_TIMESTAMP + INTERVAL '10 seconds')");
    const row = await request(`${server.urls[0]}/_sql`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ stmt: 'SELECT expires, at FROM doc.lease WHERE id = ?', args: ['l'] }),
    });
    expect(((await row.body.json()) as any).rows).toEqual([[clock.now() + 100_000, clock.now() + 90_000]]);
  });

  it('applies to every node without `node`, and clear() removes it', async () => {
    server.faults.clockSkew(5_000);
    expect(await one(0, 'SELECT CURRENT_TIMESTAMP')).toBe(clock.now() + 5_000);
    expect(await one(1, 'SELECT CURRENT_TIMESTAMP')).toBe(clock.now() + 5_000);
    server.faults.clear();
    expect(await one(1, 'SELECT CURRENT_TIMESTAMP')).toBe(clock.now());
    expect(() => server.faults.clockSkew(Number.NaN)).toThrow(/finite/);
  });
});
