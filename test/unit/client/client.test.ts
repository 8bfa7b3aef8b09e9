import { readFileSync } from 'node:fs';
import https from 'node:https';
import type { AddressInfo } from 'node:net';
import { Writable } from 'node:stream';
import { afterEach, describe, expect, it } from 'vitest';
import { createClient } from '../../../src/client/client.js';
import type { CrateClient } from '../../../src/client/types.js';
import { defaultConfig } from '../../../src/config/defaults.js';
import type { ResolvedConfig } from '../../../src/config/types.js';
import { AbortedError, ConnectionError, CrateDbError } from '../../../src/errors.js';
import { createLogger } from '../../../src/logger.js';
import {
  json,
  refusedUrl,
  replay,
  silentTcp,
  startNode,
  transcriptStep,
  type FakeNode, rejection } from './fake-crate.js';

const cleanups: Array<() => Promise<void>> = [];
afterEach(async () => {
  while (cleanups.length > 0) await cleanups.pop()!();
});

async function node(handler?: Parameters<typeof startNode>[0]): Promise<FakeNode> {
  const n = await startNode(handler);
  cleanups.push(() => n.close());
  return n;
}

function config(servers: string[], patch: Partial<ResolvedConfig> = {}): ResolvedConfig {
  return { ...defaultConfig(servers, '/tmp'), connectTimeoutMs: 2_000, requestTimeoutMs: 10_000, ...patch };
}

function client(cfg: ResolvedConfig, logger?: ReturnType<typeof createLogger>): CrateClient {
  const c = createClient(cfg, logger === undefined ? {} : { logger });
  cleanups.push(() => c.close());
  return c;
}

function capturingLogger(): { logger: ReturnType<typeof createLogger>; lines: () => any[] } {
  const chunks: string[] = [];
  const destination = new Writable({
    write(chunk, _enc, done) {
      chunks.push(String(chunk));
      done();
    },
  });
  return {
    logger: createLogger({ level: 'debug', pretty: false, destination }),
    lines: () => chunks.join('').trim().split('\n').filter(Boolean).map((l) => JSON.parse(l)),
  };
}

/** Reads the request body, then destroys the socket: the statement arrived but its answer is lost. */
const loseAnswer = (_req: unknown, res: { socket: { destroy(): void } | null }): void => {
  res.socket?.destroy();
};

