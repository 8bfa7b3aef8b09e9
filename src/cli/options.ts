import type { ConfigOverrides } from '../config/load.js';
import type { ApiOptions } from '../session.js';
import { deferredLogger } from '../logger.js';
import type { ParsedArgs } from './spec.js';

/** The flags every command takes (catalog.ts GLOBAL_OPTIONS), as parsed. */
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

/** Parsed arguments typed as a command declares them in catalog.ts. */
export function argsOf<A>(args: ParsedArgs): GlobalArgs & A {
  return args as unknown as GlobalArgs & A;
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
    logger: deferredLogger({ level: args['log-level'] }),
    signal,
  };
}
