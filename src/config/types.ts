import type { TableRef } from '../client/types.js';

/** Credentials: Basic (user, optional password) or a JWT sent as Bearer (CrateDB 5.7+). */
export type Auth = { user: string; password?: string } | { jwt: string };

/** TLS settings of the HTTP client (`tls:` in the config). */
export interface TlsOptions {
  /** Verify the server's certificate. @default true */
  rejectUnauthorized: boolean;
  /** PEM contents (already read from the files named in the config). */
  ca?: string;
  cert?: string;
  key?: string;
}

/** One environment of `crate.config.yaml`, after interpolation, defaults, `CRATEDB_URL` and flags. */
export interface ResolvedConfig {
  /** The environment's name, e.g. `development`. */
  env: string;
  /** Absolute path of the config file, when one was read. */
  file?: string;
  /** Directory relative paths are resolved against (the config file's directory, else the cwd). */
  rootDir: string;
  /** Base URLs such as `http://localhost:4200`, tried round-robin. */
  servers: string[];
  auth?: Auth;
  tls: TlsOptions;
  /** Schema for unqualified names in migrations, sent as `Default-Schema` on every request. @default doc */
  schema: string;
  historyTable: TableRef;
  seedsTable: TableRef;
  lockTable: TableRef;
  /** Absolute paths. */
  migrationsDir: string;
  seedsDir: string;
  /** `${name}` placeholders replaced in SQL migration files. */
  placeholders: Record<string, string>;
  connectTimeoutMs: number;
  requestTimeoutMs: number;
  /** Rows per `bulk_args` request in seeds (a request also closes at ~1 MB of values). @default 5000 */
  batchSize: number;
  lock: { leaseMs: number; waitMs: number };
  /** `check:` in the config: what `cratedb-migrate check` also reports. Absent: the defaults. */
  check?: {
    /** Report table names without a schema (CM_CHECK_UNQUALIFIED). @default false */
    qualifyNames: boolean;
  };
}