describe('requests', () => {
  it('posts {stmt, args} to /_sql with Default-Schema and reads the result', async () => {
    const n = await node((_req, res) =>
      json(res, 200, { cols: ['a', 'b'], rows: [[1, 'two']], rowcount: 1, duration: 1.25 }),
    );
    const c = client(config([n.url], { schema: 'books_app' }));
    const result = await c.sql('SELECT ? AS a, ? AS b', [1, 'two']);
    expect(result).toEqual({ cols: ['a', 'b'], rows: [[1, 'two']], rowcount: 1, durationMs: 1.25 });
    expect(n.received).toHaveLength(1);
    const [req] = n.received;
    expect(req!.method).toBe('POST');
    expect(req!.url).toBe('/_sql');
    expect(req!.body).toEqual({ stmt: 'SELECT ? AS a, ? AS b', args: [1, 'two'] });
    expect(req!.headers['default-schema']).toBe('books_app');
    expect(req!.headers['content-type']).toBe('application/json');
    expect(req!.headers.authorization).toBeUndefined();
  });

  it('sends the same Default-Schema on every request of the pool', async () => {
    const n = await node();
    const c = client(config([n.url], { schema: 'doc' }));
    await Promise.all([c.sql('SELECT 1'), c.sql('SELECT 1'), c.sql('SELECT 1')]);
    await c.sql('SELECT 1');
    expect(n.received.map((r) => r.headers['default-schema'])).toEqual(['doc', 'doc', 'doc', 'doc']);
  });

  it('leaves args out when none are given, and writes bigints as numeric strings', async () => {
    const n = await node();
    const c = client(config([n.url]));
    await c.sql('SELECT 1');
    await c.sql('SELECT ?', [12345678901234567890n]);
    expect(n.received[0]!.body).toEqual({ stmt: 'SELECT 1' });
    expect(n.received[1]!.body).toEqual({ stmt: 'SELECT ?', args: ['12345678901234567890'] });
  });

  it('asks for ?types and returns colTypes', async () => {
    const step = transcriptStep('transcripts', '01-protocol.json', 'types query parameter');
    const n = await node((_req, res) => replay(res, step));
    const c = client(config([n.url]));
    const result = await c.sql(step.request.body!.stmt!, undefined, { types: true });
    expect(n.received[0]!.url).toBe('/_sql?types');
    expect(result.colTypes).toEqual([9, 4, 6, 11, [100, 9], 12]);
    expect(result.cols).toEqual(['i', 't', 'd', 'ts', 'arr', 'obj']);
    await c.sql('SELECT 1');
    expect(n.received[1]!.url).toBe('/_sql');
  });

  it('prefixes a base URL path', async () => {
    const n = await node();
    const c = client(config([`${n.url}/crate/`]));
    await c.sql('SELECT 1');
    expect(n.received[0]!.url).toBe('/crate/_sql');
  });

  it('sends Basic auth with and without a password, and Bearer for a JWT', async () => {
    const n = await node();
    await client(config([n.url], { auth: { user: 'migrator', password: 'secret' } })).sql('SELECT 1');
    await client(config([n.url], { auth: { user: 'crate' } })).sql('SELECT 1');
    await client(config([n.url], { auth: { jwt: 'eyJhbGciOi.payload.sig' } })).sql('SELECT 1');
    expect(n.received.map((r) => r.headers.authorization)).toEqual([
      `Basic ${Buffer.from('migrator:secret').toString('base64')}`,
      `Basic ${Buffer.from('crate').toString('base64')}`,
      'Bearer eyJhbGciOi.payload.sig',
    ]);
  });

  it('logs each statement at debug without its args', async () => {
    const n = await node();
    const { logger, lines } = capturingLogger();
    const c = client(config([n.url]), logger);
    await c.sql('SELECT ?', ['top-secret-arg']);
    const sqlLines = lines().filter((l) => l.event === 'sql');
    expect(sqlLines).toHaveLength(1);
    expect(sqlLines[0]).toMatchObject({ event: 'sql', server: n.url, rowcount: 1, level: 20 });
    expect(typeof sqlLines[0].durationMs).toBe('number');
    expect(JSON.stringify(lines())).not.toContain('top-secret-arg');
  });
});

describe('bulk', () => {
  it('returns -2 items with the 5.10+ error object, without throwing', async () => {
    const step = transcriptStep('transcripts', '03-dml.json', 'bulk insert with one duplicate');
    const n = await node((_req, res) => replay(res, step));
    const c = client(config([n.url]));
    const result = await c.bulk(step.request.body!.stmt!, step.request.body!.bulk_args!);
    expect(n.received[0]!.body).toEqual({ stmt: step.request.body!.stmt, bulk_args: step.request.body!.bulk_args });
    const recorded = (step.response.body as { results: Array<{ rowcount: number; error?: unknown }> }).results;
    expect(result.results).toHaveLength(recorded.length);
    expect(result.results.map((r) => r.rowcount)).toEqual(recorded.map((r) => r.rowcount));
    const failed = result.results.filter((r) => r.rowcount === -2);
    expect(failed.length).toBeGreaterThan(0);
    expect(failed[0]!.error).toEqual({
      code: 4091,
      message: expect.stringContaining('DuplicateKeyException'),
    });
  });

  it('normalizes the older error_message string and a null error, and keeps bare -2 items', async () => {
    const n = await node((_req, res) =>
      json(res, 200, {
        cols: [],
        duration: 2,
        results: [
          { rowcount: 1 },
          { rowcount: -2, error_message: 'DocumentAlreadyExistsException[[doc][2]: version conflict]' },
          { rowcount: -2 },
          { rowcount: 0, error: null },
        ],
      }),
    );
    const c = client(config([n.url]));
    const result = await c.bulk('INSERT INTO t (id) VALUES (?)', [[1], [2], [3], [4]]);
    expect(result).toEqual({
      durationMs: 2,
      results: [
        { rowcount: 1 },
        { rowcount: -2, error: { message: 'DocumentAlreadyExistsException[[doc][2]: version conflict]' } },
        { rowcount: -2 },
        { rowcount: 0 },
      ],
    });
  });

  it('throws a CrateDbError when the whole bulk request fails', async () => {
    const step = transcriptStep('transcripts', '03-dml.json', 'bulk insert with a bad timestamp row');
    const n = await node((_req, res) => replay(res, step));
    const err = await rejection(client(config([n.url])).bulk(step.request.body!.stmt!, step.request.body!.bulk_args!));
    expect(err).toBeInstanceOf(CrateDbError);
    expect(err).toMatchObject({ code: 'CM_CRATEDB', crateCode: 4000, httpStatus: 400 });
  });
});

