/**
 * The CrateDB the integration suite runs against: a real one when `CRATEDB_URL` is set (one URL or a
 * comma-separated list), else the test server started in this process (version from
 * `CRATE_TEST_VERSION`, default 6.4).
 *
 * Every test file gets a fresh, unique `schema` and must schema-qualify every name it creates (its
 * own tracking tables too, e.g. in `${schema}_migrate`), so that files can share one real CrateDB.
 * `close()` drops every table and view in `schema` and in schemas named `${schema}_*`.
 */
import { randomBytes } from 'node:crypto';
import { request } from 'undici';
import { startTestServer, type TestServer } from '../server/index.js';
import type { CrateVersion } from '../server/contract.js';
import { engineFor } from './engines.js';

export interface CrateTarget {
  /** First server's base URL (credentials included when `CRATEDB_URL` had them). */
  url: string;
  urls: string[];
  /** True when this is a real CrateDB from `CRATEDB_URL`: no fault injection then. */
  real: boolean;
  /** The in-process test server (absent when real). */
  server?: TestServer;
  /** A fresh schema for this caller's tables, e.g. `cmt_3f9a1c2b`. */
  schema: string;
  /** Runs one statement on the first server as the URL's user; throws with CrateDB's message on an error answer. */
  sql(stmt: string, args?: readonly unknown[]): Promise<{ cols: string[]; rows: unknown[][]; rowcount: number }>;
  /** Drops this caller's tables, then stops the test server. */
  close(): Promise<void>;
}

export interface StartCrateOptions {
  /** Nodes of the test server (ignored against a real CrateDB). @default 1 */
  nodes?: number;
  /** Version of the test server. @default CRATE_TEST_VERSION, else '6.4' */
  version?: CrateVersion;
  /** Write wait of a lost primary before 5002 (test server only). @default 250, short for tests */
  primaryWaitMs?: number;
}

let announced = false;

/** Starts (or connects to) the CrateDB for one test file. */
export async function startCrate(options: StartCrateOptions = {}): Promise<CrateTarget> {
  const schema = `cmt_${randomBytes(4).toString('hex')}`;
  const real = process.env.CRATEDB_URL?.trim();
  if (real) {
    const urls = real.split(',').map((u) => u.trim()).filter((u) => u !== '');
    announce(`integration tests run against the real CrateDB at ${urls.map(redact).join(', ')} (CRATEDB_URL)`);
    const sql = sqlOn(urls[0]!);
    return { url: urls[0]!, urls, real: true, schema, sql, close: () => dropSchemaTables(sql, schema) };
  }
  const version = options.version ?? testVersion();
  announce(`integration tests run against the in-process CrateDB test server (version ${version}; set CRATEDB_URL for a real one)`);
  const server = await startTestServer({
    version,
    nodes: options.nodes ?? 1,
    engine: await engineFor(version),
    primaryWaitMs: options.primaryWaitMs ?? 250,
  });
  const sql = sqlOn(server.url);
  return {
    url: server.url,
    urls: server.urls,
    real: false,
    server,
    schema,
    sql,
    async close() {
      server.faults.clear();
      for (const node of server.nodes) await node.start();
      try {
        await dropSchemaTables(sql, schema);
      } finally {
        await server.close();
      }
    },
  };
}

/**
 * Guards a fault-injection test: against a real CrateDB the test is reported SKIPPED (vitest's skip, with
 * the reason as its note, printed too), never counted as passed; against the test server it runs.
 */
export function needsTestServer(ctx: { skip(note?: string): never }, target: CrateTarget, what: string): void {
  if (!target.real) return;
  const why = `skipped against real CrateDB: ${what} needs the test server's fault injection`;
  console.warn(why);
  ctx.skip(why);
}

function testVersion(): CrateVersion {
  const v = process.env.CRATE_TEST_VERSION?.trim() || '6.4';
  if (v !== '6.4' && v !== '5.10') throw new Error(`CRATE_TEST_VERSION must be 6.4 or 5.10, got "${v}"`);
  return v;
}

function announce(line: string): void {
  if (announced) return;
  announced = true;
  console.info(line);
}

function redact(url: string): string {
  try {
    const u = new URL(url);
    if (u.password) u.password = '***';
    return u.toString().replace(/\/$/, '');
  } catch {
    return '<unparsable CRATEDB_URL entry>';
  }
}

function sqlOn(base: string): CrateTarget['sql'] {
  const u = new URL(base);
  const headers: Record<string, string> = { 'content-type': 'application/json' };
  if (u.username) {
    const credentials = `${decodeURIComponent(u.username)}:${decodeURIComponent(u.password)}`;
    headers.authorization = `Basic ${Buffer.from(credentials).toString('base64')}`;
  }
  const endpoint = `${u.protocol}//${u.host}${u.pathname.replace(/\/$/, '')}/_sql`;
  return async (stmt, args = []) => {
    const res = await request(endpoint, {
      method: 'POST',
      headers,
      body: JSON.stringify({ stmt, args }),
      headersTimeout: 120_000,
      bodyTimeout: 120_000,
    });
    const text = await res.body.text();
    if (res.statusCode !== 200) throw new Error(`CrateDB answered ${res.statusCode} to ${stmt}: ${text}`);
    return JSON.parse(text) as { cols: string[]; rows: unknown[][]; rowcount: number };
  };
}

/** Drops the tables and views of `schema` and of `${schema}_*` (tracking tables named after it). */
async function dropSchemaTables(sql: CrateTarget['sql'], schema: string): Promise<void> {
  const found = await sql(
    'SELECT table_schema, table_name, table_type FROM information_schema.tables ' +
      'WHERE table_schema = ? OR table_schema LIKE ?',
    [schema, `${schema}_%`],
  );
  const quote = (name: unknown) => `"${String(name).replaceAll('"', '""')}"`;
  // `_` is a LIKE wildcard: keep only the exact schema and names that really start with `${schema}_`.
  const ours = found.rows.filter(([s]) => s === schema || String(s).startsWith(`${schema}_`));
  for (const [tableSchema, tableName, tableType] of ours) {
    const kind = tableType === 'VIEW' ? 'VIEW' : 'TABLE';
    await sql(`DROP ${kind} IF EXISTS ${quote(tableSchema)}.${quote(tableName)}`);
  }
}
