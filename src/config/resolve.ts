import { readFileSync } from 'node:fs';
import path from 'node:path';
import type { TableRef } from '../client/types.js';
import { DEFAULTS, defaultConfig } from './defaults.js';
import type { KeyPath, ProblemList } from './problems.js';
import type { EnvironmentConfig } from './schema.js';
import type { Auth, ResolvedConfig } from './types.js';
import { CONFLICTING_CREDENTIALS, parseServerList } from './urls.js';

/** Where a validated block came from, so that problems found later point at the right key. */
export interface Block {
  config: EnvironmentConfig;
  path: KeyPath;
}

const AUTH_KEYS = ['user', 'password', 'jwt'] as const;
const SERVER_KEYS = ['url', 'servers'] as const;
const NESTED_KEYS = ['tls', 'timeouts', 'lock', 'placeholders', 'check'] as const;

/**
 * `defaults:` under an environment. Nested blocks merge key by key; `url`/`servers` and the credentials
 * (`user`/`password`/`jwt`) are groups: an environment that sets one member replaces the whole group, so
 * a default password never pairs with another environment's user.
 */
function mergeBlocks(base: EnvironmentConfig, env: EnvironmentConfig): EnvironmentConfig {
  const out: Record<string, unknown> = { ...base, ...env };
  for (const group of [AUTH_KEYS, SERVER_KEYS]) {
    if (group.some((k) => env[k] !== undefined)) {
      for (const k of group) {
        if (env[k] === undefined) delete out[k];
      }
    }
  }
  for (const k of NESTED_KEYS) {
    if (base[k] !== undefined && env[k] !== undefined) out[k] = { ...base[k], ...env[k] };
  }
  return out as EnvironmentConfig;
}

/** The path of `key` (e.g. ['tls', 'ca']) in the block that set it: the environment's, else defaults'. */
function origin(blocks: readonly Block[], key: readonly string[]): KeyPath {
  for (const block of [...blocks].reverse()) {
    let value: unknown = block.config;
    for (const part of key) value = (value as Record<string, unknown> | undefined)?.[part];
    if (value !== undefined) return [...block.path, ...key];
  }
  return [...(blocks[blocks.length - 1]?.path ?? []), ...key];
}

/** A validated `schema.table` or `table` (then in the tracking schema) as a TableRef. */
export function tableRef(name: string | undefined, fallback: TableRef): TableRef {
  if (name === undefined) return fallback;
  const parts = name.split('.');
  return parts.length === 2 ? { schema: parts[0]!, table: parts[1]! } : { schema: DEFAULTS.trackingSchema, table: name };
}

function readPem(file: string, rootDir: string, keyPath: KeyPath, problems: ProblemList): string | undefined {
  const absolute = path.resolve(rootDir, file);
  let contents: string;
  try {
    contents = readFileSync(absolute, 'utf8');
  } catch (err) {
    const reason = (err as NodeJS.ErrnoException).code === 'ENOENT' ? 'does not exist' : `cannot be read (${(err as Error).message})`;
    problems.add(keyPath, `file ${absolute} ${reason}: paths are relative to the config file's folder`);
    return undefined;
  }
  if (!contents.includes('-----BEGIN')) {
    problems.add(keyPath, `file ${absolute} is not PEM (no -----BEGIN line): give the certificate or key in PEM form`);
    return undefined;
  }
  return contents;
}

/** Servers and URL credentials of a block's `url`/`servers`. */
function serversOf(blocks: readonly Block[], env: EnvironmentConfig, problems: ProblemList): { servers: string[]; auth?: Auth } {
  const single = env.url !== undefined;
  const basePath = origin(blocks, [single ? 'url' : 'servers']);
  const { servers, auth, conflict } = parseServerList(single ? [env.url!] : (env.servers ?? []), (i, message) =>
    problems.add(single ? basePath : [...basePath, i], message),
  );
  if (conflict) problems.add(basePath, CONFLICTING_CREDENTIALS);
  if (auth !== undefined && (env.user !== undefined || env.jwt !== undefined)) {
    problems.add(basePath, 'credentials are given both in a URL and in `user`/`jwt`: keep one of them');
  }
  return auth === undefined ? { servers } : { servers, auth };
}

function authOf(env: EnvironmentConfig): Auth | undefined {
  if (env.jwt !== undefined) return { jwt: env.jwt };
  if (env.user === undefined) return undefined;
  // `password: ${CRATE_PASSWORD:-}` with the variable unset means "no password", not an empty one.
  return env.password === undefined || env.password === '' ? { user: env.user } : { user: env.user, password: env.password };
}

/** Turns the merged blocks of one environment into a ResolvedConfig; relative paths against `rootDir`. */
export function resolveEnvironment(
  envName: string,
  blocks: readonly Block[],
  file: string,
  problems: ProblemList,
): ResolvedConfig {
  const env = blocks.map((b) => b.config).reduce(mergeBlocks, {});
  const rootDir = path.dirname(file);
  const base = defaultConfig(undefined, rootDir);
  const { servers, auth: urlAuth } = serversOf(blocks, env, problems);
  const auth = urlAuth ?? authOf(env);

  const tls: ResolvedConfig['tls'] = { rejectUnauthorized: env.tls?.verify ?? true };
  for (const key of ['ca', 'cert', 'key'] as const) {
    const file = env.tls?.[key];
    if (file === undefined) continue;
    const pem = readPem(file, rootDir, origin(blocks, ['tls', key]), problems);
    if (pem !== undefined) tls[key] = pem;
  }

  return {
    ...base,
    env: envName,
    file,
    servers: servers.length > 0 ? servers : base.servers,
    ...(auth === undefined ? {} : { auth }),
    tls,
    schema: env.schema ?? base.schema,
    historyTable: tableRef(env.history_table, base.historyTable),
    seedsTable: tableRef(env.seeds_table, base.seedsTable),
    lockTable: tableRef(env.lock_table, base.lockTable),
    migrationsDir: path.resolve(rootDir, env.migrations ?? DEFAULTS.migrationsDir),
    seedsDir: path.resolve(rootDir, env.seeds ?? DEFAULTS.seedsDir),
    placeholders: Object.fromEntries(Object.entries(env.placeholders ?? {}).map(([k, v]) => [k, String(v)])),
    connectTimeoutMs: env.timeouts?.connect_ms ?? base.connectTimeoutMs,
    requestTimeoutMs: env.timeouts?.request_ms ?? base.requestTimeoutMs,
    batchSize: env.batch_size ?? base.batchSize,
    lock: { leaseMs: env.lock?.lease_ms ?? base.lock.leaseMs, waitMs: env.lock?.wait_ms ?? base.lock.waitMs },
    ...(env.check?.qualify_names === undefined ? {} : { check: { qualifyNames: env.check.qualify_names } }),
  };
}