describe('refresh and ping', () => {
  it('refreshes several tables in one quoted, qualified statement', async () => {
    const n = await node((_req, res) => json(res, 200, { cols: [], rows: [[]], rowcount: 2, duration: 0.3 }));
    const c = client(config([n.url]));
    await c.refresh([
      { schema: 'cratedb_migrate', table: 'migrations' },
      { schema: 'doc', table: 'Books' },
    ]);
    await c.refresh([]);
    expect(n.received.map((r) => r.body.stmt)).toEqual(['REFRESH TABLE "cratedb_migrate"."migrations", "doc"."Books"']);
  });

  it('pings with GET / and reads the version', async () => {
    const step = transcriptStep('transcripts', '01-protocol.json', 'cluster info');
    const n = await node((_req, res) => replay(res, step));
    const result = await client(config([n.url])).ping();
    expect(result).toEqual({ server: n.url, version: '6.4.3' });
    expect(n.received[0]).toMatchObject({ method: 'GET', url: '/' });
    expect(n.received[0]!.headers.accept).toBe('application/json');
  });

  it('pings past a refused server', async () => {
    const down = await refusedUrl();
    const n = await node((_req, res) => json(res, 200, { ok: true, version: { number: '5.10.16' } }));
    expect(await client(config([down, n.url])).ping()).toEqual({ server: n.url, version: '5.10.16' });
  });

  it('pings past a node without a master (HTTP 503), and fails with 503 when every node answers so', async () => {
    const noMaster = await node((_req, res) => json(res, 503, { ok: false, status: 503, name: 'n1', cluster_name: 'c' }));
    const n = await node((_req, res) => json(res, 200, { ok: true, version: { number: '6.4.3' } }));
    expect(await client(config([noMaster.url, n.url])).ping()).toEqual({ server: n.url, version: '6.4.3' });
    expect(noMaster.received).toHaveLength(1);
    const another = await node((_req, res) => json(res, 503, { ok: false, status: 503 }));
    const err = await rejection(client(config([noMaster.url, another.url])).ping());
    expect(err).toMatchObject({ code: 'CM_CRATEDB', httpStatus: 503 });
  });

  it('refuses work after close', async () => {
    const n = await node();
    const c = createClient(config([n.url]));
    await c.close();
    const err = await rejection(c.sql('SELECT 1'));
    expect(err).toBeInstanceOf(ConnectionError);
    expect(err.sent).toBe(false);
    expect(n.received).toHaveLength(0);
  });
});

