import { createRequire } from 'node:module';
import type Pino from 'pino';
import type { Logger } from 'pino';
import type PinoPretty from 'pino-pretty';
import { UsageError } from './errors.js';

/** pino and pino-pretty are CommonJS: a synchronous require keeps createLogger synchronous while letting
 * deferredLogger load them late. pino-pretty only when a line is pretty-printed, on a terminal: off one
 * (CI, a container's log) every command would pay its load at start-up for nothing. */
const load = createRequire(import.meta.url);
const loadPino = (): typeof Pino => load('pino') as typeof Pino;
const loadPretty = (): typeof PinoPretty => load('pino-pretty') as typeof PinoPretty;

export type { Logger } from 'pino';

/** Keys whose values never reach a log line, whatever object they sit in. */
const SECRET_KEYS = ['password', 'token', 'jwt', 'secret', 'authorization', 'Authorization'];

/** pino's redaction matches fixed paths, not "any depth": a wildcard per level, down to this depth, covers
 * every object we log (`{config: {auth: {password}}}` is depth 2; request headers depth 1 or 2). */
const REDACT_DEPTH = 5;

/** pino's levels and their numbers; `silent` is above them all. */
const LEVEL_VALUES: Record<string, number> = { trace: 10, debug: 20, info: 30, warn: 40, error: 50, fatal: 60, silent: Infinity };
const LEVELS = Object.keys(LEVEL_VALUES);

function redactPaths(): string[] {
  const paths: string[] = [];
  for (const key of SECRET_KEYS) {
    let path = key;
    for (let depth = 0; depth <= REDACT_DEPTH; depth++) {
      paths.push(path);
      path = `*.${path}`;
    }
  }
  return paths;
}

export interface LoggerOptions {
  /** pino level name. @default 'info' */
  level?: string;
  /** Human-readable lines instead of JSON. @default true when stderr is a TTY */
  pretty?: boolean;
  /** Where lines go. @default process.stderr (stdout is for command output) */
  destination?: NodeJS.WritableStream;
}

/**
 * The package's logger: JSON lines (or pretty ones on a TTY) on stderr, with passwords, tokens, JWTs and
 * Authorization headers replaced by `[redacted]` wherever they appear in a logged object.
 */
export function createLogger(options: LoggerOptions = {}): Logger {
  const level = checkedLevel(options.level);
  const pino = loadPino();
  const isTty = ((options.destination ?? process.stderr) as { isTTY?: boolean }).isTTY === true;
  const usePretty = options.pretty ?? isTty;
  // fd 2, written synchronously, so that lines logged just before the process ends are not lost.
  const destination = options.destination ?? 2;
  const base = {
    level,
    redact: { paths: redactPaths(), censor: '[redacted]' },
  };
  if (usePretty) {
    const stream = loadPretty()({
      destination,
      sync: true,
      colorize: isTty,
      ignore: 'pid,hostname',
      translateTime: 'SYS:HH:MM:ss.l',
    });
    return pino(base, stream);
  }
  return pino(base, typeof destination === 'number' ? pino.destination({ dest: destination, sync: true }) : destination);
}

function checkedLevel(level = 'info'): string {
  if (!LEVELS.includes(level)) {
    throw new UsageError(`Unknown log level '${level}': use one of ${LEVELS.join(', ')}.`);
  }
  return level;
}

/**
 * createLogger's logger, made when a line is first written at its level (or anything else of pino's is
 * used). Loading pino costs ~20 ms, and a `status`, a no-op `up` or a seed at `--log-level warn` often
 * writes no line at all: the CLI, and the API when given no logger, use this one. Lines below the level,
 * `child()` and `level` are answered without pino.
 */
export function deferredLogger(options: LoggerOptions = {}): Logger {
  const level = checkedLevel(options.level);
  return deferred(LEVEL_VALUES[level]!, level, () => createLogger(options));
}

function deferred(threshold: number, level: string, make: () => Logger): Logger {
  let real: Logger | undefined;
  const get = (): Logger => (real ??= make());
  const quiet = (): void => {};
  return new Proxy(Object.create(null) as Logger, {
    get(_target, prop) {
      if (real === undefined) {
        // Not a thenable: returning the logger from an async function must not load pino.
        if (prop === 'then') return undefined;
        if (prop === 'level') return level;
        if (typeof prop === 'string' && Object.hasOwn(LEVEL_VALUES, prop) && LEVEL_VALUES[prop]! < threshold) return quiet;
        if (prop === 'isLevelEnabled') return (name: string) => (LEVEL_VALUES[name] ?? -1) >= threshold;
        if (prop === 'child') {
          return (bindings: Record<string, unknown>, childOptions?: Pino.ChildLoggerOptions) =>
            childOptions?.level === undefined
              ? deferred(threshold, level, () => get().child(bindings, childOptions))
              : get().child(bindings, childOptions);
        }
      }
      const value: unknown = Reflect.get(get(), prop);
      return typeof value === 'function' ? (value as (...a: unknown[]) => unknown).bind(real) : value;
    },
    set(_target, prop, value) {
      return Reflect.set(get(), prop, value);
    },
  });
}
