/**
 * The test server's own overhead: `SELECT 1` through it against a bare node:http server answering a fixed
 * JSON body, same undici client, same process. Only meaningful against the test server (skipped with
 * CRATEDB_URL). A figure is the median of 200 sequential requests; runs interleave the two servers.
 */
import { createServer } from 'node:http';
import { Client } from 'undici';
import { startTestServer } from '../../test/server/index.js';
import { Group } from '../lib/report.js';
import { externalUrl } from '../lib/servers.js';
import { figure, rounds } from '../lib/stats.js';

const REQUESTS = 200;
const BODY = JSON.stringify({ stmt: 'SELECT 1' });

/** Median milliseconds of `REQUESTS` sequential `POST /_sql` round trips. */
async function medianRoundTrip(client: Client): Promise<number> {
  const times: number[] = [];
  for (let i = 0; i < REQUESTS; i++) {
    const start = performance.now();
    const res = await client.request({ method: 'POST', path: '/_sql', headers: { 'content-type': 'application/json' }, body: BODY });
    await res.body.text();
    times.push(performance.now() - start);
  }
  return figure(times).median;
}

export async function serverGroup(): Promise<Group> {
  const group = new Group('server');
  if (externalUrl()) return group;
  const answer = JSON.stringify({ cols: ['1'], rows: [[1]], rowcount: 1, duration: 0.1 });
  const bare = createServer((req, res) => {
    req.resume();
    req.on('end', () => {
      res.writeHead(200, { 'Content-Type': 'application/json; charset=UTF-8', 'Content-Length': Buffer.byteLength(answer) });
      res.end(answer);
    });
  });
  await new Promise<void>((resolve) => bare.listen(0, '127.0.0.1', resolve));
  const server = await startTestServer({ version: '6.4' });
  const bareClient = new Client(`http://127.0.0.1:${(bare.address() as { port: number }).port}`, { pipelining: 1 });
  const testClient = new Client(server.url, { pipelining: 1 });
  try {
    const v = await rounds({ bare: () => medianRoundTrip(bareClient), test: () => medianRoundTrip(testClient) });
    const base = group.add('SELECT 1, bare node:http (baseline)', 'ms', figure(v.bare));
    group.add('SELECT 1, test server', 'ms', figure(v.test), { baseline: base, note: `median of ${REQUESTS} requests per run` });
    return group;
  } finally {
    await bareClient.close();
    await testClient.close();
    await server.close();
    await new Promise<void>((resolve) => bare.close(() => resolve()));
  }
}