describe('servers', () => {
  it('uses the servers round-robin', async () => {
    const a = await node();
    const b = await node();
    const c = client(config([a.url, b.url]));
    for (let i = 0; i < 4; i++) await c.sql('SELECT 1');
    expect(a.received).toHaveLength(2);
    expect(b.received).toHaveLength(2);
  });

  it('skips a server that refuses the connection and remembers it as down', async () => {
    const down = await refusedUrl();
    const up = await node();
    const { logger, lines } = capturingLogger();
    const c = client(config([down, up.url]), logger);
    for (let i = 0; i < 4; i++) expect((await c.sql('SELECT 1')).rows).toEqual([[1]]);
    expect(up.received).toHaveLength(4);
    // Refused once; the later calls whose turn it was went straight to the live server.
    const unreachable = lines().filter((l) => l.event === 'server-unreachable');
    expect(unreachable).toEqual([expect.objectContaining({ server: down, reason: 'connection refused', level: 40 })]);
  });

  it('skips a server that does not connect in time', async () => {
    const silent = await silentTcp();
    cleanups.push(() => silent.close());
    const up = await node();
    const c = client(config([silent.url, up.url], { connectTimeoutMs: 150 }));
    expect((await c.sql('INSERT INTO t (id) VALUES (1)')).rowcount).toBe(1);
    expect(up.received).toHaveLength(1);
  });

  it('fails with ConnectionError sent:false when every server is down', async () => {
    const servers = [await refusedUrl(), await refusedUrl()];
    const err = await rejection(client(config(servers)).sql('INSERT INTO t (id) VALUES (1)'));
    expect(err).toBeInstanceOf(ConnectionError);
    expect(err).toMatchObject({ code: 'CM_CONNECTION', sent: false });
    expect(err.message).toContain(servers[0]);
    expect(err.message).toContain(servers[1]);
  });

  it('does not retry a write whose answer was lost', async () => {
    const lossy = await node(loseAnswer);
    const other = await node();
    const c = client(config([lossy.url, other.url]));
    const err = await rejection(c.sql('INSERT INTO t (id) VALUES (?)', [1], { origin: { file: 'migrations/001_x.sql', line: 3 } }));
    expect(err).toBeInstanceOf(ConnectionError);
    expect(err).toMatchObject({ code: 'CM_CONNECTION', sent: true, server: lossy.url });
    expect(err.message).toContain('may or may not have been applied');
    expect(err.message).toContain('migrations/001_x.sql:3');
    expect(lossy.received).toHaveLength(1);
    expect(other.received).toHaveLength(0);
  });

  it('retries a read-only statement whose answer was lost on the next server', async () => {
    const lossy = await node(loseAnswer);
    const other = await node();
    const c = client(config([lossy.url, other.url]));
    const result = await c.sql('SELECT 1', undefined, { readOnly: true });
    expect(result.rows).toEqual([[1]]);
    expect(lossy.received).toHaveLength(1);
    expect(other.received).toHaveLength(1);
  });

  it('treats a refresh as safe to retry', async () => {
    const lossy = await node(loseAnswer);
    const other = await node();
    await client(config([lossy.url, other.url])).refresh([{ schema: 's', table: 't' }]);
    expect(lossy.received).toHaveLength(1);
    expect(other.received).toHaveLength(1);
  });

  it('fails a read-only statement with sent:true when every answer was lost', async () => {
    const a = await node(loseAnswer);
    const b = await node(loseAnswer);
    const err = await rejection(client(config([a.url, b.url])).sql('SELECT 1', undefined, { readOnly: true }));
    expect(err).toBeInstanceOf(ConnectionError);
    expect(err.sent).toBe(true);
    expect(a.received).toHaveLength(1);
    expect(b.received).toHaveLength(1);
  });
});

