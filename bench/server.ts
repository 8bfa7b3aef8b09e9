/**
 * Test-server overhead: `SELECT 1` through the in-process test server against a bare undici round trip
 * to a minimal node:http server answering a fixed JSON body (same process, same client settings), and
 * the time of one full conformance replay per version. Prints figures; asserts nothing.
 *
 *   npx tsx bench/server.ts
 */
import { existsSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { isDeepStrictEqual } from 'node:util';
import { Client } from 'undici';
import { comparable, Connections, loadTranscripts } from '../test/conformance/replay.js';
import type { CrateVersion } from '../test/server/contract.js';
import { createEngine } from '../test/server/engine/index.js';
import { startTestServer } from '../test/server/index.js';

const ITERATIONS = 2_000;
const WARM_UP = 200;
const BODY = JSON.stringify({ stmt: 'SELECT 1' });

function quantile(sorted: number[], q: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))]!;
}

/** Median and p99 (ms) of `ITERATIONS` sequential `POST /_sql` round trips after a warm-up. */
async function roundTrips(origin: string): Promise<{ p50: number; p99: number }> {
  const client = new Client(origin, { pipelining: 1 });
  const once = async () => {
    const res = await client.request({ method: 'POST', path: '/_sql', headers: { 'content-type': 'application/json' }, body: BODY });
    await res.body.text();
  };
  try {
    for (let i = 0; i < WARM_UP; i++) await once();
    const times: number[] = [];
    for (let i = 0; i < ITERATIONS; i++) {
      const start = performance.now();
      await once();
      times.push(performance.now() - start);
    }
    times.sort((a, b) => a - b);
    return { p50: quantile(times, 0.5), p99: quantile(times, 0.99) };
  } finally {
    await client.close();
  }
}

async function bareServer(): Promise<{ server: Server; origin: string }> {
  const answer = JSON.stringify({ cols: ['1'], rows: [[1]], rowcount: 1, duration: 0.1 });
  const server = createServer((req, res) => {
    req.resume();
    req.on('end', () => {
      res.writeHead(200, { 'Content-Type': 'application/json; charset=UTF-8', 'Content-Length': Buffer.byteLength(answer) });
      res.end(answer);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { server, origin: `http://127.0.0.1:${(server.address() as { port: number }).port}` };
}

/** One conformance replay of a version: every transcript file on a fresh server, one engine. */
async function replay(version: CrateVersion, dir: string): Promise<{ ms: number; steps: number; matched: number }> {
  const engine = await createEngine({ version });
  let steps = 0;
  let matched = 0;
  const start = performance.now();
  try {
    for (const transcript of loadTranscripts(dir)) {
      const server = await startTestServer({ version, engine, name: 'n1', clusterName: 'single' });
      await engine.reset();
      const connections = new Connections(server.url);
      try {
        for (const step of transcript.steps) {
          steps += 1;
          const { expected, actual } = comparable(step, await connections.send(step.request));
          if (isDeepStrictEqual(expected, actual)) matched += 1;
        }
      } finally {
        await connections.close();
        await server.close();
      }
    }
    return { ms: performance.now() - start, steps, matched };
  } finally {
    await engine.close();
  }
}

/** Runs the test-server benchmark and prints its figures. */
export async function benchServer(): Promise<void> {
  const bare = await bareServer();
  const baseline = await roundTrips(bare.origin);
  await new Promise<void>((resolve) => bare.server.close(() => resolve()));

  const server = await startTestServer({ version: '6.4' });
  const measured = await roundTrips(server.url);
  await server.close();

  const fmt = (ms: number) => `${ms.toFixed(3)} ms`;
  console.log(`test server: SELECT 1, ${ITERATIONS} sequential requests after ${WARM_UP} warm-up`);
  console.log(`  bare node:http + undici   p50 ${fmt(baseline.p50)}  p99 ${fmt(baseline.p99)}`);
  console.log(`  test server               p50 ${fmt(measured.p50)}  p99 ${fmt(measured.p99)}`);
  console.log(`  ratio                     p50 ${(measured.p50 / baseline.p50).toFixed(1)}x  p99 ${(measured.p99 / baseline.p99).toFixed(1)}x`);

  const shared = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..', 'shared', 'cratedb');
  for (const [version, dir] of [['6.4', 'transcripts'], ['5.10', 'transcripts-5.10']] as const) {
    const full = path.join(shared, dir);
    if (!existsSync(full)) {
      console.log(`  conformance replay ${version}: skipped, ${full} not found`);
      continue;
    }
    const r = await replay(version, full);
    console.log(`  conformance replay ${version}: ${(r.ms / 1000).toFixed(2)} s for ${r.steps} steps (${r.matched} matched)`);
  }
}

if (process.argv[1] && import.meta.url === pathToFileURL(path.resolve(process.argv[1])).href) {
  benchServer().catch((err: unknown) => {
    console.error(err);
    process.exitCode = 1;
  });
}
