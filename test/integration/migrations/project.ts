/**
 * A throw-away project for one integration test: a temp directory of migration files, a config whose
 * tables live in schemas of the test's own (`<crate schema>_<n>` for its tables, `..._migrate` for the
 * history and lock), and a client that counts its requests.
 */
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import pino from 'pino';
import { createClient } from '../../../src/client/client.js';
import type { CrateClient } from '../../../src/client/types.js';
import { defaultConfig } from '../../../src/config/defaults.js';
import type { ResolvedConfig } from '../../../src/config/types.js';
import { parseServerUrl } from '../../../src/config/urls.js';
import { createMigrator, type Migrator } from '../../../src/migrations/runner.js';
import type { CrateTarget } from '../../support/crate.js';

const REPO = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../..');
let counter = 0;

export interface TestProject {
  /** This test's schema for its tables. */
  schema: string;
  config: ResolvedConfig;
  client: CrateClient & { requests: number };
  write(file: string, text: string): Promise<void>;
  remove(file: string): Promise<void>;
  migrator(options?: { signal?: AbortSignal; config?: Partial<ResolvedConfig> }): Migrator;
  close(): Promise<void>;
}

/** The project's real books migration (unqualified names: they land in the config's `schema`). */
export function booksMigration(): Promise<string> {
  return readFile(path.join(REPO, 'migrations/001_create_books.sql'), 'utf8');
}

export async function createProject(crate: CrateTarget, config: Partial<ResolvedConfig> = {}): Promise<TestProject> {
  const root = await mkdtemp(path.join(os.tmpdir(), 'cm-migrations-'));
  const dir = path.join(root, 'migrations');
  await mkdir(dir);
  const schema = `${crate.schema}_${++counter}`;
  const parsed = crate.urls.map((u) => parseServerUrl(u));
  const servers = parsed.map((p) => ('error' in p ? (() => { throw new Error(p.error); })() : p.server));
  const first = parsed[0]!;
  const base = defaultConfig(servers, root);
  const resolved: ResolvedConfig = {
    ...base,
    ...('user' in first && first.user ? { auth: { user: first.user, ...(first.password ? { password: first.password } : {}) } } : {}),
    schema,
    historyTable: { schema: `${schema}_migrate`, table: 'migrations' },
    lockTable: { schema: `${schema}_migrate`, table: 'lock' },
    placeholders: { schema },
    requestTimeoutMs: 30_000,
    lock: { leaseMs: 5_000, waitMs: 20_000 },
    ...config,
  };
  const logger = pino({ level: 'silent' });
  const inner = createClient(resolved, { logger });
  const client = {
    requests: 0,
    sql: (...a: Parameters<CrateClient['sql']>) => (client.requests++, inner.sql(...a)),
    bulk: (...a: Parameters<CrateClient['bulk']>) => (client.requests++, inner.bulk(...a)),
    refresh: (...a: Parameters<CrateClient['refresh']>) => (client.requests++, inner.refresh(...a)),
    ping: (...a: Parameters<CrateClient['ping']>) => inner.ping(...a),
    close: () => inner.close(),
  };
  return {
    schema,
    config: resolved,
    client,
    write: (file, text) => writeFile(path.join(dir, file), text),
    remove: (file) => rm(path.join(dir, file)),
    migrator: (options = {}) =>
      createMigrator({
        config: { ...resolved, ...options.config },
        client,
        logger,
        ...(options.signal ? { signal: options.signal } : {}),
      }),
    async close() {
      await client.close();
      await rm(root, { recursive: true, force: true });
    },
  };
}
