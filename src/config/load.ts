import { access, readFile } from 'node:fs/promises';
import path from 'node:path';
import type * as v from 'valibot';
import { ConfigError } from '../errors.js';
import { defaultConfig } from './defaults.js';
import { interpolate, type Environment } from './interpolate.js';
import { didYouMean, ProblemList, type KeyPath } from './problems.js';
import { resolveEnvironment, tableRef, type Block } from './resolve.js';
import type { Auth, ResolvedConfig } from './types.js';
import { CONFLICTING_CREDENTIALS, parseServerList, redactUrl } from './urls.js';

/** Command-line flags; they override the file and `CRATEDB_URL`. */
export interface ConfigOverrides {
  url?: string[];
  user?: string;
  password?: string;
  schema?: string;
  /** Relative to the working directory, as paths on a command line are. */
  migrationsDir?: string;
  seedsDir?: string;
  /** `schema.table` or `table`. */
  historyTable?: string;
}

/** Where `loadConfig` reads from; every field is optional. */
export interface LoadConfigOptions {
  /** The config file; an error when it does not exist. @default crate.config.yaml (or .yml) in `cwd`, if there */
  configPath?: string;
  /** The environment to use. @default CRATE_ENV, else NODE_ENV, else 'development' */
  env?: string;
  /** @default process.cwd() */
  cwd?: string;
  /** Variables for `${VAR}`, CRATE_ENV, NODE_ENV and CRATEDB_URL. @default process.env */
  environment?: Record<string, string | undefined>;
  overrides?: ConfigOverrides;
}

const CONFIG_NAMES = ['crate.config.yaml', 'crate.config.yml'];

/** The validation (valibot, ~10 ms to load) and the YAML parser only when there is something to validate: a
 * file, or a --schema or --history-table flag. Without them (CRATEDB_URL alone, as in CI) neither loads. */
const schemas = () => import('./schema.js');

function nonEmpty(value: string | undefined): string | undefined {
  return value === undefined || value.trim() === '' ? undefined : value.trim();
}

async function exists(file: string): Promise<boolean> {
  try {
    await access(file);
    return true;
  } catch {
    return false;
  }
}

async function findConfigFile(cwd: string, configPath: string | undefined): Promise<string | undefined> {
  if (configPath !== undefined) {
    const file = path.resolve(cwd, configPath);
    if (!(await exists(file))) {
      throw new ConfigError(`Config file ${file} does not exist: check --config (paths are relative to ${cwd}).`, undefined, file);
    }
    return file;
  }
  for (const name of CONFIG_NAMES) {
    const file = path.join(cwd, name);
    if (await exists(file)) return file;
  }
  return undefined;
}

function toKeyPath(issue: v.BaseIssue<unknown>): Array<string | number> {
  return (issue.path ?? []).map((p) => (typeof p.key === 'number' ? p.key : String(p.key)));
}

/** An unknown key: valibot's strictObject expects `never` there (schema.ts's mapping() reports each such key). */
const isUnknownKey = (issue: v.BaseIssue<unknown>): boolean => issue.expected === 'never';

/** valibot issues as problems: unknown keys point at the key itself, with the allowed ones and a "did you mean". */
function addIssues(problems: ProblemList, prefix: KeyPath, issues: readonly v.BaseIssue<unknown>[], allowed: (path: KeyPath) => string[]): void {
  for (const issue of issues) {
    const at = toKeyPath(issue);
    if (isUnknownKey(issue)) {
      const key = String(at.pop());
      const keys = allowed(at);
      const hint = didYouMean(key, keys) || (keys.length > 0 ? ` (allowed here: ${keys.join(', ')})` : '');
      problems.add([...prefix, ...at, key], `unknown key '${key}'${hint}`);
    } else {
      problems.add([...prefix, ...at], issue.message);
    }
  }
}

async function loadFile(file: string, envName: string, environment: Environment, cwd: string): Promise<ResolvedConfig> {
  const relative = path.relative(cwd, file);
  const display = relative.startsWith('..') || path.isAbsolute(relative) ? file : relative;
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (err) {
    throw new ConfigError(`Cannot read config file ${display}: ${(err as Error).message}`, undefined, display, undefined, { cause: err });
  }
  const [{ parseYamlFile }, { allowedKeys, EnvironmentSchema, FileSchema, safeParse }] = await Promise.all([
    import('./yaml-file.js'),
    schemas(),
  ]);
  const yaml = parseYamlFile(text);
  // Typed explicitly, so that TypeScript sees `problems.throwAll()` end the branch (`never`) and narrows `top`.
  const problems: ProblemList = new ProblemList(display, yaml.lineOf);
  for (const error of yaml.syntaxErrors) problems.add([], error.message, error.line);
  problems.throwIfAny();

  const top = safeParse(FileSchema, yaml.data ?? {});
  if (!top.success) {
    addIssues(problems, [], top.issues, (at) => (at.length === 0 ? Object.keys(FileSchema.entries) : []));
    problems.throwAll();
  }
  const { defaults, environments } = top.output;
  const allowed = (at: KeyPath): string[] => allowedKeys(at);

  if (!Object.hasOwn(environments, envName)) {
    const known = Object.keys(environments);
    problems.add(
      ['environments'],
      `no environment '${envName}' (defined: ${known.length > 0 ? known.join(', ') : 'none'}): ` +
        'choose one with --env, CRATE_ENV or NODE_ENV, or add it under `environments:`',
    );
  }
  // Other environments: only unknown keys are checked. Their values may need variables that are only set
  // where that environment runs, so they are not interpolated here.
  for (const [name, raw] of Object.entries(environments)) {
    if (name === envName || raw === null || raw === undefined) continue;
    const result = safeParse(EnvironmentSchema, raw);
    if (!result.success) addIssues(problems, ['environments', name], result.issues.filter(isUnknownKey), allowed);
  }

  const blocks: Block[] = [];
  const sources: Array<[KeyPath, unknown]> = [
    [['defaults'], defaults],
    [['environments', envName], environments[envName]],
  ];
  for (const [blockPath, raw] of sources) {
    if (raw === undefined || raw === null) continue;
    const value = interpolate(raw, blockPath, environment, problems);
    const result = safeParse(EnvironmentSchema, value);
    if (result.success) blocks.push({ config: result.output, path: blockPath });
    else addIssues(problems, blockPath, result.issues, allowed);
  }
  problems.throwIfAny();
  const config = resolveEnvironment(envName, blocks, file, problems);
  problems.throwIfAny();
  return config;
}

