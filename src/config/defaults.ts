import path from 'node:path';
import type { ResolvedConfig } from './types.js';

/** The defaults every environment starts from; `crate.config.yaml`, `CRATEDB_URL` and flags override them. */
export const DEFAULTS = {
  url: 'http://localhost:4200',
  schema: 'doc',
  trackingSchema: 'cratedb_migrate',
  historyTable: 'migrations',
  seedsTable: 'seeds',
  lockTable: 'lock',
  migrationsDir: 'migrations',
  seedsDir: 'seeds',
  connectTimeoutMs: 5_000,
  // CrateDB blocks a write to a shard with no live primary for 1 minute before it answers 5002
  // (cluster-faults.md): a shorter request timeout would turn that answer into an unknown outcome.
  requestTimeoutMs: 90_000,
  // Rows per bulk request in seeds: 5,000 x 2 in flight was the fastest measured (docs/performance.md);
  // the writer also closes a request at ~1 MB of values, so wide rows make smaller batches.
  batchSize: 5_000,
  lockLeaseMs: 30_000,
  lockWaitMs: 120_000,
} as const;

/** A complete config for the given servers, relative paths resolved against `rootDir`. */
export function defaultConfig(servers: string[] = [DEFAULTS.url], rootDir = process.cwd()): ResolvedConfig {
  return {
    env: 'development',
    rootDir,
    servers,
    tls: { rejectUnauthorized: true },
    schema: DEFAULTS.schema,
    historyTable: { schema: DEFAULTS.trackingSchema, table: DEFAULTS.historyTable },
    seedsTable: { schema: DEFAULTS.trackingSchema, table: DEFAULTS.seedsTable },
    lockTable: { schema: DEFAULTS.trackingSchema, table: DEFAULTS.lockTable },
    migrationsDir: path.resolve(rootDir, DEFAULTS.migrationsDir),
    seedsDir: path.resolve(rootDir, DEFAULTS.seedsDir),
    placeholders: {},
    connectTimeoutMs: DEFAULTS.connectTimeoutMs,
    requestTimeoutMs: DEFAULTS.requestTimeoutMs,
    batchSize: DEFAULTS.batchSize,
    lock: { leaseMs: DEFAULTS.lockLeaseMs, waitMs: DEFAULTS.lockWaitMs },
  };
}
