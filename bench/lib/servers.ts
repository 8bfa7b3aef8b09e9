/**
 * Where the benchmarks send their requests: the CrateDB at CRATEDB_URL when it is set, else the test server
 * (in a child process for throughput, so that its CPU is not the client's event loop; in this process where
 * requests are counted from its log).
 */
import { spawn } from 'node:child_process';
import { subscribe, unsubscribe } from 'node:diagnostics_channel';
import { randomBytes } from 'node:crypto';
import path from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { loadConfig } from '../../src/config/load.js';
import { parseServerUrl } from '../../src/config/urls.js';
import type { ResolvedConfig } from '../../src/config/types.js';
import { startTestServer, type TestServer } from '../../test/server/index.js';

export const REPO = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');

/** The first URL of CRATEDB_URL, credentials included. */
export function externalUrl(): string | undefined {
  return process.env.CRATEDB_URL?.split(',')[0]?.trim() || undefined;
}

/** What the results say they were measured against (no credentials). */
export function serverLabel(): string {
  const url = externalUrl();
  if (!url) return `test server (CrateDB ${testVersion()} dialect)`;
  const parsed = parseServerUrl(url);
  return `CrateDB at ${'error' in parsed ? '(unparsable CRATEDB_URL)' : parsed.server}`;
}

function testVersion(): '6.4' | '5.10' {
  return process.env.CRATE_TEST_VERSION === '5.10' ? '5.10' : '6.4';
}

export interface Target {
  /** Base URL, with credentials when CRATEDB_URL had them. */
  url: string;
  /** The in-process test server, when that is the target. */
  server?: TestServer;
  close(): Promise<void>;
}

/** The test server in a child process on a free port (or CRATEDB_URL), until `close()`. */
export async function childTarget(): Promise<Target> {
  const external = externalUrl();
  if (external) return { url: external, close: async () => undefined };
  const port = 20_000 + Math.floor(Math.random() * 20_000);
  const tsx = path.join(REPO, 'node_modules/tsx/dist/cli.mjs');
  const child = spawn(process.execPath, [tsx, path.join(REPO, 'test/server/main.ts'), '--port', String(port), '--crate-version', testVersion()], {
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  const url = await new Promise<string>((resolve, reject) => {
    createInterface({ input: child.stdout }).on('line', (line) => {
      const m = /^listening on (\S+)/.exec(line);
      if (m) resolve(m[1]!);
    });
    child.once('exit', (code) => reject(new Error(`test server exited with ${code} before listening (port ${port} taken?)`)));
  });
  return {
    url,
    close: () => new Promise<void>((resolve) => {
      child.once('exit', () => resolve());
      child.kill('SIGTERM');
    }),
  };
}

/** The test server in this process (or CRATEDB_URL), until `close()`. */
export async function inProcessTarget(): Promise<Target> {
  const external = externalUrl();
  if (external) return { url: external, close: async () => undefined };
  const server = await startTestServer({ version: testVersion() });
  return { url: server.url, server, close: () => server.close() };
}

/** A resolved config for the target: its URL and credentials, tracking tables in `<schema>_migrate`. */
export async function configFor(target: Target, schema: string, rootDir: string): Promise<ResolvedConfig> {
  const config = await loadConfig({ cwd: rootDir, env: 'bench', overrides: { url: [target.url] }, environment: {} });
  return {
    ...config,
    schema,
    migrationsDir: path.join(rootDir, 'migrations'),
    seedsDir: path.join(rootDir, 'seeds'),
    historyTable: { schema: `${schema}_migrate`, table: 'migrations' },
    seedsTable: { schema: `${schema}_migrate`, table: 'seeds' },
    lockTable: { schema: `${schema}_migrate`, table: 'lock' },
  };
}

export function benchSchema(group: string): string {
  return `bench_${group}_${randomBytes(3).toString('hex')}`;
}

/**
 * Counts `/_sql` requests: from the test server's own log when it is in this process, else every HTTP
 * request undici sends from this process (its diagnostics channel), which against CRATEDB_URL is the same.
 */
export function requestCounter(target: Target): { count(): number; close(): void } {
  if (target.server) {
    const server = target.server;
    return { count: () => server.requests.length, close: () => undefined };
  }
  let sent = 0;
  const onRequest = () => {
    sent++;
  };
  subscribe('undici:request:create', onRequest);
  return { count: () => sent, close: () => unsubscribe('undici:request:create', onRequest) };
}
