import type { Argv } from 'yargs';
import type { ConfigOverrides } from '../config/load.js';
import type { ApiOptions } from '../index.js';
import { createLogger } from '../logger.js';

/** Flags every command takes. */
export interface GlobalArgs {
  config?: string;
  env?: string;
  url?: string[];
  user?: string;
  schema?: string;
  'migrations-dir'?: string;
  'seeds-dir'?: string;
  'history-table'?: string;
  json: boolean;
  'log-level': string;
}

export function globalOptions<T>(y: Argv<T>): Argv<T & GlobalArgs> {
  return y
    .option('config', { type: 'string', describe: 'Config file (default: crate.config.yaml when present)' })
    .option('env', { type: 'string', describe: 'Environment in the config (default: $CRATE_ENV, $NODE_ENV, development)' })
    // Not `array: true`: that makes `--url http://a up` read `up` as a second URL. Repeating the flag
    // (or a comma-separated list) gives several servers.
    .option('url', {
      type: 'string',
      describe: 'CrateDB server URL; repeat the flag (or separate with commas) for several. Overrides the config and $CRATEDB_URL',
      coerce: (value: string | string[]) => ([] as string[]).concat(value),
    })
    .option('user', { type: 'string', describe: 'User name (the password comes from the config or $CRATEDB_URL, never a flag)' })
    .option('schema', { type: 'string', describe: 'Schema for unqualified names in migrations (default: doc)' })
    .option('migrations-dir', { type: 'string', describe: 'Migrations folder (default: migrations)' })
    .option('seeds-dir', { type: 'string', describe: 'Seeds folder (default: seeds)' })
    .option('history-table', { type: 'string', describe: 'History table as schema.table (default: cratedb_migrate.migrations)' })
    .option('json', { type: 'boolean', default: false, describe: 'Print the result as JSON on stdout' })
    .option('log-level', {
      type: 'string',
      default: 'info',
      choices: ['trace', 'debug', 'info', 'warn', 'error', 'fatal', 'silent'],
      describe: 'Log level (logs go to stderr; JSON unless stderr is a terminal)',
    }) as Argv<T & GlobalArgs>;
}

/** The API options a command's flags describe. */
export function apiOptions(args: GlobalArgs, signal: AbortSignal): ApiOptions {
  const overrides: ConfigOverrides = {
    // Commas and spaces are the config loader's to read, as in CRATEDB_URL.
    ...(args.url?.length ? { url: args.url } : {}),
    ...(args.user === undefined ? {} : { user: args.user }),
    ...(args.schema === undefined ? {} : { schema: args.schema }),
    ...(args['migrations-dir'] === undefined ? {} : { migrationsDir: args['migrations-dir'] }),
    ...(args['seeds-dir'] === undefined ? {} : { seedsDir: args['seeds-dir'] }),
    ...(args['history-table'] === undefined ? {} : { historyTable: args['history-table'] }),
  };
  return {
    ...(args.config === undefined ? {} : { config: args.config }),
    ...(args.env === undefined ? {} : { env: args.env }),
    overrides,
    logger: createLogger({ level: args['log-level'] }),
    signal,
  };
}