/** `CRATEDB_URL` or `--url`: URLs, each entry possibly a comma-separated list, which may carry
 * `user:password@` (then Basic auth). */
function parseUrlList(entries: readonly string[], label: string): { servers: string[]; auth?: Auth } {
  const raws = entries.flatMap((e) => e.split(',')).filter((s) => s.trim() !== '');
  const problems = new ProblemList(undefined);
  // The value may hold a password: messages show it redacted.
  const { servers, auth, conflict } = parseServerList(raws, (i, message) =>
    problems.add([label, i], `'${redactUrl(raws[i]!.trim())}' ${message}`),
  );
  if (servers.length === 0 && problems.size === 0) problems.add([label], 'lists no URL');
  if (conflict) problems.add([label], CONFLICTING_CREDENTIALS);
  problems.throwIfAny();
  return auth === undefined ? { servers } : { servers, auth };
}

function applyEnvironmentUrl(config: ResolvedConfig, environment: Environment): ResolvedConfig {
  const raw = nonEmpty(environment.CRATEDB_URL);
  if (raw === undefined) return config;
  const { servers, auth } = parseUrlList([raw], 'CRATEDB_URL');
  return { ...config, servers, ...(auth === undefined ? {} : { auth }) };
}

function overriddenAuth(current: Auth | undefined, overrides: ConfigOverrides, problems: ProblemList): Auth | undefined {
  const { user, password } = overrides;
  if (user !== undefined) {
    // Keep the configured password only when the flag names the same user.
    const kept = current !== undefined && 'user' in current && current.user === user ? current.password : undefined;
    const pw = password ?? kept;
    return pw === undefined ? { user } : { user, password: pw };
  }
  if (password === undefined) return current;
  if (current !== undefined && 'jwt' in current) {
    problems.add(['--password'], 'the configuration uses a JWT: give --user as well to log in with a password');
    return current;
  }
  return { user: current?.user ?? 'crate', password };
}

async function applyOverrides(config: ResolvedConfig, overrides: ConfigOverrides, cwd: string): Promise<ResolvedConfig> {
  const out: ResolvedConfig = { ...config };
  if (overrides.url !== undefined && overrides.url.length > 0) {
    const { servers, auth } = parseUrlList(overrides.url, '--url');
    out.servers = servers;
    if (auth !== undefined) out.auth = auth;
  }
  const problems = new ProblemList(undefined);
  const auth = overriddenAuth(out.auth, overrides, problems);
  if (auth !== undefined) out.auth = auth;
  if (overrides.schema !== undefined) {
    const { safeParse, schemaName } = await schemas();
    const checked = safeParse(schemaName, overrides.schema);
    if (checked.success) out.schema = checked.output;
    else problems.add(['--schema'], checked.issues[0].message);
  }
  if (overrides.historyTable !== undefined) {
    const { safeParse, tableName } = await schemas();
    const checked = safeParse(tableName, overrides.historyTable);
    if (checked.success) out.historyTable = tableRef(checked.output, out.historyTable);
    else problems.add(['--history-table'], checked.issues[0].message);
  }
  if (overrides.migrationsDir !== undefined) out.migrationsDir = path.resolve(cwd, overrides.migrationsDir);
  if (overrides.seedsDir !== undefined) out.seedsDir = path.resolve(cwd, overrides.seedsDir);
  problems.throwIfAny();
  return out;
}

/**
 * Loads one environment of `crate.config.yaml`: YAML -> `${VAR}` interpolation -> environment selection
 * (`env`, CRATE_ENV, NODE_ENV, 'development') -> `defaults:` merged under it -> validation -> CRATEDB_URL
 * -> command-line overrides. Without a config file the defaults apply. Every problem found is reported in
 * one `ConfigError` (its `problems` list), each with its key path, file and line.
 */
export async function loadConfig(options: LoadConfigOptions = {}): Promise<ResolvedConfig> {
  const cwd = path.resolve(options.cwd ?? process.cwd());
  const environment = options.environment ?? process.env;
  const envName =
    nonEmpty(options.env) ?? nonEmpty(environment.CRATE_ENV) ?? nonEmpty(environment.NODE_ENV) ?? 'development';
  const file = await findConfigFile(cwd, options.configPath);
  const fromFile =
    file === undefined ? { ...defaultConfig(undefined, cwd), env: envName } : await loadFile(file, envName, environment, cwd);
  return applyOverrides(applyEnvironmentUrl(fromFile, environment), options.overrides ?? {}, cwd);
}
