import { gzipSync } from 'node:zlib';
import { Client, request } from 'undici';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { startTestServer, type TestServer } from '../../server/index.js';

let server: TestServer;

beforeAll(async () => {
  server = await startTestServer({
    version: '6.4',
    users: { migrator: 'secret' },
    tokens: { 'tok-1': 'migrator' },
    name: 'alpha',
    clusterName: 'test-cluster',
  });
});
afterAll(async () => {
  await server?.close();
});
afterEach(async () => {
  await server.reset();
});

interface Answer {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  text: string;
  json: () => any;
}

async function post(body: string | Buffer, options: { headers?: Record<string, string>; query?: string; client?: Client; method?: string; path?: string } = {}): Promise<Answer> {
  const path = `${options.path ?? '/_sql'}${options.query ? `?${options.query}` : ''}`;
  const init = { method: (options.method ?? 'POST') as 'POST', headers: { 'content-type': 'application/json', ...options.headers }, body };
  const res = options.client ? await options.client.request({ ...init, path }) : await request(`${server.url}${path}`, init);
  const text = await res.body.text();
  return { status: res.statusCode, headers: res.headers, text, json: () => JSON.parse(text) };
}

const sql = (stmt: string, args?: unknown[], options?: Parameters<typeof post>[1]) =>
  post(JSON.stringify(args === undefined ? { stmt } : { stmt, args }), options);

describe('/_sql protocol', () => {
  it('answers a result set as JSON with a float duration', async () => {
    const res = await sql('SELECT 1');
    expect(res.status).toBe(200);
    expect(res.headers['content-type']).toBe('application/json; charset=UTF-8');
    const body = res.json();
    expect(body).toMatchObject({ cols: ['1'], rows: [[1]], rowcount: 1 });
    expect(typeof body.duration).toBe('number');
    expect(body.duration).toBeGreaterThan(0);
  });

  it('refuses an unknown body key, both args and bulk_args, and invalid JSON with 4000', async () => {
    for (const raw of ['{"stmt":"SELECT 1","nope":1}', '{"stmt":"SELECT ?","args":[1],"bulk_args":[[1]]}', '{not json']) {
      const res = await post(raw);
      expect(res.status).toBe(400);
      expect(res.json().error.code).toBe(4000);
    }
  });

  it("answers GET /_sql with 'Missing request body'", async () => {
    const res = await post('', { method: 'GET' });
    expect(res.status).toBe(400);
    expect(res.json()).toEqual({ error: { message: 'SQLParseException[Missing request body]', code: 4000 } });
  });

  it('answers an unknown path with a plain-text 403', async () => {
    const res = await sql('SELECT 1', undefined, { path: '/_nope' });
    expect(res.status).toBe(403);
    expect(res.headers['content-type']).toBeUndefined();
    expect(res.text).toBe('POST method is not allowed for [/_nope]');
  });

  it('takes gzip-compressed bodies', async () => {
    const res = await post(gzipSync(JSON.stringify({ stmt: 'SELECT ? AS a', args: [7] })), {
      headers: { 'content-encoding': 'gzip' },
    });
    expect(res.status).toBe(200);
    expect(res.json().rows).toEqual([[7]]);
  });

  it('adds col_types with ?types and error_trace with ?error_trace=true', async () => {
    expect((await sql('SELECT 1::INTEGER AS i', undefined, { query: 'types' })).json().col_types).toEqual([9]);
    expect((await sql('SELECT 1', undefined, { query: 'types=false' })).json().col_types).toBeUndefined();
    const traced = (await sql('SELEC 1', undefined, { query: 'error_trace=true' })).json();
    expect(traced.error.code).toBe(4000);
    expect(traced.error_trace).toMatch(/^io\.crate\.\S+Exception: /);
    expect((await sql('SELEC 1')).json().error_trace).toBeUndefined();
  });

  it('answers GET / and HEAD / with the cluster info', async () => {
    const res = await request(server.url);
    expect(res.statusCode).toBe(200);
    expect(res.headers['content-type']).toBe('application/json');
    expect(await res.body.json()).toMatchObject({
      ok: true,
      status: 200,
      name: 'alpha',
      cluster_name: 'test-cluster',
      version: { number: '6.4.3', lucene_version: '10.4.0' },
    });
    const head = await request(server.url, { method: 'HEAD' });
    expect(head.statusCode).toBe(200);
    expect(await head.body.text()).toBe('');
  });
});

describe('auth', () => {
  const basic = (credentials: string) => ({ authorization: `Basic ${Buffer.from(credentials).toString('base64')}` });

  it('runs requests without a header as crate', async () => {
    expect((await sql('SELECT current_user')).json().rows).toEqual([['crate']]);
  });

  it('takes Basic with the right password, with or without a password for crate, and a configured Bearer token', async () => {
    expect((await sql('SELECT current_user', undefined, { headers: basic('migrator:secret') })).json().rows).toEqual([['migrator']]);
    expect((await sql('SELECT current_user', undefined, { headers: basic('crate') })).json().rows).toEqual([['crate']]);
    const bearer = await sql('SELECT current_user', undefined, { headers: { authorization: 'Bearer tok-1' } });
    expect(bearer.json().rows).toEqual([['migrator']]);
  });

  it('refuses a wrong password with a plain-text 401, WWW-Authenticate, and closes the connection', async () => {
    const client = new Client(server.url);
    const disconnected = new Promise((resolve) => client.once('disconnect', resolve));
    try {
      const res = await sql('SELECT 1', undefined, { headers: basic('migrator:wrong'), client });
      expect(res.status).toBe(401);
      expect(res.text).toBe('password authentication failed for user "migrator"\n');
      expect(res.headers['www-authenticate']).toBe('Basic realm="CrateDB Authenticator"');
      expect(res.headers['content-type']).toBeUndefined();
      // The server closes the connection itself (the test would time out otherwise).
      await disconnected;
    } finally {
      await client.close();
    }
    expect((await sql('SELECT 1', undefined, { headers: basic('nobody:x') })).status).toBe(401);
    expect((await sql('SELECT 1', undefined, { headers: { authorization: 'Bearer unknown' } })).status).toBe(401);
  });
});

describe('sessions per TCP connection', () => {
  it('reads Default-Schema only on the first request, and keeps SET on that connection only', async () => {
    const a = new Client(server.url, { pipelining: 1 });
    const b = new Client(server.url, { pipelining: 1 });
    const current = async (client: Client, headers?: Record<string, string>) =>
      (await sql('SELECT current_schema', undefined, { client, headers })).json().rows[0][0];
    try {
      expect(await current(a, { 'default-schema': 'first' })).toBe('first');
      expect(await current(a, { 'default-schema': 'second' })).toBe('first');
      expect(await current(a)).toBe('first');
      expect((await sql('SET search_path TO elsewhere', undefined, { client: a })).status).toBe(200);
      expect(await current(a)).toBe('elsewhere');
      expect(await current(b)).toBe('doc');
      expect(await current(b, { 'default-schema': 'later' })).toBe('doc');
      expect((await sql('SELECT current_schema')).json().rows[0][0]).toBe('doc');
    } finally {
      await Promise.all([a.close(), b.close()]);
    }
  });

  it('starts a new session on an open connection after reset()', async () => {
    const client = new Client(server.url, { pipelining: 1 });
    try {
      await sql('SET search_path TO gone', undefined, { client });
      await server.reset();
      expect((await sql('SELECT current_schema', undefined, { client })).json().rows[0][0]).toBe('doc');
    } finally {
      await client.close();
    }
  });
});