describe('timeouts and abort', () => {
  it('times out a write after sending it: sent:true, not retried', async () => {
    const hang = await node(() => undefined);
    const other = await node();
    const c = client(config([hang.url, other.url], { requestTimeoutMs: 60_000 }));
    const err = await rejection(c.sql('UPDATE t SET x = 1', undefined, { timeoutMs: 150 }));
    expect(err).toBeInstanceOf(ConnectionError);
    expect(err.sent).toBe(true);
    expect(err.message).toContain('no answer within 150 ms');
    expect(hang.received).toHaveLength(1);
    expect(other.received).toHaveLength(0);
  });

  it('uses requestTimeoutMs from the config when the call gives none', async () => {
    const hang = await node(() => undefined);
    const err = await rejection(client(config([hang.url], { requestTimeoutMs: 120 })).sql('SELECT 1'));
    expect(err).toBeInstanceOf(ConnectionError);
    expect(err.message).toContain('no answer within 120 ms');
  });

  it('retries a read-only statement that timed out on the next server', async () => {
    const hang = await node(() => undefined);
    const other = await node();
    const c = client(config([hang.url, other.url]));
    const result = await c.sql('SELECT 1', undefined, { readOnly: true, timeoutMs: 150 });
    expect(result.rowcount).toBe(1);
    expect(other.received).toHaveLength(1);
  });

  it('aborts a call in flight with AbortedError', async () => {
    const hang = await node(() => undefined);
    const controller = new AbortController();
    const pending = client(config([hang.url])).sql('SELECT 1', undefined, { signal: controller.signal });
    await new Promise<void>((resolve) => {
      const check = setInterval(() => {
        if (hang.received.length > 0) {
          clearInterval(check);
          resolve();
        }
      }, 5);
    });
    controller.abort();
    const err = await rejection(pending);
    expect(err).toBeInstanceOf(AbortedError);
    expect(err.code).toBe('CM_ABORTED');
  });

  it('sends nothing when the signal is already aborted', async () => {
    const n = await node();
    const err = await rejection(client(config([n.url])).sql('SELECT 1', undefined, { signal: AbortSignal.abort() }));
    expect(err).toBeInstanceOf(AbortedError);
    expect(n.received).toHaveLength(0);
  });
});

describe('TLS', () => {
  // A self-signed certificate for 127.0.0.1 and localhost, valid until 2126 (test fixture, not a secret).
  const cert = readFileSync(new URL('./fixtures/server-cert.pem', import.meta.url), 'utf8');
  const key = readFileSync(new URL('./fixtures/server-key.pem', import.meta.url), 'utf8');

  async function tlsNode(): Promise<{ url: string; hits: () => number }> {
    let hits = 0;
    const server = https.createServer({ cert, key }, (_req, res) => {
      hits++;
      json(res, 200, { cols: ['1'], rows: [[1]], rowcount: 1, duration: 0.1 });
    });
    server.on('tlsClientError', () => undefined);
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    cleanups.push(
      () =>
        new Promise<void>((resolve) => {
          server.closeAllConnections();
          server.close(() => resolve());
        }),
    );
    return { url: `https://127.0.0.1:${(server.address() as AddressInfo).port}`, hits: () => hits };
  }

  it('verifies the certificate by default: an unknown CA is refused before anything is sent', async () => {
    const n = await tlsNode();
    const err = await rejection(client(config([n.url])).sql('INSERT INTO t (id) VALUES (1)'));
    expect(err).toBeInstanceOf(ConnectionError);
    expect(err.sent).toBe(false);
    expect(err.message).toContain('tls.ca');
    expect(n.hits()).toBe(0);
  });

  it('trusts the configured CA', async () => {
    const n = await tlsNode();
    const c = client(config([n.url], { tls: { rejectUnauthorized: true, ca: cert } }));
    expect((await c.sql('SELECT 1')).rows).toEqual([[1]]);
    expect(n.hits()).toBe(1);
  });

  it('skips verification only when the config says so, and warns about it', async () => {
    const n = await tlsNode();
    const { logger, lines } = capturingLogger();
    const c = client(config([n.url], { tls: { rejectUnauthorized: false } }), logger);
    expect((await c.sql('SELECT 1')).rows).toEqual([[1]]);
    expect(lines().filter((l) => l.event === 'tls-unverified')).toHaveLength(1);
  });
});
