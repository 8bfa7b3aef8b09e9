import type { Logger } from 'pino';
import { createClient } from './client/client.js';
import type { CrateClient } from './client/types.js';
import { loadConfig, type ConfigOverrides } from './config/load.js';
import type { ResolvedConfig } from './config/types.js';
import { deferredLogger } from './logger.js';

/** Options every API call takes: where the config comes from and what to talk through. */
export interface ApiOptions {
  /** Path of the config file, or a config already resolved. @default `crate.config.yaml` in `cwd` when present */
  config?: string | ResolvedConfig;
  /** Environment in the config file. @default `CRATE_ENV`, then `NODE_ENV`, then `development` */
  env?: string;
  /** Directory a relative config path and a missing config resolve against. @default process.cwd() */
  cwd?: string;
  /** Values that override the file and `CRATEDB_URL` (the CLI's flags). */
  overrides?: ConfigOverrides;
  /** @default a pino logger at `info` on stderr */
  logger?: Logger;
  /** Aborting stops a run between two statements. */
  signal?: AbortSignal;
  /** Talk through this client instead of one built from the config; it is not closed. */
  client?: CrateClient;
}

export interface Session {
  config: ResolvedConfig;
  client: CrateClient;
  logger: Logger;
  signal?: AbortSignal;
}

/** The config the options name: resolved as given, or loaded from the file, environment and overrides. */
export async function resolveConfig(options: ApiOptions): Promise<ResolvedConfig> {
  if (typeof options.config === 'object') return options.config;
  return loadConfig({
    ...(options.config === undefined ? {} : { configPath: options.config }),
    ...(options.env === undefined ? {} : { env: options.env }),
    ...(options.cwd === undefined ? {} : { cwd: options.cwd }),
    ...(options.overrides === undefined ? {} : { overrides: options.overrides }),
  });
}

/** Resolves the config, opens a client, runs `work`, and closes the client it opened, also on failure. */
export async function withSession<T>(options: ApiOptions, work: (session: Session) => Promise<T>): Promise<T> {
  const config = await resolveConfig(options);
  const logger = options.logger ?? deferredLogger();
  const client = options.client ?? createClient(config, { logger });
  try {
    return await work({ config, client, logger, ...(options.signal ? { signal: options.signal } : {}) });
  } finally {
    if (!options.client) await client.close();
  }
}
